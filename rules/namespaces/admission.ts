/** NS-01 … NS-03 in the API server. */
import {
    BINDING_RESOURCES,
    celList,
    core,
    INGRESS_RESOURCES,
    ROLE_RESOURCES,
    SERVICE_RESOURCES,
    WORKLOAD_RESOURCES,
} from "../cel";
import { Admission, RuleConfig } from "../types";
import { PSS_ENFORCE_LABEL, PSS_LEVELS } from "../vocabulary";

const LEVELS: readonly string[] = PSS_LEVELS;
const ENFORCE = PSS_ENFORCE_LABEL;
/** The levels at or above the configured minimum. */
const enough = (cfg: RuleConfig) => LEVELS.slice(Math.max(0, LEVELS.indexOf(String(cfg.minimumLevel))));

export const NAMESPACES_ADMISSION: Record<string, Admission> = {
    "NS-01": {
        twin: {
            // The namespaced kinds the rule judges (rules/namespaces/namespaces.ts NAMESPACED_KINDS).
            resources: [
                ...WORKLOAD_RESOURCES,
                ...SERVICE_RESOURCES,
                core(
                    "configmaps",
                    "secrets",
                    "serviceaccounts",
                    "persistentvolumeclaims",
                    "resourcequotas",
                    "limitranges",
                    "endpoints",
                ),
                ...ROLE_RESOURCES.map(r => ({ ...r, resources: ["roles"] })),
                ...BINDING_RESOURCES.map(r => ({ ...r, resources: ["rolebindings"] })),
                ...INGRESS_RESOURCES.map(r => ({ ...r, resources: ["ingresses", "networkpolicies"] })),
                { apiGroups: ["policy"], apiVersions: ["v1"], resources: ["poddisruptionbudgets"] },
                { apiGroups: ["autoscaling"], apiVersions: ["v1", "v2"], resources: ["horizontalpodautoscalers"] },
                { apiGroups: ["discovery.k8s.io"], apiVersions: ["v1"], resources: ["endpointslices"] },
            ],
            // A manifest without a namespace lands in the request's namespace, `default` unless the client names
            // another.
            expression: "object.metadata.namespace != 'default'",
            message: "[NS-01] Objects must be placed in a named team namespace, not in default.",
            gap:
                "A manifest without metadata.namespace is judged in the namespace the client sends it " +
                "to: the rule flags it, the API server only when that namespace is default.",
        },
    },
    "NS-02": {
        none: {
            kind: "admission-sees-other-object",
            reason:
                "The admission bindings exempt the system namespaces (kube-system, kube-public, kube-" +
                "node-lease: the cluster's own components are deployed there by its tooling), so a " +
                "policy would never see the workloads this control is about.",
        },
    },
    "NS-03": {
        twin: {
            resources: [core("namespaces")],
            expression: cfg =>
                `has(object.metadata.labels) && '${ENFORCE}' in object.metadata.labels && ` +
                `object.metadata.labels['${ENFORCE}'] in ${celList(enough(cfg))}`,
            message: cfg => `[NS-03] Every namespace must carry the ${ENFORCE} label at ${enough(cfg).join(" or ")}.`,
        },
    },
};
