/**
 * The rule core's vocabulary. Nothing here (or anywhere under rules/) imports Pulumi: rules are
 * pure functions over plain Kubernetes objects, adapted by thin faces (the CrossGuard pack, the
 * offline scanner).
 */

export type Severity = "critical" | "high" | "medium" | "low";
export type EnforcementLevel = "mandatory" | "advisory" | "disabled";

export interface ObjectMeta {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: unknown[];
    [key: string]: unknown;
}

/** Any Kubernetes object, as found in a manifest or in a Pulumi resource's inputs. */
export interface K8sObject {
    apiVersion?: string;
    kind?: string;
    metadata?: ObjectMeta;
    [key: string]: unknown;
}

/** One violation of one control by one object. */
export interface Finding {
    /** Catalog control ID, e.g. `PS-01`. */
    controlId: string;
    /** Full sentence naming the container (where there is one) and what is wrong. */
    message: string;
    /** Dotted field path inside `object`, e.g. `spec.template.spec.containers[0].securityContext.privileged`. */
    path?: string;
    /** The object the finding is about (for stack rules: the offending object). */
    object: K8sObject;
    /**
     * True when the verdict could not be reached because a deciding value is unknown (a Pulumi
     * preview output). Faces report these as "cannot verify during preview", never as a pass.
     */
    unknown?: boolean;
    /**
     * True when the rule threw on this object: the control could not be decided, `message` carries
     * the exception. Faces report it as an error for the resource, never as a pass.
     */
    error?: boolean;
}

/** JSON-schema fragment for one rule-specific config property (mirrors CrossGuard's configSchema). */
export interface ConfigProperty {
    type: "string" | "number" | "integer" | "boolean" | "array" | "object";
    description: string;
    default: unknown;
    items?: Record<string, unknown>;
    enum?: unknown[];
    additionalProperties?: unknown;
    [key: string]: unknown;
}

/** Resolved per-rule configuration: the common exemption keys plus the rule's own properties. */
export interface RuleConfig {
    /** Namespaces whose objects this rule skips. */
    exemptNamespaces: string[];
    /** Object names (metadata.name) this rule skips; `*` suffix matches a prefix. */
    exemptNames: string[];
    /** Label selector (all key=value pairs must match) of objects this rule skips. */
    exemptLabels: Record<string, string>;
    [key: string]: unknown;
}

export interface RuleContext {
    /** This rule's resolved config (defaults applied). */
    config: RuleConfig;
}

export interface RuleBase {
    /** Catalog control ID (must exist in controls.json). */
    id: string;
    /** kebab-case policy name, unique in the pack. */
    name: string;
    /** What the rule checks and why, in full sentences. */
    description: string;
    /** The concrete fix; names the blueprint component arg where there is one. */
    remediation: string;
    /** Kubernetes documentation link. */
    url: string;
    /** Rule-specific config properties (exemption keys are added by the framework). */
    config?: Record<string, ConfigProperty>;
    /** Default exemptions shipped with the rule (e.g. the Falco namespace), visible in the schema. */
    defaultExemptNamespaces?: string[];
    /**
     * The control in the API server: its CEL twin (a ValidatingAdmissionPolicy the admission face
     * generates), or why it has none. Declared per area in `rules/<area>/admission.ts` and set on
     * every rule of `RULES`; a lint test requires it of every control.
     */
    admission?: Admission;
}

/** Which API resources a twin's policy matches (a ValidatingAdmissionPolicy resource rule, without operations). */
export interface AdmissionResources {
    apiGroups: string[];
    apiVersions: string[];
    resources: string[];
}

/** A value fixed for the control, or derived from the control's resolved policy config. */
export type FromConfig<T> = T | ((cfg: RuleConfig) => T);

/**
 * A control's CEL twin: the same decision, made by the API server on the object being admitted.
 * Plain data (strings and pure functions of the control's resolved config); the admission face
 * turns it into a ValidatingAdmissionPolicy and its binding.
 */
export interface CelTwin {
    resources: AdmissionResources[];
    variables?: Array<{ name: string; expression: string }>;
    /** CEL that must be true for the object to be admitted. */
    expression: FromConfig<string>;
    /** The denial message; starts with `[<control ID>]`. */
    message: FromConfig<string>;
    /** Extra matchConditions of this control (e.g. the controllers that must never be blocked). */
    matchConditions?: Array<{ name: string; expression: string }>;
    /** Installed only when this holds for the stack's config (e.g. IMG-03 needs a registry list). */
    when?: (cfg: RuleConfig) => boolean;
    /**
     * Pod Security admission already refuses these settings in namespaces enforcing `baseline` or
     * `restricted`: the binding selects only the namespaces that enforce neither.
     */
    outsidePodSecurity?: boolean;
    /**
     * What the twin leaves to the pack and the scanner, when it decides only part of the rule
     * (e.g. RBAC-06: a binding to another role that grants `*` needs that role).
     */
    gap?: string;
}

/** Why a control has no CEL twin. */
export type NoTwinKind =
    /** The rule needs several objects (a namespace and what is in it, a binding and its role). */
    | "several-objects"
    /** The rule judges files that never reach the API server as objects (control-plane configuration). */
    | "not-an-api-object"
    /** Pod Security admission (the namespace's enforce label) already enforces it in the cluster. */
    | "pod-security"
    /** The object the API server admits differs from the manifest in what the rule looks at. */
    | "admission-sees-other-object"
    /** CEL cannot express the rule faithfully (a parser, a regex or string semantics, a cost limit). */
    | "cel-cannot-express";

export interface NoTwin {
    kind: NoTwinKind;
    /** The precise reason, in full sentences. */
    reason: string;
}

export type Admission = { twin: CelTwin } | { none: NoTwin };

/** Kinds of reason that a control deciding on one object at a time cannot claim. */
export const MULTI_OBJECT_REASONS: readonly NoTwinKind[] = ["several-objects"];

/** Decided from one object at a time. */
export interface ResourceRule extends RuleBase {
    scope: "resource";
    /** Kinds the rule looks at; the framework only calls `check` for these. */
    kinds: readonly string[];
    /**
     * The rule judges pod specs: it is also called for objects of other kinds that carry one
     * (well-known custom resources, unknown kinds holding containers), see rules/podspec.ts.
     */
    podTemplates?: boolean;
    check(obj: K8sObject, ctx: RuleContext): Finding[];
}

/** Needs the whole set of objects (a stack, or all files given to the scanner). */
export interface StackRule extends RuleBase {
    scope: "stack";
    /**
     * The rule judges each object on its own and needs the set only to resolve something the API
     * server resolves itself (the RBAC grant rules: ClusterRole aggregation, whose result the
     * controller writes into the aggregated ClusterRole). It counts as a single-object control.
     */
    eachObject?: boolean;
    /** Kinds the rule may report on. */
    kinds: readonly string[];
    check(objects: readonly K8sObject[], ctx: RuleContext): Finding[];
}

export type Rule = ResourceRule | StackRule;
