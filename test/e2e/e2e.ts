/**
 * `npm run e2e`: the local stack on a real control plane with a worker node. cluster up, the
 * checks, cluster down (always). Each check is one module under `checks/` (its number first in its
 * file name and its title); they run in the order of their numbers and print PASS/FAIL with their
 * name; check 10 (teardown leaves nothing behind) runs last, after down. The run fails on any failure.
 *
 * Checks share the one cluster, so a few build on an earlier one's state, and say so in their
 * header: 16 uses the pods 15 started; after 9 the stack's admission policy bindings are gone.
 */
import { existsSync } from "fs";
import { down } from "../../cluster/down";
import { up, UpResult } from "../../cluster/local";
import { nodeLeftovers } from "../../cluster/node";
import { recordedPids, startTimeOf } from "../../cluster/procs";
import { e2eContext, loadChecks } from "./harness";

const CHECKS = loadChecks();
const results: Array<{ name: string; ok: boolean; detail?: string }> = [];
let c: UpResult;

async function main(): Promise<number> {
    const t0 = Date.now();
    try {
        c = await up({ node: true });
    } catch (e) {
        console.log(`FAIL  cluster:up — ${(e as Error).message}`);
        return 1;
    }
    console.log(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    const pids = recordedPids(c.stateDir);
    try {
        const e = e2eContext(c);
        for (const check of CHECKS) {
            try {
                await check.run(e);
                results.push({ name: check.name, ok: true });
            } catch (e) {
                results.push({ name: check.name, ok: false, detail: (e as Error).message });
            }
            const r = results[results.length - 1];
            console.log(`${r.ok ? "PASS" : "FAIL"}  ${r.name}${r.detail ? `\n      ${r.detail}` : ""}`);
        }
    } finally {
        const pidsAtEnd = [...pids, ...recordedPids(c.stateDir)];
        const left = (await down(c)).problems;
        // processes, mounts, chains, ipsets, bridge, cgroups, sysctls, host paths
        if (c.nodeResult) left.push(...nodeLeftovers(c.nodeResult.record));
        const stillAlive = pidsAtEnd.filter(p => startTimeOf(p.pid) === p.startTime);
        const ok = left.length === 0 && stillAlive.length === 0 && !existsSync(c.stateDir);
        results.push({
            name:
                "10. teardown leaves nothing behind: no process, and of the node no mount, iptables " +
                "chain, ipset, bridge, cgroup, kernel setting or host path",
            ok,
            detail: ok ? undefined : `left: ${[...left, ...stillAlive.map(p => p.name)].join(", ")}`,
        });
        console.log(
            `${ok ? "PASS" : "FAIL"}  ${results[results.length - 1].name}` +
                `${ok ? "" : `\n      ${results[results.length - 1].detail}`}`,
        );
    }
    const failed = results.filter(r => !r.ok).length;
    console.log(`\ntotal time ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
    return failed ? 1 : 0;
}

main().then(
    code => process.exit(code),
    e => {
        console.error(e);
        process.exit(1);
    },
);
