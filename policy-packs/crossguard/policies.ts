/**
 * The CrossGuard face of the rule core: each rule becomes a resource or stack validation policy
 * with the catalog's metadata, the configured enforcement level and a config schema whose
 * defaults (including the shipped exemptions) are visible to users.
 */
import {
    Policy,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    UnknownValueError,
} from "@pulumi/policy";
import proxy from "./sdk";
import { control, defaultEnforcement } from "../../rules/catalog";
import { checkResource, checkStack, COMMON_CONFIG_SCHEMA, isExempt, resolveRuleConfig } from "../../rules/evaluate";
import { isPodCarrier } from "../../rules/podspec";
import { Finding, K8sObject, Rule } from "../../rules/types";
import { kindOf, kubernetesObject } from "./objects";

/** JSON schema of a rule's config: the exemption keys (with this rule's defaults) plus its own properties. */
export function configSchemaOf(rule: Rule): { properties: Record<string, Record<string, unknown>> } {
    return {
        properties: {
            exemptNamespaces: {
                ...COMMON_CONFIG_SCHEMA.exemptNamespaces,
                default: [...(rule.defaultExemptNamespaces ?? [])],
            },
            exemptNames: { ...COMMON_CONFIG_SCHEMA.exemptNames, default: [] },
            exemptLabels: { ...COMMON_CONFIG_SCHEMA.exemptLabels, default: {} },
            ...Object.fromEntries(Object.entries(rule.config ?? {}).map(([k, v]) => [k, { ...v }])),
        },
    };
}

/** Description shown by the engine: the rule's text, its control ID and references. */
function descriptionOf(rule: Rule): string {
    const c = control(rule.id);
    return `[${rule.id}] ${rule.description}${c.references ? ` References: ${c.references}.` : ""}`;
}

function messageOf(f: Finding): string {
    if (f.error) {
        return `[${f.controlId}] POLICY ERROR: ${f.message} Treated as a violation until the resource can be checked.`;
    }
    return `[${f.controlId}] ${f.message}${f.path ? ` (field: ${f.path})` : ""}`;
}

/** The object form of a violation the policy SDK's server takes (not in its type declarations). */
interface ViolationObject {
    message: string;
    urn?: string;
    enforcementLevel: "mandatory";
}

/**
 * Report real findings at the policy's level; findings on unknown values become the SDK's advisory "cannot run during
 * preview" diagnostic.
 */
function report(
    findings: Finding[],
    reportViolation: ReportViolation,
    urnOf: (o: K8sObject) => string | undefined,
): void {
    const unknown: string[] = [];
    for (const f of findings) {
        if (f.error) {
            // The SDK's server (pinned @pulumi/policy 1.21.0) also accepts a violation object whose
            // enforcementLevel overrides the policy's: a rule that failed blocks whatever the level.
            (reportViolation as unknown as (v: ViolationObject) => void)({
                message: messageOf(f),
                urn: urnOf(f.object),
                enforcementLevel: "mandatory",
            });
        } else if (f.unknown) {
            unknown.push(f.path ?? f.message);
        } else {
            reportViolation(messageOf(f), urnOf(f.object));
        }
    }
    if (unknown.length > 0) {
        throw new UnknownValueError(proxy.unknownStringValue, [unknown.join(", ")]);
    }
}

export function toPolicy(rule: Rule): Policy {
    const base = {
        name: rule.name,
        description: descriptionOf(rule),
        enforcementLevel: defaultEnforcement(rule.id),
        severity: control(rule.id).severity,
        remediationSteps: rule.remediation,
        url: rule.url,
        configSchema: configSchemaOf(rule),
    };
    if (rule.scope === "resource") {
        const kinds = new Set(rule.kinds);
        const policy: ResourceValidationPolicy = {
            ...base,
            validateResource: (args, reportViolation) => {
                // Decide applicability from the type token before unwrapping the props.
                const kind = kindOf(args.type);
                if (kind === undefined || (!kinds.has(kind) && !rule.podTemplates)) {
                    return;
                }
                const obj = kubernetesObject(args.type, args.props)!;
                // Pod rules also judge custom resources carrying pod templates (Rollouts, Knative Services, ...).
                if (!kinds.has(kind) && !isPodCarrier(obj)) {
                    return;
                }
                const config = resolveRuleConfig(rule, args.getConfig<Record<string, unknown>>());
                if (isExempt(obj, config)) {
                    return;
                }
                report(checkResource(rule, obj, { config }), reportViolation, () => undefined);
            },
        };
        return policy;
    }
    const policy: StackValidationPolicy = {
        ...base,
        validateStack: (args, reportViolation) => {
            const urns = new Map<K8sObject, string>();
            const objects: K8sObject[] = [];
            for (const r of args.resources) {
                const obj = kubernetesObject(r.type, r.props);
                if (obj) {
                    objects.push(obj);
                    urns.set(obj, r.urn);
                }
            }
            const config = resolveRuleConfig(rule, args.getConfig<Record<string, unknown>>());
            const findings = checkStack(rule, objects, { config }).filter(f => !isExempt(f.object, config));
            report(findings, reportViolation, o => urns.get(o));
        },
    };
    return policy;
}

export function toPolicies(rules: readonly Rule[]): Policy[] {
    return rules.map(toPolicy);
}
