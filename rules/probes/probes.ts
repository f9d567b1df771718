/** PRB-01, PRB-02: liveness and readiness probes on long-running containers. */
import { containerRule, NONE, UNKNOWN_VERDICT } from "../define";
import { isUnknown } from "../unknown";
import { ContainerRef, RUN_TO_COMPLETION } from "../podspec";
import { K8sObject, RuleContext } from "../types";

const URL = "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/";
const LONG_RUNNING = [
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "ReplicationController",
    "PodTemplate",
];

function probeRule(id: string, name: string, field: "livenessProbe" | "readinessProbe", why: string) {
    const rule = containerRule(
        {
            id,
            name,
            description: `Long-running containers should define a ${field}. ${why}`,
            remediation: `Add a \`${field}\` (httpGet, tcpSocket, grpc or exec) to the container.`,
            url: URL,
        },
        (c: ContainerRef) => {
            if (c.field !== "containers") return NONE;
            const v = c.container[field];
            if (v !== undefined && v !== null && !isUnknown(v)) return NONE;
            return [[field, isUnknown(v) ? UNKNOWN_VERDICT : `The ${c.label} has no ${field}.`]];
        },
    );
    // Jobs, CronJobs and custom resources of jobs and workflows run to completion: probes do not apply.
    return {
        ...rule,
        kinds: LONG_RUNNING,
        check: (o: K8sObject, ctx: RuleContext) =>
            LONG_RUNNING.includes(o.kind as string) || !RUN_TO_COMPLETION.has(o.kind as string)
                ? rule.check(o, ctx)
                : [],
    };
}

export const livenessProbe = probeRule(
    "PRB-01",
    "liveness-probe-set",
    "livenessProbe",
    "Without it a hung process keeps serving errors until someone restarts it.",
);
export const readinessProbe = probeRule(
    "PRB-02",
    "readiness-probe-set",
    "readinessProbe",
    "Without it traffic reaches pods before they can serve it.",
);
