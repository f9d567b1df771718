/**
 * Pure builders for the objects a SecureNamespace creates. They return plain Kubernetes specs
 * (no Pulumi types), so they are tested without mocks and reused by other tools.
 */
import { ResolvedSecureNamespaceArgs } from "./defaults";
import { PSS_LABEL_PREFIX, QUARANTINE_LABEL } from "../../rules/vocabulary";
import { AccessLevelArgs, AccessLevelName, DEFAULT_OIDC_PREFIX, PeerArgs, PssLevel, TrafficRuleArgs } from "./types";

import type * as k8s from "@pulumi/kubernetes";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects as plain JSON
type Obj = Record<string, any>;
type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec & Obj;
type PolicyRule = k8s.types.input.rbac.v1.PolicyRule & Obj;
type Subject = k8s.types.input.rbac.v1.Subject & Obj;

/** Pod Security admission labels: each mode with its level and pinned version. */
export function pssLabels(
    levels: { enforce: PssLevel; audit: PssLevel; warn: PssLevel },
    version: string,
): Record<string, string> {
    const out: Record<string, string> = {};
    for (const mode of ["enforce", "audit", "warn"] as const) {
        out[`${PSS_LABEL_PREFIX}/${mode}`] = levels[mode];
        out[`${PSS_LABEL_PREFIX}/${mode}-version`] = version;
    }
    return out;
}

export function quotaSpec(q: ResolvedSecureNamespaceArgs["quota"]): k8s.types.input.core.v1.ResourceQuotaSpec & Obj {
    return {
        hard: {
            "requests.cpu": q.requestsCpu,
            "requests.memory": q.requestsMemory,
            "limits.cpu": q.limitsCpu,
            "limits.memory": q.limitsMemory,
            pods: String(q.pods),
            services: String(q.services),
            secrets: String(q.secrets),
            configmaps: String(q.configmaps),
            persistentvolumeclaims: String(q.persistentvolumeclaims),
            "services.loadbalancers": String(q.loadBalancers),
            "services.nodeports": String(q.nodePorts),
        },
    };
}

export function limitRangeSpec(l: ResolvedSecureNamespaceArgs["limits"]): k8s.types.input.core.v1.LimitRangeSpec & Obj {
    return {
        limits: [
            {
                type: "Container",
                defaultRequest: { cpu: l.defaultRequestCpu, memory: l.defaultRequestMemory },
                default: { cpu: l.defaultLimitCpu, memory: l.defaultLimitMemory },
                max: { cpu: l.maxCpu, memory: l.maxMemory },
            },
        ],
    };
}

/** Deny every ingress and egress for every pod of the namespace. */

/**
 * NetworkPolicies only add allowances, so a deny-all policy alone cannot cut off a pod that
 * another policy lets through: every allow policy of the blueprint therefore skips quarantined pods.
 */
const NOT_QUARANTINED = [{ key: QUARANTINE_LABEL, operator: "DoesNotExist" }];

/** Pod selector for an allow policy: the given labels, never a quarantined pod. */
export function allowPodSelector(labels?: Record<string, string>): Obj {
    return {
        ...(labels ? { matchLabels: { ...labels } } : {}),
        matchExpressions: NOT_QUARANTINED.map(e => ({ ...e })),
    };
}

/** Quarantine: all traffic to and from pods labelled `hardened-cluster/quarantine: "true"` is denied. */
export function quarantineSpec(): NetworkPolicySpec {
    return { podSelector: { matchLabels: { [QUARANTINE_LABEL]: "true" } }, policyTypes: ["Ingress", "Egress"] };
}

export function defaultDenySpec(): NetworkPolicySpec {
    return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/** Egress to kube-dns only: namespace and pod selector in the SAME peer, port 53 UDP and TCP. */
export function dnsEgressSpec(): NetworkPolicySpec {
    return {
        podSelector: allowPodSelector(),
        policyTypes: ["Egress"],
        egress: [
            {
                to: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    },
                ],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ],
    };
}

/** Pods of the namespace may talk to each other (ingress from and egress to the same namespace). */
export function sameNamespaceSpec(): NetworkPolicySpec {
    return {
        podSelector: allowPodSelector(),
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
    };
}

export function peerSpec(p: PeerArgs): Obj {
    if (p.cidr !== undefined) {
        return {
            ipBlock: p.except && p.except.length > 0 ? { cidr: p.cidr, except: [...p.except] } : { cidr: p.cidr },
        };
    }
    const peer: Obj = {};
    if (p.namespaces !== undefined) {
        peer.namespaceSelector =
            p.namespaces.length === 1
                ? { matchLabels: { "kubernetes.io/metadata.name": p.namespaces[0] } }
                : {
                      matchExpressions: [
                          { key: "kubernetes.io/metadata.name", operator: "In", values: [...p.namespaces] },
                      ],
                  };
    }
    if (p.podLabels !== undefined || p.namespaces === undefined) {
        peer.podSelector = { matchLabels: { ...(p.podLabels ?? {}) } };
    }
    return peer;
}

/** A declared allow rule as a NetworkPolicy spec. */
export function allowRuleSpec(direction: "ingress" | "egress", rule: TrafficRuleArgs): NetworkPolicySpec {
    const peers = rule.peers.map(peerSpec);
    const ports = (rule.ports ?? []).map(p => ({ protocol: p.protocol ?? "TCP", port: p.port }));
    const entry: Obj = direction === "ingress" ? { from: peers } : { to: peers };
    if (ports.length > 0) {
        entry.ports = ports;
    }
    return {
        podSelector: allowPodSelector(rule.podLabels),
        policyTypes: [direction === "ingress" ? "Ingress" : "Egress"],
        [direction]: [entry],
    };
}

const CORE_READ = [
    "pods",
    "pods/log",
    "services",
    "endpoints",
    "configmaps",
    "persistentvolumeclaims",
    "serviceaccounts",
    "events",
    "resourcequotas",
    "limitranges",
];
const APPS = ["deployments", "replicasets", "statefulsets", "daemonsets"];
const BATCH = ["jobs", "cronjobs"];
const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete"];

/**
 * RBAC rules of an access level. Never wildcards; no Secret reads, exec, attach, port-forward,
 * escalate, bind or impersonate unless the level opts in.
 *  - viewer: read workloads, services, config (not Secrets) and events.
 *  - developer: viewer + manage workloads, services, ConfigMaps, Ingresses, PVCs.
 *  - admin: developer + write (not read) Secrets, delete pods, scale.
 * NetworkPolicies, quotas and limits stay platform-owned: no level may change them.
 */
export function accessRoleRules(level: AccessLevelName, opts: AccessLevelArgs = {}): PolicyRule[] {
    const rules: PolicyRule[] = [
        { apiGroups: [""], resources: [...CORE_READ], verbs: [...READ] },
        { apiGroups: ["apps"], resources: [...APPS], verbs: [...READ] },
        { apiGroups: ["batch"], resources: [...BATCH], verbs: [...READ] },
        { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: [...READ] },
        { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: [...READ] },
    ];
    if (level === "developer" || level === "admin") {
        rules.push(
            { apiGroups: [""], resources: ["services", "configmaps", "persistentvolumeclaims"], verbs: [...WRITE] },
            { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: [...WRITE] },
            {
                apiGroups: ["apps"],
                resources: ["deployments/scale", "statefulsets/scale"],
                verbs: ["get", "update", "patch"],
            },
            { apiGroups: ["batch"], resources: [...BATCH], verbs: [...WRITE] },
            { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: [...WRITE] },
            { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: [...WRITE] },
        );
    }
    if (level === "admin") {
        rules.push(
            { apiGroups: [""], resources: ["secrets"], verbs: [...WRITE] },
            { apiGroups: [""], resources: ["pods"], verbs: ["delete"] },
        );
    }
    if (opts.allowSecretsRead) {
        rules.push({ apiGroups: [""], resources: ["secrets"], verbs: [...READ] });
    }
    if (opts.allowExec) {
        rules.push({ apiGroups: [""], resources: ["pods/exec", "pods/attach"], verbs: ["get", "create"] });
    }
    if (opts.allowPortForward) {
        rules.push({ apiGroups: [""], resources: ["pods/portforward"], verbs: ["get", "create"] });
    }
    if (opts.allowRoleManagement) {
        rules.push({
            apiGroups: ["rbac.authorization.k8s.io"],
            resources: ["roles", "rolebindings"],
            verbs: [...READ, ...WRITE, "bind", "escalate"],
        });
    }
    if (opts.allowImpersonate) {
        rules.push({ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] });
    }
    return rules;
}

/** RoleBinding subjects of an access level; `oidcGroups` get the API server's OIDC groups prefix. */
export function accessSubjects(opts: AccessLevelArgs, oidcGroupsPrefix = DEFAULT_OIDC_PREFIX): Subject[] {
    return [
        ...(opts.groups ?? []).map(name => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name })),
        ...(opts.oidcGroups ?? []).map(g => ({
            kind: "Group",
            apiGroup: "rbac.authorization.k8s.io",
            name: `${oidcGroupsPrefix}${g}`,
        })),
        ...(opts.users ?? []).map(name => ({ kind: "User", apiGroup: "rbac.authorization.k8s.io", name })),
    ];
}

/** The namespace's SecretStore (external-secrets.io/v1): one provider, scoped to this namespace. */
export function secretStoreSpec(provider: Record<string, unknown>): Obj {
    return { provider: structuredClone(provider) };
}

/**
 * An ExternalSecret that writes the Secret `name` from the namespace's store, refreshed every
 * `refreshInterval`. The operator owns the Secret (it goes away with the ExternalSecret); if the
 * provider loses the secret, the last value is kept rather than breaking running workloads.
 * Secret values never pass through Git or Pulumi state.
 */
export function externalSecretSpec(
    storeName: string,
    s: {
        name: string;
        refreshInterval: string;
        data: Array<{ secretKey: string; remoteKey: string; property?: string; version?: string }>;
    },
): Obj {
    return {
        refreshInterval: s.refreshInterval,
        secretStoreRef: { kind: "SecretStore", name: storeName },
        target: { name: s.name, creationPolicy: "Owner", deletionPolicy: "Retain" },
        data: s.data.map(d => ({
            secretKey: d.secretKey,
            remoteRef: {
                key: d.remoteKey,
                ...(d.property ? { property: d.property } : {}),
                ...(d.version ? { version: d.version } : {}),
            },
        })),
    };
}

/** File mode of mounted Secret files: readable by the file's owner only (octal 0400). */
const SECRET_FILE_MODE = 0o400;

/**
 * A Secret volume whose files only their owner can read (`defaultMode: 0400`), for workloads
 * that read credentials from files (the way SEC-01 asks for) instead of environment variables.
 */
export function secretVolume(name: string, secretName: string, items?: Array<{ key: string; path: string }>): Obj {
    return {
        name,
        secret: { secretName, defaultMode: SECRET_FILE_MODE, ...(items ? { items: items.map(i => ({ ...i })) } : {}) },
    };
}
