/**
 * A question as people write it (`get secrets`, `create pods/exec`, `update deployments.apps/scale`,
 * `get /metrics`) → the authorizer's request attributes.
 */
import { NonResourceRequest, Request, ResourceRequest } from "../rules/rbac/authorize";

/**
 * API groups of the built-in resources, for a resource given without `.group` (kubectl asks
 * discovery; offline there is none). A resource not listed here is in the core group unless the
 * argument names a group (`widgets.example.com`).
 */
const BUILTIN_GROUPS: Readonly<Record<string, string>> = {
    deployments: "apps",
    daemonsets: "apps",
    statefulsets: "apps",
    replicasets: "apps",
    controllerrevisions: "apps",
    jobs: "batch",
    cronjobs: "batch",
    roles: "rbac.authorization.k8s.io",
    clusterroles: "rbac.authorization.k8s.io",
    rolebindings: "rbac.authorization.k8s.io",
    clusterrolebindings: "rbac.authorization.k8s.io",
    networkpolicies: "networking.k8s.io",
    ingresses: "networking.k8s.io",
    ingressclasses: "networking.k8s.io",
    poddisruptionbudgets: "policy",
    validatingwebhookconfigurations: "admissionregistration.k8s.io",
    mutatingwebhookconfigurations: "admissionregistration.k8s.io",
    validatingadmissionpolicies: "admissionregistration.k8s.io",
    validatingadmissionpolicybindings: "admissionregistration.k8s.io",
    mutatingadmissionpolicies: "admissionregistration.k8s.io",
    mutatingadmissionpolicybindings: "admissionregistration.k8s.io",
    certificatesigningrequests: "certificates.k8s.io",
    signers: "certificates.k8s.io",
    storageclasses: "storage.k8s.io",
    csidrivers: "storage.k8s.io",
    csinodes: "storage.k8s.io",
    volumeattachments: "storage.k8s.io",
    horizontalpodautoscalers: "autoscaling",
    leases: "coordination.k8s.io",
    customresourcedefinitions: "apiextensions.k8s.io",
    priorityclasses: "scheduling.k8s.io",
    endpointslices: "discovery.k8s.io",
    tokenreviews: "authentication.k8s.io",
    subjectaccessreviews: "authorization.k8s.io",
    selfsubjectaccessreviews: "authorization.k8s.io",
    localsubjectaccessreviews: "authorization.k8s.io",
};

export class RequestError extends Error {}

/**
 * Parse `RESOURCE[.GROUP][/SUBRESOURCE]` or a non-resource URL (`/healthz`). `name` and
 * `namespace` are the optional object name and namespace (empty: none / cluster-wide).
 */
export function parseRequest(verb: string, what: string, name = "", namespace = ""): Request {
    if (!verb || /\s/.test(verb)) throw new RequestError(`invalid verb '${verb}'`);
    if (what.startsWith("/")) {
        if (name || namespace) throw new RequestError(`a non-resource URL (${what}) takes no name or namespace`);
        return { verb, path: what } as NonResourceRequest;
    }
    const m = /^([a-z0-9*][-a-z0-9*]*)(?:\.([-a-z0-9.]+|\*))?(?:\/([-a-z0-9*]+))?$/.exec(what);
    if (!m)
        throw new RequestError(
            `invalid resource '${what}': expected RESOURCE[.GROUP][/SUBRESOURCE] (e.g. pods, ` +
                `deployments.apps, pods/exec) or a URL starting with /`,
        );
    const [, resource, group, subresource] = m;
    const req: ResourceRequest = { verb, apiGroup: group ?? BUILTIN_GROUPS[resource] ?? "", resource };
    if (subresource) req.subresource = subresource;
    if (name) req.name = name;
    if (namespace) req.namespace = namespace;
    return req;
}

/** `get deployments.apps/scale named "web" in team` — for messages and reports. */
export function describeRequest(r: Request): string {
    if ("path" in r) return `${r.verb} ${r.path}`;
    const res = `${r.resource}${r.apiGroup ? `.${r.apiGroup}` : ""}${r.subresource ? `/${r.subresource}` : ""}`;
    return (
        `${r.verb} ${res}${r.name ? ` named "${r.name}"` : ""}` +
        `${r.namespace ? ` in namespace ${r.namespace}` : " cluster-wide"}`
    );
}
