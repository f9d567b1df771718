/**
 * Pulumi type tokens of the Kubernetes provider ↔ Kubernetes apiVersion and kind, in one place for
 * every face that turns Pulumi resources into objects (the CrossGuard pack, scripts/gather.ts) or
 * objects into resources (scripts/engine/deployment.ts). No Pulumi import: tokens are strings.
 */

const K8S_TYPE = /^kubernetes:([^:]+)\/([^:/]+):(\w+)$/;
/**
 * Groups of the provider's component resources (Helm charts and releases, YAML and Kustomize
 * groups): their props are the component's arguments, not a Kubernetes object.
 */
const NOT_OBJECT_GROUPS = new Set(["helm.sh", "yaml", "kustomize"]);

/**
 * The apiVersion and kind a `kubernetes:<group or core>/<version>:<Kind>` token stands for
 * (`<Kind>Patch` counts as `<Kind>`), or undefined for any other token.
 */
export function apiOfType(type: string): { apiVersion: string; kind: string } | undefined {
    const m = K8S_TYPE.exec(type);
    if (!m || NOT_OBJECT_GROUPS.has(m[1])) {
        return undefined;
    }
    const [, group, version, rawKind] = m;
    const kind = rawKind.endsWith("Patch") ? rawKind.slice(0, -"Patch".length) : rawKind;
    return { apiVersion: group === "core" ? version : `${group}/${version}`, kind };
}

/** The Pulumi type token of a Kubernetes object: `kubernetes:<group or core>/<version>:<Kind>`. */
export function kubernetesTypeToken(apiVersion: string, kind: string): string {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["core", apiVersion];
    return `kubernetes:${group}/${version}:${kind}`;
}
