/**
 * A worker thread of the scanner: parses a batch of documents and runs the resource rules over
 * them, returning violations, errors, compact copies of the objects (JSON) and their positions.
 */
import { MessagePort, workerData } from "worker_threads";
import { RULES } from "../rules";
import { PackConfig, resolveRules } from "../rules/evaluate";
import { checkBatch } from "./batch";
import { LoadError, Located, parseChunk } from "./load";
import { ScanError, ScanViolation } from "./report";
import { Chunk } from "./yaml";

export interface Job {
    seq: number;
    file: string;
    rendered?: "kustomize" | "helm";
    chunks: Chunk[];
}

export interface JobResult {
    seq: number;
    parseErrors: LoadError[];
    violations: ScanViolation[];
    errors: ScanError[];
    /** JSON array of the objects read, in order. */
    objects: string;
    /** Per object: the packed position of its first line. */
    pos: number[];
    /** Per object: the end of its positionDigest in `digests` (each starts where the one before ends). */
    digestEnds: number[];
    /** The objects' positionDigests, one after the other. */
    digests: Float64Array;
}

/** The positionDigests of a batch's objects, in one array. */
function digestsOf(located: readonly Located[]): { digests: Float64Array; digestEnds: number[] } {
    const each = located.map(l => l.digest);
    const digests = new Float64Array(each.reduce((n, d) => n + d.length, 0));
    const digestEnds: number[] = [];
    let end = 0;
    for (const d of each) {
        digests.set(d, end);
        end += d.length;
        digestEnds.push(end);
    }
    return { digests, digestEnds };
}

/** Parse and check one batch (in a worker or in-process). */
export function runJob(
    job: Job,
    rules: ReturnType<typeof resolveRules>,
    keepObjects: boolean,
): JobResult & { located: Located[] } {
    const parseErrors: LoadError[] = [];
    const located: Located[] = [];
    for (const c of job.chunks) parseChunk(c, job.file, located, parseErrors, job.rendered);
    const violations: ScanViolation[] = [];
    const errors: ScanError[] = [];
    checkBatch(
        located,
        rules,
        v => violations.push(v),
        e => errors.push(e),
    );
    return {
        seq: job.seq,
        parseErrors,
        violations,
        errors,
        located,
        objects: keepObjects ? JSON.stringify(located.map(l => l.object)) : "",
        pos: located.map(l => l.pos),
        ...digestsOf(located),
    };
}

if (workerData && (workerData as { hardenedScan?: boolean }).hardenedScan) {
    const { packConfig, port, signal } = workerData as {
        packConfig: PackConfig;
        port: MessagePort;
        signal: Int32Array;
    };
    const rules = resolveRules(RULES, packConfig).filter(r => r.rule.scope === "resource");
    port.on("message", (job: Job) => {
        let result: JobResult | { seq: number; crash: string };
        try {
            const { located: _located, ...r } = runJob(job, rules, true);
            void _located;
            result = r;
        } catch (e) {
            result = { seq: job.seq, crash: (e as Error)?.stack ?? String(e) };
        }
        port.postMessage(result);
        Atomics.add(signal, 0, 1);
        Atomics.notify(signal, 0);
    });
}
