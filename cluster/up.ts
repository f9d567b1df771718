/** `npm run cluster:up`: start the local hardened control plane; the last lines are the exports. */
import { exportLines, log, up } from "./local";

up().then(
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
