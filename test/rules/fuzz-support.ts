/**
 * Generators and properties shared by the fuzz suite: every fixture of the rule tests, mutated at
 * random paths with odd values (null, strings where objects belong, objects as names, huge or
 * empty lists, preview unknown markers), plus wholly random objects of every kind a rule reads.
 */
import fc from "fast-check";
import { RULES } from "../../rules";
import { EvaluatedFinding, evaluate, resolveRules } from "../../rules/evaluate";
import { K8sObject } from "../../rules/types";
import {
    AUDIT_OK,
    apiserverPod,
    AUDIT_FLAGS,
    CASES,
    cm,
    encCfg,
    ingress,
    Json,
    WORKLOAD_KIND_LIST,
    workload,
    POD_CASES,
    mutated,
} from "../../rules/cases";

export type { Json };

/** Run counts: modest by default (npm test stays fast), deeper with FUZZ_RUNS. */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
/** Fixed seed by default (deterministic); FUZZ_SEED picks another. */
export const SEED = Number(process.env.FUZZ_SEED ?? 1729);

export const RESOLVED = resolveRules(RULES, { all: "mandatory" });

/** Every object of the rule fixtures (compliant and failing), deduplicated by JSON. */
export function fixtureObjects(): Json[] {
    const seen = new Map<string, Json>();
    const add = (o: Json) => seen.set(JSON.stringify(o), o);
    for (const c of CASES) [...c.good(), ...c.bad()].forEach(add);
    for (const k of WORKLOAD_KIND_LIST) add(workload(k));
    for (const c of POD_CASES) add(mutated("Deployment", c.mutate, c.meta));
    [
        AUDIT_OK,
        apiserverPod(AUDIT_FLAGS),
        encCfg([{ aescbc: { keys: [{ name: "k", secret: "x" }] } }]),
        ingress(),
        cm({ a: "b" }),
    ].forEach(add);
    return [...seen.values()];
}

const FIXTURES = fixtureObjects();
const KINDS = [
    ...new Set(RULES.flatMap(r => r.kinds)),
    "Policy",
    "EncryptionConfiguration",
    "ClusterConfiguration",
    "Rollout",
    "Widget",
];

/** Values that have crashed or confused rules: wrong types, nulls, preview unknown markers. */
const odd: fc.Arbitrary<unknown> = fc.oneof(
    fc.constantFrom(
        null,
        "",
        "a=b",
        0,
        -1,
        1.5,
        true,
        false,
        "UNKNOWN_STRING",
        "UNKNOWN_BOOL",
        "UNKNOWN_ARRAY",
        "UNKNOWN_OBJECT",
        [],
        [null],
        [""],
        {},
        { a: 1 },
        [{}],
        [[]],
        { toString: 1 },
        { name: { toString: null } },
        "*",
        "/",
        "//",
        "system:masters",
        "ALL",
        "__proto__",
        "constructor",
        "toString",
        "hasOwnProperty",
    ),
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null), fc.integer()), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.constant(null)), {
        maxKeys: 3,
    }),
);

/** Every [path, parent, key] of a JSON value. */
function slots(v: Json, out: Array<[Json, string | number]> = []): Array<[Json, string | number]> {
    if (Array.isArray(v))
        v.forEach((x, i) => {
            out.push([v, i]);
            slots(x, out);
        });
    else if (v && typeof v === "object")
        for (const k of Object.keys(v)) {
            out.push([v, k]);
            slots(v[k], out);
        }
    return out;
}

export type Mutation = { pick: number; action: "set" | "delete" | "add" | "setKey"; value: unknown; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.record({
    pick: fc.nat(),
    action: fc.constantFrom("set", "set", "setKey", "setKey", "delete", "add"),
    value: odd,
    key: fc.constantFrom(
        "metadata",
        "spec",
        "labels",
        "name",
        "namespace",
        "rules",
        "subjects",
        "roleRef",
        "data",
        "template",
        "containers",
        "securityContext",
        "hostPath",
        "volumes",
        "env",
        "value",
        "path",
        "kind",
        "apiVersion",
        "x",
        "verbs",
        "resources",
        "apiGroups",
        "resourceNames",
        "podSelector",
        "matchLabels",
        "matchExpressions",
        "capabilities",
        "add",
        "drop",
        "ports",
        "image",
        "annotations",
        "selector",
        "tls",
        "rules",
        "providers",
        "level",
        "sysctls",
        "seLinuxOptions",
        "command",
        "args",
        "extraArgs",
        "replicas",
        "policyTypes",
        "ingress",
        "egress",
        "automountServiceAccountToken",
        "serviceAccountName",
        "valueFrom",
        "envFrom",
        "secretKeyRef",
    ),
});

/** Apply mutations to a deep copy (deterministic: picks index the object's slots). */
export function applyMutations(base: Json, muts: Mutation[]): Json {
    const o = structuredClone(base);
    for (const m of muts) {
        let all = slots(o);
        if (all.length === 0) break;
        if (m.action === "setKey") {
            // Aim at a field rules read: every slot with that key name.
            const named = all.filter(([, k]) => k === m.key);
            if (named.length > 0) all = named;
        }
        const [parent, key] = all[m.pick % all.length];
        if (m.action === "set" || m.action === "setKey") parent[key] = structuredClone(m.value);
        else if (m.action === "delete") {
            if (Array.isArray(parent)) parent.splice(key as number, 1);
            else delete parent[key];
        } else {
            const t = parent[key];
            if (t && typeof t === "object" && !Array.isArray(t)) t[m.key] = structuredClone(m.value);
            else parent[key] = { [m.key]: structuredClone(m.value) };
        }
    }
    return o;
}

/** A fixture mutated 1–4 times. */
export const mutatedObject: fc.Arbitrary<Json> = fc
    .tuple(fc.nat({ max: FIXTURES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([i, muts]) => applyMutations(FIXTURES[i], muts));

/** A wholly random object of a kind some rule reads. */
export const randomObject: fc.Arbitrary<Json> = fc.record(
    {
        apiVersion: fc.constantFrom(
            "v1",
            "apps/v1",
            "batch/v1",
            "rbac.authorization.k8s.io/v1",
            "networking.k8s.io/v1",
            "audit.k8s.io/v1",
            "argoproj.io/v1alpha1",
            "x/y",
        ),
        kind: fc.constantFrom(...KINDS),
        metadata: fc.oneof(
            odd,
            fc.record(
                {
                    name: odd,
                    namespace: fc.oneof(fc.constantFrom("team-a", "default", "kube-system"), odd),
                    labels: odd,
                    annotations: odd,
                },
                { requiredKeys: [] },
            ),
        ),
        spec: fc.oneof(odd, fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<unknown>),
        rules: fc.oneof(odd, fc.array(odd, { maxLength: 3 })),
        subjects: fc.oneof(odd, fc.array(odd, { maxLength: 3 })),
        roleRef: odd,
        data: odd,
        template: odd,
        resources: odd,
    },
    { requiredKeys: ["kind"] },
);

export const anyObject: fc.Arbitrary<Json> = fc.oneof(
    { weight: 3, arbitrary: mutatedObject },
    { weight: 1, arbitrary: randomObject },
);

/** A finding reduced to what a user sees, with the index of its object in `objects`. */
export function summary(findings: readonly EvaluatedFinding[], objects: readonly K8sObject[]): string[] {
    const index = new Map(objects.map((o, i) => [o, i]));
    return findings
        .map(
            f =>
                `${index.get(f.object)}|${f.controlId}|${f.path ?? ""}|${f.unknown ? "u" : ""}` +
                `${f.error ? "e" : ""}|${f.message}`,
        )
        .sort();
}

export const evaluateAll = (objects: readonly K8sObject[]) => evaluate(RESOLVED, objects);
