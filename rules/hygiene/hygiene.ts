/** OTH-04 … OTH-08: reliability and hygiene controls (advisory by default). */
import { describe, judge, objectRule, podRule, Verdict } from "../define";
import { get, show } from "../fields";
import { Json, podSpecOf, WORKLOAD_KINDS } from "../podspec";
import { SelectorIndex } from "../selector-index";
import { Finding, K8sObject, StackRule } from "../types";
import { isUnknown } from "../unknown";

/** apiVersion → the release that removed it, per kind ("*" for every kind of the group version). */
const REMOVED_APIS: Record<string, Record<string, string>> = {
    "extensions/v1beta1": { "*": "1.22 (1.16 for workloads)" },
    "apps/v1beta1": { "*": "1.16" },
    "apps/v1beta2": { "*": "1.16" },
    "policy/v1beta1": { PodDisruptionBudget: "1.25", PodSecurityPolicy: "1.25" },
    "batch/v1beta1": { CronJob: "1.25" },
    "batch/v2alpha1": { CronJob: "1.21" },
    "networking.k8s.io/v1beta1": { "*": "1.22" },
    "rbac.authorization.k8s.io/v1beta1": { "*": "1.22" },
    "rbac.authorization.k8s.io/v1alpha1": { "*": "1.22" },
    "admissionregistration.k8s.io/v1beta1": { "*": "1.22" },
    "apiextensions.k8s.io/v1beta1": { "*": "1.22" },
    "storage.k8s.io/v1beta1": {
        CSIDriver: "1.22",
        CSINode: "1.22",
        StorageClass: "1.22",
        VolumeAttachment: "1.22",
        CSIStorageCapacity: "1.27",
    },
    "autoscaling/v2beta1": { HorizontalPodAutoscaler: "1.25" },
    "autoscaling/v2beta2": { HorizontalPodAutoscaler: "1.26" },
    "discovery.k8s.io/v1beta1": { EndpointSlice: "1.25" },
    "events.k8s.io/v1beta1": { Event: "1.25" },
    "node.k8s.io/v1beta1": { RuntimeClass: "1.25" },
    "flowcontrol.apiserver.k8s.io/v1beta1": { "*": "1.26" },
    "flowcontrol.apiserver.k8s.io/v1beta2": { "*": "1.29" },
    "flowcontrol.apiserver.k8s.io/v1beta3": { "*": "1.32" },
    "certificates.k8s.io/v1beta1": { CertificateSigningRequest: "1.22" },
    "scheduling.k8s.io/v1beta1": { PriorityClass: "1.22" },
    "coordination.k8s.io/v1beta1": { Lease: "1.22" },
    "apiregistration.k8s.io/v1beta1": { APIService: "1.22" },
};
const ALL_KINDS = [
    "Pod",
    "PodTemplate",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "Ingress",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "HorizontalPodAutoscaler",
    "CustomResourceDefinition",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "StorageClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "CSIStorageCapacity",
    "EndpointSlice",
    "Event",
    "RuntimeClass",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "CertificateSigningRequest",
    "PriorityClass",
    "Lease",
    "IngressClass",
    "APIService",
];

export const deprecatedApi = objectRule(
    {
        id: "OTH-04",
        name: "no-removed-api-versions",
        description:
            "Objects must use API versions that current Kubernetes still serves. A removed " +
            "apiVersion fails to apply after an upgrade, often in the middle of an incident.",
        remediation:
            "Move the object to its GA apiVersion (apps/v1, networking.k8s.io/v1, policy/v1, batch/" +
            "v1, rbac.authorization.k8s.io/v1, autoscaling/v2 …).",
        url: "https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
    },
    ALL_KINDS,
    o => {
        const removed = REMOVED_APIS[show(o.apiVersion)];
        const when = removed?.[show(o.kind)] ?? removed?.["*"];
        return [
            [
                "apiVersion",
                when ? `${describe(o)} uses ${show(o.apiVersion)}, removed in Kubernetes ${when}.` : undefined,
            ],
        ];
    },
);

export const requiredLabels = objectRule(
    {
        id: "OTH-05",
        name: "required-labels",
        description:
            "Workloads should carry the labels the platform relies on for ownership and selection " +
            "(by default `app.kubernetes.io/name`).",
        remediation: "Add the required labels to `metadata.labels`.",
        url: "https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/",
        config: {
            requiredLabels: {
                type: "array",
                items: { type: "string" },
                description: "Label keys every workload must carry.",
                default: ["app.kubernetes.io/name"],
            },
        },
    },
    WORKLOAD_KINDS,
    (o, cfg) => {
        const labels = o.metadata?.labels;
        if (isUnknown(labels))
            return [
                [
                    "metadata.labels",
                    judge(
                        labels,
                        () => true,
                        () => "",
                    ),
                ],
            ];
        const has = (k: string) =>
            labels !== null &&
            typeof labels === "object" &&
            !Array.isArray(labels) &&
            Object.prototype.hasOwnProperty.call(labels, k);
        const missing = (cfg.requiredLabels as string[]).filter(k => !has(k));
        return [
            [
                "metadata.labels",
                missing.length
                    ? `${describe(o)} lacks the label(s) ${missing.map(m => show(m)).join(", ")}.`
                    : undefined,
            ],
        ];
    },
);

export const minReplicas = objectRule(
    {
        id: "OTH-06",
        name: "minimum-replicas",
        description:
            "Deployments and StatefulSets should run at least two replicas, so one node failure or " +
            "rollout does not take the service down.",
        remediation: "Set `spec.replicas` to 2 or more (or let an autoscaler manage it).",
        url: "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/",
        config: { minReplicas: { type: "integer", description: "Fewest replicas accepted.", default: 2 } },
    },
    ["Deployment", "StatefulSet"],
    (o, cfg) => [
        [
            "spec.replicas",
            judge(
                get(o, "spec.replicas"),
                v =>
                    (typeof v === "number" ? v : v === undefined || v === null ? 1 : -Infinity) <
                    (cfg.minReplicas as number),
                () =>
                    `${describe(o)} runs ${show(get(o, "spec.replicas") ?? 1)} replica(s), fewer ` +
                    `than ${cfg.minReplicas}.`,
            ),
        ],
    ],
);

export const pdb: StackRule = {
    id: "OTH-07",
    name: "pod-disruption-budget",
    scope: "stack",
    kinds: ["Deployment", "StatefulSet", "PodDisruptionBudget"],
    description:
        "Replicated workloads should be covered by a PodDisruptionBudget, and no budget may block " +
        "every eviction (maxUnavailable 0 or minAvailable 100%), which stalls node maintenance and " +
        "security patching.",
    remediation: "Add a PodDisruptionBudget selecting the workload with `maxUnavailable: 1`.",
    url: "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
    check(objects) {
        const out: Finding[] = [];
        const pdbs = new Map<string, K8sObject[]>();
        for (const o of objects) {
            if (o.kind !== "PodDisruptionBudget") continue;
            const ns = show(o.metadata?.namespace ?? "default");
            if (!pdbs.has(ns)) pdbs.set(ns, []);
            pdbs.get(ns)!.push(o);
            const spec = (o as Json).spec ?? {};
            if (spec.maxUnavailable === 0 || spec.maxUnavailable === "0%" || spec.minAvailable === "100%") {
                out.push({
                    controlId: "OTH-07",
                    object: o,
                    path: "spec",
                    message: `${describe(o)} allows no voluntary eviction.`,
                });
            }
        }
        // Per namespace, the budgets' selectors indexed by label (near-linear in workloads + budgets).
        const index = new Map(
            [...pdbs].map(([ns, ps]) => [
                ns,
                new SelectorIndex(
                    ps.map(p => (isUnknown((p as Json).spec) ? (p as Json).spec : (p as Json).spec?.selector)),
                ),
            ]),
        );
        for (const o of objects) {
            if (o.kind !== "Deployment" && o.kind !== "StatefulSet") continue;
            const replicas = get(o, "spec.replicas");
            if (typeof replicas === "number" && replicas < 2) continue;
            const labels = podSpecOf(o)?.podMeta?.labels;
            const m = index.get(show(o.metadata?.namespace ?? "default"))?.matches(labels) ?? false;
            if (m === true) continue;
            out.push(
                m === "unknown"
                    ? {
                          controlId: "OTH-07",
                          object: o,
                          unknown: true,
                          path: "spec.template.metadata.labels",
                          message: `${describe(o)}: whether a PodDisruptionBudget covers it is unknown during preview.`,
                      }
                    : {
                          controlId: "OTH-07",
                          object: o,
                          path: "spec.template.metadata.labels",
                          message: `${describe(o)} is not covered by any PodDisruptionBudget.`,
                      },
            );
        }
        return out;
    },
};

export const priorityClass = podRule(
    {
        id: "OTH-08",
        name: "priority-class-set",
        description:
            "Pods should name a PriorityClass, so the scheduler knows what to evict first when the " +
            "cluster is short of resources.",
        remediation: "Set `priorityClassName` in the pod spec.",
        url: "https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/",
    },
    pod => [
        [
            "priorityClassName",
            judge(
                pod.spec.priorityClassName,
                v => v === undefined || v === null || v === "",
                () => "The pod sets no priorityClassName.",
            ) as Verdict,
        ],
    ],
);
