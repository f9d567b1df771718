/** OTH-01 … OTH-03, OTH-09 in the API server. */
import { containersIn, hasLabel, POD_VARIABLES, SPEC_VARIABLE, WORKLOAD_RESOURCES, core } from "../cel";
import { Admission } from "../types";

export const OTHER_ADMISSION: Record<string, Admission> = {
    "OTH-01": {
        twin: {
            resources: [core("pods")],
            expression: "has(object.metadata.ownerReferences) && size(object.metadata.ownerReferences) > 0",
            message: "[OTH-01] Pods should be managed by a controller (Deployment, StatefulSet, Job…).",
        },
    },
    "OTH-02": {
        twin: {
            resources: WORKLOAD_RESOURCES,
            variables: [
                ...SPEC_VARIABLE,
                { name: "containers", expression: containersIn("containers", "initContainers") },
            ],
            // The labels of the object itself, as the rule reads them; images as /(^|\/)tiller(:|@|$)/ (RE2 reads it
            // alike).
            expression:
                `!(${hasLabel("app", "helm")} && ${hasLabel("name", "tiller")})` +
                (" && variables.containers.all(c, !c.image.matches('(^|/)tiller(:|@|$)') && " +
                    "(!has(c.ports) || c.ports.all(p, p.containerPort != 44134)))"),
            message: "[OTH-02] Helm v2's Tiller must not be deployed.",
        },
    },
    "OTH-03": {
        twin: {
            resources: WORKLOAD_RESOURCES,
            variables: [...SPEC_VARIABLE, { name: "containers", expression: containersIn("containers") }],
            expression:
                `!${hasLabel("k8s-app", "kubernetes-dashboard")}` +
                (" && variables.containers.all(c, !c.image.matches('(^|/)kubernetesui/dashboard|(^|/" +
                    ")kubernetes-dashboard(-amd64)?(:|@|$)'))"),
            message: "[OTH-03] The Kubernetes Dashboard should not be deployed.",
        },
    },
    "OTH-09": {
        twin: {
            resources: WORKLOAD_RESOURCES,
            variables: POD_VARIABLES,
            expression: "variables.containers.all(c, !has(c.ports) || c.ports.all(p, p.containerPort != 22))",
            message: "[OTH-09] Containers should not expose SSH (port 22).",
        },
    },
};
