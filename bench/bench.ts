/**
 * `npm run bench`: the scanner end to end (the `hardened-scan` command, JSON out, compiled build)
 * on bulk manifests from ../shared/bench/make_bulk.py (the internal generator when that script is
 * absent), its memory on a very large scan with every finding streamed out, and policy-evaluation
 * cost for the program with 10, 100 and 1000 SecureNamespaces. Each measurement runs in its own
 * process; the machine's load average is printed with the numbers (they are noisy under load).
 *
 *   HC_BENCH_SIZES=10000,50000   end-to-end sizes (best of 3 each)
 *   HC_BENCH_STREAM=600000       the memory run (0 to skip)
 *   HC_BENCH_NAMESPACES=10,100,1000
 *   HC_BENCH_KUBE_SCORE=PATH     kube-score to run on the same files (default: `kube-score` on PATH, if
 *                                any; `go install github.com/zegl/kube-score/cmd/kube-score@v1.20.0`)
 *
 * Machines differ (the same scan has taken 0.7 s on one 2-core machine and 1.9 s on another): a
 * peer timed on the same files in the same run is what makes the rates comparable across machines.
 */
import { execFileSync, spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { loadavg, tmpdir } from "os";
import * as path from "path";
import { stringify } from "yaml";
import { defaultJobs } from "../scanner/cli";
import { corpus } from "./corpus";

const REPO = path.join(__dirname, "..");
const BIN = path.join(REPO, "bin", "hardened-scan");
const MAKE_BULK = path.join(REPO, "..", "shared", "bench", "make_bulk.py");

const node = (script: string, args: string[]) =>
    JSON.parse(
        execFileSync(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(__dirname, script), ...args],
            { encoding: "utf8", maxBuffer: 1 << 30 },
        ),
    );
const load = () =>
    loadavg()
        .map(x => x.toFixed(2))
        .join(" ");

/** `n` resources in `dir`: make_bulk.py's all.yaml and split/ (100 per file), else the internal corpus. */
function generate(n: number, dir: string): { file: string; split: string; generator: string } {
    mkdirSync(dir, { recursive: true });
    if (existsSync(MAKE_BULK)) {
        execFileSync("python3", [MAKE_BULK, String(n), dir], { stdio: "ignore" });
        return { file: path.join(dir, "all.yaml"), split: path.join(dir, "split"), generator: "make_bulk.py" };
    }
    const file = path.join(dir, "all.yaml");
    writeFileSync(
        file,
        corpus(n)
            .map(o => stringify(o))
            .join("---\n"),
    );
    return { file, split: file, generator: "bench/corpus.ts" };
}

/** One run of the command as users run it; wall time, peak RSS and the summary. */
function cli(args: string[]): {
    ms: number;
    cpuMs: number;
    /** The main thread's share of cpuMs (NaN where the system does not count threads apart). */
    mainCpuMs: number;
    maxRssMiB: number;
    summary: { resources: number; violations: number; errors: number };
} {
    // The bin runs inside a process that reports its own peak RSS on exit (stdout is the report, discarded).
    const probe =
        `process.on("exit",()=>require("fs").writeSync(2,"\\nBENCH ` +
        `"+JSON.stringify({maxRss:process.resourceUsage().maxRSS,` +
        `cpu:process.resourceUsage().userCPUTime+process.resourceUsage().systemCPUTime,` +
        // the main thread's own CPU time, where the system counts it per thread (Linux), in ns
        `main:(()=>{try{return Number(require("fs").readFileSync("/proc/thread-self/schedstat","utf8")` +
        `.split(" ")[0])}catch{return null}})()})+"\\n"));` +
        `process.argv=[process.argv[0],${JSON.stringify(BIN)},...${JSON.stringify(args)}];` +
        `require(${JSON.stringify(BIN)});`;
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["-e", probe], { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0 && r.status !== 1)
        throw new Error(`hardened-scan failed (${r.status}): ${String(r.stderr).slice(-2000)}`);
    const m = /BENCH (.*)/.exec(String(r.stderr));
    const out = String(r.stdout);
    const lastLine = out.trimEnd().slice(out.trimEnd().lastIndexOf("\n") + 1);
    const summary = args.includes("jsonl") ? JSON.parse(lastLine).summary : JSON.parse(out).summary;
    return {
        ms,
        cpuMs: m ? JSON.parse(m[1]).cpu / 1000 : NaN,
        mainCpuMs: m && typeof JSON.parse(m[1]).main === "number" ? JSON.parse(m[1]).main / 1e6 : NaN,
        maxRssMiB: m ? JSON.parse(m[1]).maxRss / 1024 : NaN,
        summary,
    };
}

/** kube-score, when given or on PATH: the peer timed on the same files. */
function kubeScore(): string | undefined {
    const given = process.env.HC_BENCH_KUBE_SCORE;
    if (given !== undefined) return given || undefined;
    for (const d of (process.env.PATH ?? "").split(path.delimiter)) {
        const f = path.join(d, "kube-score");
        if (d && existsSync(f)) return f;
    }
    return undefined;
}

/** One kube-score run on `file` (JSON out, discarded): wall ms and peak RSS (GNU time, when present). */
function peer(bin: string, file: string): { ms: number; maxRssMiB: number } {
    const timeBin = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
    const cmd = [bin, "score", "--output-format", "json", file];
    const t = process.hrtime.bigint();
    const r = timeBin
        ? spawnSync(timeBin, ["-f", "BENCH %M", ...cmd], { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 30 })
        : spawnSync(cmd[0], cmd.slice(1), { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 30 });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    // kube-score exits 1 when it has critical findings, as this corpus has
    if (r.status !== 0 && r.status !== 1)
        throw new Error(`kube-score failed (${r.status}): ${String(r.stderr).slice(-2000)}`);
    const m = /BENCH (\d+)/.exec(String(r.stderr));
    return { ms, maxRssMiB: m ? Number(m[1]) / 1024 : NaN };
}

/** What `--jobs` defaults to on this machine, and the other setting the bench compares it with. */
const defaultThreads = defaultJobs() > 1 ? `main + ${defaultJobs() - 1} worker(s)` : "main only";
const otherJobs = defaultJobs() > 1 ? ["--jobs", "1"] : ["--jobs", "2"];
const otherThreads = defaultJobs() > 1 ? "main only (--jobs 1)" : "main + 1 worker (--jobs 2)";
const sizes = (process.env.HC_BENCH_SIZES ?? "10000,50000").split(",").filter(Boolean).map(Number);
const streamSize = Number(process.env.HC_BENCH_STREAM ?? "600000");
const nsCounts = (process.env.HC_BENCH_NAMESPACES ?? "10,100,1000").split(",").filter(Boolean).map(Number);
const dir = mkdtempSync(path.join(tmpdir(), "hc-bench-"));
try {
    execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO, stdio: "inherit" });
    console.log(
        `Scanner end to end: \`hardened-scan --format json FILE\` (compiled), best of 3; load ` +
            `average before: ${load()}`,
    );
    console.log(
        "| resources | generator | threads | findings | wall ms | resources/s | CPU ms (user+sys) | " +
            "main thread CPU ms | peak RSS MiB |",
    );
    console.log("|---:|---|---|---:|---:|---:|---:|---:|---:|");
    const rates: number[] = [];
    const peerBin = kubeScore();
    const peerRows: string[] = [];
    for (const n of sizes) {
        const g = generate(n, path.join(dir, `bulk-${n}`));
        if (peerBin) {
            // best of 3 up to 10,000 resources; one run above (kube-score takes minutes at 50,000)
            const runs = Array.from({ length: n <= 10_000 ? 3 : 1 }, () => peer(peerBin, g.file));
            const best = runs.reduce((a, b) => (a.ms <= b.ms ? a : b));
            peerRows.push(`${n}|${best.ms}|${Math.max(...runs.map(r => r.maxRssMiB))}|${runs.length}`);
        }
        for (const jobs of [[], otherJobs]) {
            const runs = [0, 1, 2].map(() => cli(["--format", "json", ...jobs, g.file]));
            const best = runs.reduce((a, b) => (a.ms <= b.ms ? a : b));
            const rate = best.summary.resources / (best.ms / 1000);
            if (!jobs.length) rates.push(rate);
            console.log(
                `| ${best.summary.resources} | ${g.generator} | ` +
                    `${jobs.length ? otherThreads : `default (${defaultThreads})`} | ` +
                    `${best.summary.violations} | ${best.ms.toFixed(0)} | ${Math.round(rate)} | ` +
                    `${Math.min(...runs.map(r => r.cpuMs)).toFixed(0)} | ` +
                    `${Number.isNaN(best.mainCpuMs) ? "n/a" : best.mainCpuMs.toFixed(0)} | ` +
                    `${Math.max(...runs.map(r => r.maxRssMiB)).toFixed(0)} |`,
            );
        }
        rmSync(path.join(dir, `bulk-${n}`), { recursive: true, force: true });
    }
    if (rates.length > 1)
        console.log(
            `Linearity: resources/s at ${sizes[sizes.length - 1]} is ` +
                `${((rates[rates.length - 1] / rates[0]) * 100).toFixed(0)}% of that at ${sizes[0]}.`,
        );
    console.log(`load average after: ${load()}`);
    if (peerBin) {
        console.log(
            `\nkube-score on the same files (\`${peerBin} score --output-format json FILE\`), after each size's`,
        );
        console.log("generation, before hardened-scan's runs:");
        console.log(
            "| resources | runs | wall ms (best) | resources/s | peak RSS MiB | hardened-scan's rate ÷ kube-score's |",
        );
        console.log("|---:|---:|---:|---:|---:|---:|");
        peerRows.forEach((row, i) => {
            const [n, ms, rss, runs] = row.split("|").map(Number);
            const rate = n / (ms / 1000);
            console.log(
                `| ${n} | ${runs} | ${ms.toFixed(0)} | ${Math.round(rate)} | ` +
                    `${Number.isNaN(rss) ? "n/a" : rss.toFixed(0)} | ${(rates[i] / rate).toFixed(1)} |`,
            );
        });
    } else console.log("(no kube-score on PATH and no HC_BENCH_KUBE_SCORE: no peer timed on the same files)");

    if (streamSize > 0) {
        console.log(
            `\nMemory with every finding streamed: ${streamSize} resources (make_bulk split/, 100 ` +
                `per file), \`--format jsonl\` to /dev/null:`,
        );
        const g = generate(streamSize, path.join(dir, `bulk-${streamSize}`));
        const r = cli(["--format", "jsonl", g.split]);
        console.log("| resources | findings | wall s | resources/s | CPU s (user+sys) | peak RSS MiB | load average |");
        console.log("|---:|---:|---:|---:|---:|---:|---|");
        console.log(
            `| ${r.summary.resources} | ${r.summary.violations} | ${(r.ms / 1000).toFixed(1)} | ` +
                `${Math.round(r.summary.resources / (r.ms / 1000))} | ${(r.cpuMs / 1000).toFixed(1)} | ` +
                `${r.maxRssMiB.toFixed(0)} | ${load()} |`,
        );
        rmSync(path.join(dir, `bulk-${streamSize}`), { recursive: true, force: true });
    }

    console.log(
        "\nCross-resource rules: N Deployments against N NetworkPolicies and N PodDisruptionBudgets in one namespace:",
    );
    console.log("| N | NET-07 ms | NET-07 findings | OTH-07 ms | OTH-07 findings |\n|---:|---:|---:|---:|---:|");
    for (const n of (process.env.HC_BENCH_CROSS ?? "1000,10000").split(",").map(Number)) {
        const r = node("cross-once.ts", [String(n)]);
        console.log(
            `| ${n} | ${r["NET-07 ms"].toFixed(0)} | ${r["NET-07 findings"]} | ` +
                `${r["OTH-07 ms"].toFixed(0)} | ${r["OTH-07 findings"]} |`,
        );
    }

    if (nsCounts.length) {
        console.log("\nProgram under mocks with N SecureNamespaces, then the pack over its resources:");
        console.log(
            "| namespaces | resources | k8s objects | program ms | rule core ms | CrossGuard " +
                "policies ms | peak RSS MiB |",
        );
        console.log("|---:|---:|---:|---:|---:|---:|---:|");
        for (const n of nsCounts) {
            const r = node("program-once.ts", [String(n)]);
            console.log(
                `| ${r.namespaces} | ${r.resources} | ${r.objects} | ${r.programMs.toFixed(0)} | ` +
                    `${r.coreMs.toFixed(0)} | ${r.crossguardMs.toFixed(0)} | ${r.maxRssMiB.toFixed(0)} |`,
            );
        }
    }
    console.log("\nAccess review, 10,000 RBAC objects (targets: risky < 5 s, one who-can < 1 s after loading):");
    const a = node("access-once.ts", [path.join(dir, "access.yaml")]);
    console.log(
        `| RBAC objects | subjects | namespaces | load ms | risky ms | risky grants | slowest who-` +
            `can ms | peak RSS MiB |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n| ${a.rbacObjects} | ` +
            `${a.subjects} | ${a.namespaces} | ${a.loadMs.toFixed(0)} | ${a.riskyMs.toFixed(0)} | ` +
            `${a.riskyEntries} | ${a.whoCanMaxMs.toFixed(1)} | ${a.maxRssMiB.toFixed(0)} |`,
    );
} finally {
    rmSync(dir, { recursive: true, force: true });
}
// Real deployments (needs Go for the tools; about an hour here, the 50-namespace up/destroy): HC_BENCH_DEPLOY=0 skips
// it.
if (process.env.HC_BENCH_DEPLOY !== "0")
    execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "deploy-bench.ts")], {
        stdio: "inherit",
    });
