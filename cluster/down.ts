/** `npm run cluster:down`: stop every process cluster:up started (by pid) and remove its state. */
import { rmSync } from "fs";
import { log } from "./local";
import { stopAll } from "./procs";
import { clearPointer, loadInfo } from "./state";

export async function down(stateDir?: string): Promise<string[]> {
    const dir = stateDir ?? loadInfo()?.stateDir;
    if (!dir) {
        log("no local cluster is recorded; nothing to stop");
        return [];
    }
    const left = await stopAll(dir);
    rmSync(dir, { recursive: true, force: true });
    clearPointer(dir);
    return left;
}

if (require.main === module) {
    down().then(left => {
        if (left.length) {
            log(`still running: ${left.join(", ")}`);
            process.exit(1);
        }
        log("stopped and removed");
        process.exit(0);
    });
}
