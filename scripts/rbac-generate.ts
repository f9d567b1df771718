/**
 * Generated RBAC objects and questions for the access review's oracle (e2e), its property tests
 * and its benchmark: Roles/ClusterRoles/bindings mixing wildcards, subresources, `*\/sub`,
 * resourceNames, non-resource URLs, aggregation (nested, matchExpressions), RoleBindings to
 * ClusterRoles, dangling role references, User/Group/ServiceAccount subjects (with and without
 * namespace), the ServiceAccount groups and OIDC-prefixed groups. Deterministic for a seed. Every
 * object is valid for the API server (rules never mix resources and URLs; Roles have no URLs).
 */
import { NonResourceRequest, Request, ResourceRequest } from "../rules/rbac/authorize";
import { K8sObject } from "../rules/types";
import { rng } from "./rng";

const RBAC = "rbac.authorization.k8s.io/v1";
const REF = "rbac.authorization.k8s.io";

/** [apiGroup, resource] pairs the rules and the questions draw from (subresources included). */
const RESOURCES: ReadonlyArray<[string, string]> = [
    ["", "pods"],
    ["", "pods/exec"],
    ["", "pods/log"],
    ["", "pods/portforward"],
    ["", "secrets"],
    ["", "configmaps"],
    ["", "serviceaccounts"],
    ["", "serviceaccounts/token"],
    ["", "nodes"],
    ["", "nodes/proxy"],
    ["", "persistentvolumes"],
    ["apps", "deployments"],
    ["apps", "deployments/scale"],
    ["apps", "statefulsets/scale"],
    ["batch", "jobs"],
    ["rbac.authorization.k8s.io", "roles"],
    ["rbac.authorization.k8s.io", "clusterrolebindings"],
    ["certificates.k8s.io", "certificatesigningrequests/approval"],
    ["admissionregistration.k8s.io", "validatingwebhookconfigurations"],
    ["example.com", "widgets"],
];
const VERBS = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "escalate",
    "bind",
    "impersonate",
    "approve",
];
const URLS = ["/healthz", "/healthz/ping", "/metrics", "/logs", "/logs/app.log", "/api", "/apis/apps", "/version"];
const NAMES = ["n0", "n1", "n2"];

export interface Generated {
    objects: K8sObject[];
    namespaces: string[];
}

export interface GenerateOptions {
    seed?: number;
    prefix?: string;
    namespaces?: number;
    clusterRoles?: number;
    rolesPerNamespace?: number;
    clusterRoleBindings?: number;
    roleBindingsPerNamespace?: number;
    users?: number;
    groups?: number;
    serviceAccountsPerNamespace?: number;
}

export function generate(opts: GenerateOptions = {}): Generated {
    const rand = rng(opts.seed ?? 1);
    const p = opts.prefix ?? "oracle";
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const some = <T>(xs: readonly T[], max: number): T[] => [
        ...new Set(Array.from({ length: 1 + Math.floor(rand() * max) }, () => pick(xs))),
    ];
    const nsCount = opts.namespaces ?? 3;
    const namespaces = Array.from({ length: nsCount }, (_, i) => `${p}-ns${i}`);
    const users = Array.from({ length: opts.users ?? 6 }, (_, i) => `${p}-user${i}@example.com`);
    const groups = [...Array.from({ length: opts.groups ?? 4 }, (_, i) => `${p}-group${i}`), `oidc:${p}-team`];
    const sas = namespaces.flatMap(ns =>
        Array.from({ length: opts.serviceAccountsPerNamespace ?? 3 }, (_, i) => ({ ns, name: `${p}-sa${i}` })),
    );

    const resourceRule = () => {
        const picks = some(RESOURCES, 3);
        const rule: Record<string, string[]> = {
            verbs: rand() < 0.08 ? ["*"] : some(VERBS, 3),
            apiGroups: rand() < 0.1 ? ["*"] : [...new Set(picks.map(x => x[0]))],
            resources:
                rand() < 0.06 ? ["*"] : rand() < 0.08 ? ["*/scale", ...picks.map(x => x[1])] : picks.map(x => x[1]),
        };
        if (rand() < 0.2) rule.resourceNames = some(NAMES, 2);
        return rule;
    };
    const urlRule = () => ({
        verbs: some(["get", "post", "*"], 2),
        nonResourceURLs: rand() < 0.15 ? ["*"] : some([...URLS, "/healthz/*", "/logs*", "/api*"], 2),
    });
    const rules = (cluster: boolean) =>
        Array.from({ length: 1 + Math.floor(rand() * 3) }, () =>
            cluster && rand() < 0.2 ? urlRule() : resourceRule(),
        );

    const objects: K8sObject[] = [];
    for (const ns of namespaces) objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    for (const sa of sas)
        objects.push({
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: sa.name, namespace: sa.ns },
            automountServiceAccountToken: false,
        });

    const crNames: string[] = [];
    const crCount = opts.clusterRoles ?? 12;
    for (let i = 0; i < crCount; i++) {
        const name = `${p}-cr${i}`;
        crNames.push(name);
        const labels: Record<string, string> = {};
        if (rand() < 0.4) labels[`${p}/agg`] = pick(["a", "b"]);
        if (rand() < 0.2) labels[`${p}/tier`] = pick(["x", "y"]);
        objects.push({ apiVersion: RBAC, kind: "ClusterRole", metadata: { name, labels }, rules: rules(true) });
    }
    // Aggregated roles: by label, by expression, and one that aggregates another aggregated role.
    objects.push({
        apiVersion: RBAC,
        kind: "ClusterRole",
        metadata: { name: `${p}-agg-a`, labels: { [`${p}/tier`]: "nested" } },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`${p}/agg`]: "a" } }] },
    });
    objects.push({
        apiVersion: RBAC,
        kind: "ClusterRole",
        metadata: { name: `${p}-agg-expr` },
        aggregationRule: {
            clusterRoleSelectors: [
                {
                    matchExpressions: [
                        { key: `${p}/agg`, operator: "In", values: ["b"] },
                        { key: `${p}/tier`, operator: "DoesNotExist" },
                    ],
                },
            ],
        },
    });
    objects.push({
        apiVersion: RBAC,
        kind: "ClusterRole",
        metadata: { name: `${p}-agg-nested` },
        aggregationRule: {
            clusterRoleSelectors: [
                { matchLabels: { [`${p}/tier`]: "nested" } },
                { matchLabels: { [`${p}/tier`]: "x" } },
            ],
        },
    });
    crNames.push(`${p}-agg-a`, `${p}-agg-expr`, `${p}-agg-nested`);

    const subject = (ns?: string) => {
        const x = rand();
        if (x < 0.3) return { kind: "User", apiGroup: REF, name: pick(users) };
        if (x < 0.55) return { kind: "Group", apiGroup: REF, name: pick(groups) };
        if (x < 0.62) return { kind: "Group", apiGroup: REF, name: `system:serviceaccounts:${pick(namespaces)}` };
        if (x < 0.64) return { kind: "Group", apiGroup: REF, name: "system:serviceaccounts" };
        const sa = pick(sas);
        // In a RoleBinding, a ServiceAccount of the binding's namespace may leave its namespace out.
        return ns === sa.ns && rand() < 0.5
            ? { kind: "ServiceAccount", name: sa.name }
            : { kind: "ServiceAccount", name: sa.name, namespace: sa.ns };
    };
    const subjects = (ns?: string) => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => subject(ns));

    for (let i = 0; i < (opts.clusterRoleBindings ?? 8); i++) {
        objects.push({
            apiVersion: RBAC,
            kind: "ClusterRoleBinding",
            metadata: { name: `${p}-crb${i}` },
            roleRef: { apiGroup: REF, kind: "ClusterRole", name: pick(crNames) },
            subjects: subjects(),
        });
    }
    for (const ns of namespaces) {
        const roleNames: string[] = [];
        for (let i = 0; i < (opts.rolesPerNamespace ?? 3); i++) {
            roleNames.push(`${p}-role${i}`);
            objects.push({
                apiVersion: RBAC,
                kind: "Role",
                metadata: { name: `${p}-role${i}`, namespace: ns },
                rules: rules(false),
            });
        }
        for (let i = 0; i < (opts.roleBindingsPerNamespace ?? 4); i++) {
            const x = rand();
            const roleRef =
                x < 0.45
                    ? { apiGroup: REF, kind: "ClusterRole", name: pick(crNames) }
                    : x < 0.95
                      ? { apiGroup: REF, kind: "Role", name: pick(roleNames) }
                      : { apiGroup: REF, kind: "Role", name: `${p}-missing` };
            objects.push({
                apiVersion: RBAC,
                kind: "RoleBinding",
                metadata: { name: `${p}-rb${i}`, namespace: ns },
                roleRef,
                subjects: subjects(ns),
            });
        }
    }
    return { objects, namespaces };
}

/**
 * Questions: every [group, resource] of the vocabulary × verbs, in each namespace and
 * cluster-wide, with and without a name; plus non-resource URLs. Deterministic for a seed.
 */
export function questions(namespaces: readonly string[], count: number, seed = 7): Request[] {
    const rand = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const out: Request[] = [];
    const seen = new Set<string>();
    for (let guard = 0; out.length < count && guard < count * 20; guard++) {
        let q: Request;
        if (rand() < 0.12) {
            q = {
                verb: pick(["get", "post", "put", "delete"]),
                path: pick([...URLS, "/healthz/log", "/logsx", "/apis", "/openapi/v2"]),
            } as NonResourceRequest;
        } else {
            const [apiGroup, combined] = pick(RESOURCES);
            const [resource, subresource] = combined.split("/");
            const r: ResourceRequest = { verb: pick([...VERBS, "use"]), apiGroup, resource };
            if (subresource) r.subresource = subresource;
            if (rand() < 0.35) r.name = pick([...NAMES, "other"]);
            const ns = rand() < 0.25 ? "" : pick(namespaces);
            if (ns) r.namespace = ns;
            q = r;
        }
        const k = JSON.stringify(q);
        if (!seen.has(k)) {
            seen.add(k);
            out.push(q);
        }
    }
    return out;
}
