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

/** True when `v` is a plain (non-null, non-array, known) object. */
export function isObject(v: unknown): v is Record<string, Json> {
    return v !== null && typeof v === "object" && !Array.isArray(v) && !isUnknown(v);
}
