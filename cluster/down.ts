/**
 * `npm run cluster:down`: stop every process cluster:up started and remove its state. Nothing is
 * signalled or removed unless it checks out: the state directory must be one `up` made (marker
 * with the recorded token), and each recorded pid must still be the process started (start time
 * and command line naming the state directory; see procs.ts).
 */
import { rmSync } from "fs";
import { log } from "./local";
import { stopNode } from "./node";
import { stopAll } from "./procs";
import { clearPointer, loadInfo, notOurStateDir } from "./state";

export interface DownResult {
    /** Processes left running, refused, or other things that could not be cleaned. */
    problems: string[];
    stateDir?: string;
}

export async function down(target?: {
    stateDir: string;
    token: string;
    toolsBin?: string;
    kubeconfig?: string;
}): Promise<DownResult> {
    const info = target ?? loadInfo();
    if (!info) {
        log("no local cluster is recorded; nothing to stop");
        return { problems: [] };
    }
    const why = notOurStateDir(info.stateDir, info.token);
    if (why) return { problems: [`refusing to act on the recorded state directory: ${why}`], stateDir: info.stateDir };
    // The node first, while the API server still answers (its pods are deleted through it).
    const api =
        info.toolsBin && info.kubeconfig ? { k8sBin: info.toolsBin, adminKubeconfig: info.kubeconfig } : undefined;
    const problems = [...(await stopNode(info.stateDir, api)), ...(await stopAll(info.stateDir))];
    if (problems.length) return { problems, stateDir: info.stateDir };
    rmSync(info.stateDir, { recursive: true, force: true });
    clearPointer(info.stateDir);
    return { problems: [], stateDir: info.stateDir };
}

if (require.main === module) {
    down().then(
        r => {
            if (r.problems.length) {
                log(`not everything was cleaned (state kept in ${r.stateDir}):\n  ${r.problems.join("\n  ")}`);
                process.exit(1);
            }
            if (r.stateDir) log("stopped and removed");
            process.exit(0);
        },
        e => {
            log(`failed: ${(e as Error).message}`);
            process.exit(1);
        },
    );
}
