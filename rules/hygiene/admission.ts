/** OTH-04 … OTH-08 in the API server. */
import { celString, SPEC_VARIABLE, WORKLOAD_RESOURCES } from "../cel";
import { Admission, RuleConfig } from "../types";

const required = (cfg: RuleConfig) => (cfg.requiredLabels as string[] | undefined) ?? [];

export const HYGIENE_ADMISSION: Record<string, Admission> = {
    "OTH-04": {
        none: {
            kind: "admission-sees-other-object",
            reason:
                "An object in a removed apiVersion never reaches admission: the API server no longer " +
                "serves that version (it is absent from discovery, so kubectl finds no mapping, and a " +
                "request to its path gets 404 Not Found).",
        },
    },
    "OTH-05": {
        twin: {
            resources: WORKLOAD_RESOURCES,
            expression: cfg =>
                required(cfg).length === 0
                    ? "true"
                    : `has(object.metadata.labels) && ${required(cfg)
                          .map(k => `${celString(k)} in object.metadata.labels`)
                          .join(" && ")}`,
            message: cfg => `[OTH-05] Workloads should carry the labels ${required(cfg).join(", ")}.`,
            when: cfg => required(cfg).length > 0,
        },
    },
    "OTH-06": {
        twin: {
            resources: [{ apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments", "statefulsets"] }],
            // replicas defaults to 1 (the API server's default, and the rule's reading of an unset value).
            expression: cfg => `(has(object.spec.replicas) ? object.spec.replicas : 1) >= ${Number(cfg.minReplicas)}`,
            message: cfg =>
                `[OTH-06] Deployments and StatefulSets should run at least ${Number(cfg.minReplicas)} replicas.`,
        },
    },
    "OTH-07": {
        none: {
            kind: "several-objects",
            reason:
                "Decided on a workload together with the PodDisruptionBudgets of its namespace that " +
                "select it: admission sees one object at a time.",
        },
    },
    "OTH-08": {
        twin: {
            resources: WORKLOAD_RESOURCES,
            variables: SPEC_VARIABLE,
            expression: "has(variables.spec.priorityClassName) && variables.spec.priorityClassName != ''",
            message: "[OTH-08] Pods should name a PriorityClass (priorityClassName).",
            gap:
                "When the cluster has a globalDefault PriorityClass, the API server writes its name into " +
                "a Pod that names none before this policy runs, so such a Pod is admitted; workload " +
                "manifests are judged as written.",
        },
    },
};
