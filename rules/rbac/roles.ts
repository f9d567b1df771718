/** RBAC-01 … RBAC-05, RBAC-10 … RBAC-15, RBAC-17 … RBAC-19: what a Role or ClusterRole grants. */
import { describe, objectRule, UNKNOWN_VERDICT, Verdict } from "../define";
import { Json } from "../podspec";
import { Finding, K8sObject, StackRule } from "../types";
import { isUnknown } from "../unknown";
import { aggregateClusterRoles, Decision, ResourceRequest, ruleDecides } from "./authorize";

const RBAC_URL = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";
const ROLE_KINDS = ["Role", "ClusterRole"];

/**
 * What a control asks of a role, as the RBAC authorizer would answer it: every group must have at
 * least one request the role's rules allow (an AND of ORs). Requests carry no object name unless
 * the control is about one, so a grant limited by `resourceNames` is not "any Secret".
 */
export type Question = ResourceRequest[][];

const req = (verbs: string[], apiGroup: string, resources: string[], name?: string): ResourceRequest[] =>
    verbs.flatMap(verb =>
        resources.map(r => {
            const [resource, subresource] = r.split("/");
            return {
                verb,
                apiGroup,
                resource,
                ...(subresource ? { subresource } : {}),
                ...(name !== undefined ? { name } : {}),
            };
        }),
    );

/** A control's question for a role's rules (most are fixed; some also ask about the objects the rules name). */
export type QuestionOf = (rules: Json) => Question;

/** The questions of every role control, by control ID (the RBAC parity e2e asks the API server the same). */
export const QUESTIONS: Record<string, QuestionOf> = {};

/**
 * A grant control as data: its question, whether it also asks about the names the role's rules
 * list (`alsoNamed`), and the kinds it judges. The CEL twins (rules/rbac/admission.ts) are
 * generated from it.
 */
export interface GrantControl {
    question: Question;
    alsoNamed: boolean;
    kinds: readonly string[];
}
export const GRANT_CONTROLS: Record<string, GrantControl> = {};

/**
 * For controls where changing one named object is itself the danger (a webhook configuration can
 * be repointed to intercept everything): the question also asks about every name the role's rules
 * list in resourceNames for those resources.
 */
function alsoNamed(q: Question): QuestionOf {
    return rules => {
        const names = new Set<string>();
        for (const r of Array.isArray(rules) ? rules : []) {
            if (Array.isArray(r?.resourceNames))
                for (const n of r.resourceNames) if (typeof n === "string" && n !== "") names.add(n);
        }
        if (names.size === 0) return q;
        return q.map(group => [...group, ...[...names].flatMap(name => group.map(req => ({ ...req, name })))]);
    };
}

/**
 * The rules a role holds: its own, or for an aggregated ClusterRole the union of the ClusterRoles it selects (when any
 * are given).
 */
function effectiveRules(o: Json, aggregated: () => Map<string, unknown[]>): { rules: Json; aggregated: boolean } {
    if (
        o.kind === "ClusterRole" &&
        o.aggregationRule &&
        !isUnknown(o.aggregationRule) &&
        typeof o.metadata?.name === "string"
    ) {
        const union = aggregated().get(o.metadata.name);
        if (union && union.length > 0) return { rules: union, aggregated: true };
    }
    return { rules: o.rules, aggregated: false };
}

/**
 * Requests the API server only ever authorizes without a namespace: those on cluster-scoped resources and the checks
 * it makes at the cluster scope (impersonating users, groups, user extras and UIDs; `approve` on a signer; `escalate`
 * when writing a ClusterRole). The RBAC authorizer consults a RoleBinding only for a request in its namespace, so the
 * rules of a Role (and of a ClusterRole bound by a RoleBinding) never grant one of these. Not listed: `bind` on
 * clusterroles, checked in the namespace of the RoleBinding being written; `namespaces`, whose own name is the
 * request's namespace (`get` on `/api/v1/namespaces/team-a` is in team-a).
 */
/**
 * What steers admission (admissionregistration.k8s.io, all cluster-scoped): webhook configurations, admission
 * policies and their bindings (RBAC-13).
 */
export const ADMISSION_CONFIG_RESOURCES = [
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "mutatingadmissionpolicies",
    "mutatingadmissionpolicybindings",
];

const CLUSTER_SCOPED: Record<string, ReadonlySet<string>> = {
    "": new Set(["nodes", "persistentvolumes", "users", "groups", "componentstatuses"]),
    "authentication.k8s.io": new Set(["userextras", "uids"]),
    "certificates.k8s.io": new Set(["certificatesigningrequests", "signers", "clustertrustbundles"]),
    "admissionregistration.k8s.io": new Set(ADMISSION_CONFIG_RESOURCES),
    "rbac.authorization.k8s.io": new Set(["clusterroles", "clusterrolebindings"]),
};

/** Is the request authorized at the cluster scope only (never granted through a RoleBinding)? */
export function atClusterScope(r: ResourceRequest): boolean {
    if (r.apiGroup === "rbac.authorization.k8s.io" && r.resource === "clusterroles" && r.verb === "bind") return false;
    return CLUSTER_SCOPED[r.apiGroup]?.has(r.resource) ?? false;
}

/** The part of a question rules held in one namespace can answer (a group left empty cannot be answered). */
export const namespacedQuestion = (q: Question): Question => q.map(group => group.filter(r => !atClusterScope(r)));

/**
 * Does `rules` answer every group of the question with an allowed request? And the index of the first rule granting it.
 * `namespaced`: the rules hold in one namespace only (a Role, or a ClusterRole bound by a RoleBinding).
 */
export function decide(rules: Json, q: Question, namespaced = false): { decision: Decision; index: number } {
    if (namespaced) q = namespacedQuestion(q);
    if (isUnknown(rules)) return { decision: "unknown", index: -1 };
    const list: Json[] = Array.isArray(rules) ? rules : [];
    let unknown = false;
    let first = -1;
    for (const group of q) {
        let granted = false;
        for (let i = 0; i < list.length && !granted; i++) {
            for (const r of group) {
                const d = ruleDecides(list[i], r);
                if (d === true) {
                    granted = true;
                    if (first < 0) first = i;
                    break;
                }
                if (d === "unknown") unknown = true;
            }
        }
        if (!granted) return { decision: unknown ? "unknown" : false, index: -1 };
    }
    return { decision: true, index: first };
}

const aggregationCache = new WeakMap<readonly K8sObject[], Map<string, unknown[]>>();

function grantRule(
    id: string,
    name: string,
    description: string,
    remediation: string,
    q: Question,
    what: string,
    kinds = ROLE_KINDS,
    named = false,
): StackRule {
    const questionOf: QuestionOf = named ? alsoNamed(q) : () => q;
    QUESTIONS[id] = questionOf;
    GRANT_CONTROLS[id] = { question: q, alsoNamed: named, kinds };
    return {
        id,
        name,
        description,
        remediation,
        url: RBAC_URL,
        scope: "stack",
        kinds,
        eachObject: true,
        check(objects) {
            const aggregated = () => {
                let m = aggregationCache.get(objects);
                if (!m)
                    aggregationCache.set(
                        objects,
                        (m = aggregateClusterRoles(objects.filter(o => o?.kind === "ClusterRole"))),
                    );
                return m;
            };
            const out: Finding[] = [];
            for (const o of objects as Json[]) {
                if (!kinds.includes(o?.kind) || isSystem(o)) continue;
                const eff = effectiveRules(o, aggregated);
                const { decision, index } = decide(eff.rules, questionOf(eff.rules), o.kind === "Role");
                if (decision === false) continue;
                const path = eff.aggregated ? "aggregationRule" : index >= 0 ? `rules[${index}]` : "rules";
                out.push(
                    decision === "unknown"
                        ? {
                              controlId: id,
                              object: o,
                              path,
                              unknown: true,
                              message: `${describe(o)}: whether it ${what} is unknown during preview.`,
                          }
                        : {
                              controlId: id,
                              object: o,
                              path,
                              message:
                                  `${describe(o)} ${what}` +
                                  `${eff.aggregated ? " (through the ClusterRoles it aggregates)" : ""}.`,
                          },
                );
            }
            return out;
        },
    };
}

/**
 * One of the API server's own default roles: a `system:` name and the bootstrap policy's label
 * `kubernetes.io/bootstrapping: rbac-defaults`. The name prefix alone is not reserved (the VPA
 * ships `system:vpa-admission-controller`, which can rewrite every mutating webhook).
 */
export function isSystem(o: Json): boolean {
    const n = o.metadata?.name;
    return (
        typeof n === "string" &&
        n.startsWith("system:") &&
        o.metadata?.labels?.["kubernetes.io/bootstrapping"] === "rbac-defaults"
    );
}

export const wildcards = objectRule(
    {
        id: "RBAC-01",
        name: "no-rbac-wildcards",
        description:
            "Roles must not use `*` in verbs, resources or apiGroups. A wildcard grants every " +
            "present and future permission of its scope, including ones nobody reviewed.",
        remediation:
            "List the verbs, resources and API groups explicitly. SecureNamespace access levels never use wildcards.",
        url: RBAC_URL,
    },
    ROLE_KINDS,
    o => {
        if (isSystem(o)) return [];
        const rules = o.rules;
        if (isUnknown(rules)) return [["rules", UNKNOWN_VERDICT]];
        const out: Array<[string, Verdict]> = [];
        (Array.isArray(rules) ? rules : []).forEach((r: Json, i: number) => {
            for (const f of ["verbs", "resources", "apiGroups"]) {
                const v = r?.[f];
                out.push([
                    `rules[${i}].${f}`,
                    isUnknown(v)
                        ? UNKNOWN_VERDICT
                        : Array.isArray(v) && v.includes("*")
                          ? `${describe(o)} uses a wildcard in rules[${i}].${f}.`
                          : undefined,
                ]);
            }
        });
        return out;
    },
);

export const secretsRead = grantRule(
    "RBAC-02",
    "no-secret-read-access",
    "Roles must not grant get, list or watch on Secrets. Listing Secrets returns every credential of " +
        "the namespace (or cluster) in one call.",
    "Remove secrets from the rule, or grant `get` on named Secrets with `resourceNames`. " +
        "SecureNamespace grants Secret reads only with `access.<level>.allowSecretsRead`.",
    [req(["get", "list", "watch"], "", ["secrets"])],
    "can read any Secret",
);

export const execAttach = grantRule(
    "RBAC-03",
    "no-pod-exec-attach",
    "Roles must not grant `pods/exec`, `pods/attach` or `pods/portforward`. A shell in a pod reads " +
        "its mounted secrets and bypasses every NetworkPolicy.",
    "Remove the subresources from the role; use `kubectl debug` with audited break-glass access. " +
        "SecureNamespace grants them only with `allowExec` / `allowPortForward`.",
    // create: exec, attach and port-forward are POSTs, and WebSocket upgrades are authorized as create since v1.31.
    [req(["create"], "", ["pods/exec", "pods/attach", "pods/portforward"])],
    "grants pods/exec, pods/attach or pods/portforward",
);

export const escalateBind = grantRule(
    "RBAC-04",
    "no-escalate-or-bind",
    "Roles must not grant `escalate` or `bind` on roles. They let the holder grant permissions they " +
        "do not have themselves: privilege escalation by design.",
    "Remove the escalate and bind verbs. SecureNamespace grants them only with `allowRoleManagement`.",
    [req(["escalate", "bind"], "rbac.authorization.k8s.io", ["roles", "clusterroles"])],
    "grants escalate or bind on roles",
);

export const impersonate = grantRule(
    "RBAC-05",
    "no-impersonation",
    "Roles must not grant `impersonate` on users, groups or ServiceAccounts. Impersonation lets the " +
        "holder act as anyone, including cluster administrators.",
    "Remove the impersonate verb. SecureNamespace grants it only with `allowImpersonate`.",
    [
        [
            ...req(["impersonate"], "", ["users", "groups", "serviceaccounts"]),
            ...req(["impersonate"], "authentication.k8s.io", ["userextras", "uids"]),
        ],
    ],
    "grants impersonation",
);

/**
 * Running code of one's choosing as a ServiceAccount of the namespace: creating pods or their controllers,
 * or changing them (a running pod's container image is mutable, an ephemeral container is added by an update
 * of `pods/ephemeralcontainers`, a controller's pod template makes new pods). A Job's pod template is
 * immutable: updating a Job runs nothing new.
 */
const WORKLOAD_RESOURCES: Question = [
    [
        ...req(["create"], "", ["pods", "replicationcontrollers"]),
        ...req(["create"], "apps", ["deployments", "statefulsets", "daemonsets", "replicasets"]),
        ...req(["create"], "batch", ["jobs", "cronjobs"]),
        ...req(["update", "patch"], "", ["pods", "pods/ephemeralcontainers", "replicationcontrollers"]),
        ...req(["update", "patch"], "apps", ["deployments", "statefulsets", "daemonsets", "replicasets"]),
        ...req(["update", "patch"], "batch", ["cronjobs"]),
    ],
];
export const createPods = grantRule(
    "RBAC-10",
    "no-workload-creation",
    "Roles that can create or change pods or workload controllers (a running pod's image, an ephemeral " +
        "container, a controller's pod template) can run any image with any ServiceAccount of the " +
        "namespace, and so inherit its permissions. Grant it deliberately.",
    "Limit workload creation to deployment pipelines; for people, the SecureNamespace `developer` " +
        "level is the intended holder (listed as an accepted advisory in docs/policy-pack.md).",
    WORKLOAD_RESOURCES,
    "can create or change pods or workload controllers",
);

export const nodesProxy = grantRule(
    "RBAC-11",
    "no-nodes-proxy",
    "Roles must not grant access to `nodes/proxy`, which reaches the kubelet API directly (exec into " +
        "any pod on the node, bypassing audit).",
    "Remove `nodes/proxy` from the role; read node metrics through the metrics API instead.",
    [req(["get", "create", "update", "patch", "delete"], "", ["nodes/proxy"])],
    "grants nodes/proxy",
);

/**
 * The signers of kube-controller-manager's signing controller (their certificates the cluster trusts), and their domain
 * wildcard.
 */
const BUILT_IN_SIGNERS = [
    "kubernetes.io/kube-apiserver-client",
    "kubernetes.io/kube-apiserver-client-kubelet",
    "kubernetes.io/kubelet-serving",
    "kubernetes.io/legacy-unknown",
    "kubernetes.io/*",
];

export const approveCsr = grantRule(
    "RBAC-12",
    "no-csr-approval",
    "Roles must not be able to approve certificate signing requests: approving a CSR for a " +
        "privileged identity mints a credential for it.",
    "Remove update on certificatesigningrequests/approval and approve on signers.",
    // Approval takes both halves: update on the approval subresource AND approve on a signer
    // whose certificates the cluster trusts (any signer, a built-in one by name, or kubernetes.io/*).
    [
        req(["update", "patch"], "certificates.k8s.io", ["certificatesigningrequests/approval"]),
        [
            ...req(["approve"], "certificates.k8s.io", ["signers"]),
            ...BUILT_IN_SIGNERS.flatMap(n => req(["approve"], "certificates.k8s.io", ["signers"], n)),
        ],
    ],
    "can approve certificate signing requests",
);

export const webhooks = grantRule(
    "RBAC-13",
    "no-admission-webhook-changes",
    "Roles must not be able to create or change admission webhook configurations or admission " +
        "policies: a webhook sees (and may change) every object sent to the API server, and whoever " +
        "can rewrite or delete an admission policy or its binding switches off what it enforces (the " +
        "blueprint's own ValidatingAdmissionPolicies included).",
    "Remove write verbs on validatingwebhookconfigurations, mutatingwebhookconfigurations, " +
        "validatingadmissionpolicies, mutatingadmissionpolicies and their bindings.",
    [req(["create", "update", "patch", "delete"], "admissionregistration.k8s.io", ADMISSION_CONFIG_RESOURCES)],
    "can modify admission webhook configurations or admission policies",
    ROLE_KINDS,
    true,
);

export const saTokens = grantRule(
    "RBAC-14",
    "no-service-account-token-creation",
    "Roles should not create `serviceaccounts/token`: it mints tokens for any ServiceAccount in scope. " +
        "Creating Secrets and reading them back does the same: the token controller fills a Secret of type " +
        "`kubernetes.io/service-account-token` annotated with any ServiceAccount's name with a long-lived token.",
    "Remove `create` on `serviceaccounts/token` from the role, and do not grant `create` on Secrets together " +
        "with reads of any Secret; pods get their tokens by projection.",
    // (token request) OR (create Secrets AND read any Secret), as an AND of ORs: (T or C) and (T or R).
    [
        [...req(["create"], "", ["serviceaccounts/token"]), ...req(["create"], "", ["secrets"])],
        [...req(["create"], "", ["serviceaccounts/token"]), ...req(["get", "list", "watch"], "", ["secrets"])],
    ],
    "can create ServiceAccount tokens (by TokenRequest, or by creating a service-account-token Secret and reading it)",
);

export const persistentVolumes = grantRule(
    "RBAC-15",
    "no-persistent-volume-creation",
    "Roles should not create PersistentVolumes: a PersistentVolume can point at any host path.",
    "Let users create PersistentVolumeClaims only, and leave PersistentVolumes to a provisioner.",
    [req(["create"], "", ["persistentvolumes"])],
    "can create PersistentVolumes",
);

export const deleteEvidence = grantRule(
    "RBAC-17",
    "no-log-or-event-deletion",
    "Roles should not be able to delete events or pod logs, which lets an intruder erase their traces.",
    "Remove `delete` and `deletecollection` on events and pod logs from the role.",
    [
        [
            ...req(["delete", "deletecollection"], "", ["events", "pods/log"]),
            ...req(["delete", "deletecollection"], "events.k8s.io", ["events"]),
        ],
    ],
    "can delete events or logs",
);

export const clusterConfigMaps = grantRule(
    "RBAC-18",
    "no-cluster-wide-configmap-writes",
    "ClusterRoles should not update ConfigMaps cluster-wide: CoreDNS, aws-auth and other system " +
        "ConfigMaps steer DNS and authentication.",
    "Scope ConfigMap writes to a namespace with a Role.",
    [req(["update", "patch", "create"], "", ["configmaps"])],
    "can change ConfigMaps cluster-wide",
    ["ClusterRole"],
);

export const endpoints = grantRule(
    "RBAC-19",
    "no-endpoint-edits",
    "Roles should not edit endpoints, endpoint slices or the status of Services, Ingresses or Gateways: it " +
        "allows redirecting traffic to any IP (CVE-2021-25740) or spoofing load-balancer addresses (which " +
        "external-dns publishes as DNS records).",
    "Remove write verbs on endpoints, endpointslices and services/status; leave ingresses/status and " +
        "gateways/status to the one ingress or gateway controller that owns them.",
    [
        [
            ...req(["create", "update", "patch"], "", ["endpoints", "services/status"]),
            ...req(["create", "update", "patch"], "discovery.k8s.io", ["endpointslices"]),
            // The published address of an Ingress or Gateway: external-dns turns it into DNS records for its hosts.
            ...req(["update", "patch"], "networking.k8s.io", ["ingresses/status"]),
            ...req(["update", "patch"], "gateway.networking.k8s.io", ["gateways/status"]),
        ],
    ],
    "can edit endpoints, or the status of Services, Ingresses or Gateways",
);
