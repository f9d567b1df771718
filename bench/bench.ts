/**
 * `npm run bench`: scanner throughput and peak memory on generated corpora, and policy-evaluation
 * cost for the program with 10, 100 and 1000 SecureNamespaces. Each measurement runs in its own
 * process (one core), best of 3 for the scanner.
 */
import { execFileSync, spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { stringify } from "yaml";
import { corpus } from "./corpus";

const node = (script: string, args: string[]) =>
    JSON.parse(execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, script), ...args], { encoding: "utf8", maxBuffer: 1 << 30 }));

const sizes = (process.env.HC_BENCH_SIZES ?? "1000,10000,50000").split(",").map(Number);
const nsCounts = (process.env.HC_BENCH_NAMESPACES ?? "10,100,1000").split(",").map(Number);
const dir = mkdtempSync(path.join(tmpdir(), "hc-bench-"));
try {
    console.log("Scanner (parse + all 96 rules), best of 3, one process per run:");
    console.log("| resources | findings | parse ms | evaluate ms | total ms | resources/s | evaluate-only resources/s | peak RSS MiB | CLI end-to-end ms (json) | CLI resources/s |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    // The CLI as users run it: the compiled scanner (npm run build), process start to JSON written.
    execFileSync("npm", ["run", "--silent", "build"], { cwd: path.join(__dirname, ".."), stdio: "inherit" });
    const cli = (file: string) => {
        const t = process.hrtime.bigint();
        const r = spawnSync(process.execPath, [path.join(__dirname, "..", "bin", "hardened-scan"), "--format", "json", file], { maxBuffer: 1 << 30 });
        if (r.status !== 0 && r.status !== 1) throw new Error(`hardened-scan failed: ${r.stderr}`);
        return Number(process.hrtime.bigint() - t) / 1e6;
    };
    for (const n of sizes) {
        const file = path.join(dir, `corpus-${n}.yaml`);
        writeFileSync(file, corpus(n).map(o => stringify(o)).join("---\n"));
        const runs = [0, 1, 2].map(() => node("scan-once.ts", [file]));
        const best = runs.reduce((a, b) => (a.parseMs + a.evalMs <= b.parseMs + b.evalMs ? a : b));
        const total = best.parseMs + best.evalMs;
        const cliMs = Math.min(cli(file), cli(file), cli(file));
        console.log(`| ${best.resources} | ${best.findings} | ${best.parseMs.toFixed(0)} | ${best.evalMs.toFixed(0)} | ${total.toFixed(0)} | ${Math.round(best.resources / (total / 1000))} | ${Math.round(best.resources / (best.evalMs / 1000))} | ${Math.max(...runs.map(r => r.maxRssMiB)).toFixed(0)} | ${cliMs.toFixed(0)} | ${Math.round(best.resources / (cliMs / 1000))} |`);
    }
    console.log("\nProgram under mocks with N SecureNamespaces, then the pack over its resources:");
    console.log("| namespaces | resources | k8s objects | program ms | rule core ms | CrossGuard policies ms | peak RSS MiB |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|");
    for (const n of nsCounts) {
        const r = node("program-once.ts", [String(n)]);
        console.log(`| ${r.namespaces} | ${r.resources} | ${r.objects} | ${r.programMs.toFixed(0)} | ${r.coreMs.toFixed(0)} | ${r.crossguardMs.toFixed(0)} | ${r.maxRssMiB.toFixed(0)} |`);
    }
    console.log("\nAccess review, 10,000 RBAC objects (targets: risky < 5 s, one who-can < 1 s after loading):");
    const a = node("access-once.ts", [path.join(dir, "access.yaml")]);
    console.log(`| RBAC objects | subjects | namespaces | load ms | risky ms | risky grants | slowest who-can ms | peak RSS MiB |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n| ${a.rbacObjects} | ${a.subjects} | ${a.namespaces} | ${a.loadMs.toFixed(0)} | ${a.riskyMs.toFixed(0)} | ${a.riskyEntries} | ${a.whoCanMaxMs.toFixed(1)} | ${a.maxRssMiB.toFixed(0)} |`);
} finally {
    rmSync(dir, { recursive: true, force: true });
}
