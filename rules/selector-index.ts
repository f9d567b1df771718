/**
 * Label selectors indexed by one of their `matchLabels` pairs, so that "is this pod selected by
 * any of these N selectors?" costs the pod's own label count instead of N. Cross-resource rules
 * (NET-07 NetworkPolicy coverage, OTH-07 PodDisruptionBudget coverage) ask it once per workload:
 * 10k workloads against 10k policies in one namespace stay near-linear.
 *
 * The answer is exactly `matchSelector` over every selector (true if any is true, else "unknown"
 * if any is unknown, else false): a selector whose first matchLabels pair (key k, value v) is not
 * among the pod's labels cannot match, since `matchSelector` checks that pair first. Selectors
 * that cannot be indexed (only matchExpressions, empty, unknown parts, non-string values) are
 * checked one by one; so are pods whose labels are not a plain map of known values.
 */
import { Json } from "./podspec";
import { Match, matchSelector } from "./selectors";
import { isUnknown } from "./unknown";

const plainObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v) && !isUnknown(v);

export class SelectorIndex {
    private readonly byPair = new Map<string, Json[]>();
    private readonly rest: Json[] = [];
    private readonly all: Json[] = [];

    /** `selectors`: the selector of each policy, as `matchSelector` takes it. */
    constructor(selectors: Iterable<Json>) {
        for (const sel of selectors) {
            this.all.push(sel);
            const ml = plainObject(sel) ? sel.matchLabels : undefined;
            const first = plainObject(ml) ? Object.entries(ml)[0] : undefined;
            if (first && typeof first[1] === "string") {
                const key = `${first[0]}\u0000${first[1]}`;
                let list = this.byPair.get(key);
                if (!list) this.byPair.set(key, (list = []));
                list.push(sel);
            } else {
                this.rest.push(sel);
            }
        }
    }

    get size(): number {
        return this.all.length;
    }

    /** Does any selector select a pod with these labels? */
    matches(labels: Json): Match {
        if (!plainObject(labels) || Object.values(labels).some(v => typeof v !== "string")) {
            return combine(this.all, labels);
        }
        let unknown = false;
        for (const [k, v] of Object.entries(labels)) {
            const m = combine(this.byPair.get(`${k}\u0000${v as string}`) ?? [], labels);
            if (m === true) return true;
            if (m === "unknown") unknown = true;
        }
        const m = combine(this.rest, labels);
        return m === true ? true : unknown || m === "unknown" ? "unknown" : false;
    }
}

function combine(selectors: readonly Json[], labels: Json): Match {
    let unknown = false;
    for (const sel of selectors) {
        const m = matchSelector(sel, labels);
        if (m === true) return true;
        if (m === "unknown") unknown = true;
    }
    return unknown ? "unknown" : false;
}
