/**
 * Runtime-security add-ons: Falco and Trivy-operator, each in a namespace created by us (with the
 * Pod Security level it truly needs, default-deny NetworkPolicies and only the egress it needs)
 * and installed with `k8s.helm.v4.Chart`, whose rendered objects the policy pack sees.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { FALCO_NS, TRIVY_NS } from "../../rules/vocabulary";
import { SecureNamespace } from "../secureNamespace";
import {
    AddonMetrics,
    FALCO_CHART,
    FALCO_METRICS_PORT,
    falcoValues,
    TRIVY_CHART,
    TRIVY_METRICS_PORT,
    trivyValues,
} from "./values";

export interface AddonArgs {
    /** Namespace name. Defaults: `falco`, `trivy-system` (the names the policy pack exempts by default). */
    readonly namespace?: string;
    /**
     * CIDRs the add-on may reach on 443/6443 (the API server; for Trivy also its vulnerability DB
     * registry). Default `["0.0.0.0/0"]`: narrow it to your API server and registry mirror.
     */
    readonly egressCidrs?: string[];
    /**
     * Expose metrics to Prometheus: a ServiceMonitor, and ingress to the metrics port from the
     * monitoring namespace only. Default: off (set by the baseline when security alerts are on).
     */
    readonly metrics?: AddonMetrics & { readonly scrapeNamespace: string };
}

function addonNamespace(
    parent: pulumi.Resource,
    name: string,
    ns: string,
    egressCidrs: string[],
    metrics: { scrapeNamespace: string; port: number } | undefined,
    provider?: pulumi.ProviderResource,
): SecureNamespace {
    return new SecureNamespace(
        `${name}-ns`,
        {
            namespaceName: ns,
            // Privileged enforce is what the DaemonSets need (host PID, host paths, eBPF); audit and
            // warn stay at restricted so every exception is still recorded.
            podSecurity: { enforce: "privileged", audit: "restricted", warn: "restricted" },
            quota: { pods: 200, requestsCpu: "8", requestsMemory: "16Gi", limitsCpu: "32", limitsMemory: "64Gi" },
            limits: { maxCpu: "4", maxMemory: "8Gi" },
            network: {
                egress: [
                    {
                        name: "api-and-registries",
                        peers: egressCidrs.map(cidr => ({ cidr })),
                        ports: [{ port: 443 }, { port: 6443 }],
                    },
                ],
                ingress: metrics
                    ? [
                          {
                              name: "metrics-scrape",
                              peers: [{ namespaces: [metrics.scrapeNamespace] }],
                              ports: [{ port: metrics.port }],
                          },
                      ]
                    : [],
            },
        },
        { parent, ...(provider ? { provider } : {}) },
    );
}

export class Falco extends pulumi.ComponentResource {
    public readonly namespace: SecureNamespace;
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: AddonArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
        super("hardened:addons:Falco", name, {}, opts);
        this.namespace = addonNamespace(
            this,
            name,
            args.namespace ?? FALCO_NS,
            args.egressCidrs ?? ["0.0.0.0/0"],
            args.metrics && { scrapeNamespace: args.metrics.scrapeNamespace, port: FALCO_METRICS_PORT },
            opts.provider,
        );
        this.chart = new k8s.helm.v4.Chart(
            name,
            {
                chart: FALCO_CHART.chart,
                version: FALCO_CHART.version,
                repositoryOpts: { repo: FALCO_CHART.repo },
                namespace: this.namespace.namespaceName,
                values: falcoValues({ metrics: args.metrics }),
            },
            { parent: this, dependsOn: [this.namespace], ...(opts.provider ? { provider: opts.provider } : {}) },
        );
        this.registerOutputs({ namespace: this.namespace.namespaceName });
    }
}

export class TrivyOperator extends pulumi.ComponentResource {
    public readonly namespace: SecureNamespace;
    public readonly chart: k8s.helm.v4.Chart;

    constructor(
        name: string,
        args: AddonArgs & { severities?: string[] } = {},
        opts: pulumi.ComponentResourceOptions = {},
    ) {
        super("hardened:addons:TrivyOperator", name, {}, opts);
        this.namespace = addonNamespace(
            this,
            name,
            args.namespace ?? TRIVY_NS,
            args.egressCidrs ?? ["0.0.0.0/0"],
            args.metrics && { scrapeNamespace: args.metrics.scrapeNamespace, port: TRIVY_METRICS_PORT },
            opts.provider,
        );
        this.chart = new k8s.helm.v4.Chart(
            name,
            {
                chart: TRIVY_CHART.chart,
                version: TRIVY_CHART.version,
                repositoryOpts: { repo: TRIVY_CHART.repo },
                namespace: this.namespace.namespaceName,
                values: trivyValues({ severities: args.severities, metrics: args.metrics }),
            },
            { parent: this, dependsOn: [this.namespace], ...(opts.provider ? { provider: opts.provider } : {}) },
        );
        this.registerOutputs({ namespace: this.namespace.namespaceName });
    }
}
