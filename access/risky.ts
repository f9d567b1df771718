/**
 * `risky`: the subjects holding dangerous powers, each with the binding chains that grant it and
 * the catalog control the power relates to. A power is a set of requests (asked without an object
 * name, so grants limited by `resourceNames` do not count, as the authorizer decides); a subject
 * holds it cluster-wide (through a ClusterRoleBinding) or in the namespaces of its RoleBindings.
 */
import { Request } from "../rules/rbac/authorize";
import { ADMISSION_CONFIG_RESOURCES } from "../rules/rbac/roles";
import { AccessReview, AccessSubject, Chain, Grantee, subjectKey } from "./review";

export interface Power {
    id: string;
    /** What the power lets one do, for reports. */
    title: string;
    /** Catalog control (rules/controls.json) the power relates to. */
    controlId: string;
    /** Any of these requests grants the power. */
    requests: Request[];
    /** The resources are cluster-scoped: only cluster-wide grants count. */
    clusterScoped?: boolean;
}

const r = (verb: string, apiGroup: string, resource: string, subresource = ""): Request => ({
    verb,
    apiGroup,
    resource,
    ...(subresource ? { subresource } : {}),
});
const each = (verbs: string[], apiGroup: string, resources: string[], subresource = "") =>
    verbs.flatMap(v => resources.map(x => r(v, apiGroup, x, subresource)));
const RBAC = "rbac.authorization.k8s.io";
const WRITE = ["create", "update", "patch", "delete"];
/** A verb, group and resource no real rule names: only full `*` rules grant it. */
const ANYTHING = r("hardened-cluster-any-verb", "any.hardened-cluster.invalid", "any-resource");

export const POWERS: readonly Power[] = [
    {
        id: "anything",
        title: "`*` on `*` in `*` (every verb on every resource)",
        controlId: "RBAC-01",
        requests: [ANYTHING],
    },
    {
        id: "secrets-read",
        title: "read Secrets (get/list/watch)",
        controlId: "RBAC-02",
        requests: each(["get", "list", "watch"], "", ["secrets"]),
    },
    // kubectl exec/attach/port-forward over WebSockets are authorized as `get`, over SPDY as `create`.
    {
        id: "exec",
        title: "exec, attach or port-forward into pods",
        controlId: "RBAC-03",
        requests: each(["create", "get"], "", ["pods"], "exec").concat(
            each(["create", "get"], "", ["pods"], "attach"),
            each(["create", "get"], "", ["pods"], "portforward"),
        ),
    },
    {
        id: "escalate-bind",
        title: "escalate or bind (Cluster)Roles",
        controlId: "RBAC-04",
        requests: each(["escalate", "bind"], RBAC, ["roles", "clusterroles"]),
    },
    {
        id: "impersonate",
        title: "impersonate users, groups, ServiceAccounts or UIDs",
        controlId: "RBAC-05",
        requests: [
            ...each(["impersonate"], "", ["users", "groups", "serviceaccounts"]),
            ...each(["impersonate"], "authentication.k8s.io", ["userextras", "uids"]),
        ],
    },
    {
        id: "bindings-write",
        title: "create or change (Cluster)RoleBindings",
        controlId: "RBAC-16",
        requests: each(["create", "update", "patch"], RBAC, ["rolebindings", "clusterrolebindings"]),
    },
    {
        id: "pods-create",
        title: "create or change pods or workload controllers (runs code as any ServiceAccount of the namespace)",
        controlId: "RBAC-10",
        requests: [
            ...each(["create", "update", "patch"], "", ["pods", "replicationcontrollers"]),
            ...each(["update", "patch"], "", ["pods"], "ephemeralcontainers"),
            ...each(["create", "update", "patch"], "apps", [
                "deployments",
                "daemonsets",
                "statefulsets",
                "replicasets",
            ]),
            ...each(["create"], "batch", ["jobs"]),
            ...each(["create", "update", "patch"], "batch", ["cronjobs"]),
        ],
    },
    {
        id: "nodes-proxy",
        title: "nodes/proxy (the kubelet API: exec in any pod of the node)",
        controlId: "RBAC-11",
        clusterScoped: true,
        requests: each(["get", "create"], "", ["nodes"], "proxy"),
    },
    {
        id: "sa-token",
        title: "create ServiceAccount tokens",
        controlId: "RBAC-14",
        requests: each(["create"], "", ["serviceaccounts"], "token"),
    },
    {
        id: "csr-approve",
        title: "approve CertificateSigningRequests",
        controlId: "RBAC-12",
        clusterScoped: true,
        requests: [
            ...each(["update", "patch"], "certificates.k8s.io", ["certificatesigningrequests"], "approval"),
            ...each(["approve"], "certificates.k8s.io", ["signers"]),
        ],
    },
    {
        id: "webhooks-write",
        title: "write admission webhook configurations or admission policies",
        controlId: "RBAC-13",
        clusterScoped: true,
        requests: each(WRITE, "admissionregistration.k8s.io", ADMISSION_CONFIG_RESOURCES),
    },
    {
        id: "pv-create",
        title: "create PersistentVolumes (hostPath volumes on any node)",
        controlId: "RBAC-15",
        clusterScoped: true,
        requests: each(["create"], "", ["persistentvolumes"]),
    },
];

export interface RiskyEntry {
    subject: AccessSubject;
    power: string;
    title: string;
    controlId: string;
    /** `*` for cluster-wide, else the namespace. */
    scope: string;
    chains: Chain[];
    privileged?: true;
}

export interface RiskyOptions {
    /** Also report grants coming only from the API server's default (bootstrap) bindings. */
    includeDefaults?: boolean;
    /** Only these powers (ids). */
    powers?: string[];
}

/**
 * Every (subject, power, scope) with its chains. A cluster-wide holder is not repeated per
 * namespace. Sorted by subject, power, scope.
 */
export function risky(review: AccessReview, opts: RiskyOptions = {}): RiskyEntry[] {
    const out: RiskyEntry[] = [];
    const powers = POWERS.filter(p => !opts.powers || opts.powers.includes(p.id));
    for (const p of powers) {
        const scopes = p.clusterScoped ? [""] : ["", ...review.namespaces];
        const clusterHolders = new Set<string>();
        for (const ns of scopes) {
            // Grants of all the power's requests in this scope, merged per binding subject.
            const merged = new Map<string, Chain[]>();
            for (const req0 of p.requests) {
                const req = ns ? { ...req0, namespace: ns } : req0;
                for (const [k, chains] of review.grantsFor(req, ns ? "namespace" : "cluster")) {
                    const have = merged.get(k);
                    if (!have) merged.set(k, [...chains]);
                    else for (const c of chains) if (!have.some(x => sameChain(x, c))) have.push(c);
                }
            }
            if (merged.size === 0 && ns !== "") continue;
            const bySubject = new Map<string, Grantee>(review.granteesOf(merged).map(g => [subjectKey(g.subject), g]));
            for (const [k, g] of bySubject) {
                if (ns && clusterHolders.has(k)) continue;
                const chains = opts.includeDefaults ? g.chains : g.chains.filter(c => !c.default);
                if (!chains.length && !(g.privileged && opts.includeDefaults)) continue;
                if (!ns) clusterHolders.add(k);
                out.push({
                    subject: g.subject,
                    power: p.id,
                    title: p.title,
                    controlId: p.controlId,
                    scope: ns || "*",
                    chains,
                    ...(g.privileged ? { privileged: true as const } : {}),
                });
            }
        }
    }
    const idx = new Map(review.subjects.map((s, i) => [subjectKey(s), i]));
    const pidx = new Map(POWERS.map((p, i) => [p.id, i]));
    return out.sort(
        (a, b) =>
            idx.get(subjectKey(a.subject))! - idx.get(subjectKey(b.subject))! ||
            pidx.get(a.power)! - pidx.get(b.power)! ||
            (a.scope === "*" ? -1 : b.scope === "*" ? 1 : a.scope.localeCompare(b.scope)),
    );
}

const sameChain = (a: Chain, b: Chain) =>
    a.binding.kind === b.binding.kind &&
    a.binding.name === b.binding.name &&
    a.binding.namespace === b.binding.namespace;
