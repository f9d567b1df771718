/**
 * One compliant and one one-field-mutated failing fixture per control outside pod security (shared by the unit tests
 * and the admission parity check).
 */
import { RULES } from "../../rules";
import { evaluate, PackConfig, resolveRules } from "../../rules/evaluate";
import { K8sObject } from "../../rules/types";
import { Json, mutated, workload } from "./fixtures";

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
const Q = "hardened-cluster/quarantine";
const NOT_QUARANTINED: Json = { key: Q, operator: "DoesNotExist" };
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

export const CASES: Case[] = [
    {
        id: "IMG-01",
        what: "image:latest",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "nginx:latest"))],
    },
    {
        id: "IMG-01",
        what: "untagged image",
        good: () => [withContainer(c => (c.image = "nginx:1.27"))],
        bad: () => [withContainer(c => (c.image = "registry.example.com:5000/app"))],
    },
    {
        id: "IMG-02",
        what: "tag without digest",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "registry.example.com/app:1.0"))],
    },
    {
        id: "IMG-03",
        what: "registry outside the allow-list",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "docker.io/library/nginx:1.27"))],
        cfg: { "allowed-image-registries": { allowedRegistries: ["registry.example.com"] } },
    },
    {
        id: "IMG-03",
        what: "implicit Docker Hub in the deny-list",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "nginx:1.27"))],
        cfg: { "allowed-image-registries": { deniedRegistries: ["docker.io"] } },
    },
    {
        id: "IMG-03",
        what: "Docker Hub official images allowed as docker.io/library",
        good: () => [withContainer(c => (c.image = "nginx:1.27"))],
        bad: () => [withContainer(c => (c.image = "bitnami/nginx:1.27"))],
        cfg: { "allowed-image-registries": { allowedRegistries: ["registry.example.com", "docker.io/library"] } },
    },
    {
        id: "IMG-03",
        what: "a path prefix ends at a segment boundary",
        good: () => [withContainer(c => (c.image = "ghcr.io/acme/app:1.0"))],
        bad: () => [withContainer(c => (c.image = "ghcr.io/acmex/app:1.0"))],
        cfg: { "allowed-image-registries": { allowedRegistries: ["registry.example.com", "ghcr.io/acme/"] } },
    },
    {
        id: "IMG-03",
        what: "a registry port is part of the host",
        good: () => [withContainer(c => (c.image = "localhost:5000/app:1.0"))],
        bad: () => [withContainer(c => (c.image = "registry.example.com:5000/app:1.0"))],
        cfg: { "allowed-image-registries": { allowedRegistries: ["registry.example.com", "localhost:5000"] } },
    },
    {
        id: "IMG-03",
        what: "index.docker.io is Docker Hub",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "index.docker.io/library/nginx:1.27"))],
        cfg: { "allowed-image-registries": { deniedRegistries: ["docker.io"] } },
    },
    {
        id: "IMG-04",
        what: "IfNotPresent on a tagged image",
        good: () => [
            withContainer(c => {
                c.image = "registry.example.com/a:1";
                c.imagePullPolicy = "Always";
            }),
        ],
        bad: () => [
            withContainer(c => {
                c.image = "registry.example.com/a:1";
                c.imagePullPolicy = "IfNotPresent";
            }),
        ],
    },
    {
        id: "IMG-04",
        what: "unset policy on a tagged image",
        good: () => [d()],
        bad: () => [
            withContainer(c => {
                c.image = "registry.example.com/a:1";
                delete c.imagePullPolicy;
            }),
        ],
    },
    {
        id: "IMG-05",
        what: "k8s.gcr.io image",
        good: () => [withContainer(c => (c.image = "registry.k8s.io/pause:3.10"))],
        bad: () => [withContainer(c => (c.image = "k8s.gcr.io/pause:3.2"))],
    },
    {
        id: "RES-01",
        what: "no CPU request",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.resources.requests.cpu)],
    },
    {
        id: "RES-02",
        what: "no CPU limit",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.resources.limits.cpu)],
    },
    {
        id: "RES-03",
        what: "no memory request",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.resources.requests.memory)],
    },
    {
        id: "RES-04",
        what: "no memory limit",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.resources.limits.memory)],
    },
    {
        id: "RES-04",
        what: "no resources at all on an init container",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => delete s.initContainers[0].resources)],
    },
    {
        id: "RES-05",
        what: "no ephemeral-storage limit",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.resources.limits["ephemeral-storage"])],
    },
    { id: "RES-06", what: "namespace without ResourceQuota", good: () => [ns(), quota], bad: () => [ns(), limits] },
    { id: "RES-07", what: "namespace without LimitRange", good: () => [ns(), limits], bad: () => [ns(), quota] },
    {
        id: "PRB-01",
        what: "no liveness probe",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.livenessProbe)],
    },
    {
        id: "PRB-02",
        what: "no readiness probe",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.readinessProbe)],
    },
    {
        id: "SA-01",
        what: "pod without automount false",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => delete s.automountServiceAccountToken)],
    },
    {
        id: "SA-01",
        what: "ServiceAccount automounting",
        good: () => [sa()],
        bad: () => [sa("app", { automountServiceAccountToken: true })],
    },
    {
        id: "SA-02",
        what: "default ServiceAccount",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => (s.serviceAccountName = "default"))],
    },
    {
        id: "SA-02",
        what: "no ServiceAccount named",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => delete s.serviceAccountName)],
    },
    {
        id: "SA-03",
        what: "default SA automounting",
        good: () => [sa("default")],
        bad: () => [sa("default", { automountServiceAccountToken: undefined })],
    },
    {
        id: "SA-04",
        what: "binding to a default SA",
        good: () => [binding([{ kind: "ServiceAccount", name: "app", namespace: "team-a" }])],
        bad: () => [binding([{ kind: "ServiceAccount", name: "default", namespace: "team-a" }])],
    },
    {
        id: "SA-05",
        what: "legacy token Secret",
        good: () => [
            { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "team-a" }, type: "Opaque" },
        ],
        bad: () => [
            {
                apiVersion: "v1",
                kind: "Secret",
                metadata: {
                    name: "s",
                    namespace: "team-a",
                    annotations: { "kubernetes.io/service-account.name": "app" },
                },
                type: "kubernetes.io/service-account-token",
            },
        ],
    },
    {
        id: "SA-05",
        what: "ServiceAccount .secrets",
        good: () => [sa()],
        bad: () => [sa("app", { secrets: [{ name: "app-token" }] })],
    },
    {
        id: "SA-06",
        what: "deprecated serviceAccount field",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => (s.serviceAccount = "app"))],
    },
    {
        id: "NS-01",
        what: "object in default",
        good: () => [d()],
        bad: () => [
            (() => {
                const o = d();
                o.metadata!.namespace = "default";
                return o;
            })(),
        ],
    },
    {
        id: "NS-01",
        what: "namespace omitted",
        good: () => [svc()],
        bad: () => [
            (() => {
                const o = svc();
                delete o.metadata.namespace;
                return o;
            })(),
        ],
    },
    {
        id: "NS-02",
        what: "workload in kube-system",
        good: () => [d()],
        bad: () => [
            (() => {
                const o = d();
                o.metadata!.namespace = "kube-system";
                return o;
            })(),
        ],
    },
    { id: "NS-03", what: "namespace without enforce label", good: () => [ns()], bad: () => [ns("team-a", {})] },
    {
        id: "NS-03",
        what: "namespace enforcing privileged",
        good: () => [ns("team-a", { "pod-security.kubernetes.io/enforce": "baseline" })],
        bad: () => [ns("team-a", { "pod-security.kubernetes.io/enforce": "privileged" })],
    },
    {
        id: "SEC-01",
        what: "secretKeyRef env",
        good: () => [d()],
        bad: () => [
            withContainer(
                c => (c.env = [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }]),
            ),
        ],
    },
    {
        id: "SEC-01",
        what: "envFrom secretRef",
        good: () => [withContainer(c => (c.envFrom = [{ configMapRef: { name: "cfg" } }]))],
        bad: () => [withContainer(c => (c.envFrom = [{ secretRef: { name: "db" } }]))],
    },
    {
        id: "SEC-02",
        what: "literal password env",
        good: () => [withContainer(c => (c.env = [{ name: "PASSWORD_FILE", value: "/secrets/db" }]))],
        bad: () => [withContainer(c => (c.env = [{ name: "DB_PASSWORD", value: "hunter2hunter2" }]))],
    },
    {
        id: "SEC-02",
        what: "AWS key in an innocently named env",
        good: () => [withContainer(c => (c.env = [{ name: "LOG_LEVEL", value: "info" }]))],
        bad: () => [withContainer(c => (c.env = [{ name: "CONFIG", value: "AKIAABCDEFGHIJKLMNOP" }]))],
    },
    {
        id: "SEC-03",
        what: "ConfigMap with a token",
        good: () => [cm({ "app.yaml": "port: 8080\nlogLevel: info\n" })],
        bad: () => [cm({ "app.yaml": "port: 8080\napi_token: 9f8e7d6c5b4a\n" })],
    },
    {
        id: "SEC-03",
        what: "ConfigMap with a private key",
        good: () => [cm({ TOKEN_TTL: "3600" })],
        bad: () => [cm({ "key.pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----" })],
    },
    {
        id: "OTH-01",
        what: "bare pod",
        good: () => [workload("Pod")],
        bad: () => [
            (() => {
                const o = workload("Pod");
                delete o.metadata!.ownerReferences;
                return o;
            })(),
        ],
    },
    {
        id: "OTH-02",
        what: "Tiller image",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "gcr.io/kubernetes-helm/tiller:v2.16.12"))],
    },
    {
        id: "OTH-03",
        what: "Dashboard image",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "kubernetesui/dashboard:v2.7.0"))],
    },
    {
        id: "OTH-09",
        what: "SSH port",
        good: () => [d()],
        bad: () => [withContainer(c => c.ports.push({ containerPort: 22 }))],
    },
    {
        id: "OTH-04",
        what: "extensions/v1beta1 Ingress",
        good: () => [ingress()],
        bad: () => [{ ...ingress(), apiVersion: "extensions/v1beta1" }],
    },
    {
        id: "OTH-05",
        what: "missing app.kubernetes.io/name",
        good: () => [d()],
        bad: () => [
            (() => {
                const o = d();
                o.metadata!.labels = {};
                return o;
            })(),
        ],
    },
    {
        id: "OTH-06",
        what: "one replica",
        good: () => [d()],
        bad: () => [
            (() => {
                const o = d() as Json;
                o.spec.replicas = 1;
                return o;
            })(),
        ],
    },
    { id: "OTH-07", what: "no PDB", good: () => [d(), pdb()], bad: () => [d()] },
    {
        id: "OTH-07",
        what: "PDB blocking all evictions",
        good: () => [d(), pdb()],
        bad: () => [d(), pdb({ maxUnavailable: 0 })],
    },
    {
        id: "OTH-08",
        what: "no priorityClassName",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => delete s.priorityClassName)],
    },
    {
        id: "RBAC-01",
        what: "wildcard verb",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }])],
    },
    {
        id: "RBAC-01",
        what: "wildcard resource in a ClusterRole",
        good: () => [role([{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }], "ClusterRole")],
        bad: () => [role([{ apiGroups: [""], resources: ["*"], verbs: ["get"] }], "ClusterRole")],
    },
    {
        id: "RBAC-02",
        what: "list secrets",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }])],
    },
    {
        id: "RBAC-02",
        what: "secrets through a wildcard",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: [""], resources: ["*"], verbs: ["get"] }])],
    },
    {
        id: "RBAC-02",
        what: "get limited by resourceNames is not any Secret",
        good: () => [role([{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["app-tls"] }])],
        bad: () => [role([{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }])],
    },
    {
        id: "RBAC-03",
        what: "pods/exec",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }])],
    },
    {
        id: "RBAC-03",
        what: "*/exec: the exec subresource of any resource",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: [""], resources: ["*/exec"], verbs: ["create"] }])],
    },
    {
        id: "RBAC-04",
        what: "escalate on roles",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"] }])],
    },
    {
        id: "RBAC-05",
        what: "impersonate users",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: [""], resources: ["users"], verbs: ["impersonate"] }], "ClusterRole")],
    },
    {
        id: "RBAC-05",
        what: "impersonate is judged per API group",
        good: () => [
            role(
                [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["users", "uids"], verbs: ["impersonate"] }],
                "ClusterRole",
            ),
        ],
        bad: () => [
            role(
                [{ apiGroups: ["authentication.k8s.io"], resources: ["uids"], verbs: ["impersonate"] }],
                "ClusterRole",
            ),
        ],
    },
    {
        id: "RBAC-06",
        what: "binding cluster-admin",
        good: () => [binding([group("devs")])],
        bad: () => [
            binding(
                [group("devs")],
                { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
                "ClusterRoleBinding",
            ),
        ],
    },
    {
        id: "RBAC-07",
        what: "system:anonymous subject",
        good: () => [binding([group("devs")])],
        bad: () => [binding([group("system:anonymous")])],
    },
    {
        id: "RBAC-08",
        what: "system:authenticated to a non-discovery role",
        good: () => [
            binding(
                [group("system:authenticated")],
                { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:discovery" },
                "ClusterRoleBinding",
            ),
        ],
        bad: () => [binding([group("system:authenticated")])],
    },
    {
        id: "RBAC-09",
        what: "system:masters subject",
        good: () => [binding([group("devs")])],
        bad: () => [binding([group("system:masters")])],
    },
    {
        id: "RBAC-10",
        what: "create deployments",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create"] }])],
    },
    {
        id: "RBAC-11",
        what: "nodes/proxy",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }], "ClusterRole")],
    },
    {
        id: "RBAC-12",
        what: "CSR approval (update on approval and approve on signers)",
        good: () => [viewRole],
        bad: () => [
            role(
                [
                    {
                        apiGroups: ["certificates.k8s.io"],
                        resources: ["certificatesigningrequests/approval"],
                        verbs: ["update"],
                    },
                    { apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"] },
                ],
                "ClusterRole",
            ),
        ],
    },
    {
        id: "RBAC-13",
        what: "webhook configuration writes",
        good: () => [viewRole],
        bad: () => [
            role(
                [
                    {
                        apiGroups: ["admissionregistration.k8s.io"],
                        resources: ["mutatingwebhookconfigurations"],
                        verbs: ["patch"],
                    },
                ],
                "ClusterRole",
            ),
        ],
    },
    {
        id: "RBAC-12",
        what: "approve on a built-in signer by name",
        good: () => [
            role(
                [
                    {
                        apiGroups: ["certificates.k8s.io"],
                        resources: ["certificatesigningrequests/approval"],
                        verbs: ["update"],
                    },
                    {
                        apiGroups: ["certificates.k8s.io"],
                        resources: ["signers"],
                        verbs: ["approve"],
                        resourceNames: ["example.com/my-signer"],
                    },
                ],
                "ClusterRole",
            ),
        ],
        bad: () => [
            role(
                [
                    {
                        apiGroups: ["certificates.k8s.io"],
                        resources: ["certificatesigningrequests/approval"],
                        verbs: ["update"],
                    },
                    {
                        apiGroups: ["certificates.k8s.io"],
                        resources: ["signers"],
                        verbs: ["approve"],
                        resourceNames: ["kubernetes.io/kube-apiserver-client"],
                    },
                ],
                "ClusterRole",
            ),
        ],
    },
    {
        id: "RBAC-13",
        what: "a webhook configuration named in resourceNames",
        good: () => [
            role(
                [
                    {
                        apiGroups: ["admissionregistration.k8s.io"],
                        resources: ["validatingwebhookconfigurations"],
                        verbs: ["get"],
                        resourceNames: ["my-hook"],
                    },
                ],
                "ClusterRole",
            ),
        ],
        bad: () => [
            role(
                [
                    {
                        apiGroups: ["admissionregistration.k8s.io"],
                        resources: ["validatingwebhookconfigurations"],
                        verbs: ["patch"],
                        resourceNames: ["my-hook"],
                    },
                ],
                "ClusterRole",
            ),
        ],
    },
    {
        id: "RBAC-14",
        what: "serviceaccounts/token",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] }])],
    },
    {
        id: "RBAC-15",
        what: "create persistentvolumes",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: [""], resources: ["persistentvolumes"], verbs: ["create"] }], "ClusterRole")],
    },
    {
        id: "RBAC-16",
        what: "create bindings + bind",
        good: () => [
            role([{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create"] }]),
            binding([group("devs")]),
        ],
        bad: () => [
            role([
                { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create"] },
                { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["bind"] },
            ]),
            binding([group("devs")]),
        ],
    },
    {
        id: "RBAC-17",
        what: "delete events",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: [""], resources: ["events"], verbs: ["delete"] }])],
    },
    {
        id: "RBAC-18",
        what: "cluster-wide configmap updates",
        good: () => [role([{ apiGroups: [""], resources: ["configmaps"], verbs: ["update"] }])],
        bad: () => [role([{ apiGroups: [""], resources: ["configmaps"], verbs: ["update"] }], "ClusterRole")],
    },
    {
        id: "RBAC-19",
        what: "endpoints edits",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: [""], resources: ["endpoints"], verbs: ["create"] }])],
    },
    { id: "NET-01", what: "NodePort", good: () => [svc()], bad: () => [svc({ type: "NodePort" })] },
    { id: "NET-02", what: "LoadBalancer", good: () => [svc()], bad: () => [svc({ type: "LoadBalancer" })] },
    { id: "NET-03", what: "externalIPs", good: () => [svc()], bad: () => [svc({ externalIPs: ["203.0.113.1"] })] },
    { id: "NET-04", what: "no TLS", good: () => [ingress()], bad: () => [ingress({ tls: undefined })] },
    {
        id: "NET-04",
        what: "host outside TLS",
        good: () => [ingress()],
        bad: () => [ingress({ rules: [{ host: "other.example.com" }] })],
    },
    {
        id: "NET-04",
        what: "HTTP allowed by annotation",
        good: () => [ingress()],
        bad: () => [ingress({}, { "nginx.ingress.kubernetes.io/ssl-redirect": "false" })],
    },
    {
        id: "NET-05",
        what: "wildcard host",
        good: () => [ingress()],
        bad: () => [ingress({ rules: [{ host: "*.example.com" }] })],
    },
    {
        id: "NET-06",
        what: "configuration snippet",
        good: () => [ingress({}, { "nginx.ingress.kubernetes.io/rewrite-target": "/" })],
        bad: () => [ingress({}, { "nginx.ingress.kubernetes.io/configuration-snippet": "more_set_headers x;" })],
    },
    { id: "NET-07", what: "workload selected by no policy", good: () => [d(), deny], bad: () => [d()] },
    {
        id: "NET-08",
        what: "namespace without default-deny",
        good: () => [ns(), deny],
        bad: () => [ns(), { ...clone(deny), spec: { podSelector: {}, policyTypes: ["Ingress"] } }],
    },
    {
        id: "NET-09",
        what: "allow policy selecting quarantined pods",
        good: () => [allowWeb([NOT_QUARANTINED])],
        bad: () => [allowWeb([])],
    },
    {
        id: "NET-09",
        what: "quarantine excluded with NotIn, not with Exists",
        good: () => [allowWeb([{ key: Q, operator: "NotIn", values: ["true"] }])],
        bad: () => [allowWeb([{ key: Q, operator: "NotIn", values: ["false"] }])],
    },
    {
        id: "NET-09",
        what: "egress-only allow policy",
        good: () => [allowWeb([NOT_QUARANTINED], "Egress")],
        bad: () => [allowWeb([{ key: Q, operator: "Exists" }], "Egress")],
    },
    {
        id: "CFG-01",
        what: "identity first",
        good: () => [encCfg([{ aescbc: { keys: [{ name: "k", secret: "x" }] } }, { identity: {} }])],
        bad: () => [encCfg([{ identity: {} }, { aescbc: { keys: [{ name: "k", secret: "x" }] } }])],
    },
    {
        id: "CFG-01",
        what: "provider without keys",
        good: () => [encCfg([{ secretbox: { keys: [{ name: "k", secret: "x" }] } }])],
        bad: () => [encCfg([{ secretbox: { keys: [] } }])],
    },
    {
        id: "CFG-02",
        what: "static pod without audit log path",
        good: () => [apiserverPod(AUDIT_FLAGS)],
        bad: () => [apiserverPod(AUDIT_FLAGS.slice(0, 1))],
    },
    {
        id: "CFG-02",
        what: "kubeadm config without audit flags",
        good: () => [
            {
                apiVersion: "kubeadm.k8s.io/v1beta4",
                kind: "ClusterConfiguration",
                apiServer: {
                    extraArgs: AUDIT_FLAGS.map(f => ({ name: f.slice(2).split("=")[0], value: f.split("=")[1] })),
                },
            },
        ],
        bad: () => [
            {
                apiVersion: "kubeadm.k8s.io/v1beta3",
                kind: "ClusterConfiguration",
                apiServer: { extraArgs: { "audit-log-path": "/var/log/a" } },
            },
        ],
    },
    {
        id: "CFG-03",
        what: "secrets at RequestResponse",
        good: () => [AUDIT_OK],
        bad: () => [{ ...clone(AUDIT_OK), rules: [{ level: "RequestResponse" }] }],
    },
    {
        id: "CFG-03",
        what: "exec not logged",
        good: () => [AUDIT_OK],
        bad: () => [{ ...clone(AUDIT_OK), rules: [AUDIT_OK.rules[0], { level: "None" }] }],
    },
    // Edges where what the API server admits (after its defaulting and conversion) or how CEL reads a value could
    // differ from the rule.
    {
        id: "IMG-04",
        what: "unset policy on a latest image defaults to Always",
        good: () => [
            withContainer(c => {
                c.image = "registry.example.com/a:latest";
                delete c.imagePullPolicy;
            }),
        ],
        bad: () => [
            withContainer(c => {
                c.image = "registry.example.com/a:1";
                c.imagePullPolicy = "Never";
            }),
        ],
    },
    {
        id: "IMG-04",
        what: "a digest makes the policy moot; a registry port is no tag",
        good: () => [withContainer(c => (c.imagePullPolicy = "IfNotPresent"))],
        bad: () => [
            withContainer(c => {
                c.image = "registry.example.com:5000/a";
                c.imagePullPolicy = "IfNotPresent";
            }),
        ],
    },
    {
        id: "IMG-05",
        what: "k8s.gcr.io in an init container, not a look-alike host",
        good: () => [withContainer(c => (c.image = "k8s.gcr.io.example.com/pause:3.2"))],
        bad: () => [mutated("Deployment", s => (s.initContainers[0].image = "k8s.gcr.io/pause:3.2"))],
    },
    {
        id: "SA-02",
        what: "the deprecated serviceAccount field read when serviceAccountName is unset",
        good: () => [
            mutated("Deployment", s => {
                delete s.serviceAccountName;
                s.serviceAccount = "app";
            }),
        ],
        bad: () => [
            mutated("Deployment", s => {
                delete s.serviceAccountName;
                s.serviceAccount = "default";
            }),
        ],
    },
    {
        id: "RES-01",
        what: "no CPU request on an init container",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => delete s.initContainers[0].resources.requests.cpu)],
    },
    {
        id: "PRB-01",
        what: "a bare Pod without liveness probe; init containers need none",
        good: () => [workload("Pod")],
        bad: () => [
            (() => {
                const p = workload("Pod") as Json;
                delete p.spec.containers[0].livenessProbe;
                return p;
            })(),
        ],
    },
    {
        id: "PRB-02",
        what: "a Job runs to completion and needs no probe",
        good: () => [
            mutated("Job", s => {
                delete s.containers[0].readinessProbe;
                s.restartPolicy = "Never";
            }),
        ],
        bad: () => [mutated("ReplicaSet", s => delete s.containers[0].readinessProbe)],
    },
    {
        id: "NS-03",
        what: "minimumLevel restricted from the policy config",
        good: () => [ns()],
        bad: () => [ns("team-a", { "pod-security.kubernetes.io/enforce": "baseline" })],
        cfg: { "namespace-pod-security-enforced": { minimumLevel: "restricted" } },
    },
    {
        id: "OTH-02",
        what: "Tiller's gRPC port; a look-alike image name",
        good: () => [withContainer(c => (c.image = "registry.example.com/tillerx:1.0"))],
        bad: () => [withContainer(c => c.ports.push({ containerPort: 44134 }))],
    },
    {
        id: "OTH-02",
        what: "an object labelled as Tiller",
        good: () => [
            (() => {
                const o = d();
                o.metadata!.labels = { ...o.metadata!.labels, app: "helm" };
                return o;
            })(),
        ],
        bad: () => [
            (() => {
                const o = d();
                o.metadata!.labels = { ...o.metadata!.labels, app: "helm", name: "tiller" };
                return o;
            })(),
        ],
    },
    {
        id: "OTH-03",
        what: "an object labelled as the Dashboard; a look-alike image name",
        good: () => [withContainer(c => (c.image = "registry.example.com/kubernetes-dashboard-proxy:1.0"))],
        bad: () => [
            (() => {
                const o = d();
                o.metadata!.labels = { ...o.metadata!.labels, "k8s-app": "kubernetes-dashboard" };
                return o;
            })(),
        ],
    },
    {
        id: "OTH-06",
        what: "unset replicas count as one",
        good: () => [
            (() => {
                const o = d() as Json;
                o.spec.replicas = 2;
                return o;
            })(),
        ],
        bad: () => [
            (() => {
                const o = d() as Json;
                delete o.spec.replicas;
                return o;
            })(),
        ],
    },
    {
        id: "OTH-08",
        what: "an empty priorityClassName",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => (s.priorityClassName = ""))],
    },
    {
        id: "PS-21",
        what: "the pod's runAsGroup where the container sets none; UID 0 is left to PS-19",
        good: () => [withContainer(c => (c.securityContext.runAsUser = 0))],
        bad: () => [
            mutated("Deployment", s => {
                s.securityContext.runAsGroup = 500;
                delete s.containers[0].securityContext.runAsGroup;
            }),
        ],
    },
    {
        id: "PS-30",
        what: "the legacy AppArmor annotation counts as hardening",
        good: () => [
            mutated(
                "Deployment",
                s => {
                    delete s.securityContext.seccompProfile;
                    delete s.containers[0].securityContext.seccompProfile;
                    delete s.containers[0].securityContext.capabilities;
                },
                { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "runtime/default" } },
            ),
        ],
        bad: () => [
            mutated("Deployment", s => {
                delete s.securityContext.seccompProfile;
                delete s.containers[0].securityContext.seccompProfile;
                delete s.containers[0].securityContext.capabilities;
            }),
        ],
    },
    {
        id: "PS-31",
        what: "a privileged host port; port 1024 is fine",
        good: () => [withContainer(c => (c.ports[0].containerPort = 1024))],
        bad: () => [withContainer(c => (c.ports[0].hostPort = 443))],
    },
    {
        id: "RBAC-03",
        what: "pods/* is not a wildcard for subresources",
        good: () => [role([{ apiGroups: [""], resources: ["pods/*"], verbs: ["create"] }])],
        bad: () => [role([{ apiGroups: [""], resources: ["pods/attach"], verbs: ["*"] }])],
    },
    {
        id: "RBAC-11",
        what: "every core resource includes nodes/proxy",
        good: () => [role([{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }], "ClusterRole")],
        bad: () => [role([{ apiGroups: [""], resources: ["*"], verbs: ["get"] }], "ClusterRole")],
    },
];
