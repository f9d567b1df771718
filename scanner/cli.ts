/**
 * hardened-scan: the policy pack's rules over plain manifests (YAML, JSON, kustomizations and
 * Helm charts, `helm template` / `kustomize build` output on stdin), without Pulumi.
 *
 *   hardened-scan [--format text|json|jsonl|sarif] [--config policy-config.json]
 *                 [--max-input-size BYTES] [--allow-empty] [--kubectl PATH] [--helm PATH] PATH...
 *
 * Exit codes: 0 no mandatory violation; 1 at least one mandatory violation; 2 usage or input
 * errors (unreadable or refused paths, invalid YAML, invalid config, a rule that failed on a
 * resource, nothing to scan) when there is no mandatory violation. Nothing is dropped silently:
 * every problem is reported with its file (and line), and the other inputs are still scanned.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { availableParallelism } from "os";
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from "worker_threads";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { RULES } from "../rules";
import * as engine from "../rules/evaluate";
import { PackConfig, resolveRules } from "../rules/evaluate";
import { evaluateIsolated, keptObjects, toRecords, Where } from "./batch";
import { Job, JobResult, runJob } from "./worker";
import { ConfigFileError, loadPackConfig } from "../rules/packConfig";
import { K8sObject, Rule } from "../rules/types";
import {
    DEFAULT_MAX_INPUT_BYTES,
    describeError,
    expandPaths,
    inputName,
    LoadError,
    LoadOptions,
    readInputText,
} from "./load";
import {
    JsonLinesReporter,
    JsonReporter,
    Out,
    Reporter,
    ResourceRef,
    SarifReporter,
    ScanViolation,
    Summary,
    TextReporter,
} from "./report";
import { locate, splitStream } from "./yaml";

/**
 * The package's version, from the repository root (this file runs from `scanner/` or, compiled, from `dist/scanner/`).
 */
function packageVersion(): string {
    for (const up of ["..", "../.."]) {
        const file = path.join(__dirname, up, "package.json");
        if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")).version;
    }
    return "unknown";
}
const VERSION = packageVersion();

export interface RunIO {
    stdout: (s: string) => void;
    stderr: (s: string) => void;
    /** Standard input (at most maxBytes; longer input is an error); a test seam. */
    readStdin?: (maxBytes: number) => string;
    /** The rules to run (default: the whole catalog); a test seam. */
    rules?: readonly Rule[];
    /**
     * Told, per input checked by several threads, how many batches the workers and this thread checked; a test seam.
     */
    threads?: (file: string, byWorkers: number, here: number) => void;
}

type Format = "text" | "json" | "jsonl" | "sarif";

/** `64Mi`, `200M`, `1048576` → bytes. */
function parseSize(v: string): number {
    const m = /^(\d+)\s*(|k|ki|m|mi|g|gi)b?$/i.exec(v.trim());
    if (!m) throw new InvalidArgumentError("expected a size in bytes, e.g. 67108864, 64Mi or 200M");
    const mult: Record<string, number> = { "": 1, k: 1e3, ki: 1024, m: 1e6, mi: 1024 ** 2, g: 1e9, gi: 1024 ** 3 };
    return Number(m[1]) * mult[m[2].toLowerCase()];
}

/** Kinds at least one rule looks at (a fallback until the rule core exports isChecked). */
function localIsChecked(): (obj: K8sObject) => boolean {
    const kinds = new Set(RULES.flatMap(r => r.kinds));
    return obj => typeof obj.kind === "string" && kinds.has(obj.kind);
}
const isChecked: (obj: K8sObject) => boolean =
    (engine as unknown as { isChecked?: (obj: K8sObject) => boolean }).isChecked ?? localIsChecked();

/** Documents checked together (in-process or by one worker thread). */
const BATCH = 100;
/** Inputs from this size on are parsed and checked by worker threads. */
const PARALLEL_FROM = 2 * 1024 * 1024;
const defaultJobs = () => Math.min(4, availableParallelism());

/**
 * Worker threads fed batches of documents, with this thread working too; run() stays synchronous:
 * results are awaited with Atomics.wait on a shared counter the workers bump after each message,
 * read with receiveMessageOnPort and handed on in submission order.
 */
class Pool {
    private readonly workers: Array<{ worker: Worker; port: MessagePort; pending: number }> = [];
    private readonly signal = new Int32Array(new SharedArrayBuffer(4));
    constructor(n: number, packConfig: PackConfig) {
        const ts = __filename.endsWith(".ts");
        const file = path.join(__dirname, ts ? "worker.ts" : "worker.js");
        for (let i = 0; i < n; i++) {
            const { port1, port2 } = new MessageChannel();
            const workerData = { hardenedScan: true, packConfig, port: port2, signal: this.signal };
            const worker = ts
                ? new Worker(
                      `require("ts-node").register({ transpileOnly: true }); require(${JSON.stringify(file)});`,
                      { eval: true, workerData, transferList: [port2] },
                  )
                : new Worker(file, { workerData, transferList: [port2] });
            worker.unref();
            this.workers.push({ worker, port: port1, pending: 0 });
        }
    }
    /**
     * Each batch's result, in order. Workers take batches from the front (at most two queued
     * each); while the next result is not ready, this thread runs batches from the back itself
     * (`here`), so both keep busy whatever their speeds. The order of the results never changes.
     */
    *runAll<L>(
        jobs: Job[],
        here: (job: Job) => L,
    ): Generator<{ job: Job; result: JobResult | { seq: number; crash: string } } | { job: Job; here: L }> {
        const n = this.workers.length;
        let next = 0; // the next batch for a worker
        let end = jobs.length; // batches from `end` on are run here
        const owner: number[] = [];
        const indexOf = new Map<number, number>(jobs.map((j, i) => [j.seq, i]));
        const received = new Map<number, JobResult | { seq: number; crash: string }>();
        const ranHere = new Map<number, L>();
        let rr = 0;
        const fill = () => {
            while (next < end) {
                let w = -1;
                for (let k = 0; k < n && w < 0; k++) if (this.workers[(rr + k) % n].pending < 2) w = (rr + k) % n;
                if (w < 0) return;
                rr = (w + 1) % n;
                this.workers[w].port.postMessage(jobs[next]);
                this.workers[w].pending++;
                owner[next++] = w;
            }
        };
        fill();
        for (let i = 0; i < jobs.length; i++) {
            if (i >= end || i >= next) {
                // run here (stolen from the back earlier, or no worker took it)
                const r = ranHere.has(i) ? ranHere.get(i)! : here(jobs[i]);
                ranHere.delete(i);
                yield { job: jobs[i], here: r };
                continue;
            }
            const w = this.workers[owner[i]];
            const deadline = Date.now() + 600_000;
            for (;;) {
                const seen = Atomics.load(this.signal, 0);
                let m;
                while ((m = receiveMessageOnPort(w.port))) {
                    const r = m.message as JobResult | { seq: number; crash: string };
                    w.pending--;
                    const at = indexOf.get(r.seq);
                    received.set(
                        at ?? -1,
                        at === undefined ? { seq: r.seq, crash: `worker answered an unknown batch ${r.seq}` } : r,
                    );
                }
                if (received.has(i) || received.has(-1)) break;
                if (end - 1 >= next) {
                    end--;
                    ranHere.set(end, here(jobs[end]));
                    continue;
                }
                if (Date.now() > deadline) {
                    received.set(i, { seq: jobs[i].seq, crash: "worker did not answer within 10 minutes" });
                    break;
                }
                Atomics.wait(this.signal, 0, seen, 50);
            }
            const result = received.get(i) ?? received.get(-1)!;
            received.delete(i);
            received.delete(-1);
            fill();
            yield { job: jobs[i], result };
        }
    }
    close(): void {
        for (const w of this.workers) {
            w.port.close();
            void w.worker.terminate();
        }
    }
}

export function run(argv: string[], io: RunIO): number {
    const cmd = new Command("hardened-scan")
        .description("Check Kubernetes manifests against the hardened-cluster controls.")
        .argument(
            "<paths...>",
            "files, directories (searched for *.yaml, *.yml, *.json; kustomizations and Helm charts " +
                "are rendered) or - for stdin",
        )
        .addOption(
            new Option("--format <format>", "output format")
                .choices(["text", "json", "jsonl", "sarif"])
                .default("text"),
        )
        .option("--config <file>", "policy config (the --policy-pack-config format)")
        .addOption(
            new Option("--max-input-size <bytes>", "largest file, stdin or rendered output read (e.g. 64Mi)")
                .argParser(parseSize)
                .default(DEFAULT_MAX_INPUT_BYTES, "256Mi"),
        )
        .option(
            "--allow-empty",
            "exit 0 when no Kubernetes resource was read (by default that is an input error, exit 2)",
        )
        .option("--kubectl <path>", "kubectl used to render kustomization directories")
        .option("--helm <path>", "helm used to render chart directories")
        .addOption(
            new Option(
                "--jobs <n>",
                "threads that parse and check large inputs: this one and n-1 workers (0 or 1: this " +
                    "one only; default: the available cores, at most 4)",
            ).argParser(v => {
                if (!/^\d+$/.test(v)) throw new InvalidArgumentError("expected a number");
                return Number(v);
            }),
        )
        .version(VERSION)
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    try {
        cmd.parse(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
        throw e;
    }
    const rules = io.rules ?? RULES;
    const opts = cmd.opts<{
        format: Format;
        config?: string;
        maxInputSize: number;
        allowEmpty?: boolean;
        kubectl?: string;
        helm?: string;
        jobs?: number;
    }>();
    let packConfig: PackConfig = {};
    if (opts.config) {
        try {
            packConfig = loadPackConfig(opts.config, rules);
        } catch (e) {
            if (e instanceof ConfigFileError) {
                io.stderr(`hardened-scan: ${e.message}\n`);
                return 2;
            }
            throw e;
        }
    }
    const out = new Out(io.stdout);
    const reporter: Reporter =
        opts.format === "json"
            ? new JsonReporter(out)
            : opts.format === "jsonl"
              ? new JsonLinesReporter(out)
              : opts.format === "sarif"
                ? new SarifReporter(out, rules, VERSION)
                : new TextReporter(out);
    const summary: Summary = {
        files: 0,
        resources: 0,
        violations: 0,
        mandatory: 0,
        advisory: 0,
        errors: 0,
        bySeverity: {},
        skippedKinds: {},
    };
    const reportError = (e: LoadError & { controlId?: string; policy?: string; resource?: ResourceRef }) => {
        summary.errors++;
        reporter.error(e);
        if (opts.format !== "text")
            io.stderr(
                `${e.file}${e.line ? `:${e.line}` : ""}: error: ` +
                    `${e.controlId ? `[${e.controlId}] ` : ""}${JSON.stringify(e.message).slice(1, -1)}\n`,
            );
    };

    const resolved = resolveRules(rules, packConfig);
    const resourceRules = resolved.filter(r => r.rule.scope === "resource");
    const stackRules = resolved.filter(r => r.rule.scope === "stack");
    /**
     * Objects kept for the cross-resource rules (as read, or as a worker sent them), with where they came from and
     * the positions of their fields (a positionDigest: findings are placed without reading the input again).
     */
    const kept = new Map<object, Kept>();
    const all: K8sObject[] = [];
    const violation = (v: ScanViolation) => {
        summary.violations++;
        if (v.enforcementLevel === "mandatory") summary.mandatory++;
        else if (v.enforcementLevel === "advisory") summary.advisory++;
        summary.bySeverity[v.severity] = (summary.bySeverity[v.severity] ?? 0) + 1;
        reporter.violation(v);
    };

    const loadErrors: LoadError[] = [];
    const inputs = expandPaths(cmd.args, loadErrors);
    for (const e of loadErrors.splice(0)) reportError(e);
    summary.files = inputs.length;
    const loadOpts: LoadOptions = {
        maxInputBytes: opts.maxInputSize,
        readStdin: io.readStdin,
        kubectl: opts.kubectl,
        helm: opts.helm,
    };

    // Documents go in batches to the resource rules (in worker threads for large inputs), with
    // their positions; the results are reported in input order. The objects are
    // kept for the cross-resource rules, so memory holds objects, not positions or findings.
    let pool: Pool | undefined;
    const jobs = io.rules ? 0 : (opts.jobs ?? defaultJobs());
    const take = (r: JobResult, file: string, rendered: "kustomize" | "helm" | undefined, objects?: K8sObject[]) => {
        for (const e of r.parseErrors) reportError(e);
        for (const e of r.errors) reportError(e);
        for (const v of r.violations) violation(v);
        const objs = objects ?? (JSON.parse(r.objects) as K8sObject[]);
        objs.forEach((o, i) => {
            kept.set(o, {
                file,
                pos: r.pos[i],
                ...(rendered ? { rendered } : {}),
                digest: r.digests.subarray(i === 0 ? 0 : r.digestEnds[i - 1], r.digestEnds[i]),
            });
            all.push(o);
            summary.resources++;
            if (!isChecked(o)) summary.skippedKinds[String(o.kind)] = (summary.skippedKinds[String(o.kind)] ?? 0) + 1;
        });
    };
    let seq = 0;
    for (const input of inputs) {
        let got;
        try {
            got = readInputText(input, loadOpts);
        } catch (e) {
            reportError({ file: inputName(input), message: describeError(e) });
            continue;
        }
        const { chunks, error } = splitStream(got.text);
        const batches: Job[] = [];
        for (let i = 0; i < chunks.length; i += BATCH)
            batches.push({
                seq: seq++,
                file: got.file,
                ...(got.rendered ? { rendered: got.rendered } : {}),
                chunks: chunks.slice(i, i + BATCH),
            });
        const runHere = (job: Job) => {
            const { located, ...r } = runJob(job, resourceRules, false);
            // (a batch run here ahead of its turn waits with its copies only, not the objects as read)
            return { r, objects: keptObjects(located) };
        };
        if (jobs > 1 && got.text.length >= PARALLEL_FROM && batches.length > 1) {
            pool ??= new Pool(jobs - 1, packConfig);
            let byWorkers = 0;
            for (const done of pool.runAll(batches, runHere)) {
                if ("here" in done) take(done.here.r, got.file, got.rendered, done.here.objects);
                else if ("crash" in done.result) {
                    // a worker failed: run that batch here, so nothing is lost
                    const again = runHere(done.job);
                    take(again.r, got.file, got.rendered, again.objects);
                } else {
                    byWorkers++;
                    take(done.result, got.file, got.rendered);
                }
            }
            io.threads?.(got.file, byWorkers, batches.length - byWorkers);
        } else {
            for (const job of batches) {
                const r = runJob(job, resourceRules, false);
                take(r, got.file, got.rendered, keptObjects(r.located));
            }
        }
        if (error)
            reportError({
                file: got.file,
                line: error.line,
                message: `${error.message} (the rest of the file is not read, as kubectl would not)`,
            });
    }
    pool?.close();

    // Cross-resource rules over every object; their findings are placed with the objects'
    // positionDigests and reported in the rules' order.
    const stackFindings = evaluateIsolated(
        stackRules,
        all,
        true,
        o => {
            const k = kept.get(o);
            return k && placed(k, o, undefined);
        },
        reportError,
        cmd.args.join(" "),
    );
    toRecords(
        stackFindings,
        f => {
            const k = kept.get(f.object);
            return k ? placed(k, f.object, f.path) : { file: "", line: 1, column: 1 };
        },
        violation,
        reportError,
    );
    kept.clear();

    if (summary.resources === 0 && !opts.allowEmpty) {
        reportError({
            file: inputs.length === 1 && inputs[0].type === "stdin" ? "<stdin>" : cmd.args.join(" "),
            message:
                "no Kubernetes resource was read (an empty input passes nothing; use --allow-empty " +
                "if that is intended)",
        });
    }
    reporter.end(summary);
    if (summary.mandatory > 0) return 1;
    return summary.errors > 0 ? 2 : 0;
}

/** An object kept for the cross-resource rules: where it came from and its positionDigest. */
interface Kept {
    file: string;
    pos: number;
    rendered?: "kustomize" | "helm";
    digest: Float64Array;
}

/** Where a cross-resource finding's field (`path`, or the object itself) is. */
const placed = (k: Kept, o: K8sObject, path: string | undefined): Where => ({
    file: k.file,
    ...locate(o, k.pos, path, k.digest),
    ...(k.rendered ? { rendered: k.rendered } : {}),
});

if (require.main === module) {
    process.exitCode = run(process.argv.slice(2), {
        stdout: s => process.stdout.write(s),
        stderr: s => process.stderr.write(s),
    });
}
