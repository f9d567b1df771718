/**
 * ClusterBaseline: the whole secure-by-default baseline from one description — the team
 * namespaces (each a SecureNamespace), the runtime-security add-ons and the control-plane
 * hardening artefacts. Everything is validated before anything is created.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterAdmission, ClusterAdmissionArgs, validateClusterAdmissionArgs } from "./admission/clusterAdmission";
import { KubeBench, KubeBenchArgs, validateKubeBenchArgs } from "./addons/kubeBench";
import { Falco, TrivyOperator } from "./addons/runtimeSecurity";
import { SecureIngress, SecureIngressArgs, validateSecureIngressArgs } from "./ingress/secureIngress";
import {
    DEFAULT_RULE_SELECTOR_LABELS,
    SecurityAlerts,
    SecurityAlertsArgs,
    validateSecurityAlertsArgs,
} from "./alerts/securityAlerts";
import { ControlPlaneHardening, ControlPlaneHardeningArgs, validateControlPlaneArgs } from "./controlPlaneHardening";
import { checkDnsLabel, checkKnownKeys, checkStringList, checkTeamNamespaceName, ConfigError } from "./validate";
import {
    DEFAULT_OIDC_PREFIX,
    SecureNamespace,
    SecureNamespaceArgs,
    validateSecureNamespaceArgs,
} from "./secureNamespace";
import { ADDON_NAMESPACES, FALCO_NS, KUBE_BENCH_NS, TRIVY_NS } from "../rules/vocabulary";

export interface TeamNamespaceArgs extends Omit<SecureNamespaceArgs, "namespaceName"> {
    /** Namespace name (DNS-1123 label), unique in the list. */
    readonly name: string;
}

export interface AddonToggle {
    /** Install the add-on. */
    readonly enabled?: boolean;
    /** Namespace to create for it. */
    readonly namespace?: string;
    /** CIDRs it may reach on 443/6443. */
    readonly egressCidrs?: string[];
}

export interface ClusterBaselineArgs {
    /** Team namespaces. */
    readonly namespaces?: TeamNamespaceArgs[];
    /**
     * Add-ons: Falco, Trivy-operator (Helm charts fetched at deploy time) and the kube-bench CronJob. Default: all off.
     */
    readonly addons?: {
        readonly falco?: AddonToggle;
        readonly trivy?: AddonToggle;
        readonly kubeBench?: KubeBenchArgs & { readonly enabled?: boolean };
    };
    /** Control-plane hardening artefacts for self-managed clusters. Default: off. */
    readonly controlPlane?: ControlPlaneHardeningArgs & { readonly enabled?: boolean };
    /** In-cluster enforcement with ValidatingAdmissionPolicies. Default: off (on in the prod stack). */
    readonly admission?: ClusterAdmissionArgs & { readonly enabled?: boolean };
    /** HTTPS-only Ingresses (SecureIngress) into team namespaces. Default: none. */
    readonly ingresses?: Array<SecureIngressArgs & { readonly name: string }>;
    /**
     * Security alerting: PrometheusRules, and metrics scraping of Falco and Trivy-operator. Created
     * only with `prometheusOperator: true`, which declares the Prometheus Operator CRDs present.
     */
    readonly alerts?: Omit<SecurityAlertsArgs, "namespace"> & {
        readonly namespace?: string;
        readonly prometheusOperator?: boolean;
    };
}

/** The API server's OIDC groups prefix when this baseline configures OIDC (namespaces bind `oidcGroups` with it). */
function oidcGroupsPrefix(args: ClusterBaselineArgs): string | undefined {
    const oidc = args.controlPlane?.enabled ? args.controlPlane.oidc : undefined;
    return oidc ? (oidc.groupsPrefix ?? DEFAULT_OIDC_PREFIX) : undefined;
}

/** Namespace of the PrometheusRule and of the Prometheus that scrapes the add-ons. */
const DEFAULT_ALERTS_NAMESPACE = "monitoring";

/** The namespaces the add-ons live in (their defaults and any configured name), whether enabled or not. */
function addonNamespaces(args: ClusterBaselineArgs): string[] {
    const configured = [args.addons?.falco?.namespace, args.addons?.trivy?.namespace].filter(
        (n): n is string => typeof n === "string",
    );
    return [...new Set([...ADDON_NAMESPACES, ...configured])];
}

/**
 * Validate the whole baseline. `keyPrefix` is the config namespace (`hardened-cluster`). Returns the
 * arguments with the admission policy config checked, to be passed on as they are.
 */
export function validateClusterBaselineArgs(args: ClusterBaselineArgs, keyPrefix: string): ClusterBaselineArgs {
    const seen = new Map<string, number>();
    (args.namespaces ?? []).forEach((ns, i) => {
        const key = `${keyPrefix}:namespaces[${i}]`;
        if (ns === null || typeof ns !== "object" || typeof ns.name !== "string") {
            throw new ConfigError(`${key}.name`, "every namespace needs a name");
        }
        const { name, ...rest } = ns;
        checkDnsLabel(`${key}.name`, name);
        checkTeamNamespaceName(`${key}.name`, name, addonNamespaces(args));
        validateSecureNamespaceArgs({ namespaceName: name, ...rest }, key);
        const first = seen.get(name);
        if (first !== undefined) {
            throw new ConfigError(
                `${key}.name`,
                `duplicate namespace '${name}' (also at ${keyPrefix}:namespaces[${first}])`,
            );
        }
        seen.set(name, i);
    });
    checkKnownKeys(`${keyPrefix}:addons`, args.addons, ["falco", "trivy", "kubeBench"]);
    const bench = args.addons?.kubeBench;
    if (bench !== undefined) {
        if (bench.enabled !== undefined && typeof bench.enabled !== "boolean")
            throw new ConfigError(`${keyPrefix}:addons.kubeBench.enabled`, "must be true or false");
        validateKubeBenchArgs(bench, `${keyPrefix}:addons.kubeBench`);
        if (bench.enabled && seen.has(KUBE_BENCH_NS))
            throw new ConfigError(`${keyPrefix}:addons.kubeBench`, `'${KUBE_BENCH_NS}' is also a team namespace`);
    }
    for (const [addon, t] of Object.entries({ falco: args.addons?.falco, trivy: args.addons?.trivy }).filter(
        ([, v]) => v !== undefined,
    )) {
        const key = `${keyPrefix}:addons.${addon}`;
        checkKnownKeys(key, t, ["enabled", "namespace", "egressCidrs"]);
        if (t?.enabled !== undefined && typeof t.enabled !== "boolean") {
            throw new ConfigError(`${key}.enabled`, "must be true or false");
        }
        if (t?.egressCidrs !== undefined) {
            checkStringList(`${key}.egressCidrs`, t.egressCidrs);
            validateSecureNamespaceArgs(
                { network: { egress: [{ name: "x", peers: t.egressCidrs.map(cidr => ({ cidr })) }] } },
                key,
            );
        }
        const ns = t?.namespace ?? (addon === "falco" ? FALCO_NS : TRIVY_NS);
        if (t?.enabled && seen.has(ns)) {
            throw new ConfigError(`${key}.namespace`, `'${ns}' is also a team namespace`);
        }
    }
    if (args.controlPlane !== undefined) {
        const { enabled, ...cp } = args.controlPlane;
        if (enabled !== undefined && typeof enabled !== "boolean") {
            throw new ConfigError(`${keyPrefix}:controlPlane.enabled`, "must be true or false");
        }
        validateControlPlaneArgs(cp, `${keyPrefix}:controlPlane`);
        const prefix = oidcGroupsPrefix(args);
        (args.namespaces ?? []).forEach((ns, i) => {
            if (prefix !== undefined && ns.oidcGroupsPrefix !== undefined && ns.oidcGroupsPrefix !== prefix) {
                throw new ConfigError(
                    `${keyPrefix}:namespaces[${i}].oidcGroupsPrefix`,
                    `'${ns.oidcGroupsPrefix}' differs from the API server's ` +
                        `${keyPrefix}:controlPlane.oidc.groupsPrefix '${prefix}'`,
                );
            }
        });
    }
    if (args.ingresses !== undefined && !Array.isArray(args.ingresses))
        throw new ConfigError(`${keyPrefix}:ingresses`, "must be a list of ingresses");
    const ingressNames = new Set<string>();
    (args.ingresses ?? []).forEach((ing, i) => {
        const key = `${keyPrefix}:ingresses[${i}]`;
        checkDnsLabel(`${key}.name`, ing?.name);
        validateSecureIngressArgs(ing, key);
        if (ing.ingressName !== undefined)
            throw new ConfigError(`${key}.ingressName`, "is not a key of an ingress entry: `name` names the Ingress");
        if (!seen.has(ing.namespace))
            throw new ConfigError(
                `${key}.namespace`,
                `'${ing.namespace}' is not one of the team namespaces of ${keyPrefix}:namespaces`,
            );
        const id = `${ing.namespace}/${ing.name}`;
        if (ingressNames.has(id)) throw new ConfigError(`${key}.name`, `duplicate ingress '${id}'`);
        ingressNames.add(id);
    });
    if (args.alerts !== undefined) {
        if (args.alerts === null || typeof args.alerts !== "object" || Array.isArray(args.alerts))
            throw new ConfigError(
                `${keyPrefix}:alerts`,
                "must be an object such as {prometheusOperator: true, namespace: monitoring}",
            );
        const { prometheusOperator, ...alerts } = args.alerts;
        if (prometheusOperator !== undefined && typeof prometheusOperator !== "boolean") {
            throw new ConfigError(
                `${keyPrefix}:alerts.prometheusOperator`,
                "must be true or false (are the Prometheus Operator CRDs installed?)",
            );
        }
        validateSecurityAlertsArgs({ namespace: DEFAULT_ALERTS_NAMESPACE, ...alerts }, `${keyPrefix}:alerts`);
    }
    if (args.admission !== undefined) {
        if (args.admission.enabled !== undefined && typeof args.admission.enabled !== "boolean") {
            throw new ConfigError(`${keyPrefix}:admission.enabled`, "must be true or false");
        }
        return { ...args, admission: validateClusterAdmissionArgs(args.admission, `${keyPrefix}:admission`) };
    }
    return args;
}

export class ClusterBaseline extends pulumi.ComponentResource {
    public readonly namespaces: SecureNamespace[] = [];
    public readonly falco?: Falco;
    public readonly trivy?: TrivyOperator;
    public readonly kubeBench?: KubeBench;
    public readonly controlPlane?: ControlPlaneHardening;
    public readonly admission?: ClusterAdmission;
    public readonly alerts?: SecurityAlerts;
    public readonly ingresses: SecureIngress[] = [];

    constructor(name: string, args: ClusterBaselineArgs, opts: pulumi.ComponentResourceOptions = {}, keyPrefix = name) {
        super("hardened:k8s:ClusterBaseline", name, {}, opts);
        args = validateClusterBaselineArgs(args, keyPrefix);
        const child = { parent: this, ...(opts.provider ? { provider: opts.provider } : {}) };
        const prefix = oidcGroupsPrefix(args);
        for (const { name: nsName, ...rest } of args.namespaces ?? []) {
            // Named `<baseline>-<namespace>` so two baselines never collide; stacks created when the
            // name was the namespace alone keep their resources through the alias (children follow).
            this.namespaces.push(
                new SecureNamespace(
                    `${name}-${nsName}`,
                    { namespaceName: nsName, ...(prefix ? { oidcGroupsPrefix: prefix } : {}), ...rest },
                    { ...child, aliases: [{ name: nsName }] },
                ),
            );
        }
        const byName = new Map((args.namespaces ?? []).map((n, i) => [n.name, this.namespaces[i]]));
        for (const { name: ingName, ...ing } of args.ingresses ?? []) {
            // `<baseline>-<namespace>-<name>`: ingresses of one name in two namespaces are allowed.
            this.ingresses.push(
                new SecureIngress(
                    `${name}-${ing.namespace}-${ingName}`,
                    { ...ing, ingressName: ingName },
                    { ...child, dependsOn: [byName.get(ing.namespace)!], aliases: [{ name: ingName }] },
                ),
            );
        }
        const al = args.alerts?.prometheusOperator ? args.alerts : undefined;
        const alertsNamespace = al?.namespace ?? DEFAULT_ALERTS_NAMESPACE;
        const metrics = al
            ? {
                  scrapeNamespace: alertsNamespace,
                  serviceMonitorLabels: al.ruleSelectorLabels ?? DEFAULT_RULE_SELECTOR_LABELS,
              }
            : undefined;
        const f = args.addons?.falco;
        if (f?.enabled) {
            this.falco = new Falco(
                `${name}-falco`,
                { namespace: f.namespace, egressCidrs: f.egressCidrs, metrics },
                child,
            );
        }
        const t = args.addons?.trivy;
        if (t?.enabled) {
            this.trivy = new TrivyOperator(
                `${name}-trivy`,
                { namespace: t.namespace, egressCidrs: t.egressCidrs, metrics },
                child,
            );
        }
        const b = args.addons?.kubeBench;
        if (b?.enabled) {
            const { enabled: _b, ...bench } = b;
            this.kubeBench = new KubeBench(`${name}-kube-bench`, bench, child);
        }
        if (args.controlPlane?.enabled) {
            const { enabled: _enabled, ...cp } = args.controlPlane;
            this.controlPlane = new ControlPlaneHardening(`${name}-control-plane`, cp, { parent: this });
        }
        if (al) {
            const { prometheusOperator: _p, ...alerts } = al;
            this.alerts = new SecurityAlerts(`${name}-alerts`, { ...alerts, namespace: alertsNamespace }, child);
        }
        if (args.admission?.enabled) {
            const { enabled: _on, ...adm } = args.admission;
            this.admission = new ClusterAdmission(`${name}-admission`, adm, child);
        }
        this.registerOutputs({ namespaces: this.namespaces.map(n => n.namespaceName) });
    }
}
