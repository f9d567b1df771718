/** NET-01 … NET-09: Service exposure, Ingress TLS and annotations, NetworkPolicy coverage, quarantine. */
import { describe, judge, objectRule, UNKNOWN_VERDICT, Verdict } from "../define";
import { get, show } from "../fields";
import { indexByNamespace } from "../namespaces/index-by-namespace";
import { Json, pathKey, podSpecOf, WORKLOAD_KINDS } from "../podspec";
import { SelectorIndex } from "../selector-index";
import { matchSelector } from "../selectors";
import { Finding, StackRule } from "../types";
import { isUnknown } from "../unknown";
import { QUARANTINE_LABEL, SYSTEM_NAMESPACES } from "../vocabulary";

const SVC_URL = "https://kubernetes.io/docs/concepts/services-networking/service/";
const ING_URL = "https://kubernetes.io/docs/concepts/services-networking/ingress/";
const NP_URL = "https://kubernetes.io/docs/concepts/services-networking/network-policies/";

function serviceTypeRule(id: string, name: string, type: string, why: string) {
    return objectRule(
        {
            id,
            name,
            description: `Services of type ${type} must be an explicit opt-in (\`allowedServiceTypes\`). ${why}`,
            remediation:
                `Use a ClusterIP Service behind an Ingress, or add ${type} to \`allowedServiceTypes\` in ` +
                `the stack's policy config. SecureNamespace's quota allows none by default ` +
                `(\`quota.${type === "NodePort" ? "nodePorts" : "loadBalancers"}\`).`,
            url: SVC_URL,
            config: {
                allowedServiceTypes: {
                    type: "array",
                    items: { type: "string", enum: ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"] },
                    description: "Service types that may be created.",
                    default: ["ClusterIP"],
                },
            },
        },
        ["Service"],
        (o, cfg) => [
            [
                "spec.type",
                judge(
                    get(o, "spec.type"),
                    v => v === type && !(cfg.allowedServiceTypes as string[]).includes(type),
                    () => `${describe(o)} is of type ${type}.`,
                ),
            ],
        ],
    );
}

export const nodePort = serviceTypeRule(
    "NET-01",
    "no-nodeport-services",
    "NodePort",
    "A NodePort opens the Service on every node's address, bypassing the ingress layer.",
);
export const loadBalancer = serviceTypeRule(
    "NET-02",
    "no-loadbalancer-services",
    "LoadBalancer",
    "A LoadBalancer exposes the Service outside the cluster, usually to the internet.",
);

export const externalIps = objectRule(
    {
        id: "NET-03",
        name: "no-service-external-ips",
        description:
            "Services must not set `externalIPs`: any user who can create a Service can then " +
            "intercept traffic to those addresses (CVE-2020-8554).",
        remediation: "Remove `spec.externalIPs`; expose the Service through an Ingress or a LoadBalancer.",
        url: SVC_URL,
    },
    ["Service"],
    o => [
        [
            "spec.externalIPs",
            judge(
                get(o, "spec.externalIPs"),
                v => Array.isArray(v) && v.length > 0,
                () => `${describe(o)} sets externalIPs.`,
            ),
        ],
    ],
);

const ALLOW_HTTP = [
    ["kubernetes.io/ingress.allow-http", "true"],
    ["nginx.ingress.kubernetes.io/ssl-redirect", "false"],
    ["nginx.ingress.kubernetes.io/force-ssl-redirect", "false"],
];

export const ingressTls = objectRule(
    {
        id: "NET-04",
        name: "ingress-requires-tls",
        description:
            "Every Ingress host must be covered by TLS, and plain HTTP must not be allowed by " +
            "annotation. Otherwise credentials and session cookies cross the network in clear text.",
        remediation:
            "Add a `spec.tls` entry covering every host (cert-manager can issue the certificate) and " +
            "remove annotations that allow HTTP.",
        url: `${ING_URL}#tls`,
    },
    ["Ingress"],
    o => {
        const rules = get(o, "spec.rules");
        const tls = get(o, "spec.tls");
        if (isUnknown(rules) || isUnknown(tls)) return [["spec.tls", UNKNOWN_VERDICT]];
        const covered = new Set<string>(
            (Array.isArray(tls) ? tls : []).flatMap((t: Json) => (Array.isArray(t?.hosts) ? t.hosts : [])),
        );
        const out: Array<[string, Verdict]> = [];
        if (!Array.isArray(tls) || tls.length === 0) out.push(["spec.tls", `${describe(o)} has no TLS section.`]);
        else
            (Array.isArray(rules) ? rules : []).forEach((r: Json, i: number) =>
                out.push([
                    `spec.rules[${i}].host`,
                    r?.host && !covered.has(r.host)
                        ? `${describe(o)} serves host ${show(r.host)} without TLS.`
                        : undefined,
                ]),
            );
        const ann = o.metadata?.annotations ?? {};
        for (const [k, v] of ALLOW_HTTP)
            out.push([
                `metadata.annotations["${k}"]`,
                ann[k] === v ? `${describe(o)} allows plain HTTP (${k}: "${show(v)}").` : undefined,
            ]);
        return out;
    },
);

export const ingressHost = objectRule(
    {
        id: "NET-05",
        name: "ingress-specific-hosts",
        description:
            "Ingress rules should name a specific host: an empty host or a wildcard catches traffic " +
            "meant for other applications.",
        remediation: "Set `host` on every rule to the application's own name.",
        url: ING_URL,
    },
    ["Ingress"],
    o => {
        const rules = get(o, "spec.rules");
        if (isUnknown(rules)) return [["spec.rules", UNKNOWN_VERDICT]];
        return (Array.isArray(rules) ? rules : []).map(
            (r: Json, i: number) =>
                [
                    `spec.rules[${i}].host`,
                    judge(
                        r?.host,
                        h => h === undefined || h === "" || (typeof h === "string" && h.startsWith("*")),
                        () =>
                            `${describe(o)} has a rule with ${r?.host ? `wildcard host ${show(r.host)}` : "no host"}.`,
                    ),
                ] as [string, Verdict],
        );
    },
);

const SNIPPET = /-snippets?$/;
const DANGEROUS_VALUE =
    /(\blua_|_by_lua|\bload_module\b|\binclude\b|\broot\s|\balias\s|serviceaccount|\/var\/run\/secrets|\{|\})/i;

export const nginxSnippets = objectRule(
    {
        id: "NET-06",
        name: "no-ingress-nginx-snippets",
        description:
            "Ingress objects must not use ingress-nginx snippet annotations or annotation values " +
            "that inject configuration (CVE-2021-25742, CVE-2023-5043, CVE-2025-1974). They run " +
            "arbitrary configuration in the controller, which can read every Secret in the cluster.",
        remediation:
            "Remove the `*-snippet` annotations and configure the behaviour in the controller's " +
            "ConfigMap; disable `allow-snippet-annotations` in the controller.",
        url: "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/",
    },
    ["Ingress"],
    o => {
        const ann = o.metadata?.annotations;
        if (isUnknown(ann)) return [["metadata.annotations", UNKNOWN_VERDICT]];
        return Object.entries(ann ?? {})
            .filter(([k]) => k.startsWith("nginx.ingress.kubernetes.io/"))
            .map(
                ([k, v]) =>
                    [
                        `metadata.annotations${pathKey(k)}`,
                        SNIPPET.test(k)
                            ? `${describe(o)} uses the snippet annotation ${k}.`
                            : typeof v === "string" && DANGEROUS_VALUE.test(v)
                              ? `${describe(o)} puts configuration syntax in annotation ${k}.`
                              : undefined,
                    ] as [string, Verdict],
            );
    },
);

/** NetworkPolicies grouped by namespace (linear). */
function policiesByNamespace(objects: readonly Json[]): { byNs: Map<string, Json[]>; unknown: boolean } {
    const byNs = new Map<string, Json[]>();
    let unknown = false;
    for (const o of objects) {
        if (o.kind !== "NetworkPolicy") continue;
        const ns = o.metadata?.namespace;
        if (isUnknown(ns)) {
            unknown = true;
            continue;
        }
        const key = show(ns ?? "default");
        if (!byNs.has(key)) byNs.set(key, []);
        byNs.get(key)!.push(o);
    }
    return { byNs, unknown };
}

export const workloadIsolation: StackRule = {
    id: "NET-07",
    name: "workloads-selected-by-network-policy",
    scope: "stack",
    kinds: WORKLOAD_KINDS,
    description:
        "Every workload should be selected by at least one NetworkPolicy; an unselected pod accepts " +
        "and sends any traffic.",
    remediation:
        "Create the namespace with SecureNamespace (its default-deny policy selects every pod) or " +
        "add a NetworkPolicy whose podSelector matches the workload.",
    url: NP_URL,
    check(objects) {
        const { byNs: policies, unknown } = policiesByNamespace(objects);
        // Per namespace, the policies' pod selectors indexed by label (near-linear in workloads + policies).
        const byNs = new Map(
            [...policies].map(([ns, ps]) => [
                ns,
                new SelectorIndex(ps.map(p => (isUnknown(p.spec) ? p.spec : (p.spec?.podSelector ?? {})))),
            ]),
        );
        const out: Finding[] = [];
        for (const o of objects) {
            if (
                o.kind === "Pod" &&
                Array.isArray(o.metadata?.ownerReferences) &&
                o.metadata!.ownerReferences!.length > 0
            )
                continue;
            const pod = podSpecOf(o);
            if (!pod) continue;
            const labels = pod.podMeta?.labels ?? {};
            const m = byNs.get(show(o.metadata?.namespace ?? "default"))?.matches(labels) ?? false;
            // A host-network pod is not isolated by a policy that selects it: NetworkPolicy acts on the
            // pod network namespace, which such a pod does not use (its traffic is the node's).
            if (m === true && pod.spec?.hostNetwork === true) {
                out.push({
                    controlId: "NET-07",
                    object: o,
                    path: `${pod.path}.hostNetwork`,
                    message:
                        `${describe(o)} is selected by a NetworkPolicy but uses the host network, where ` +
                        `NetworkPolicy does not apply.`,
                });
                continue;
            }
            if (m === true) continue;
            if (unknown || m === "unknown") {
                out.push({
                    controlId: "NET-07",
                    object: o,
                    unknown: true,
                    path: `${pod.metaPath}.labels`,
                    message: `${describe(o)}: whether a NetworkPolicy selects it is unknown during preview.`,
                });
            } else {
                out.push({
                    controlId: "NET-07",
                    object: o,
                    path: `${pod.metaPath}.labels`,
                    message: `${describe(o)} is not selected by any NetworkPolicy.`,
                });
            }
        }
        return out;
    },
};

/** A policy that denies all traffic of `type` for every pod: empty podSelector, the type listed, no rules for it. */
function deniesAll(p: Json, type: "Ingress" | "Egress"): boolean | "unknown" {
    const spec = p.spec;
    if (isUnknown(spec) || isUnknown(spec?.podSelector) || isUnknown(spec?.policyTypes)) return "unknown";
    const sel = spec?.podSelector ?? {};
    const empty = Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
    const types: string[] = Array.isArray(spec?.policyTypes)
        ? spec.policyTypes
        : type === "Ingress" || spec?.egress
          ? ["Ingress", ...(spec?.egress ? ["Egress"] : [])]
          : [];
    const rules = spec?.[type.toLowerCase()];
    return empty && types.includes(type) && (!Array.isArray(rules) || rules.length === 0);
}

export const namespaceDefaultDeny: StackRule = {
    id: "NET-08",
    name: "namespace-default-deny",
    scope: "stack",
    kinds: ["Namespace"],
    description:
        "Every namespace must have a default-deny NetworkPolicy for both ingress and egress (empty " +
        "podSelector, no allow rules), so traffic is only what other policies allow.",
    remediation:
        "Create the namespace with SecureNamespace (it adds the `default-deny` policy) or add one: " +
        "`podSelector: {}`, `policyTypes: [Ingress, Egress]`.",
    url: `${NP_URL}#default-policies`,
    defaultExemptNamespaces: [...SYSTEM_NAMESPACES],
    check(objects) {
        const { declared } = indexByNamespace(objects);
        const { byNs, unknown } = policiesByNamespace(objects);
        const out: Finding[] = [];
        for (const [ns, obj] of declared) {
            const ps = byNs.get(ns) ?? [];
            const ing = ps.map(p => deniesAll(p, "Ingress"));
            const eg = ps.map(p => deniesAll(p, "Egress"));
            if (ing.includes(true) && eg.includes(true)) continue;
            const missing = [!ing.includes(true) ? "ingress" : "", !eg.includes(true) ? "egress" : ""]
                .filter(Boolean)
                .join(" and ");
            const maybe = unknown || ing.includes("unknown") || eg.includes("unknown");
            out.push({
                controlId: "NET-08",
                object: obj,
                path: "metadata.name",
                unknown: maybe || undefined,
                message: maybe
                    ? `Namespace "${ns}": whether a default-deny ${missing} policy exists is unknown during preview.`
                    : `Namespace "${ns}" has no default-deny ${missing} NetworkPolicy.`,
            });
        }
        return out;
    },
};

/** The traffic directions a NetworkPolicy allows something in, with policyTypes defaulted as the API server does. */
function allowedDirections(spec: Json): Array<"ingress" | "egress"> | "unknown" {
    if (isUnknown(spec.policyTypes) || isUnknown(spec.ingress) || isUnknown(spec.egress)) return "unknown";
    const rules = (d: "ingress" | "egress") => Array.isArray(spec[d]) && spec[d].length > 0;
    const types: unknown[] =
        Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0
            ? spec.policyTypes
            : ["Ingress", ...(rules("egress") ? ["Egress"] : [])];
    return (["ingress", "egress"] as const).filter(
        d => types.includes(d === "ingress" ? "Ingress" : "Egress") && rules(d),
    );
}

/**
 * Whether a pod selector can select some pod labelled `QUARANTINE_LABEL: "true"`: requirements on
 * different keys are independent, so it can exactly when, key by key, some value (or the label's
 * absence) meets every requirement on that key, the quarantine label's value being "true". The
 * labels so found are checked against the whole selector before answering yes.
 */
export function canSelectQuarantined(selector: Json): boolean | "unknown" {
    if (isUnknown(selector)) return "unknown";
    const sel = selector ?? {}; // an absent podSelector selects every pod
    if (typeof sel !== "object" || Array.isArray(sel)) return false;
    const ml = sel.matchLabels;
    const exprs = sel.matchExpressions;
    if (isUnknown(ml) || isUnknown(exprs)) return "unknown";
    const labels: Record<string, unknown> = ml !== null && typeof ml === "object" && !Array.isArray(ml) ? ml : {};
    const reqs: Json[] = Array.isArray(exprs) ? exprs : [];
    const keys = new Set<string>([
        QUARANTINE_LABEL,
        ...Object.keys(labels),
        ...reqs.map(e => e?.key).filter((k): k is string => typeof k === "string"),
    ]);
    const chosen: Record<string, unknown> = {};
    for (const key of keys) {
        const only = {
            matchLabels: key in labels ? { [key]: labels[key] } : {},
            matchExpressions: reqs.filter(e => e?.key === key),
        };
        const mentioned = [
            ...(key in labels ? [labels[key]] : []),
            ...only.matchExpressions.flatMap(e => (Array.isArray(e.values) ? e.values : [])),
        ];
        const fresh = "x".repeat(1 + Math.max(0, ...mentioned.map(v => String(v).length)));
        const candidates: unknown[] = key === QUARANTINE_LABEL ? ["true"] : [undefined, fresh, ...mentioned];
        let found = false;
        for (const v of candidates) {
            const m = matchSelector(only, v === undefined ? {} : { [key]: v });
            if (m === "unknown") return "unknown";
            if (m) {
                if (v !== undefined) chosen[key] = v;
                found = true;
                break;
            }
        }
        if (!found) return false;
    }
    return matchSelector(sel, chosen);
}

export const quarantineExcluded = objectRule(
    {
        id: "NET-09",
        name: "allow-policies-skip-quarantined-pods",
        description:
            `A NetworkPolicy that allows traffic must not select quarantined pods: its podSelector must ` +
            `exclude the label \`${QUARANTINE_LABEL}\` that \`npm run isolate\` sets. NetworkPolicies ` +
            `add up, so the quarantine policy cannot take back what another policy selecting the pod ` +
            `allows, and an isolated pod would keep that traffic.`,
        remediation:
            `Add \`{ key: ${QUARANTINE_LABEL}, operator: DoesNotExist }\` to the policy's ` +
            `\`podSelector.matchExpressions\`, as every allow policy of SecureNamespace and ` +
            `SecureIngress does.`,
        url: NP_URL,
        defaultExemptNamespaces: [...SYSTEM_NAMESPACES],
    },
    ["NetworkPolicy"],
    o => {
        const spec = o.spec;
        if (isUnknown(spec)) return [["spec", UNKNOWN_VERDICT]];
        if (spec === null || typeof spec !== "object") return [];
        const dirs = allowedDirections(spec);
        if (dirs === "unknown") return [["spec.podSelector", UNKNOWN_VERDICT]];
        if (dirs.length === 0) return [];
        const can = canSelectQuarantined(spec.podSelector);
        if (can === "unknown") return [["spec.podSelector", UNKNOWN_VERDICT]];
        return [
            [
                "spec.podSelector",
                can
                    ? `${describe(o)} allows ${dirs.join(" and ")} for pods its podSelector does not ` +
                      `keep from quarantine: a pod isolated with the label ${QUARANTINE_LABEL}=true ` +
                      `keeps that traffic.`
                    : undefined,
            ],
        ];
    },
);
