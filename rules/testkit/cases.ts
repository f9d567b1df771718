/**
 * What the areas' fixtures are built from (rules/<area>/cases.ts): the `Case` shape (one compliant and one
 * one-field-mutated failing side per control), objects of every kind the controls judge, and `run`, which evaluates one
 * control. Fixtures only: shared by the unit tests, the admission parity and the RBAC parity e2e; not part of the
 * published build (tsconfig.build.json leaves rules/testkit and the cases out).
 */
import { RULES } from "..";
import { evaluate, PackConfig, resolveRules } from "../evaluate";
import { K8sObject } from "../types";
import { QUARANTINE_LABEL } from "../vocabulary";
import { Json, mutated, workload } from "./workloads";

export type { Json };

export const rule = (id: string) => RULES.find(r => r.id === id)!;
export const run = (id: string, objs: K8sObject[], cfg: PackConfig = {}) =>
    evaluate(resolveRules([rule(id)], cfg), objs);
export const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o));

export const ns = (name = "team-a", labels: Json = { "pod-security.kubernetes.io/enforce": "restricted" }): Json => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels },
});
export const quota: Json = {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: "q", namespace: "team-a" },
    spec: { hard: { pods: "10" } },
};
export const limits: Json = {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: "l", namespace: "team-a" },
    spec: { limits: [] },
};
export const deny: Json = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "default-deny", namespace: "team-a" },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
};
export const role = (rules: Json[], kind = "Role"): Json => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: { name: "r", ...(kind === "Role" ? { namespace: "team-a" } : {}) },
    rules,
});
export const viewRole = role([{ apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] }]);
export const binding = (
    subjects: Json[],
    roleRef: Json = { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" },
    kind = "RoleBinding",
): Json => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: { name: "b", ...(kind === "RoleBinding" ? { namespace: "team-a" } : {}) },
    roleRef,
    subjects,
});
export const group = (name: string) => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name });
export const svc = (spec: Json = {}): Json => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "s", namespace: "team-a" },
    spec: { type: "ClusterIP", ports: [{ port: 8080 }], ...spec },
});
export const ingress = (extra: Json = {}, annotations: Json = {}): Json => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "i", namespace: "team-a", annotations },
    spec: {
        tls: [{ hosts: ["app.example.com"], secretName: "tls" }],
        rules: [
            {
                host: "app.example.com",
                http: {
                    paths: [
                        { path: "/", pathType: "Prefix", backend: { service: { name: "s", port: { number: 80 } } } },
                    ],
                },
            },
        ],
        ...extra,
    },
});
export const sa = (name = "app", extra: Json = {}): Json => ({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name, namespace: "team-a" },
    automountServiceAccountToken: false,
    ...extra,
});
export const cm = (data: Json): Json => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c", namespace: "team-a" },
    data,
});
export const pdb = (spec: Json = { maxUnavailable: 1 }): Json => ({
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "p", namespace: "team-a" },
    spec: { selector: { matchLabels: { "app.kubernetes.io/name": "app" } }, ...spec },
});
export const encCfg = (providers: Json[]): Json => ({
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "EncryptionConfiguration",
    resources: [{ resources: ["secrets"], providers }],
});
export const AUDIT_OK: Json = {
    apiVersion: "audit.k8s.io/v1",
    kind: "Policy",
    rules: [
        {
            level: "Metadata",
            resources: [
                { group: "", resources: ["secrets", "configmaps"] },
                { group: "authentication.k8s.io", resources: ["tokenreviews"] },
            ],
        },
        { level: "Request", resources: [{ group: "", resources: ["pods/exec", "pods/attach", "pods/portforward"] }] },
        { level: "RequestResponse", resources: [{ group: "rbac.authorization.k8s.io" }] },
        { level: "Metadata" },
    ],
};
export const apiserverPod = (flags: string[]): Json => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "kube-apiserver", namespace: "kube-system" },
    spec: {
        containers: [
            {
                name: "kube-apiserver",
                image: "registry.k8s.io/kube-apiserver:v1.34.4",
                command: ["kube-apiserver", ...flags],
            },
        ],
    },
});
export const AUDIT_FLAGS = [
    "--audit-policy-file=/etc/kubernetes/audit/policy.yaml",
    "--audit-log-path=/var/log/audit.log",
    "--audit-log-maxage=30",
    "--audit-log-maxbackup=10",
    "--audit-log-maxsize=100",
];

export interface Case {
    id: string;
    good: () => Json[];
    bad: () => Json[];
    what: string;
    cfg?: PackConfig;
}

export const d = () => workload("Deployment");
/** NET-09 fixtures: an allow policy for the web pods, with the given extra selector requirements. */
export const NOT_QUARANTINED: Json = { key: QUARANTINE_LABEL, operator: "DoesNotExist" };
export const allowWeb = (exprs: Json[], type: "Ingress" | "Egress" = "Ingress"): Json => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "allow-web", namespace: "team-a" },
    spec: {
        podSelector: {
            matchLabels: { "app.kubernetes.io/name": "web" },
            ...(exprs.length ? { matchExpressions: exprs } : {}),
        },
        policyTypes: [type],
        [type.toLowerCase()]: [
            {
                [type === "Ingress" ? "from" : "to"]: [
                    { podSelector: { matchLabels: { "app.kubernetes.io/name": "client" } } },
                ],
                ports: [{ port: 8080 }],
            },
        ],
    },
});
export const withContainer = (f: (c: Json) => void) => mutated("Deployment", s => f(s.containers[0]));
