/**
 * Shared vocabulary of the CEL twins (rules/<area>/admission.ts): the API resources of the kinds
 * the rules look at, the pod spec and containers of any workload kind, and CEL literals. Plain
 * strings; the admission face (admission/) turns twins into ValidatingAdmissionPolicies.
 */
import { AdmissionResources } from "./types";

export const WORKLOAD_RESOURCES: AdmissionResources[] = [
    { apiGroups: [""], apiVersions: ["v1"], resources: ["pods", "replicationcontrollers", "podtemplates"] },
    {
        apiGroups: ["apps"],
        apiVersions: ["v1"],
        resources: ["deployments", "replicasets", "statefulsets", "daemonsets"],
    },
    { apiGroups: ["batch"], apiVersions: ["v1"], resources: ["jobs", "cronjobs"] },
];
export const core = (...resources: string[]): AdmissionResources => ({
    apiGroups: [""],
    apiVersions: ["v1"],
    resources,
});
export const ROLE_RESOURCES: AdmissionResources[] = [
    { apiGroups: ["rbac.authorization.k8s.io"], apiVersions: ["v1"], resources: ["roles", "clusterroles"] },
];
export const BINDING_RESOURCES: AdmissionResources[] = [
    {
        apiGroups: ["rbac.authorization.k8s.io"],
        apiVersions: ["v1"],
        resources: ["rolebindings", "clusterrolebindings"],
    },
];
export const SERVICE_RESOURCES: AdmissionResources[] = [core("services")];
export const INGRESS_RESOURCES: AdmissionResources[] = [
    { apiGroups: ["networking.k8s.io"], apiVersions: ["v1"], resources: ["ingresses"] },
];

/** The pod spec of any workload kind (rules/podspec.ts POD_SPEC_PATHS). */
const POD_SPEC =
    "object.kind == 'Pod' ? object.spec : object.kind == 'PodTemplate' ? object.template.spec : " +
    "object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : " +
    "object.spec.template.spec";
const listOf = (field: string) => `(has(variables.spec.${field}) ? variables.spec.${field} : [])`;
/** containers, initContainers and ephemeralContainers, as rules/podspec.ts containersOf. */
const ALL_CONTAINERS = `${listOf("containers")} + ${listOf("initContainers")} + ${listOf("ephemeralContainers")}`;
/** `variables.spec` (the pod spec of any workload kind) and `variables.containers` (all of its containers). */
export const POD_VARIABLES = [
    { name: "spec", expression: POD_SPEC },
    { name: "containers", expression: ALL_CONTAINERS },
];
export const SPEC_VARIABLE = [{ name: "spec", expression: POD_SPEC }];
/** The pod spec's own list of one container field (e.g. `containers` only, as some rules judge). */
export const containersIn = (...fields: string[]): string => fields.map(listOf).join(" + ");

/** A CEL string literal (single-quoted, escaped). */
export const celString = (v: string): string => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
/** A CEL list of string literals. */
export const celList = (vs: readonly string[]): string => `[${vs.map(celString).join(", ")}]`;
/** A label of the object itself (`metadata.labels[key] == value`), absent labels included. */
export const hasLabel = (key: string, value: string): string =>
    `(has(object.metadata.labels) && ${celString(key)} in object.metadata.labels && ` +
    `object.metadata.labels[${celString(key)}] == ${celString(value)})`;
/**
 * The cluster's own roles and bindings (the rules skip them): a `system:` name AND the label the
 * API server's bootstrap policy puts on every default role and binding. The `system:` prefix alone
 * is not reserved: any manifest may name its own role `system:anything` (the VPA does).
 */
export const SYSTEM_NAME =
    "(object.metadata.name.startsWith('system:') && " + hasLabel("kubernetes.io/bootstrapping", "rbac-defaults") + ")";
