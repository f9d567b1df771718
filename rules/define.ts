/** Factories that keep each rule to its decision: metadata in, [field path, verdict] pairs out. */
import { getIn, show } from "./fields";
import { ContainerRef, containersOf, Json, PodSpecRef, podSpecsOf, WORKLOAD_KINDS } from "./podspec";
import { Finding, K8sObject, ResourceRule, RuleBase, RuleConfig } from "./types";
import { isUnknown, UNKNOWN } from "./unknown";
import { CLUSTER_SCOPED_KINDS } from "./vocabulary";

/** A rule's metadata: everything but its scope, kinds and check. */
export type RuleMeta = RuleBase;

/** A verdict on one field: undefined (fine), a message (violation), or "unknown". */
export type Verdict = string | undefined | typeof UNKNOWN_VERDICT;
export const UNKNOWN_VERDICT = Symbol("unknown-verdict");

/** No pairs: what a check returns when it has nothing to say (shared; the factories only read it). */
export const NONE: Array<[string, Verdict]> = Object.freeze([]) as unknown as Array<[string, Verdict]>;

export const PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";

/** Whom a pair's "unknown" message names: a container, the pod of the object, or the object itself. */
type Subject = ContainerRef | typeof POD_SUBJECT | typeof OBJECT_SUBJECT;
const POD_SUBJECT = 1;
const OBJECT_SUBJECT = 2;

/** The subject's name in messages, built only when a message needs it. */
function whatOf(subject: Subject, obj: K8sObject): string {
    if (subject === OBJECT_SUBJECT) return describe(obj);
    if (subject === POD_SUBJECT) return `The pod of ${describe(obj)}`;
    return `The ${subject.label}`;
}

function finding(meta: RuleMeta, obj: K8sObject, path: string, v: Verdict, subject: Subject): Finding | undefined {
    if (v === undefined) return undefined;
    if (v === UNKNOWN_VERDICT) {
        const what = whatOf(subject, obj);
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
    subject: Subject,
    out: Finding[],
): void {
    if (pairs.length === 0) return; // the usual case: nothing found
    // for…of with destructuring: a list with holes (built by code, not parsed) fails here as it always has.
    for (const [rel, v] of pairs) {
        if (v === undefined) continue;
        const path = rel.startsWith("@") ? rel.slice(1) : !base ? rel : rel ? `${base}.${rel}` : base;
        out.push(finding(meta, obj, path, v, subject)!);
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
            const pods = podSpecsOf(obj);
            for (let p = 0; p < pods.length; p++) {
                const pod = pods[p];
                const containers = containersOf(pod);
                for (let i = 0; i < containers.length; i++) {
                    const c = containers[i];
                    if (c.container === UNKNOWN) {
                        out.push(finding(meta, obj, c.path, UNKNOWN_VERDICT, c)!);
                        continue;
                    }
                    const pairs = check(c, pod, ctx.config);
                    if (pairs.length !== 0) collect(meta, obj, pairs, c.path, c, out);
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
            const pods = podSpecsOf(obj);
            for (let p = 0; p < pods.length; p++) {
                const pairs = check(pods[p], obj, ctx.config);
                if (pairs.length !== 0) collect(meta, obj, pairs, pods[p].path, POD_SUBJECT, out);
            }
            return out;
        },
    };
}

/** Verdict helper: unknown → UNKNOWN_VERDICT, bad → message (built only then), else undefined. */
export function judge(value: Json, bad: (v: Json) => boolean, message: () => string): Verdict {
    if (isUnknown(value)) return UNKNOWN_VERDICT;
    return bad(value) ? message() : undefined;
}

/** A container's securityContext setting, or the pod-level one it falls back to (a field made by `securityField`). */
export function effectiveValue(c: ContainerRef, pod: PodSpecRef, sc: SecurityField): Json {
    const own = getIn(c.container, sc.keys);
    return own !== undefined ? own : getIn(pod.spec, sc.keys);
}

/** Where effectiveValue found the setting (the pod's with a leading `@`), for when a finding needs it. */
export function effectivePath(c: ContainerRef, pod: PodSpecRef, sc: SecurityField): string {
    return getIn(c.container, sc.keys) !== undefined ? sc.path : `@${pod.path}.${sc.path}`;
}

/**
 * A container's own `securityContext.<field>` must be `want` (no pod-level fallback): one pair when
 * it is not ("The <container> does not set securityContext.<field> to <want>."), or unknown.
 */
export function ownSettingIs(c: ContainerRef, sc: SecurityField, want: boolean): Array<[string, Verdict]> {
    const v = getIn(c.container, sc.keys);
    if (v === want) return NONE;
    return [[sc.path, isUnknown(v) ? UNKNOWN_VERDICT : `The ${c.label} does not set ${sc.path} to ${want}.`]];
}

/**
 * Each container listed in the pod spec's `fields`, in order, passing over holes (as forEach
 * does) and over fields that are not lists; `unknownList` (when given) is told of a field whose
 * whole list is unknown during preview. Paths are built by the caller, only for what it reports.
 */
export function forEachListed(
    spec: Json,
    fields: readonly string[],
    each: (c: Json, field: string, i: number) => void,
    unknownList?: (field: string) => void,
): void {
    for (const field of fields) {
        const list = spec[field];
        if (unknownList !== undefined && isUnknown(list)) {
            unknownList(field);
            continue;
        }
        if (!Array.isArray(list)) continue;
        for (let i = 0; i < list.length; i++) if (i in list) each(list[i], field, i);
    }
}

/** `securityContext.<field>`: its keys and path, made once per field. */
export interface SecurityField {
    keys: readonly string[];
    path: string;
}
const securityFields = new Map<string, SecurityField>();
export function securityField(field: string): SecurityField {
    let sc = securityFields.get(field);
    if (sc === undefined) {
        const path = `securityContext.${field}`;
        sc = { keys: path.split("."), path };
        securityFields.set(field, sc);
    }
    return sc;
}

/**
 * A list with holes (made by code; YAML and JSON never make one) judged item by item with `map`
 * gives pairs with holes, which `collect` refuses (a TypeError, reported as the rule's error):
 * checks that pass over items themselves give that same result for such a list.
 */
export function holeyPairs(list: readonly unknown[]): Array<[string, Verdict]> | undefined {
    for (let i = 0; i < list.length; i++) if (!(i in list)) return list.map(() => ["", undefined]);
    return undefined;
}

export const asList = (v: Json): Json[] => (Array.isArray(v) ? v : []);

/**
 * Pairs over a list's items: `judge` gives an item's [path, verdict], or undefined when it has
 * nothing to say. A missing or empty list gives NONE; a list with holes gives what `holeyPairs` gives.
 */
export function itemPairs(
    list: Json,
    judge: (item: Json, i: number) => [string, Verdict] | undefined,
): Array<[string, Verdict]> {
    if (!Array.isArray(list) || list.length === 0) return NONE;
    const holey = holeyPairs(list);
    if (holey) return holey;
    let out = NONE;
    for (let i = 0; i < list.length; i++) {
        const pair = judge(list[i], i);
        if (pair === undefined) continue;
        if (out === NONE) out = [];
        out.push(pair);
    }
    return out;
}

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
            collect(meta, obj, check(obj, ctx.config), "", OBJECT_SUBJECT, out);
            return out;
        },
    };
}

/** `${kind} "name"` (with namespace) for messages. */
export function describe(obj: K8sObject): string {
    const md = obj.metadata;
    const ns = md && typeof md === "object" && !CLUSTER_SCOPED_KINDS.has(obj.kind as string) ? md.namespace : undefined;
    const name = md && typeof md === "object" ? md.name : undefined;
    return `${show(obj.kind)} "${ns ? `${show(ns)}/` : ""}${name === undefined || name === null ? "?" : show(name)}"`;
}
