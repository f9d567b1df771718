/** The rbac controls' fixtures: for each, a compliant side and a failing side differing in one field. */
import { Case, binding, group, role, viewRole } from "../testkit/cases";

export const CASES: Case[] = [
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
        id: "RBAC-10",
        what: "update on pods (a running pod's image can be swapped)",
        good: () => [role([{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["update", "patch"] }])],
        bad: () => [role([{ apiGroups: [""], resources: ["pods"], verbs: ["update"] }])],
    },
    {
        id: "RBAC-10",
        what: "patch on a controller's pod template, or an ephemeral container",
        good: () => [role([{ apiGroups: [""], resources: ["pods/status"], verbs: ["patch"] }])],
        bad: () => [
            role([
                { apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["patch"] },
                { apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["patch"] },
            ]),
        ],
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
        id: "RBAC-13",
        what: "admission policy writes (deleting a binding switches a policy off)",
        good: () => [
            role(
                [
                    {
                        apiGroups: ["admissionregistration.k8s.io"],
                        resources: ["validatingadmissionpolicies", "validatingadmissionpolicybindings"],
                        verbs: ["get", "list", "watch"],
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
                        resources: ["validatingadmissionpolicybindings"],
                        verbs: ["delete"],
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
        id: "RBAC-17",
        what: "deletecollection on events.k8s.io events",
        good: () => [role([{ apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["get", "list"] }])],
        bad: () => [role([{ apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["deletecollection"] }])],
    },
    {
        id: "RBAC-18",
        what: "cluster-wide configmap updates",
        good: () => [role([{ apiGroups: [""], resources: ["configmaps"], verbs: ["update"] }])],
        bad: () => [role([{ apiGroups: [""], resources: ["configmaps"], verbs: ["update"] }], "ClusterRole")],
    },
    {
        id: "RBAC-14",
        what: "creating Secrets and reading any Secret mints a service-account token (creating alone does not)",
        good: () => [role([{ apiGroups: [""], resources: ["secrets"], verbs: ["create", "update"] }])],
        bad: () => [role([{ apiGroups: [""], resources: ["secrets"], verbs: ["create", "get"] }])],
    },
    {
        id: "RBAC-19",
        what: "endpoints edits",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: [""], resources: ["endpoints"], verbs: ["create"] }])],
    },
    {
        id: "RBAC-19",
        what: "Ingress status edits (updating Ingresses is not updating their status)",
        good: () => [
            role([{ apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["update", "patch"] }]),
        ],
        bad: () => [role([{ apiGroups: ["networking.k8s.io"], resources: ["ingresses/status"], verbs: ["patch"] }])],
    },
    {
        id: "RBAC-19",
        what: "Gateway status edits",
        good: () => [
            role([{ apiGroups: ["gateway.networking.k8s.io"], resources: ["gateways/status"], verbs: ["get"] }]),
        ],
        bad: () => [
            role(
                [{ apiGroups: ["gateway.networking.k8s.io"], resources: ["gateways/status"], verbs: ["update"] }],
                "ClusterRole",
            ),
        ],
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
    {
        id: "RBAC-11",
        what: "a Role never grants nodes/proxy (nodes are cluster-scoped)",
        good: () => [role([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }])],
        bad: () => [role([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], "ClusterRole")],
    },
    {
        id: "RBAC-12",
        what: "a Role never approves CSRs (CSRs and signers are cluster-scoped)",
        good: () => [role([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }])],
        bad: () => [role([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], "ClusterRole")],
    },
    {
        id: "RBAC-13",
        what: "a Role never writes webhook configurations (cluster-scoped)",
        good: () => [role([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }])],
        bad: () => [role([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], "ClusterRole")],
    },
    {
        id: "RBAC-05",
        what: "a Role impersonates ServiceAccounts of its namespace, never users",
        good: () => [role([{ apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] }])],
        bad: () => [role([{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }])],
    },
    {
        id: "RBAC-04",
        what: "bind on clusterroles in a Role (checked in the RoleBinding's namespace)",
        good: () => [
            role([{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["escalate"] }]),
        ],
        bad: () => [role([{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"] }])],
    },
];
