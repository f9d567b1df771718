/**
 * ClusterAdmission (`hardened:k8s:ClusterAdmission`): installs the ValidatingAdmissionPolicies of
 * the admission face (`admission/policies.ts`: every CEL twin of the rule core) with their
 * bindings, so objects applied outside Pulumi (kubectl, other tools, a compromised CI job) meet the
 * same controls inside the API server.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { RULES } from "../../rules";
import { PackConfig } from "../../rules/evaluate";
import { CheckedPackConfig, checkPackConfig } from "../../rules/packConfig";
import { checkKnownKeys, checkLabels, checkOneOf, checkStringList, ConfigError } from "../validate";
import {
    ADMISSION_CONTROLS,
    AdmissionAction,
    admissionPolicies,
    DEFAULT_EXEMPT_NAMESPACES,
} from "../../admission/policies";

export interface ClusterAdmissionArgs {
    /**
     * The stack's policy config, in the `--policy-pack-config` format the pack and the scanner read
     * (the program loads `stacks/policy-config.<stack>.json`): each control's level (mandatory → Deny,
     * advisory → Warn + Audit, disabled → not installed), exemptions and settings such as IMG-03's
     * `allowedRegistries`. Default: the pack's defaults.
     */
    readonly policyConfig?: PackConfig;
    /** Namespaces the bindings skip. Default: kube-system, kube-public, kube-node-lease, falco, trivy-system. */
    readonly exemptNamespaces?: string[];
    /**
     * Actions per control ID, e.g. `{"RBAC-01": ["Warn", "Audit"]}` to roll a control out in Warn
     * before Deny. Default: the policy pack's levels — mandatory → Deny, advisory → Warn + Audit.
     */
    readonly actions?: Record<string, AdmissionAction[]>;
    /** Object names every policy skips (a trailing `*` matches a prefix). Default: none. */
    readonly exemptNames?: string[];
    /** Objects with all of these labels are skipped by every policy. Default: none. */
    readonly exemptLabels?: Record<string, string>;
}

const ACTIONS: readonly AdmissionAction[] = ["Deny", "Warn", "Audit"];

/** The arguments once validated: the policy config is the checked value the admission face takes. */
export type CheckedClusterAdmissionArgs = ClusterAdmissionArgs & { readonly policyConfig?: CheckedPackConfig };

/** Validate the arguments; returns them with the policy config checked (a checked one is not checked again). */
export function validateClusterAdmissionArgs<A extends ClusterAdmissionArgs>(
    a: A,
    keyPrefix: string,
): A & CheckedClusterAdmissionArgs {
    checkKnownKeys(keyPrefix, a, [
        "exemptNamespaces",
        "exemptNames",
        "exemptLabels",
        "actions",
        "enabled",
        "policyConfig",
    ]);
    let policyConfig: CheckedPackConfig | undefined;
    if (a.policyConfig !== undefined) {
        try {
            policyConfig = checkPackConfig(a.policyConfig, RULES, `${keyPrefix}.policyConfig`);
        } catch (e) {
            throw new ConfigError(
                `${keyPrefix}.policyConfig`,
                (e as Error).message.replace(`${keyPrefix}.policyConfig: `, ""),
            );
        }
    }
    if (a.exemptNamespaces !== undefined) checkStringList(`${keyPrefix}.exemptNamespaces`, a.exemptNamespaces);
    if (a.exemptNames !== undefined) checkStringList(`${keyPrefix}.exemptNames`, a.exemptNames);
    checkLabels(`${keyPrefix}.exemptLabels`, a.exemptLabels);
    const ids = ADMISSION_CONTROLS.map(c => c.id);
    for (const [id, acts] of Object.entries(a.actions ?? {})) {
        if (!ids.includes(id))
            throw new ConfigError(
                `${keyPrefix}.actions.${id}`,
                `not a control enforced in the API server; allowed: ${ids.join(", ")}`,
            );
        checkStringList(`${keyPrefix}.actions.${id}`, acts, { nonEmpty: true });
        acts.forEach((x, i) => checkOneOf(`${keyPrefix}.actions.${id}[${i}]`, x, ACTIONS));
        if (acts.includes("Deny") && acts.includes("Warn"))
            throw new ConfigError(
                `${keyPrefix}.actions.${id}`,
                "Deny and Warn together are not allowed by the API server",
            );
    }
    return policyConfig === undefined ? (a as A & CheckedClusterAdmissionArgs) : { ...a, policyConfig };
}

export class ClusterAdmission extends pulumi.ComponentResource {
    public readonly policies: pulumi.CustomResource[] = [];

    constructor(name: string, args: ClusterAdmissionArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
        super("hardened:k8s:ClusterAdmission", name, {}, opts);
        const { policyConfig } = validateClusterAdmissionArgs(args, name);
        const child = { parent: this, ...(opts.provider ? { provider: opts.provider } : {}) };
        for (const o of admissionPolicies({
            prefix: "hardened-",
            exemptNamespaces: args.exemptNamespaces ?? DEFAULT_EXEMPT_NAMESPACES,
            packConfig: policyConfig,
            actions: args.actions,
            exemptNames: args.exemptNames,
            exemptLabels: args.exemptLabels,
        })) {
            const id =
                `${name}-${o.kind === "ValidatingAdmissionPolicy" ? "policy" : "binding"}-` +
                `${o.metadata.labels["hardened-cluster/control"].toLowerCase()}`;
            this.policies.push(
                o.kind === "ValidatingAdmissionPolicy"
                    ? new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
                          id,
                          { metadata: o.metadata, spec: o.spec },
                          child,
                      )
                    : new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                          id,
                          { metadata: o.metadata, spec: o.spec },
                          child,
                      ),
            );
        }
        this.registerOutputs({});
    }
}
