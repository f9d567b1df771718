/** NS-01 … NS-03: object placement and namespace Pod Security labels. */
import { show } from "../fields";
import { describe, judge, objectRule, Verdict } from "../define";
import { FALCO_NS, KUBE_BENCH_NS, PSS_ENFORCE_LABEL, PSS_LEVELS, SYSTEM_NAMESPACES, TRIVY_NS } from "../vocabulary";
import { WORKLOAD_KINDS } from "../podspec";
import { isUnknown } from "../unknown";

const NAMESPACED_KINDS = [
    ...WORKLOAD_KINDS,
    "Service",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "Ingress",
    "NetworkPolicy",
    "PersistentVolumeClaim",
    "ResourceQuota",
    "LimitRange",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "Endpoints",
    "EndpointSlice",
];
const IN_DEFAULT = "in the default namespace";
const NO_NAMESPACE = "not given a namespace (it lands in default)";

export const defaultNamespace = objectRule(
    {
        id: "NS-01",
        name: "no-default-namespace",
        description:
            "Objects must be placed in a named team namespace, not in `default` and not without a " +
            "namespace. The default namespace carries none of the blueprint's isolation: no Pod " +
            "Security labels, quota or default-deny policy.",
        remediation: "Set `metadata.namespace` to a namespace created with SecureNamespace.",
        url: "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/",
    },
    NAMESPACED_KINDS,
    o => [
        [
            "metadata.namespace",
            judge(
                o.metadata?.namespace,
                v => v === undefined || v === null || v === "" || v === "default",
                () => `${describe(o)} is ${o.metadata?.namespace === "default" ? IN_DEFAULT : NO_NAMESPACE}.`,
            ),
        ],
    ],
);

export const systemNamespace = objectRule(
    {
        id: "NS-02",
        name: "no-workloads-in-system-namespaces",
        description:
            "User workloads must not run in kube-system or the other system namespaces, where they " +
            "would sit beside the cluster's own components and their credentials.",
        remediation: "Move the workload to a team namespace created with SecureNamespace.",
        url: "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces",
        config: {
            systemNamespaces: {
                type: "array",
                items: { type: "string" },
                description: "Namespaces reserved for the cluster's own components.",
                default: [...SYSTEM_NAMESPACES],
            },
        },
    },
    WORKLOAD_KINDS,
    (o, cfg) => [
        [
            "metadata.namespace",
            judge(
                o.metadata?.namespace,
                v => (cfg.systemNamespaces as string[]).includes(v),
                () => `${describe(o)} is a workload in a system namespace.`,
            ),
        ],
    ],
);

const LEVELS: readonly string[] = PSS_LEVELS;
const ENFORCE = PSS_ENFORCE_LABEL;

export const namespacePss = objectRule(
    {
        id: "NS-03",
        name: "namespace-pod-security-enforced",
        description:
            "Every namespace must carry the `pod-security.kubernetes.io/enforce` label at the " +
            "configured minimum level (baseline or restricted) so Pod Security admission refuses " +
            "insecure pods. A missing label or `privileged` leaves the namespace open.",
        remediation:
            "Create the namespace with SecureNamespace (component arg `podSecurity.enforce`, default " +
            "`restricted`), or label it `pod-security.kubernetes.io/enforce=restricted`.",
        url: "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
        defaultExemptNamespaces: [FALCO_NS, TRIVY_NS, KUBE_BENCH_NS, "kube-system"],
        config: {
            minimumLevel: {
                type: "string",
                enum: ["baseline", "restricted"],
                description: "Lowest Pod Security level a namespace may enforce.",
                default: "baseline",
            },
        },
    },
    ["Namespace"],
    (o, cfg) => {
        const labels = o.metadata?.labels;
        const level = isUnknown(labels) ? labels : labels?.[ENFORCE];
        const min = LEVELS.indexOf(cfg.minimumLevel as string);
        let v: Verdict = judge(
            level,
            l => l === undefined || !LEVELS.includes(l) || LEVELS.indexOf(l) < min,
            () => "",
        );
        if (v === "")
            v =
                `${describe(o)} ` +
                `${level === undefined ? "has no" : `enforces "${show(level)}" through its`} ${ENFORCE} ` +
                `label; at least "${cfg.minimumLevel}" is required.`;
        return [[`metadata.labels["${ENFORCE}"]`, v]];
    },
);
