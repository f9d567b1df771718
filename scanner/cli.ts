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
import { EvaluatedFinding, PackConfig, resolveRules } from "../rules/evaluate";
import { checkBatch, evaluateIsolated, placeAt, toRecords } from "./batch";
import {
    claim,
    CLOSED,
    HOLDING,
    Job,
    keptObjects,
    NEXT,
    Parsed,
    parseJob,
    POSTED,
    RESULTS,
    SLOTS,
    STATE_SLOTS,
    threadTid,
    TID,
} from "./worker";
import { ConfigFileError, loadPackConfig } from "../rules/packConfig";
import { K8sObject, Rule } from "../rules/types";
import {
    DEFAULT_MAX_INPUT_BYTES,
    describeError,
    expandPaths,
    inputName,
    LoadError,
    LoadOptions,
    Located,
    readInputText,
} from "./load";
import {
    JsonLinesReporter,
    JsonReporter,
    Out,
    Reporter,
    ResourceRef,
    ScanError,
    SarifReporter,
    ScanViolation,
    Summary,
    TextReporter,
} from "./report";
import { splitStream } from "./yaml";

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
    /**
     * False: with worker threads, this thread reads no batch itself while a worker lives (the workers read them
     * all); a test seam.
     */
    parsesHere?: boolean;
    /** The worker threads stop dead once they hold this batch (as when one runs out of memory); a test seam. */
    workersExitOn?: number;
    /** How long workers may stay silent before the batches they hold are read here (default 10 min); a test seam. */
    workerSilenceMs?: number;
}

type Format = "text" | "json" | "jsonl" | "sarif";

/** `64Mi`, `200M`, `1048576` → bytes. */
function parseSize(v: string): number {
    const m = /^(\d+)\s*(|k|ki|m|mi|g|gi)b?$/i.exec(v.trim());
    if (!m) throw new InvalidArgumentError("expected a size in bytes, e.g. 67108864, 64Mi or 200M");
    const mult: Record<string, number> = { "": 1, k: 1e3, ki: 1024, m: 1e6, mi: 1024 ** 2, g: 1e9, gi: 1024 ** 3 };
    return Number(m[1]) * mult[m[2].toLowerCase()];
}

/** How the summary names a kind no rule looks at: a document without one (not a Kubernetes object) says so. */
const skippedKindName = (kind: unknown): string =>
    typeof kind === "string"
        ? kind
        : kind === undefined || kind === null
          ? "(no kind)"
          : `(kind ${JSON.stringify(kind)})`;

/** Kinds at least one rule looks at (a fallback until the rule core exports isChecked). */
function localIsChecked(): (obj: K8sObject) => boolean {
    const kinds = new Set(RULES.flatMap(r => r.kinds));
    return obj => typeof obj.kind === "string" && kinds.has(obj.kind);
}
const isChecked: (obj: K8sObject) => boolean =
    (engine as unknown as { isChecked?: (obj: K8sObject) => boolean }).isChecked ?? localIsChecked();

/** Documents checked together (in-process or by one worker thread). */
const BATCH = 100;
/** Batches posted to the worker threads ahead of the next one claimed. */
const WINDOW = 16;
/** Inputs from this size on are shared with worker threads. */
const PARALLEL_FROM = 2 * 1024 * 1024;
/**
 * One thread per core, at most 4: the workers read batches while this thread runs the rules. Every
 * rule runs in this thread, so more threads help only as far as reading is the work (on 2 cores,
 * measured: as fast at 10,000 resources, faster from 50,000; docs/scanner.md, Performance).
 */
export const defaultJobs = (): number => Math.min(4, availableParallelism());

/**
 * Worker threads that claim posted batches from a shared counter and read them, as this thread
 * does when it has nothing read to check, so every thread keeps busy whatever their speeds; run()
 * stays synchronous: results are read with receiveMessageOnPort, waiting with Atomics.wait on the
 * count of results the workers bump.
 */
class Pool {
    private readonly workers: Array<{ worker: Worker; port: MessagePort; gone: boolean }> = [];
    readonly shared = new Int32Array(new SharedArrayBuffer(4 * SLOTS));
    /** Per worker: its thread id and the batch it holds (worker.ts TID, HOLDING). */
    private readonly state: Int32Array;
    /** Does the system list this process's threads where `lost` looks (this thread's own entry is there)? */
    private readonly seesThreads = ((tid: number) => tid > 0 && existsSync(`/proc/self/task/${tid}`))(threadTid());
    /** `from`: the batches before it are checked already (by the main thread, before the workers came). */
    constructor(n: number, from: number, exitOn?: number) {
        this.posted = from;
        this.state = new Int32Array(new SharedArrayBuffer(4 * STATE_SLOTS * n));
        Atomics.store(this.shared, NEXT, from);
        Atomics.store(this.shared, POSTED, from);
        const ts = __filename.endsWith(".ts");
        const file = path.join(__dirname, ts ? "worker.ts" : "worker.js");
        for (let i = 0; i < n; i++) {
            const { port1, port2 } = new MessageChannel();
            const workerData = {
                hardenedScan: true,
                port: port2,
                shared: this.shared,
                state: this.state,
                index: i,
                ...(exitOn !== undefined ? { exitOn } : {}),
            };
            const worker = ts
                ? new Worker(
                      // ts-node and the project's tsconfig named here, not looked for from the working directory
                      `require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: true, ` +
                          `project: ${JSON.stringify(path.join(__dirname, "..", "tsconfig.json"))} }); ` +
                          `require(${JSON.stringify(file)});`,
                      { eval: true, workerData, transferList: [port2] },
                  )
                : new Worker(file, { workerData, transferList: [port2] });
            worker.unref();
            // A worker that fails to start or dies claims nothing more: this thread reads what is left, and the
            // batch it held (see `lost`). The error is not the scan's: nothing is lost.
            worker.on("error", () => undefined);
            this.workers.push({ worker, port: port1, gone: false });
        }
    }
    /**
     * The batches held by workers whose thread has ended since the last call (their results, if
     * they sent any, are on the ports already). A thread's end is seen where the system lists
     * threads (Linux: /proc/self/task); elsewhere, and for a worker that has not said its thread
     * id yet, nothing is seen, and the main thread's 10-minute wait is what recovers the batch.
     */
    lost(): number[] {
        const held: number[] = [];
        if (!this.seesThreads) return held;
        this.workers.forEach((w, i) => {
            const tid = Atomics.load(this.state, i * STATE_SLOTS + TID);
            if (w.gone || tid === 0 || existsSync(`/proc/self/task/${tid}`)) return;
            w.gone = true;
            const seq = Atomics.load(this.state, i * STATE_SLOTS + HOLDING) - 1;
            if (seq >= 0) held.push(seq);
        });
        return held;
    }
    /** Is a worker thread still known to run? */
    alive(): boolean {
        return this.workers.some(w => !w.gone);
    }
    /** Batches made claimable so far (in `seq` order). */
    private posted: number;
    /**
     * Make the batches up to `upTo` (exclusive; at most those known) claimable. Batches are posted a
     * window ahead of the claims, not all at once, so workers hold few documents' text.
     */
    post(batches: readonly Batch[], upTo: number): void {
        const end = Math.min(upTo, batches.length);
        if (end <= this.posted) return;
        for (; this.posted < end; this.posted++)
            for (const w of this.workers) if (!w.gone) w.port.postMessage(batches[this.posted].job);
        Atomics.store(this.shared, POSTED, this.posted);
        Atomics.notify(this.shared, POSTED);
    }
    /** Post the batches up to `ahead` past the next one to claim. */
    ahead(batches: readonly Batch[], ahead: number): void {
        this.post(batches, Atomics.load(this.shared, NEXT) + ahead);
    }
    /** The results the workers have sent so far. */
    receive(into: (r: Parsed | { seq: number; crash: string }) => void): void {
        for (const w of this.workers) {
            let m;
            while ((m = receiveMessageOnPort(w.port))) into(m.message as Parsed | { seq: number; crash: string });
        }
    }
    /** Wait (at most `ms`) for a result after the `seen`th. */
    wait(seen: number, ms: number): void {
        Atomics.wait(this.shared, RESULTS, seen, ms);
    }
    close(): void {
        Atomics.store(this.shared, CLOSED, 1);
        Atomics.notify(this.shared, POSTED);
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
                "threads for large inputs: this one and n-1 workers that read documents (0 or 1: this " +
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
        exempted: {},
    };
    /** A finding an exemption of the policy config (defaults included) kept out: counted per control. */
    const exempted = (f: EvaluatedFinding) => {
        summary.exempted[f.controlId] = (summary.exempted[f.controlId] ?? 0) + 1;
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
     * Objects kept for the cross-resource rules (as read, or their JSON copy: see keptObjects), with where they came
     * from and the positions of their fields (a positionDigest: findings are placed without reading the input again).
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

    // Inputs are read and cut into batches of 100 documents. Each batch is read by one thread: worker
    // threads (for large inputs) claim batches from a shared counter and send back their objects
    // as JSON; this thread checks what they read and, when there is nothing read to check, claims
    // and reads a batch itself. Every rule runs in this thread (their code warms up once). Once every
    // batch is checked, the cross-resource rules run over all objects. Everything is reported in
    // input order, as soon as it can be; the cross-resource rules' findings come last.
    let pool: Pool | undefined;
    const jobs = io.rules ? 0 : (opts.jobs ?? defaultJobs());
    const batches: Batch[] = [];
    /** What is reported, in order: batches' results and input errors. */
    const queue: Array<number | LoadError> = [];
    let reported = 0;
    const report = () => {
        for (; reported < queue.length; reported++) {
            const q = queue[reported];
            if (typeof q !== "number") {
                reportError(q);
                continue;
            }
            const r = batches[q].result;
            if (!r) return;
            for (const e of r.parseErrors) reportError(e);
            for (const e of r.errors) reportError(e);
            for (const v of r.violations) violation(v);
            batches[q].result = { ...r, violations: [], errors: [], parseErrors: [] };
        }
    };
    /** The resource rules over a batch's objects. */
    const check = (b: Batch, located: Located[], parseErrors: LoadError[], objects: K8sObject[]) => {
        const violations: ScanViolation[] = [];
        const errors: ScanError[] = [];
        checkBatch(
            located,
            resourceRules,
            v => violations.push(v),
            e => errors.push(e),
            exempted,
        );
        b.result = { violations, errors, parseErrors, objects, located };
        b.job = { ...b.job, chunks: [] };
    };
    /** Read and check a batch here. */
    const runHere = (b: Batch) => {
        const parseErrors: LoadError[] = [];
        const located = parseJob(b.job, parseErrors);
        check(b, located, parseErrors, keptObjects(located));
    };
    /** Batches read by the workers, to check. */
    const read: Array<{ b: Batch; parsed: Parsed }> = [];
    /** Past this time with no result from a worker, the batches the workers hold are read here. */
    const silence = io.workerSilenceMs ?? 600_000;
    let deadline = Date.now() + silence;
    const take = (r: Parsed | { seq: number; crash: string }) => {
        deadline = Date.now() + silence; // the workers are answering: a long scan is not a stuck one
        const b = batches[r.seq];
        // a batch read here already (its worker was given up on), whatever the worker sends later
        if (b.taken) return;
        b.taken = true;
        // a worker failed on the batch, or it holds a value JSON changes: it is read here, so nothing is lost
        if ("crash" in r || r.json === undefined) return runHere(b);
        b.byWorker = true;
        read.push({ b, parsed: r });
    };
    const checkRead = ({ b, parsed }: { b: Batch; parsed: Parsed }) => {
        const objects = JSON.parse(parsed.json as string) as K8sObject[];
        const located = objects.map((object, k): Located => ({
            object,
            file: b.job.file,
            pos: parsed.pos[k],
            ...(b.job.rendered ? { rendered: b.job.rendered } : {}),
            digest: parsed.digests.subarray(k === 0 ? 0 : parsed.ends[k - 1], parsed.ends[k]),
            jsonExact: true,
        }));
        check(b, located, parsed.parseErrors, objects);
    };
    let textRead = 0;
    let nextInput = 0;
    const readInput = (input: (typeof inputs)[number]) => {
        let got;
        try {
            got = readInputText(input, loadOpts);
        } catch (e) {
            queue.push({ file: inputName(input), message: describeError(e) });
            return;
        }
        textRead += got.text.length;
        const { chunks, error } = splitStream(got.text);
        for (let i = 0; i < chunks.length; i += BATCH) {
            queue.push(batches.length);
            batches.push({
                job: {
                    seq: batches.length,
                    file: got.file,
                    ...(got.rendered ? { rendered: got.rendered } : {}),
                    chunks: chunks.slice(i, i + BATCH),
                },
                byWorker: false,
            });
        }
        if (error)
            queue.push({
                file: got.file,
                line: error.line,
                message: `${error.message} (the rest of the file is not read, as kubectl would not)`,
            });
    };

    // Inputs are read as their batches are needed (with threads, enough ahead to keep the workers busy).
    let here = 0; // batches claimed so far (before the workers start, this thread reads them in order)
    const unclaimed = () => batches.length - (pool ? Atomics.load(pool.shared, NEXT) : here);
    const feed = () => {
        while (nextInput < inputs.length && unclaimed() < (jobs > 1 ? 4 * WINDOW : 1)) readInput(inputs[nextInput++]);
        // workers pay off from a few MiB of input, and only with more than one batch to share
        if (!pool && jobs > 1 && textRead >= PARALLEL_FROM && unclaimed() > 1)
            pool = new Pool(jobs - 1, here, io.workersExitOn);
        pool?.ahead(batches, WINDOW);
    };
    /** The next batch for this thread to read, if any is left unclaimed. */
    const claimHere = (): number | undefined => {
        for (;;) {
            feed();
            if (!pool) return here < batches.length ? here++ : undefined;
            if (io.parsesHere === false && pool.alive()) return undefined;
            const i = claim(pool.shared);
            if (i !== undefined || nextInput === inputs.length) return i;
        }
    };
    let done = 0;
    for (;;) {
        const seen = pool ? Atomics.load(pool.shared, RESULTS) : 0;
        feed();
        pool?.receive(take);
        // what the workers read first, then a batch read here
        const r = read.shift();
        if (r) checkRead(r);
        else {
            const i = claimHere();
            if (i !== undefined) runHere(batches[i]);
            else if (!pool) break;
            else {
                for (; done < batches.length && batches[done].result;) done++;
                if (done === batches.length && nextInput === inputs.length) break;
                // a worker thread that has ended (out of memory, say) will not answer: its batch is read here
                const lost = pool.lost();
                if (lost.length > 0) {
                    pool.receive(take); // what it sent before it ended
                    for (const seq of lost) take({ seq, crash: "the worker thread reading it stopped" });
                    continue;
                }
                if (Date.now() > deadline) {
                    // no worker answered for 10 minutes: the batches they hold are read here
                    for (const b of batches) if (!b.result) take({ seq: b.job.seq, crash: "no answer in time" });
                    continue;
                }
                pool.wait(seen, 50);
                continue;
            }
        }
        report();
    }
    if (pool) {
        pool.close();
        if (io.threads)
            for (const file of new Set(batches.map(b => b.job.file))) {
                const mine = batches.filter(b => b.job.file === file);
                const byWorkers = mine.filter(b => b.byWorker).length;
                io.threads(file, byWorkers, mine.length - byWorkers);
            }
    }
    report();

    // Every object, in input order, for the cross-resource rules; their findings are placed with
    // the objects' positionDigests and reported in the rules' order, after their errors.
    for (const b of batches) {
        const r = b.result as BatchResult;
        r.objects.forEach((o, k) => {
            const l = r.located[k];
            kept.set(o, {
                file: l.file,
                pos: l.pos,
                ...(l.rendered ? { rendered: l.rendered } : {}),
                digest: l.digest,
            });
            all.push(o);
            summary.resources++;
            if (!isChecked(o)) {
                const kind = skippedKindName(o.kind);
                summary.skippedKinds[kind] = (summary.skippedKinds[kind] ?? 0) + 1;
            }
        });
        b.result = undefined;
    }
    const stackErrors: ScanError[] = [];
    const stackFindings = evaluateIsolated(
        stackRules,
        all,
        true,
        o => {
            const k = kept.get(o);
            return k && placeAt(k, o, undefined);
        },
        e => stackErrors.push(e),
        cmd.args.join(" "),
        exempted,
    );
    for (const e of stackErrors) reportError(e);
    toRecords(
        stackFindings,
        f => {
            const k = kept.get(f.object);
            return k ? placeAt(k, f.object, f.path) : { file: "", line: 1, column: 1 };
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
    // counted as batches were checked (in the order the threads finished them): reported in control order
    summary.exempted = Object.fromEntries(
        Object.entries(summary.exempted).sort(
            ([a], [b]) => rules.findIndex(r => r.id === a) - rules.findIndex(r => r.id === b),
        ),
    );
    reporter.end(summary);
    if (summary.mandatory > 0) return 1;
    return summary.errors > 0 ? 2 : 0;
}

/** A batch of documents and, once it is read and checked, its result. */
interface Batch {
    job: Job;
    result?: BatchResult;
    /** Read by a worker thread. */
    byWorker: boolean;
    /** Its result (or a worker's failure on it) came, or it is read here after its worker was given up on. */
    taken?: boolean;
}

/** A batch's findings (dropped once reported) and its objects, kept for the cross-resource rules. */
interface BatchResult {
    violations: ScanViolation[];
    errors: ScanError[];
    parseErrors: LoadError[];
    /** As kept for the cross-resource rules (worker.ts keptObjects), in document order. */
    objects: K8sObject[];
    /** Where each object is. */
    located: Located[];
}

/** An object kept for the cross-resource rules: where it came from and its positionDigest. */
interface Kept {
    file: string;
    pos: number;
    rendered?: "kustomize" | "helm";
    digest: Float64Array;
}

if (require.main === module) {
    process.exitCode = run(process.argv.slice(2), {
        stdout: s => process.stdout.write(s),
        stderr: s => process.stderr.write(s),
    });
}
