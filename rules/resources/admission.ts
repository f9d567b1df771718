/** RES-01 … RES-07 in the API server. */
import { containersIn, SPEC_VARIABLE, WORKLOAD_RESOURCES } from "../cel";
import { Admission } from "../types";

/** Ephemeral containers cannot have resources: the rule skips them, and so does the twin. */
const set = (id: string, group: "requests" | "limits", key: string, what: string): Admission => ({
    twin: {
        resources: WORKLOAD_RESOURCES,
        variables: [...SPEC_VARIABLE, { name: "containers", expression: containersIn("containers", "initContainers") }],
        expression:
            `variables.containers.all(c, has(c.resources) && has(c.resources.${group}) && '${key}' in ` +
            `c.resources.${group})`,
        message: `[${id}] Every container must set a ${what} (resources.${group}.${key}).`,
        gap:
            "In a namespace with a LimitRange, the API server fills a Pod's missing requests and limits " +
            "from it before this policy runs, so such a Pod is admitted; the workload manifests " +
            "(Deployments and the other controllers) are judged as written.",
    },
});
const severalObjects = (kind: string): Admission => ({
    none: {
        kind: "several-objects",
        reason: `Decided on a Namespace together with the ${kind} objects in it: admission sees one object at a time.`,
    },
});

export const RESOURCES_ADMISSION: Record<string, Admission> = {
    "RES-01": set("RES-01", "requests", "cpu", "CPU request"),
    "RES-02": set("RES-02", "limits", "cpu", "CPU limit"),
    "RES-03": set("RES-03", "requests", "memory", "memory request"),
    "RES-04": set("RES-04", "limits", "memory", "memory limit"),
    "RES-05": set("RES-05", "limits", "ephemeral-storage", "ephemeral-storage limit"),
    "RES-06": severalObjects("ResourceQuota"),
    "RES-07": severalObjects("LimitRange"),
};
