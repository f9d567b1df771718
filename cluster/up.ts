/**
 * `npm run cluster:up [-- --node]`: start the local hardened control plane (with `--node`, also a
 * real worker node); the last lines are the exports, shell-quoted for `eval`.
 */
import { exportLines, log, up } from "./local";

const args = process.argv.slice(2);
const unknown = args.filter(a => a !== "--node");
if (unknown.length) {
    log(`unknown argument(s): ${unknown.join(" ")}; usage: npm run cluster:up [-- --node]`);
    process.exit(2);
}
up({ node: args.includes("--node") }).then(
    info => {
        log(`up: pids recorded in ${info.stateDir}/pids.json; stop with npm run cluster:down`);
        process.stdout.write(exportLines(info) + "\n");
        process.exit(0);
    },
    e => {
        log(`failed: ${(e as Error).message}`);
        process.exit(1);
    },
);
