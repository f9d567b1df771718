/** Factories that keep each rule to its decision: metadata in, [field path, verdict] pairs out. */
import { get, show } from "./fields";
import { ContainerRef, containersOf, Json, PodSpecRef, podSpecsOf, WORKLOAD_KINDS } from "./podspec";
import { Finding, K8sObject, ResourceRule, RuleBase, RuleConfig } from "./types";
import { isUnknown } from "./unknown";

/** A rule's metadata: everything but its scope, kinds and check. */
export type RuleMeta = RuleBase;

/** A verdict on one field: undefined (fine), a message (violation), or "unknown". */
export type Verdict = string | undefined | typeof UNKNOWN_VERDICT;
export const UNKNOWN_VERDICT = Symbol("unknown-verdict");

export const PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";

function finding(meta: RuleMeta, obj: K8sObject, path: string, v: Verdict, what: string): Finding | undefined {
    if (v === undefined) return undefined;
    if (v === UNKNOWN_VERDICT) {
        return {
            controlId: meta.id,
            object: obj,
            path,
            unknown: true,
            message: `${what}: the value at ${path} is unknown during preview, so this control cannot be verified yet.`,
        };
    }
    return { controlId: meta.id, object: obj, path, message: v };
}

/**
 * Turn [field path, verdict] pairs into findings. A path starting with `@` is absolute; others are
 * relative to `base` (the container or pod spec path; "" for whole-object rules).
 */
function collect(
    meta: RuleMeta,
    obj: K8sObject,
    pairs: Array<[string, Verdict]>,
    base: string,
    what: string,
    out: Finding[],
): void {
    for (const [rel, v] of pairs) {
        if (v === undefined) continue;
        const path = rel.startsWith("@") ? rel.slice(1) : !base ? rel : rel ? `${base}.${rel}` : base;
        out.push(finding(meta, obj, path, v, what)!);
    }
}

/** Rule deciding per container: `check` returns [relative field path, verdict] pairs. */
export function containerRule(
    meta: RuleMeta,
    check: (c: ContainerRef, pod: PodSpecRef, cfg: RuleConfig) => Array<[string, Verdict]>,
): ResourceRule {
    return {
        ...meta,
        scope: "resource",
        kinds: WORKLOAD_KINDS,
        podTemplates: true,
        check(obj, ctx) {
            const out: Finding[] = [];
            for (const pod of podSpecsOf(obj)) {
                for (const c of containersOf(pod)) {
                    if (isUnknown(c.container)) {
                        out.push(finding(meta, obj, c.path, UNKNOWN_VERDICT, `The ${c.label}`)!);
                        continue;
                    }
                    collect(meta, obj, check(c, pod, ctx.config), c.path, `The ${c.label}`, out);
                }
            }
            return out;
        },
    };
}

/** Rule deciding on the pod spec itself: `check` returns [path relative to the pod spec, verdict] pairs. */
export function podRule(
    meta: RuleMeta,
    check: (pod: PodSpecRef, obj: K8sObject, cfg: RuleConfig) => Array<[string, Verdict]>,
): ResourceRule {
    return {
        ...meta,
        scope: "resource",
        kinds: WORKLOAD_KINDS,
        podTemplates: true,
        check(obj, ctx) {
            const out: Finding[] = [];
            for (const pod of podSpecsOf(obj))
                collect(meta, obj, check(pod, obj, ctx.config), pod.path, `The pod of ${describe(obj)}`, out);
            return out;
        },
    };
}

/** Verdict helper: unknown → UNKNOWN_VERDICT, bad → message (built only then), else undefined. */
export function judge(value: Json, bad: (v: Json) => boolean, message: () => string): Verdict {
    if (isUnknown(value)) return UNKNOWN_VERDICT;
    return bad(value) ? message() : undefined;
}

/** Container setting overriding the pod-level one (securityContext field). */
export function effective(c: ContainerRef, pod: PodSpecRef, field: string): { value: Json; path: string } {
    const own = get(c.container, `securityContext.${field}`);
    if (own !== undefined) return { value: own, path: `securityContext.${field}` };
    return { value: get(pod.spec, `securityContext.${field}`), path: `@${pod.path}.securityContext.${field}` };
}

export const asList = (v: Json): Json[] => (Array.isArray(v) ? v : []);

/** Rule deciding on a whole object of the given kinds: `check` returns [field path, verdict] pairs. */
export function objectRule(
    meta: RuleMeta,
    kinds: readonly string[],
    check: (obj: K8sObject & Json, cfg: RuleConfig) => Array<[string, Verdict]>,
): ResourceRule {
    return {
        ...meta,
        scope: "resource",
        kinds,
        check(obj, ctx) {
            const out: Finding[] = [];
            collect(meta, obj, check(obj, ctx.config), "", describe(obj), out);
            return out;
        },
    };
}

/** `${kind} "name"` (with namespace) for messages. */
export function describe(obj: K8sObject): string {
    const md = obj.metadata;
    const ns = md && typeof md === "object" ? md.namespace : undefined;
    const name = md && typeof md === "object" ? md.name : undefined;
    return `${show(obj.kind)} "${ns ? `${show(ns)}/` : ""}${name === undefined || name === null ? "?" : show(name)}"`;
}
