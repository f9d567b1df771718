/** IMG-01 … IMG-05: image tags, digests, registries and pull policy. */
import { show } from "../fields";
import { containerRule, judge, NONE, UNKNOWN_VERDICT, Verdict } from "../define";
import { isUnknown } from "../unknown";

const IMAGES_URL = "https://kubernetes.io/docs/concepts/containers/images/";

export interface ImageRef {
    registry: string;
    repository: string;
    tag?: string;
    digest?: string;
}

/**
 * How an image reference names its registry, as data: parseImage reads it, and so does the CEL
 * twin of IMG-03/IMG-05 (rules/images/admission.ts), so both read an image the same way.
 */
export const IMAGE_NAMING = {
    /** A first path segment containing one of these, or equal to `localHost`, is a registry host. */
    hostMarks: [".", ":"],
    localHost: "localhost",
    /** The registry of a name without a registry host (Docker Hub). */
    defaultRegistry: "docker.io",
    /** The repository prefix of a single-segment Docker Hub name (`nginx` is `library/nginx`). */
    officialPrefix: "library/",
    /** Registry hosts that are another name of one. */
    aliases: { "index.docker.io": "docker.io" } as Readonly<Record<string, string>>,
} as const;

/** Parse `[registry/]repo[:tag][@digest]`; Docker Hub is implicit for names without a registry host. */
export function parseImage(image: string): ImageRef {
    let rest = image.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    const slash = rest.indexOf("/");
    const first = slash >= 0 ? rest.slice(0, slash) : "";
    const hasRegistry =
        slash >= 0 && (IMAGE_NAMING.hostMarks.some(m => first.includes(m)) || first === IMAGE_NAMING.localHost);
    const registry = hasRegistry ? first : IMAGE_NAMING.defaultRegistry;
    let path = hasRegistry ? rest.slice(slash + 1) : rest;
    let tag: string | undefined;
    const colon = path.lastIndexOf(":");
    if (colon > path.lastIndexOf("/")) {
        tag = path.slice(colon + 1);
        path = path.slice(0, colon);
    }
    if (!hasRegistry && !path.includes("/")) path = `${IMAGE_NAMING.officialPrefix}${path}`;
    return {
        registry: Object.hasOwn(IMAGE_NAMING.aliases, registry) ? IMAGE_NAMING.aliases[registry] : registry,
        repository: path,
        tag,
        digest,
    };
}

/**
 * parseImage for the rules here, remembered per container (four rules read each container's image);
 * callers only read the result.
 */
const parsedImages = new WeakMap<object, { image: string; ref: ImageRef }>();
function parsed(c: object, image: string): ImageRef {
    const hit = parsedImages.get(c);
    if (hit !== undefined && hit.image === image) return hit.ref;
    const ref = parseImage(image);
    parsedImages.set(c, { image, ref });
    return ref;
}

const imageOf = (c: { container: { image?: unknown } }) => c.container.image;

export const latestTag = containerRule(
    {
        id: "IMG-01",
        name: "no-latest-image-tag",
        description:
            "Images must name a specific tag (or digest), never `latest` or no tag at all. A moving " +
            "tag makes deployments unreproducible and lets an unreviewed image slip in on the next " +
            "pull.",
        remediation: "Pin the image to a release tag, or better a digest (`image@sha256:…`).",
        url: IMAGES_URL,
    },
    c => {
        const image = imageOf(c);
        if (isUnknown(image)) return [["image", UNKNOWN_VERDICT]];
        if (typeof image === "string") {
            const ref = parsed(c, image);
            if (ref.digest || (ref.tag !== undefined && ref.tag !== "latest")) return NONE;
        }
        return [["image", `The ${c.label} uses image "${show(image)}" with the latest tag or no tag.`]];
    },
);

export const digestPinned = containerRule(
    {
        id: "IMG-02",
        name: "image-digest-pinned",
        description:
            "Images should be pinned by digest (`@sha256:`). A digest names exactly one image; tags " +
            "can be moved to point at another.",
        remediation:
            "Reference the image by its digest, as `registry/repo:tag@sha256:<digest>`, and let a " +
            "bot such as Renovate keep it current.",
        url: IMAGES_URL,
    },
    c => {
        const image = imageOf(c);
        if (isUnknown(image)) return [["image", UNKNOWN_VERDICT]];
        if (typeof image === "string" && /@sha256:[a-f0-9]{64}$/.test(image)) return NONE;
        return [["image", `The ${c.label} image "${show(image)}" is not pinned by digest.`]];
    },
);

function registryMatches(registry: string, repo: string, pattern: string): boolean {
    let end = pattern.length;
    while (end > 0 && pattern.charCodeAt(end - 1) === 47 /* / */) end--; // not /\/+$/: quadratic on runs of slashes
    const p = pattern.slice(0, end);
    const full = `${registry}/${repo}`;
    return registry === p || full === p || full.startsWith(`${p}/`);
}

export const allowedRegistries = containerRule(
    {
        id: "IMG-03",
        name: "allowed-image-registries",
        description:
            "Images must come from the registries the platform trusts (`allowedRegistries`, when " +
            "configured) and never from a denied registry. Image provenance is the first line of " +
            "supply-chain defence.",
        remediation:
            "Pull the image from an approved registry (mirror it there), or add the registry to " +
            "`allowedRegistries` in the policy config.",
        url: IMAGES_URL,
        config: {
            allowedRegistries: {
                type: "array",
                items: { type: "string" },
                description:
                    "Registries (host, or host/path prefix) images may come from. Empty means no " +
                    "allow-list is enforced; set it per stack.",
                default: [],
            },
            deniedRegistries: {
                type: "array",
                items: { type: "string" },
                description: "Registries (host, or host/path prefix) images must never come from.",
                default: [],
            },
        },
    },
    (c, _pod, cfg) => {
        const image = imageOf(c);
        if (isUnknown(image))
            return [
                [
                    "image",
                    judge(
                        image,
                        () => true,
                        () => "",
                    ),
                ],
            ];
        if (typeof image !== "string") return [];
        const allowed = cfg.allowedRegistries as string[];
        const denied = cfg.deniedRegistries as string[];
        // No lists (the default): nothing to match.
        if (Array.isArray(denied) && denied.length === 0 && Array.isArray(allowed) && allowed.length === 0) return NONE;
        const ref = parsed(c, image);
        let v: Verdict;
        if (denied.some(p => registryMatches(ref.registry, ref.repository, p)))
            v = `The ${c.label} image "${image}" comes from a denied registry (${ref.registry}).`;
        else if (allowed.length > 0 && !allowed.some(p => registryMatches(ref.registry, ref.repository, p)))
            v =
                `The ${c.label} image "${image}" comes from ${ref.registry}, which is not in ` +
                `allowedRegistries (${allowed.join(", ")}).`;
        return [["image", v]];
    },
);

export const pullAlways = containerRule(
    {
        id: "IMG-04",
        name: "image-pull-policy-always",
        description:
            "Containers should use `imagePullPolicy: Always` (or a digest), so the node checks the " +
            "registry's authorization on every start instead of reusing a cached image another " +
            "tenant pulled.",
        remediation: "Set `imagePullPolicy: Always`, or pin the image by digest.",
        url: `${IMAGES_URL}#image-pull-policy`,
    },
    c => {
        const image = imageOf(c);
        const policy = c.container.imagePullPolicy;
        if (isUnknown(image) || isUnknown(policy))
            return [
                [
                    "imagePullPolicy",
                    judge(
                        policy,
                        () => true,
                        () => "",
                    ),
                ],
            ];
        const ref = typeof image === "string" ? parsed(c, image) : undefined;
        // Unset policy defaults to Always only for `latest`/untagged images; a digest makes the policy moot.
        const effective =
            policy ??
            (ref && !ref.digest && (ref.tag === undefined || ref.tag === "latest") ? "Always" : "IfNotPresent");
        if (ref?.digest || effective === "Always") return NONE;
        return [
            [
                "imagePullPolicy",
                `The ${c.label} uses imagePullPolicy ${show(effective)}` +
                    `${policy === undefined ? " (the default for a tagged image)" : ""}.`,
            ],
        ];
    },
);

export const deprecatedRegistry = containerRule(
    {
        id: "IMG-05",
        name: "no-k8s-gcr-io",
        description:
            "Images must not come from the frozen `k8s.gcr.io` registry; it no longer receives " +
            "updates, so images from it miss security fixes.",
        remediation: "Pull the same image from `registry.k8s.io`, the community registry that replaced `k8s.gcr.io`.",
        url: "https://kubernetes.io/blog/2023/03/10/image-registry-redirect/",
    },
    c => {
        const image = imageOf(c);
        if (isUnknown(image)) return [["image", UNKNOWN_VERDICT]];
        if (typeof image !== "string" || parsed(c, image).registry !== "k8s.gcr.io") return NONE;
        return [["image", `The ${c.label} image "${show(image)}" comes from the deprecated k8s.gcr.io registry.`]];
    },
);
