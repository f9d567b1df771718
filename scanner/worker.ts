/**
 * A worker thread of the scanner: claims batches of documents (from a counter shared with the
 * main thread and the other workers), parses them and runs the resource rules over them, and
 * sends back the violations, the errors and the objects, as JSON, for the main thread's
 * cross-resource rules.
 */
import { MessagePort, receiveMessageOnPort, workerData } from "worker_threads";
import { RULES } from "../rules";
import { PackConfig, resolveRules } from "../rules/evaluate";
import { checkBatch, keptObjects } from "./batch";
import { K8sObject } from "../rules/types";
import { LoadError, Located, parseChunk } from "./load";
import { ScanError, ScanViolation } from "./report";
import { Chunk } from "./yaml";

export interface Job {
    /** The batch's index among all batches of the scan. */
    seq: number;
    file: string;
    rendered?: "kustomize" | "helm";
    chunks: Chunk[];
}

export interface JobResult {
    seq: number;
    violations: ScanViolation[];
    errors: ScanError[];
    /** The batch's YAML errors. */
    parseErrors: LoadError[];
    /**
     * The objects kept for the cross-resource rules (batch.ts keptObjects), in document order: as they are, or as
     * a JSON array when a worker thread sends them (JSON.parse makes them again far faster than they are read).
     */
    objects: K8sObject[] | string;
    /** Each kept object's position and positionDigest (they hold for its JSON copy too). */
    where: Array<{ pos: number; digest: Float64Array }>;
}

/** Slots of the shared counters. */
export const NEXT = 0; // the next batch to claim
export const POSTED = 1; // batches posted so far
export const RESULTS = 2; // results sent so far (the main thread waits on it)
export const CLOSED = 3; // 1: no more batches will come
export const SLOTS = 4;

/** The next unclaimed batch, if one has been posted (each batch goes to exactly one thread). */
export function claim(shared: Int32Array): number | undefined {
    for (;;) {
        const i = Atomics.load(shared, NEXT);
        if (i >= Atomics.load(shared, POSTED)) return undefined;
        if (Atomics.compareExchange(shared, NEXT, i, i + 1) === i) return i;
    }
}

/** Parse the documents of a batch (objects in document order; parse errors appended). */
export function parseJob(job: Job, parseErrors: LoadError[]): Located[] {
    const located: Located[] = [];
    for (const c of job.chunks) parseChunk(c, job.file, located, parseErrors, job.rendered);
    return located;
}

/** The resource rules over a parsed batch: its violations and rule errors. */
export function checkJob(
    located: readonly Located[],
    rules: ReturnType<typeof resolveRules>,
): { violations: ScanViolation[]; errors: ScanError[] } {
    const violations: ScanViolation[] = [];
    const errors: ScanError[] = [];
    checkBatch(
        located,
        rules,
        v => violations.push(v),
        e => errors.push(e),
    );
    return { violations, errors };
}

/**
 * A batch parsed and checked: its findings, and its objects as kept for the cross-resource rules (`json`: as a
 * JSON array, for a worker thread to send).
 */
export function runJob(job: Job, rules: ReturnType<typeof resolveRules>, json: boolean): JobResult {
    const parseErrors: LoadError[] = [];
    const located = parseJob(job, parseErrors);
    const kept = keptObjects(located);
    const objects = json ? JSON.stringify(kept) : kept;
    return {
        seq: job.seq,
        ...checkJob(located, rules),
        parseErrors,
        objects,
        where: located.map(l => ({ pos: l.pos, digest: l.digest })),
    };
}

if (workerData && (workerData as { hardenedScan?: boolean }).hardenedScan) {
    const { packConfig, port, shared } = workerData as {
        packConfig: PackConfig;
        port: MessagePort;
        shared: Int32Array;
    };
    const rules = resolveRules(RULES, packConfig).filter(r => r.rule.scope === "resource");
    const posted = new Map<number, Job>();
    for (;;) {
        const waitFrom = Atomics.load(shared, POSTED);
        const i = claim(shared);
        if (i === undefined) {
            if (Atomics.load(shared, CLOSED) === 1) break;
            Atomics.wait(shared, POSTED, waitFrom, 100);
            continue;
        }
        // batch i was posted before the count went past it: its message is here or on its way
        let job = posted.get(i);
        while (job === undefined) {
            const m = receiveMessageOnPort(port);
            if (m) posted.set((m.message as Job).seq, m.message as Job);
            else Atomics.wait(shared, CLOSED, 0, 1);
            job = posted.get(i);
        }
        // batches before i are claimed by others: drop them
        for (const seq of posted.keys()) if (seq <= i) posted.delete(seq);
        let result: JobResult | { seq: number; crash: string };
        try {
            result = runJob(job, rules, true);
        } catch (e) {
            result = { seq: i, crash: (e as Error)?.stack ?? String(e) };
        }
        port.postMessage(result);
        Atomics.add(shared, RESULTS, 1);
        Atomics.notify(shared, RESULTS);
    }
    port.close();
}
