/**
 * RBAC fixtures where the authorizer's reading matters: resourceNames, literal `pods/*`, both
 * halves of CSR approval, non-resource URLs, aggregated ClusterRoles. Shared by the rule tests and
 * the RBAC parity e2e (which asks the real API server the same questions).
 */
import { Case, Json, role, viewRole } from "../testkit/cases";

const cr = (name: string, rules: Json[], labels: Record<string, string> = {}, aggregationRule?: Json): Json => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name, labels },
    ...(aggregationRule ? { aggregationRule } : {}),
    rules,
});
const AGG = "rbac.example.com/aggregate-to-reader";
const aggregated = (): Json => cr("reader", [], {}, { clusterRoleSelectors: [{ matchLabels: { [AGG]: "true" } }] });
const approval = {
    apiGroups: ["certificates.k8s.io"],
    resources: ["certificatesigningrequests/approval"],
    verbs: ["update"],
};
const signers = (resourceNames?: string[]) => ({
    apiGroups: ["certificates.k8s.io"],
    resources: ["signers"],
    verbs: ["approve"],
    ...(resourceNames ? { resourceNames } : {}),
});

export const RBAC_CASES: Case[] = [
    {
        id: "RBAC-02",
        what: "get on named Secrets only (resourceNames) is not read access to any Secret",
        good: () => [role([{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["app-tls"] }])],
        bad: () => [role([{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }])],
    },
    {
        id: "RBAC-02",
        what: "watch through apiGroups *",
        good: () => [viewRole],
        bad: () => [role([{ apiGroups: ["*"], resources: ["secrets"], verbs: ["watch"] }])],
    },
    {
        id: "RBAC-02",
        what: "a non-resource URL rule grants no resource",
        good: () => [cr("metrics", [{ nonResourceURLs: ["/metrics", "*"], verbs: ["get", "list"] }])],
        bad: () => [cr("metrics", [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }])],
    },
    {
        id: "RBAC-03",
        what: "pods/* is literal for the authorizer, not a subresource wildcard",
        good: () => [role([{ apiGroups: [""], resources: ["pods/*"], verbs: ["create"] }])],
        bad: () => [role([{ apiGroups: [""], resources: ["pods/attach"], verbs: ["create"] }])],
    },
    {
        id: "RBAC-03",
        what: "get on pods/exec cannot open a session (create is what the authorizer checks)",
        good: () => [role([{ apiGroups: ["*"], resources: ["*"], verbs: ["get", "list", "watch"] }])],
        bad: () => [role([{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }])],
    },
    {
        id: "RBAC-12",
        what: "update on approval alone cannot approve",
        good: () => [cr("csr", [approval])],
        bad: () => [cr("csr", [approval, signers()])],
    },
    {
        id: "RBAC-12",
        what: "approve on signers alone cannot approve",
        good: () => [cr("csr", [signers()])],
        bad: () => [cr("csr", [approval, signers(["kubernetes.io/kube-apiserver-client"])])],
    },
    {
        id: "RBAC-12",
        what: "approval limited to a custom signer",
        good: () => [cr("csr", [approval, signers(["example.com/custom"])])],
        bad: () => [cr("csr", [approval, signers(["kubernetes.io/*"])])],
    },
    {
        id: "RBAC-13",
        what: "update on one named webhook configuration is still a webhook change (it can be repointed)",
        good: () => [
            cr("hooks", [
                {
                    apiGroups: ["admissionregistration.k8s.io"],
                    resources: ["validatingwebhookconfigurations"],
                    verbs: ["get", "list", "watch"],
                },
            ]),
        ],
        bad: () => [
            cr("hooks", [
                {
                    apiGroups: ["admissionregistration.k8s.io"],
                    resources: ["validatingwebhookconfigurations"],
                    verbs: ["update", "patch"],
                    resourceNames: ["app-webhook"],
                },
            ]),
        ],
    },
    {
        id: "RBAC-14",
        what: "create on serviceaccounts is not serviceaccounts/token",
        good: () => [role([{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["create"] }])],
        bad: () => [role([{ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] }])],
    },
    {
        id: "RBAC-02",
        what: "an aggregated ClusterRole holds the rules of the roles it selects",
        good: () => [
            aggregated(),
            cr("pod-reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }], { [AGG]: "true" }),
        ],
        bad: () => [
            aggregated(),
            cr("pod-reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }], { [AGG]: "true" }),
            cr("secret-lister", [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }], { [AGG]: "true" }),
        ],
    },
];

/** Role objects of every RBAC fixture of the rule tests (CASES and RBAC_CASES), per case and side. */
export { cr as clusterRole };
