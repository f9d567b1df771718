/** SA-01 … SA-06 in the API server. */
import { BINDING_RESOURCES, core, SPEC_VARIABLE, WORKLOAD_RESOURCES } from "../cel";
import { Admission } from "../types";

export const SERVICEACCOUNTS_ADMISSION: Record<string, Admission> = {
    "SA-01": {
        twin: {
            resources: [...WORKLOAD_RESOURCES, core("serviceaccounts")],
            variables: SPEC_VARIABLE,
            expression:
                "object.kind == 'ServiceAccount' ? (has(object.automountServiceAccountToken) && " +
                "object.automountServiceAccountToken == false) : " +
                "(has(variables.spec.automountServiceAccountToken) && " +
                "variables.spec.automountServiceAccountToken == false)",
            message: "[SA-01] Pods and ServiceAccounts must set automountServiceAccountToken: false.",
        },
    },
    "SA-02": {
        twin: {
            resources: WORKLOAD_RESOURCES,
            variables: SPEC_VARIABLE,
            // serviceAccountName, else the deprecated serviceAccount (as the rule reads them).
            expression:
                "!((has(variables.spec.serviceAccountName) ? variables.spec.serviceAccountName : " +
                "has(variables.spec.serviceAccount) ? variables.spec.serviceAccount : '') in ['', " +
                "'default'])",
            message: "[SA-02] Workloads must run as their own ServiceAccount, not the namespace's default one.",
        },
    },
    "SA-03": {
        twin: {
            resources: [core("serviceaccounts")],
            expression:
                "object.metadata.name != 'default' || (has(object.automountServiceAccountToken) && " +
                "object.automountServiceAccountToken == false)",
            // The controller that creates every namespace's `default` ServiceAccount must never be blocked,
            // or a Deny here would stop namespaces from working; SecureNamespace patches the account after.
            matchConditions: [
                {
                    name: "not-serviceaccount-controller",
                    expression:
                        "!(request.userInfo.username in ['system:serviceaccount:kube-system:service-" +
                        "account-controller', 'system:kube-controller-manager'])",
                },
            ],
            message: "[SA-03] The default ServiceAccount must set automountServiceAccountToken: false.",
        },
    },
    "SA-04": {
        twin: {
            resources: BINDING_RESOURCES,
            expression:
                "!has(object.subjects) || object.subjects.all(s, !(s.kind == 'ServiceAccount' && s.name == 'default'))",
            message: "[SA-04] Roles must not be bound to a default ServiceAccount.",
        },
    },
    "SA-05": {
        twin: {
            resources: [core("secrets", "serviceaccounts")],
            expression:
                "object.kind == 'Secret' ? !(has(object.type) && object.type == 'kubernetes.io/" +
                "service-account-token') : !(has(object.secrets) && size(object.secrets) > 0)",
            message: "[SA-05] Long-lived service-account token Secrets and ServiceAccount .secrets must not be used.",
        },
    },
    "SA-06": {
        none: {
            kind: "admission-sees-other-object",
            reason:
                "The API server fills the deprecated serviceAccount field from serviceAccountName when " +
                "it converts a pod spec to v1, so every object admission sees carries it whenever a " +
                "ServiceAccount is named: whether the manifest used the deprecated field cannot be told " +
                "from the admitted object.",
        },
    },
};
