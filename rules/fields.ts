/** Safe field access over objects that may contain UNKNOWN values. */
import { UNKNOWN } from "./unknown";
import { Json } from "./podspec";

/**
 * Read a dotted path (`a.b.c`) from `root`. Returns UNKNOWN as soon as any step is UNKNOWN,
 * undefined when a step is missing or not an object. Paths are split once and kept: callers pass
 * constant strings (a path built per call is hashed on every lookup; those callers use `getIn`
 * with keys split once by `keysOf`).
 */
const splitCache = new Map<string, readonly string[]>();

/** The keys of a dotted path, split once per distinct path (treat as read-only). */
export function keysOf(path: string): readonly string[] {
    let keys = splitCache.get(path);
    if (keys === undefined) {
        keys = path.split(".");
        splitCache.set(path, keys);
    }
    return keys;
}

export function get(root: Json, path: string): Json {
    let keys = splitCache.get(path);
    if (keys === undefined) keys = keysOf(path);
    return getIn(root, keys);
}

/** `get` over a path already split into keys (see `keysOf`). */
export function getIn(root: Json, keys: readonly string[]): Json {
    let cur: Json = root;
    for (let i = 0; i < keys.length; i++) {
        if (cur === UNKNOWN) {
            return UNKNOWN;
        }
        if (cur === null || cur === undefined || typeof cur !== "object") {
            return undefined;
        }
        cur = cur[keys[i]];
    }
    return cur;
}

/** Longest value quoted in a message: a megabyte value is named, not copied. */
const MAX_SHOWN = 200;

/**
 * Any value as message text, never throwing: strings as they are (cut to a readable length),
 * other primitives through String, objects as JSON. An object whose `toString` is not a function
 * (a YAML key `toString: 1`) or that has no prototype makes String() and template literals throw.
 */
export function show(v: unknown, max = MAX_SHOWN): string {
    let s: string;
    if (typeof v === "string") s = v;
    else if (v === null || typeof v !== "object") s = typeof v === "symbol" ? "<unknown>" : String(v);
    else {
        try {
            s = JSON.stringify(v) ?? "?";
        } catch {
            s = Array.isArray(v) ? "[…]" : "{…}";
        }
    }
    return s.length > max ? `${s.slice(0, max)}…` : s;
}
