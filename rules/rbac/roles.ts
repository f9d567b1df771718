/** RBAC-01 … RBAC-05, RBAC-10 … RBAC-15, RBAC-17 … RBAC-19: what a Role or ClusterRole grants. */
import { describe, objectRule, UNKNOWN_VERDICT, Verdict } from "../define";
import { Json } from "../podspec";
import { isUnknown } from "../unknown";
import { Grant, roleGrants } from "./grants";

const RBAC_URL = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";
const ROLE_KINDS = ["Role", "ClusterRole"];

const verdict = (g: Grant, message: string): Verdict => (g === true ? message : g === "unknown" ? UNKNOWN_VERDICT : undefined);

interface GrantCheck { verbs: string[]; group: string; resources: string[] }

function grantRule(id: string, name: string, description: string, remediation: string, checks: GrantCheck[], what: string, kinds = ROLE_KINDS) {
    return objectRule({ id, name, description, remediation, url: RBAC_URL }, kinds, o => {
        const gs = checks.map(c => roleGrants(o, c.verbs, c.group, c.resources));
        const g: Grant = gs.includes(true) ? true : gs.includes("unknown") ? "unknown" : false;
        return [["rules", isSystem(o) ? undefined : verdict(g, `${describe(o)} ${what}.`)]];
    });
}

function isSystem(o: Json): boolean {
    const n = o.metadata?.name;
    return typeof n === "string" && n.startsWith("system:");
}

export const wildcards = objectRule({
    id: "RBAC-01", name: "no-rbac-wildcards",
    description: "Roles must not use `*` in verbs, resources or apiGroups. A wildcard grants every present and future permission of its scope, including ones nobody reviewed.",
    remediation: "List the verbs, resources and API groups explicitly. SecureNamespace access levels never use wildcards.",
    url: RBAC_URL,
}, ROLE_KINDS, o => {
    if (isSystem(o)) return [];
    const rules = o.rules;
    if (isUnknown(rules)) return [["rules", UNKNOWN_VERDICT]];
    const out: Array<[string, Verdict]> = [];
    (Array.isArray(rules) ? rules : []).forEach((r: Json, i: number) => {
        for (const f of ["verbs", "resources", "apiGroups"]) {
            const v = r?.[f];
            out.push([`rules[${i}].${f}`, isUnknown(v) ? UNKNOWN_VERDICT : Array.isArray(v) && v.includes("*") ? `${describe(o)} uses a wildcard in rules[${i}].${f}.` : undefined]);
        }
    });
    return out;
});

export const secretsRead = grantRule("RBAC-02", "no-secret-read-access",
    "Roles must not grant get, list or watch on Secrets. Listing Secrets returns every credential of the namespace (or cluster) in one call.",
    "Remove secrets from the rule, or grant `get` on named Secrets with `resourceNames`. SecureNamespace grants Secret reads only with `access.<level>.allowSecretsRead`.",
    [{ verbs: ["get", "list", "watch"], group: "", resources: ["secrets"] }], "grants read access to Secrets");

export const execAttach = grantRule("RBAC-03", "no-pod-exec-attach",
    "Roles must not grant `pods/exec`, `pods/attach` or `pods/portforward`. A shell in a pod reads its mounted secrets and bypasses every NetworkPolicy.",
    "Remove the subresources from the role; use `kubectl debug` with audited break-glass access. SecureNamespace grants them only with `allowExec` / `allowPortForward`.",
    [{ verbs: ["create", "get"], group: "", resources: ["pods/exec", "pods/attach", "pods/portforward"] }], "grants pods/exec, pods/attach or pods/portforward");

export const escalateBind = grantRule("RBAC-04", "no-escalate-or-bind",
    "Roles must not grant `escalate` or `bind` on roles. They let the holder grant permissions they do not have themselves: privilege escalation by design.",
    "Remove the escalate and bind verbs. SecureNamespace grants them only with `allowRoleManagement`.",
    [{ verbs: ["escalate", "bind"], group: "rbac.authorization.k8s.io", resources: ["roles", "clusterroles"] }], "grants escalate or bind on roles");

export const impersonate = grantRule("RBAC-05", "no-impersonation",
    "Roles must not grant `impersonate` on users, groups or ServiceAccounts. Impersonation lets the holder act as anyone, including cluster administrators.",
    "Remove the impersonate verb. SecureNamespace grants it only with `allowImpersonate`.",
    [{ verbs: ["impersonate"], group: "", resources: ["users", "groups", "serviceaccounts"] }, { verbs: ["impersonate"], group: "authentication.k8s.io", resources: ["userextras", "uids"] }],
    "grants impersonation");

const WORKLOAD_RESOURCES: GrantCheck[] = [
    { verbs: ["create"], group: "", resources: ["pods", "replicationcontrollers"] },
    { verbs: ["create"], group: "apps", resources: ["deployments", "statefulsets", "daemonsets", "replicasets"] },
    { verbs: ["create"], group: "batch", resources: ["jobs", "cronjobs"] },
];
export const createPods = grantRule("RBAC-10", "no-workload-creation",
    "Roles that can create pods or workload controllers can run any image with any ServiceAccount of the namespace, and so inherit its permissions. Grant it deliberately.",
    "Limit workload creation to deployment pipelines; for people, the SecureNamespace `developer` level is the intended holder (listed as an accepted advisory in docs/policy-pack.md).",
    WORKLOAD_RESOURCES, "can create pods or workload controllers");

export const nodesProxy = grantRule("RBAC-11", "no-nodes-proxy",
    "Roles must not grant access to `nodes/proxy`, which reaches the kubelet API directly (exec into any pod on the node, bypassing audit).",
    "Remove `nodes/proxy` from the role; read node metrics through the metrics API instead.",
    [{ verbs: ["get", "create", "*"], group: "", resources: ["nodes/proxy"] }], "grants nodes/proxy");

export const approveCsr = grantRule("RBAC-12", "no-csr-approval",
    "Roles must not be able to approve certificate signing requests: approving a CSR for a privileged identity mints a credential for it.",
    "Remove update on certificatesigningrequests/approval and approve on signers.",
    [{ verbs: ["update", "patch"], group: "certificates.k8s.io", resources: ["certificatesigningrequests/approval"] }, { verbs: ["approve"], group: "certificates.k8s.io", resources: ["signers"] }],
    "can approve certificate signing requests");

export const webhooks = grantRule("RBAC-13", "no-admission-webhook-changes",
    "Roles must not be able to create or change admission webhook configurations: a webhook sees (and may change) every object sent to the API server.",
    "Remove write verbs on validatingwebhookconfigurations and mutatingwebhookconfigurations.",
    [{ verbs: ["create", "update", "patch", "delete"], group: "admissionregistration.k8s.io", resources: ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"] }],
    "can modify admission webhook configurations");

export const saTokens = grantRule("RBAC-14", "no-service-account-token-creation",
    "Roles should not create `serviceaccounts/token`: it mints tokens for any ServiceAccount in scope.",
    "Remove `create` on `serviceaccounts/token` from the role; pods get their tokens by projection.",
    [{ verbs: ["create"], group: "", resources: ["serviceaccounts/token"] }], "can create ServiceAccount tokens");

export const persistentVolumes = grantRule("RBAC-15", "no-persistent-volume-creation",
    "Roles should not create PersistentVolumes: a PersistentVolume can point at any host path.",
    "Let users create PersistentVolumeClaims only, and leave PersistentVolumes to a provisioner.",
    [{ verbs: ["create"], group: "", resources: ["persistentvolumes"] }], "can create PersistentVolumes");

export const deleteEvidence = grantRule("RBAC-17", "no-log-or-event-deletion",
    "Roles should not be able to delete events or pod logs, which lets an intruder erase their traces.",
    "Remove `delete` and `deletecollection` on events and pod logs from the role.",
    [{ verbs: ["delete", "deletecollection"], group: "", resources: ["events", "pods/log"] }, { verbs: ["delete", "deletecollection"], group: "events.k8s.io", resources: ["events"] }],
    "can delete events or logs");

export const clusterConfigMaps = grantRule("RBAC-18", "no-cluster-wide-configmap-writes",
    "ClusterRoles should not update ConfigMaps cluster-wide: CoreDNS, aws-auth and other system ConfigMaps steer DNS and authentication.",
    "Scope ConfigMap writes to a namespace with a Role.",
    [{ verbs: ["update", "patch", "create"], group: "", resources: ["configmaps"] }], "can change ConfigMaps cluster-wide", ["ClusterRole"]);

export const endpoints = grantRule("RBAC-19", "no-endpoint-edits",
    "Roles should not edit endpoints, endpoint slices or services/status: it allows redirecting traffic to any IP (CVE-2021-25740) or spoofing load-balancer addresses.",
    "Remove write verbs on endpoints, endpointslices and services/status.",
    [{ verbs: ["create", "update", "patch"], group: "", resources: ["endpoints", "services/status"] }, { verbs: ["create", "update", "patch"], group: "discovery.k8s.io", resources: ["endpointslices"] }],
    "can edit endpoints or service status");
