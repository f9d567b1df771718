/** Safe field access over objects that may contain UNKNOWN values. */
import { UNKNOWN, isUnknown } from "./unknown";
import { Json } from "./podspec";

/**
 * Read a dotted path (`a.b.c`) from `root`. Returns UNKNOWN as soon as any step is UNKNOWN,
 * undefined when a step is missing or not an object.
 */
const splitCache = new Map<string, string[]>();

export function get(root: Json, path: string): Json {
    let keys = splitCache.get(path);
    if (keys === undefined) {
        keys = path.split(".");
        splitCache.set(path, keys);
    }
    let cur: Json = root;
    for (const key of keys) {
        if (isUnknown(cur)) {
            return UNKNOWN;
        }
        if (cur === null || cur === undefined || typeof cur !== "object") {
            return undefined;
        }
        cur = cur[key];
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
