/**
 * The admission face of the rule core: every control's CEL twin (declared beside its rule, in
 * rules/<area>/admission.ts) as a ValidatingAdmissionPolicy and its binding, run by the API server
 * itself. Plain objects, no Pulumi: ClusterAdmission (components/admission) installs them, the e2e
 * proves each twin gives the same verdict as its rule on the shared fixtures (parity table).
 *
 * Break-glass: every binding skips requests from `system:masters` (matchConditions), so a broken
 * policy can never lock the cluster's break-glass administrators out.
 */

import { RULES } from "../rules";
import { celString } from "../rules/cel";
import { PackConfig, resolveRules } from "../rules/evaluate";
import { checkPackConfig } from "../rules/packConfig";
import { CelTwin, FromConfig, NoTwin, Rule, RuleConfig } from "../rules/types";
import { ADDON_NAMESPACES, PSS_ENFORCE_LABEL, SYSTEM_NAMESPACES } from "../rules/vocabulary";

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects as plain JSON */
type Obj = Record<string, any>;

export type AdmissionAction = "Deny" | "Warn" | "Audit";

export interface AdmissionControl extends CelTwin {
    /** Catalog control ID (the same ID the policy pack reports). */
    id: string;
    /** The pack's policy name of the control (the key of its entry in the policy config file). */
    name: string;
}

/** Every control with a CEL twin, in catalog order. */
export const ADMISSION_CONTROLS: readonly AdmissionControl[] = RULES.flatMap(r =>
    r.admission && "twin" in r.admission ? [{ ...r.admission.twin, id: r.id, name: r.name }] : [],
);

/** Every control without a twin, with the reason. */
export const WITHOUT_TWIN: ReadonlyArray<{ id: string; name: string } & NoTwin> = RULES.flatMap(r =>
    r.admission && "none" in r.admission ? [{ id: r.id, name: r.name, ...r.admission.none }] : [],
);

/**
 * A control is decided from one object at a time: a resource rule, or a stack rule that judges
 * each object on its own (`eachObject`, the RBAC grant rules). Each of these needs a twin or a
 * reason that does not rest on needing several objects.
 */
export const isSingleObject = (r: Rule): boolean => r.scope === "resource" || r.eachObject === true;

export interface AdmissionOptions {
    /** Name prefix of the generated objects. */
    prefix: string;
    /** Namespaces every binding skips (system namespaces and the blueprint's own add-ons). */
    exemptNamespaces: string[];
    /**
     * The stack's policy config (the `--policy-pack-config` format, `stacks/policy-config.<stack>.json`):
     * per control its level (mandatory → Deny, advisory → Warn + Audit, disabled → not installed),
     * its exemptions (namespaces, names, labels) and its own settings (IMG-03's registries).
     * A config checked where it entered (a `CheckedPackConfig`: the stack's file, ClusterAdmission's
     * argument) is used as it is; any other value is checked here first.
     */
    packConfig?: PackConfig;
    /** Override the action per control ID (e.g. roll out in Warn before Deny). */
    actions?: Record<string, AdmissionAction[]>;
    /** Object names every policy skips (a trailing `*` matches a prefix), as the pack's `exemptNames`. */
    exemptNames?: string[];
    /** Objects carrying all of these labels are skipped by every policy, as the pack's `exemptLabels`. */
    exemptLabels?: Record<string, string>;
}

/**
 * The garbage collector removes the `foregroundDeletion` finalizer of an object whose dependents
 * are gone (an update). Judging that update again would leave an object that an admission policy
 * now refuses (a team's Role granting exec, created before the policy or by break-glass) stuck in
 * deletion for ever: `pulumi destroy` timed out on exactly that. The collector only edits
 * finalizers and owner references, so its writes are let through. Its identity: its own
 * ServiceAccount, or the controller manager's without per-controller credentials.
 */
export const NOT_GARBAGE_COLLECTOR = {
    name: "not-garbage-collector",
    expression:
        "!(request.userInfo.username in ['system:serviceaccount:kube-system:generic-garbage-" +
        "collector', 'system:kube-controller-manager'])",
};

/**
 * matchConditions for the exemptions: break-glass and the garbage collector first, then names, then each set of labels.
 */
function matchConditions(o: {
    exemptNames?: string[];
    exemptLabels?: Array<Record<string, string> | undefined>;
}): Obj[] {
    const out: Obj[] = [
        { name: "not-break-glass", expression: "!('system:masters' in request.userInfo.groups)" },
        NOT_GARBAGE_COLLECTOR,
    ];
    const names = [...new Set(o.exemptNames ?? [])];
    if (names.length > 0) {
        const tests = names.map(n =>
            n.endsWith("*")
                ? `object.metadata.name.startsWith(${celString(n.slice(0, -1))})`
                : `object.metadata.name == ${celString(n)}`,
        );
        out.push({ name: "not-exempt-name", expression: `!(${tests.join(" || ")})` });
    }
    const sets = (o.exemptLabels ?? []).map(l => Object.entries(l ?? {})).filter(l => l.length > 0);
    sets.forEach((labels, i) => {
        const tests = labels.map(
            ([k, v]) =>
                `(${celString(k)} in object.metadata.labels && ` +
                `object.metadata.labels[${celString(k)}] == ${celString(v)})`,
        );
        out.push({
            name: i === 0 ? "not-exempt-labels" : `not-exempt-labels-${i + 1}`,
            expression: `!(has(object.metadata.labels) && ${tests.join(" && ")})`,
        });
    });
    return out;
}

export const DEFAULT_EXEMPT_NAMESPACES = [...SYSTEM_NAMESPACES, ...ADDON_NAMESPACES];

const PSS_ENFORCE = PSS_ENFORCE_LABEL;
const fromConfig = <T>(v: FromConfig<T>, cfg: RuleConfig): T =>
    typeof v === "function" ? (v as (c: RuleConfig) => T)(cfg) : v;

/** ValidatingAdmissionPolicy + binding per control the stack's policy config leaves enabled. */
export function admissionPolicies(o: AdmissionOptions): Obj[] {
    const resolved = new Map(
        resolveRules(
            ADMISSION_CONTROLS.map(c => RULES.find(r => r.id === c.id)!),
            o.packConfig === undefined ? {} : checkPackConfig(o.packConfig, RULES, "packConfig"),
        ).map(r => [r.rule.id, r]),
    );
    const out: Obj[] = [];
    for (const c of ADMISSION_CONTROLS) {
        const { enforcementLevel, config } = resolved.get(c.id)!;
        if (enforcementLevel === "disabled" || (c.when && !c.when(config))) continue;
        const name = `${o.prefix}${c.id.toLowerCase()}-${c.name}`;
        const labels = { "hardened-cluster/control": c.id };
        const namespaces = [...new Set([...o.exemptNamespaces, ...config.exemptNamespaces])];
        out.push({
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicy",
            metadata: { name, labels },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: { resourceRules: c.resources.map(r => ({ ...r, operations: ["CREATE", "UPDATE"] })) },
                // Break-glass: the cluster's system:masters identities are never blocked; then the exemptions.
                matchConditions: [
                    ...matchConditions({
                        exemptNames: [...(o.exemptNames ?? []), ...config.exemptNames],
                        exemptLabels: [o.exemptLabels, config.exemptLabels],
                    }),
                    ...(c.matchConditions ?? []),
                ],
                ...(c.variables ? { variables: c.variables } : {}),
                validations: [{ expression: fromConfig(c.expression, config), message: fromConfig(c.message, config) }],
                auditAnnotations: [{ key: "control", valueExpression: `'${c.id}'` }],
            },
        });
        out.push({
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicyBinding",
            metadata: { name, labels },
            spec: {
                policyName: name,
                validationActions:
                    o.actions?.[c.id] ?? (enforcementLevel === "mandatory" ? ["Deny"] : ["Warn", "Audit"]),
                matchResources: {
                    namespaceSelector: {
                        matchExpressions: [
                            { key: "kubernetes.io/metadata.name", operator: "NotIn", values: namespaces },
                            ...(c.outsidePodSecurity
                                ? [{ key: PSS_ENFORCE, operator: "NotIn", values: ["baseline", "restricted"] }]
                                : []),
                        ],
                    },
                },
            },
        });
    }
    return out;
}
