/** IMG-01 … IMG-05 in the API server: CEL twins of rules/images/images.ts. */
import { celString, POD_VARIABLES, WORKLOAD_RESOURCES } from "../cel";
import { Admission, RuleConfig } from "../types";
import { IMAGE_NAMING } from "./images";

/**
 * Every image of `variables.containers` as `registry/repository` (tag and digest removed), read
 * the way parseImage reads it: generated from IMAGE_NAMING, the data parseImage uses.
 */
const IMAGE_REFS = (() => {
    const first = "x.split('/')[0]";
    const host = [
        ...IMAGE_NAMING.hostMarks.map(m => `${first}.contains(${celString(m)})`),
        `${first} == ${celString(IMAGE_NAMING.localHost)}`,
    ].join(" || ");
    const hub = IMAGE_NAMING.defaultRegistry;
    return (
        "variables.containers.map(c, c.image.split('@')[0])" +
        (`.map(x, x.contains('/') && (${host}) ? x : (x.contains('/') ? ${celString(`${hub}/`)} + x : ` +
            `${celString(`${hub}/${IMAGE_NAMING.officialPrefix}`)} + x))`) +
        ".map(x, x.lastIndexOf(':') > x.lastIndexOf('/') ? x.substring(0, x.lastIndexOf(':')) : x)" +
        Object.entries(IMAGE_NAMING.aliases)
            .map(
                ([alias, to]) =>
                    `.map(x, x.startsWith(${celString(`${alias}/`)}) ? ${celString(`${to}/`)} + ` +
                    `x.substring(${alias.length + 1}) : x)`,
            )
            .join("")
    );
})();
const REF_VARIABLES = [...POD_VARIABLES, { name: "refs", expression: IMAGE_REFS }];

const registryList = (cfg: RuleConfig, key: string): string[] =>
    ((cfg[key] as string[] | undefined) ?? []).map(p => p.replace(/\/+$/, ""));
/** The image names a tag other than `latest`: its last path segment has a `:` (IMG-01's reading). */
const TAGGED = "c.image.split('/')[size(c.image.split('/')) - 1].contains(':')";
/** A non-empty digest follows the first `@` (parseImage's `digest`). */
const DIGEST = "(c.image.indexOf('@') >= 0 && c.image.indexOf('@') < size(c.image) - 1)";

export const IMAGES_ADMISSION: Record<string, Admission> = {
    "IMG-01": {
        twin: {
            resources: WORKLOAD_RESOURCES,
            variables: POD_VARIABLES,
            expression:
                `variables.containers.all(c, c.image.contains('@') || (!c.image.endsWith(':latest') && ` +
                `${TAGGED}))`,
            message: "[IMG-01] Images must name a specific tag or digest, never latest or no tag.",
        },
    },
    "IMG-02": {
        twin: {
            resources: WORKLOAD_RESOURCES,
            variables: POD_VARIABLES,
            expression: "variables.containers.all(c, c.image.matches('@sha256:[a-f0-9]{64}$'))",
            message: "[IMG-02] Images should be pinned by digest (@sha256:).",
        },
    },
    "IMG-03": {
        twin: {
            resources: WORKLOAD_RESOURCES,
            variables: REF_VARIABLES,
            when: cfg =>
                registryList(cfg, "allowedRegistries").length + registryList(cfg, "deniedRegistries").length > 0,
            expression: cfg => {
                const allowed = registryList(cfg, "allowedRegistries");
                const denied = registryList(cfg, "deniedRegistries");
                const under = (ps: string[]) =>
                    `[${ps.map(celString).join(", ")}].exists(p, r == p || r.startsWith(p + '/'))`;
                const conditions = [
                    denied.length > 0 ? `!${under(denied)}` : "",
                    allowed.length > 0 ? under(allowed) : "",
                ];
                return `variables.refs.all(r, ${conditions.filter(Boolean).join(" && ")})`;
            },
            message: cfg => {
                const list = (key: string) =>
                    registryList(cfg, key).length > 0 ? ` (${registryList(cfg, key).join(", ")})` : "";
                return (
                    `[IMG-03] Images must come from the allowed registries${list("allowedRegistries")} ` +
                    `and never from a denied one${list("deniedRegistries")}.`
                );
            },
        },
    },
    "IMG-04": {
        twin: {
            resources: WORKLOAD_RESOURCES,
            variables: POD_VARIABLES,
            // An unset policy is Always only for a `latest` or untagged image (the API server's default, and the
            // rule's).
            expression:
                `variables.containers.all(c, ${DIGEST} || (has(c.imagePullPolicy) ? c.imagePullPolicy == ` +
                `'Always' : (c.image.split('@')[0].endsWith(':latest') || !c.image.split('@')[0].split('/` +
                `')[size(c.image.split('@')[0].split('/')) - 1].contains(':'))))`,
            message: "[IMG-04] Containers should use imagePullPolicy: Always or pin the image by digest.",
        },
    },
    "IMG-05": {
        twin: {
            resources: WORKLOAD_RESOURCES,
            variables: REF_VARIABLES,
            expression: "variables.refs.all(r, !r.startsWith('k8s.gcr.io/'))",
            message: "[IMG-05] Images must not come from the frozen k8s.gcr.io registry; use registry.k8s.io.",
        },
    },
};
