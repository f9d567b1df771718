/** Kubernetes label selectors (matchLabels + matchExpressions), with UNKNOWN propagated. */
import { Json } from "./podspec";
import { isUnknown } from "./unknown";

/** true / false, or "unknown" when the selector or the labels are not known yet. */
export type Match = boolean | "unknown";

export function matchSelector(selector: Json, labels: Json): Match {
    if (isUnknown(selector) || isUnknown(labels)) return "unknown";
    if (selector === undefined || selector === null) return false;
    const l: Record<string, unknown> = labels ?? {};
    const ml = selector.matchLabels;
    if (isUnknown(ml)) return "unknown";
    for (const [k, v] of Object.entries(ml ?? {})) {
        if (isUnknown(v) || isUnknown(l[k])) return "unknown";
        if (l[k] !== v) return false;
    }
    const exprs = selector.matchExpressions;
    if (isUnknown(exprs)) return "unknown";
    for (const e of Array.isArray(exprs) ? exprs : []) {
        if (isUnknown(e) || isUnknown(e?.values)) return "unknown";
        if (e === null || typeof e !== "object") return false; // not a requirement: matches nothing
        const has = Object.prototype.hasOwnProperty.call(l, e.key);
        const values: unknown[] = Array.isArray(e.values) ? e.values : [];
        switch (e.operator) {
            case "In":
                if (!has || !values.includes(l[e.key])) return false;
                break;
            case "NotIn":
                if (has && values.includes(l[e.key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}
