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
    /** Per object: [pos, chunk start, chunk end, chunk line, index in its document]. */
    meta: number[][];
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
        meta: located.map(l => [
            l.pos,
            l.chunk?.start ?? 0,
            l.chunk?.end ?? 0,
            l.chunk?.line ?? 1,
            l.chunk?.index ?? 0,
        ]),
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
