/**
 * A worker thread of the scanner: claims batches of documents (from a counter shared with the
 * main thread and the other workers), reads them and sends back their objects as JSON, with
 * their positions and YAML errors. The main thread runs every rule: JSON.parse makes the objects
 * again far faster than the YAML is read, and the rules' code warms up in one thread only. This
 * module loads no rule.
 */
import { readlinkSync } from "fs";
import * as path from "path";
import { MessagePort, receiveMessageOnPort, workerData } from "worker_threads";
import { K8sObject } from "../rules/types";
import { LoadError, Located, parseChunk } from "./load";
import { Chunk } from "./yaml";

export interface Job {
    /** The batch's index among all batches of the scan. */
    seq: number;
    file: string;
    rendered?: "kustomize" | "helm";
    chunks: Chunk[];
}

/** A batch read by a worker thread. */
export interface Parsed {
    seq: number;
    /** The batch's YAML errors. */
    parseErrors: LoadError[];
    /**
     * The batch's objects, in document order, as a JSON array; undefined when one of them holds a
     * value JSON changes (-0, NaN, infinities): the main thread then reads the batch itself.
     */
    json?: string;
    /** Each object's position. */
    pos: number[];
    /**
     * The objects' positionDigests (they hold for a JSON copy too), one after the other in one
     * array (one buffer to transfer): object k's is `digests.subarray(ends[k - 1] ?? 0, ends[k])`.
     */
    digests: Float64Array;
    ends: number[];
}

/** Slots of the shared counters. */
export const NEXT = 0; // the next batch to claim
export const POSTED = 1; // batches posted so far
export const RESULTS = 2; // results sent so far (the main thread waits on it)
export const CLOSED = 3; // 1: no more batches will come
export const SLOTS = 4;

/**
 * Each worker's two slots in the pool's `state` array: its operating-system thread id (0 until
 * known, or where it cannot be known), and 1 + the batch it is reading (0 when none). With them
 * the main thread, whose loop is synchronous and so never sees a worker's `exit` event, can tell
 * that a worker thread is gone (killed for lack of memory, say) and read the batch it held.
 */
export const TID = 0;
export const HOLDING = 1;
export const STATE_SLOTS = 2;

/** This thread's id as the operating system knows it (Linux: /proc/thread-self), or 0. */
export function threadTid(): number {
    try {
        const tid = Number(path.basename(readlinkSync("/proc/thread-self")));
        return Number.isSafeInteger(tid) && tid > 0 ? tid : 0;
    } catch {
        return 0;
    }
}

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

/** Does `v` hold only what JSON carries unchanged (no NaN, ±Infinity, -0 or undefined)? Nesting beyond `depth`: no. */
function jsonExact(v: unknown, depth: number): boolean {
    if (typeof v === "number") return Number.isFinite(v) && !Object.is(v, -0);
    if (v === null || typeof v === "string" || typeof v === "boolean") return true;
    if (typeof v !== "object" || depth === 0) return false;
    if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!jsonExact(v[i], depth - 1)) return false;
        return true;
    }
    for (const k in v) if (!jsonExact((v as Record<string, unknown>)[k], depth - 1)) return false;
    return true;
}

/** Is this object known, or found, to hold nothing JSON changes? */
export const isJsonExact = (l: Located): boolean => l.jsonExact === true || jsonExact(l.object, 200);

/**
 * A batch's objects as kept for the cross-resource rules: the objects as read, or a JSON copy of
 * one holding a value JSON changes (-0, NaN, infinities), so those rules only ever see JSON values.
 */
export const keptObjects = (located: readonly Located[]): K8sObject[] =>
    located.map(l => (isJsonExact(l) ? l.object : (JSON.parse(JSON.stringify(l.object)) as K8sObject)));

/** A batch read in a worker thread, for the main thread. */
export function parseForMain(job: Job): Parsed {
    const parseErrors: LoadError[] = [];
    const located = parseJob(job, parseErrors);
    let size = 0;
    const ends = located.map(l => (size += l.digest.length));
    const digests = new Float64Array(size);
    located.forEach((l, k) => digests.set(l.digest, k === 0 ? 0 : ends[k - 1]));
    return {
        seq: job.seq,
        parseErrors,
        ...(located.every(isJsonExact) ? { json: JSON.stringify(located.map(l => l.object)) } : {}),
        pos: located.map(l => l.pos),
        digests,
        ends,
    };
}

if (workerData && (workerData as { hardenedScan?: boolean }).hardenedScan) {
    const { port, shared, state, index, exitOn } = workerData as {
        port: MessagePort;
        shared: Int32Array;
        state: Int32Array;
        index: number;
        /** A test seam: stop this thread dead once it holds this batch, as when it runs out of memory. */
        exitOn?: number;
    };
    const mine = index * STATE_SLOTS;
    Atomics.store(state, mine + TID, threadTid());
    const posted = new Map<number, Job>();
    for (;;) {
        const waitFrom = Atomics.load(shared, POSTED);
        const i = claim(shared);
        if (i === undefined) {
            if (Atomics.load(shared, CLOSED) === 1) break;
            Atomics.wait(shared, POSTED, waitFrom, 100);
            continue;
        }
        Atomics.store(state, mine + HOLDING, i + 1);
        if (i === exitOn) process.exit(70);
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
        let result: Parsed | { seq: number; crash: string };
        try {
            result = parseForMain(job);
        } catch (e) {
            result = { seq: i, crash: (e as Error)?.stack ?? String(e) };
        }
        port.postMessage(result, "digests" in result ? [result.digests.buffer as ArrayBuffer] : []);
        Atomics.store(state, mine + HOLDING, 0);
        Atomics.add(shared, RESULTS, 1);
        Atomics.notify(shared, RESULTS);
    }
    port.close();
}
