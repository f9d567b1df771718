/**
 * SecurityAlerts (`hardened:k8s:SecurityAlerts`): one PrometheusRule (`monitoring.coreos.com/v1`, from the
 * Prometheus Operator CRDs, which must already be installed) carrying the rules of `rules.ts`, labelled so
 * the operator's Prometheus loads it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { checkDnsLabel, ConfigError } from "../validate";
import { securityAlertRules, SecurityAlertRulesOptions, validateSecurityAlertOptions } from "./alertRules";

export interface SecurityAlertsArgs extends SecurityAlertRulesOptions {
    /**
     * Namespace of the PrometheusRule: one the Prometheus `ruleNamespaceSelector` covers (kube-prometheus-stack
     * watches every namespace by default). Required: monitoring stacks live in different namespaces.
     */
    readonly namespace: pulumi.Input<string>;
    /**
     * Labels the Prometheus `ruleSelector` matches. Default: `{release: "kube-prometheus-stack"}`, what that
     * chart selects when installed as the release `kube-prometheus-stack`.
     * See https://prometheus-operator.dev/docs/developer/alerting/.
     */
    readonly ruleSelectorLabels?: Record<string, string>;
}

export const DEFAULT_RULE_SELECTOR_LABELS: Record<string, string> = { release: "kube-prometheus-stack" };

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** The component's own args apart from the rule options; `enabled` is the stack config's switch, read by the caller. */
function split(a: SecurityAlertsArgs) {
    const { namespace, ruleSelectorLabels, enabled, ...rules } = a as SecurityAlertsArgs & { enabled?: unknown };
    return { namespace, ruleSelectorLabels, enabled, rules: rules as SecurityAlertRulesOptions };
}

export function validateSecurityAlertsArgs(a: SecurityAlertsArgs, keyPrefix: string): void {
    if (a === null || typeof a !== "object" || Array.isArray(a)) throw new ConfigError(keyPrefix, "must be an object");
    const { namespace, ruleSelectorLabels, enabled, rules } = split(a);
    if (enabled !== undefined && typeof enabled !== "boolean")
        throw new ConfigError(`${keyPrefix}.enabled`, "must be true or false");
    if (namespace === undefined)
        throw new ConfigError(`${keyPrefix}.namespace`, "is required: the namespace of the PrometheusRule");
    if (typeof namespace === "string") checkDnsLabel(`${keyPrefix}.namespace`, namespace);
    if (ruleSelectorLabels !== undefined) {
        if (
            ruleSelectorLabels === null ||
            typeof ruleSelectorLabels !== "object" ||
            Array.isArray(ruleSelectorLabels)
        ) {
            throw new ConfigError(`${keyPrefix}.ruleSelectorLabels`, "must be a map of label names to values");
        }
        for (const [k, v] of Object.entries(ruleSelectorLabels)) {
            if (!LABEL_KEY.test(k))
                throw new ConfigError(`${keyPrefix}.ruleSelectorLabels.${k}`, "is not a valid label name");
            if (typeof v !== "string" || !LABEL_VALUE.test(v))
                throw new ConfigError(
                    `${keyPrefix}.ruleSelectorLabels.${k}`,
                    `'${String(v)}' is not a valid label value`,
                );
        }
    }
    validateSecurityAlertOptions(rules, keyPrefix);
}

export class SecurityAlerts extends pulumi.ComponentResource {
    public readonly rule: k8s.apiextensions.CustomResource;

    constructor(name: string, args: SecurityAlertsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("hardened:k8s:SecurityAlerts", name, {}, opts);
        validateSecurityAlertsArgs(args, name);
        const { namespace, ruleSelectorLabels, rules } = split(args);
        const spec = securityAlertRules(rules, name);
        const child = { parent: this, ...(opts.provider ? { provider: opts.provider } : {}) };
        this.rule = new k8s.apiextensions.CustomResource(
            `${name}-rules`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: {
                    name,
                    namespace,
                    labels: {
                        ...(ruleSelectorLabels ?? DEFAULT_RULE_SELECTOR_LABELS),
                        "app.kubernetes.io/part-of": "hardened-cluster",
                    },
                },
                spec,
            },
            child,
        );
        this.registerOutputs({ rule: this.rule });
    }
}
