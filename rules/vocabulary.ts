/**
 * The names the rule core, the faces and the components share: one home for each, so a rename
 * happens in one place. Plain values, no Pulumi: components import them from here.
 */

/** The project: the Pulumi project name and the namespace of its stack config keys (`hardened-cluster:namespaces`). */
export const PROJECT = "hardened-cluster";

/** Pod Security Standards level. See https://kubernetes.io/docs/concepts/security/pod-security-standards/ */
export type PssLevel = "privileged" | "baseline" | "restricted";
/** The levels from the most open to the most restricted (the order NS-03's minimum level compares in). */
export const PSS_LEVELS: readonly PssLevel[] = ["privileged", "baseline", "restricted"];
/** Prefix of Pod Security admission's namespace labels (`<prefix>/enforce`, `<prefix>/enforce-version`, …). */
export const PSS_LABEL_PREFIX = "pod-security.kubernetes.io";
/** The namespace label whose level Pod Security admission enforces. */
export const PSS_ENFORCE_LABEL = `${PSS_LABEL_PREFIX}/enforce`;

/**
 * Kubernetes' built-in cluster-scoped kinds (and Gateway API's GatewayClass). The API server drops a
 * `metadata.namespace` written on one (kube-router's ClusterRole carries `namespace: kube-system`), so such a
 * namespace neither names the object nor puts it in an exempt namespace. (Kinds only: a custom resource of the same
 * kind name in another group would be read as cluster-scoped too; none is known.)
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "VolumeAttachment",
    "CSIDriver",
    "CSINode",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "GatewayClass",
    "CustomResourceDefinition",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
]);

/** The namespace an object lives in as the API server stores it: none for a cluster-scoped kind. */
export function storedNamespace(obj: { kind?: unknown; metadata?: { namespace?: unknown } }): string | undefined {
    const ns = obj?.metadata?.namespace;
    return typeof ns === "string" && !CLUSTER_SCOPED_KINDS.has(obj.kind as string) ? ns : undefined;
}

/** Namespaces of Kubernetes' own components. */
export const SYSTEM_NAMESPACES: readonly string[] = ["kube-system", "kube-public", "kube-node-lease"];

/** Default namespace of the Falco add-on (runtime detection; needs the host). */
export const FALCO_NS = "falco";
/** Default namespace of the Trivy operator add-on (vulnerability and config scans). */
export const TRIVY_NS = "trivy-system";
/**
 * Namespace of kube-bench (CIS benchmark runs), which reads the host: host PID and read-only host
 * paths, as root without capabilities.
 */
export const KUBE_BENCH_NS = "kube-bench";
/** The add-on namespaces the blueprint manages itself, at their default names. */
export const ADDON_NAMESPACES: readonly string[] = [FALCO_NS, TRIVY_NS, KUBE_BENCH_NS];

/** Label that puts a pod in quarantine (set by `npm run isolate`, removed by `npm run release`). */
export const QUARANTINE_LABEL = "hardened-cluster/quarantine";
