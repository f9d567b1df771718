/** PRB-01, PRB-02 in the API server. */
import { AdmissionResources } from "../types";
import { containersIn, SPEC_VARIABLE } from "../cel";
import { Admission } from "../types";

/** The long-running kinds the probe rules judge (not Jobs and CronJobs, which run to completion). */
const LONG_RUNNING: AdmissionResources[] = [
    { apiGroups: [""], apiVersions: ["v1"], resources: ["pods", "replicationcontrollers", "podtemplates"] },
    {
        apiGroups: ["apps"],
        apiVersions: ["v1"],
        resources: ["deployments", "replicasets", "statefulsets", "daemonsets"],
    },
];
const probe = (id: string, field: string): Admission => ({
    twin: {
        resources: LONG_RUNNING,
        variables: [...SPEC_VARIABLE, { name: "containers", expression: containersIn("containers") }],
        expression: `variables.containers.all(c, has(c.${field}))`,
        message: `[${id}] Long-running containers should define a ${field}.`,
    },
});

export const PROBES_ADMISSION: Record<string, Admission> = {
    "PRB-01": probe("PRB-01", "livenessProbe"),
    "PRB-02": probe("PRB-02", "readinessProbe"),
};
