/**
 * Runs rules over a set of objects: resolves each rule's config (defaults + user config in the
 * `--policy-pack-config` format), applies exemptions, and attaches severity and enforcement
 * level. Both the offline scanner and tests use this; the CrossGuard face calls the rules
 * itself (the engine hands it one resource at a time) but resolves config the same way.
 */
import { control, defaultEnforcement } from "./catalog";
import { RULES } from "./index";
import { carriesPods, isPodCarrier } from "./podspec";
import { storedNamespace } from "./vocabulary";
import {
    EnforcementLevel,
    Finding,
    K8sObject,
    ResourceRule,
    Rule,
    RuleConfig,
    RuleContext,
    Severity,
    StackRule,
} from "./types";

/** Exemption keys every rule accepts, with their JSON schema. */
export const COMMON_CONFIG_SCHEMA = {
    exemptNamespaces: {
        type: "array",
        items: { type: "string" },
        description: "Namespaces whose objects this policy does not check.",
    },
    exemptNames: {
        type: "array",
        items: { type: "string" },
        description: "Object names (metadata.name) this policy does not check; a trailing `*` matches a prefix.",
        default: [] as string[],
    },
    exemptLabels: {
        type: "object",
        additionalProperties: { type: "string" },
        description: "Objects carrying all of these labels (key: value) are not checked by this policy.",
        default: {} as Record<string, string>,
    },
} as const;

/** One policy's entry in a `--policy-pack-config` file: a level, or an object with a level and config. */
export type PolicyConfigEntry = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);
/** The `--policy-pack-config` file format; `all` sets the level of every policy. */
export type PackConfig = Record<string, PolicyConfigEntry>;

export interface ResolvedRule {
    rule: Rule;
    enforcementLevel: EnforcementLevel;
    severity: Severity;
    config: RuleConfig;
}

const LEVELS: readonly EnforcementLevel[] = ["mandatory", "advisory", "disabled"];

function entryLevel(entry: PolicyConfigEntry | undefined): EnforcementLevel | undefined {
    if (entry === undefined) {
        return undefined;
    }
    const level = typeof entry === "string" ? entry : entry.enforcementLevel;
    if (level !== undefined && !LEVELS.includes(level)) {
        throw new Error(`invalid enforcementLevel '${String(level)}': expected one of ${LEVELS.join(", ")}`);
    }
    return level;
}

/** The rule's config with every default applied, overlaid with user values. */
export function resolveRuleConfig(rule: Rule, user?: Record<string, unknown>): RuleConfig {
    const cfg: RuleConfig = {
        exemptNamespaces: [...(rule.defaultExemptNamespaces ?? [])],
        exemptNames: [],
        exemptLabels: {},
    };
    for (const [key, prop] of Object.entries(rule.config ?? {})) {
        cfg[key] = structuredClone(prop.default);
    }
    for (const [key, value] of Object.entries(user ?? {})) {
        if (key !== "enforcementLevel") {
            cfg[key] = value;
        }
    }
    return cfg;
}

/** Resolve level and config of every rule from a pack config (policy-specific beats `all`). */
export function resolveRules(rules: readonly Rule[], packConfig: PackConfig = {}): ResolvedRule[] {
    const all = entryLevel(packConfig.all);
    return rules.map(rule => {
        const entry = packConfig[rule.name];
        const level = entryLevel(entry) ?? all ?? defaultEnforcement(rule.id);
        const user = entry !== undefined && typeof entry === "object" ? entry : undefined;
        return {
            rule,
            enforcementLevel: level,
            severity: control(rule.id).severity,
            config: resolveRuleConfig(rule, user),
        };
    });
}

function matchesName(name: string, patterns: readonly string[]): boolean {
    return patterns.some(p => (p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : name === p));
}

/**
 * Namespace an object is judged in: its own for namespaced objects, its name for a Namespace, none for the other
 * cluster-scoped kinds (a stray `metadata.namespace` on a ClusterRole does not exempt it).
 */
export function namespaceOf(obj: K8sObject): string | undefined {
    const md = obj.metadata;
    if (obj.kind === "Namespace") {
        return typeof md?.name === "string" ? md.name : undefined;
    }
    return storedNamespace(obj);
}

function hasExemptions(cfg: RuleConfig): boolean {
    return (
        cfg.exemptNamespaces.length > 0 || cfg.exemptNames.length > 0 || Object.keys(cfg.exemptLabels ?? {}).length > 0
    );
}

/** True when the config exempts this object. */
export function isExempt(obj: K8sObject, cfg: RuleConfig): boolean {
    const ns = namespaceOf(obj);
    if (ns !== undefined && cfg.exemptNamespaces.includes(ns)) {
        return true;
    }
    const name = obj.metadata?.name;
    if (typeof name === "string" && matchesName(name, cfg.exemptNames)) {
        return true;
    }
    const want = Object.entries(cfg.exemptLabels ?? {});
    if (want.length > 0) {
        const labels = obj.metadata?.labels ?? {};
        if (want.every(([k, v]) => labels[k] === v)) {
            return true;
        }
    }
    return false;
}

/** Longest exception text carried into an error finding (a hostile value may sit in the message). */
const MAX_ERROR_TEXT = 300;

function text(v: unknown): string {
    return typeof v === "string" ? v : "?";
}

/** The finding standing for a rule that threw on `obj`: the control could not be decided there. */
export function errorFinding(rule: Rule, obj: K8sObject, e: unknown): Finding {
    let why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    if (why.length > MAX_ERROR_TEXT) why = `${why.slice(0, MAX_ERROR_TEXT)}…`;
    const ns = obj?.metadata?.namespace;
    const who = `${text(obj?.kind)} "${typeof ns === "string" && ns ? `${ns}/` : ""}${text(obj?.metadata?.name)}"`;
    return {
        controlId: rule.id,
        object: obj,
        error: true,
        message: `The rule ${rule.name} failed on ${who} (${why}), so ${rule.id} could not be decided for it.`,
    };
}

/** A resource rule's findings on one object; a throw becomes an error finding for that object. */
export function checkResource(rule: ResourceRule, obj: K8sObject, ctx: RuleContext): Finding[] {
    try {
        return rule.check(obj, ctx);
    } catch (e) {
        return [errorFinding(rule, obj, e)];
    }
}

/**
 * A stack rule's findings; if it throws, the objects that make it throw on their own get an error
 * finding each and the rule is run again without them, so every other finding is kept. When no
 * single object is to blame, every object of the rule's kinds gets an error finding (fail closed).
 */
export function checkStack(rule: StackRule, objects: readonly K8sObject[], ctx: RuleContext): Finding[] {
    let first: unknown;
    try {
        return rule.check(objects, ctx);
    } catch (e) {
        first = e;
    }
    const culprits = new Map<K8sObject, unknown>();
    for (const o of objects) {
        try {
            rule.check([o], ctx);
        } catch (e) {
            culprits.set(o, e);
        }
    }
    const errors = [...culprits].map(([o, e]) => errorFinding(rule, o, e));
    const rest = culprits.size > 0 ? objects.filter(o => !culprits.has(o)) : objects;
    if (culprits.size > 0) {
        try {
            return [...rule.check(rest, ctx), ...errors];
        } catch (e) {
            first = e;
        }
    }
    const kinds = new Set(rule.kinds);
    const ofKinds = rest.filter(o => kinds.has(o?.kind as string));
    return [...errors, ...(ofKinds.length > 0 ? ofKinds : rest).map(o => errorFinding(rule, o, first))];
}

export interface EvaluatedFinding extends Finding {
    policy: string;
    severity: Severity;
    enforcementLevel: EnforcementLevel;
}

/**
 * An exemption config read once per evaluation (the usual shapes: arrays of strings, a map of
 * strings), or undefined for any other shape, which `isExempt` itself then judges per object.
 */
interface Exemptions {
    namespaces: readonly string[];
    names: readonly string[];
    labels: ReadonlyArray<[string, unknown]>;
}

function exemptionsOf(cfg: RuleConfig): Exemptions | undefined {
    const { exemptNamespaces: namespaces, exemptNames: names, exemptLabels } = cfg;
    if (!Array.isArray(namespaces) || !Array.isArray(names)) return undefined;
    if (!names.every(n => typeof n === "string")) return undefined;
    const labels = exemptLabels ?? {};
    if (typeof labels !== "object" || Array.isArray(labels)) return undefined;
    // filter: without holes, as `some` reads the list.
    return { namespaces, names: names.filter(() => true), labels: Object.entries(labels) };
}

/** `isExempt` over an `exemptionsOf` config: the same decision without allocating per object. */
function isExemptBy(obj: K8sObject, ex: Exemptions): boolean {
    const md = obj.metadata;
    const ns = obj.kind === "Namespace" ? md?.name : storedNamespace(obj);
    if (typeof ns === "string" && ex.namespaces.includes(ns)) {
        return true;
    }
    const name = md?.name;
    if (typeof name === "string") {
        const names = ex.names;
        for (let i = 0; i < names.length; i++) {
            const p = names[i];
            if (p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : name === p) return true;
        }
    }
    const want = ex.labels;
    if (want.length > 0) {
        const labels = md?.labels ?? {};
        for (let i = 0; i < want.length; i++) {
            if (labels[want[i][0]] !== want[i][1]) return false;
        }
        return true;
    }
    return false;
}

/**
 * Evaluate every enabled rule over `objects`; linear in the number of objects per rule.
 *
 * Findings come rule by rule (in `resolved` order), for each rule kind by kind (in the order of
 * its `kinds`, then the pod carriers of other kinds), objects in input order. The resource rules
 * are run object by object (every rule on one object before the next object: the object's pod
 * specs and containers are at hand), their findings kept per rule and kind, then put in that order.
 */
export function evaluate(
    resolved: readonly ResolvedRule[],
    objects: readonly K8sObject[],
    /**
     * Told each finding an exemption (the config's exemptNamespaces, exemptNames, exemptLabels, defaults
     * included) kept out of the result, so a caller can say what was exempted: the rules then also run on
     * the exempt objects (rule errors there are not told).
     */
    exempted?: (f: EvaluatedFinding) => void,
): EvaluatedFinding[] {
    // Per kind, the resource rules judging it: pairs of [rule index, index of the kind in the rule's kinds].
    const byKind = new Map<string, number[]>();
    const exemptions: Array<Exemptions | undefined> = [];
    const exempting: boolean[] = [];
    const contexts: RuleContext[] = [];
    let carrierRules = false;
    for (let ri = 0; ri < resolved.length; ri++) {
        const r = resolved[ri];
        if (r.enforcementLevel === "disabled") continue;
        contexts[ri] = { config: r.config };
        exempting[ri] = hasExemptions(r.config);
        if (r.rule.scope === "stack") continue;
        exemptions[ri] = exempting[ri] ? exemptionsOf(r.config) : undefined;
        const kinds = r.rule.kinds;
        for (let k = 0; k < kinds.length; k++) {
            let list = byKind.get(kinds[k]);
            if (!list) byKind.set(kinds[k], (list = []));
            list.push(ri, k);
        }
        if (r.rule.podTemplates) carrierRules = true;
    }
    // Objects of other kinds that carry pod specs (custom resources, unknown kinds): pod rules judge them too.
    const podCarriers = new Set(objects.filter(o => isPodCarrier(o)));
    // Findings per rule index, per kind index (the pod carriers last).
    const found: Array<Array<EvaluatedFinding[] | undefined> | undefined> = [];
    const run = (ri: number, slot: number, obj: K8sObject): void => {
        const r = resolved[ri];
        if (exempting[ri]) {
            const ex = exemptions[ri];
            if (ex !== undefined ? isExemptBy(obj, ex) : isExempt(obj, r.config)) {
                if (exempted) tellExempted(r, contexts[ri], obj, exempted);
                return;
            }
        }
        // The object itself passed the exemption check: its findings need no second one.
        let fs: Finding[];
        try {
            fs = (r.rule as ResourceRule).check(obj, contexts[ri]); // as checkResource
        } catch (e) {
            fs = [errorFinding(r.rule, obj, e)];
        }
        if (fs.length === 0) return;
        const slots = (found[ri] ??= []);
        const into = (slots[slot] ??= []);
        for (let j = 0; j < fs.length; j++) push(into, fs[j], r);
    };
    for (const obj of objects) {
        const kind = typeof obj.kind === "string" ? obj.kind : "";
        const rules = byKind.get(kind);
        if (rules !== undefined) for (let i = 0; i < rules.length; i += 2) run(rules[i], rules[i + 1], obj);
        if (carrierRules && podCarriers.has(obj)) {
            for (let ri = 0; ri < resolved.length; ri++) {
                const rule = resolved[ri].rule;
                if (contexts[ri] === undefined || rule.scope === "stack" || !rule.podTemplates) continue;
                if (!rule.kinds.includes(obj.kind as string)) run(ri, rule.kinds.length, obj);
            }
        }
    }
    const out: EvaluatedFinding[] = [];
    for (let ri = 0; ri < resolved.length; ri++) {
        const r = resolved[ri];
        if (contexts[ri] === undefined) continue; // disabled
        if (r.rule.scope === "stack") {
            for (const f of checkStack(r.rule, objects, contexts[ri])) {
                if (!exempting[ri] || !isExempt(f.object, r.config)) push(out, f, r);
                else if (exempted && f.error !== true) exempted(evaluated(f, r));
            }
            continue;
        }
        const slots = found[ri];
        if (slots === undefined) continue;
        for (let k = 0; k < slots.length; k++) {
            const fs = slots[k];
            if (fs !== undefined) for (let j = 0; j < fs.length; j++) out.push(fs[j]);
        }
    }
    return out;
}

/** The findings a resource rule has on an exempt object, told to `exempted` (a rule error there is not a finding). */
function tellExempted(r: ResolvedRule, ctx: RuleContext, obj: K8sObject, exempted: (f: EvaluatedFinding) => void) {
    let fs: Finding[];
    try {
        fs = (r.rule as ResourceRule).check(obj, ctx);
    } catch {
        return;
    }
    for (const f of fs) if (f.error !== true) exempted(evaluated(f, r));
}

/** The finding, with its policy's name, severity and enforcement level. */
function evaluated(f: Finding, r: ResolvedRule): EvaluatedFinding {
    const e = f as EvaluatedFinding;
    e.policy = r.rule.name;
    e.severity = r.severity;
    e.enforcementLevel = r.enforcementLevel;
    return e;
}

/** A finding with its policy's name, severity and enforcement level, added to `out`. */
function push(out: EvaluatedFinding[], f: Finding, r: ResolvedRule): void {
    out.push(evaluated(f, r));
}

const RESOURCE_KINDS = new Set<string>();
let kindsOf: readonly Rule[] | undefined;

/**
 * Does at least one rule look at this object? True for every kind a rule names (resource or
 * stack rules) and for any object carrying a pod spec (built-in workloads, well-known custom
 * resources, unknown kinds holding containers). The scanner lists the kinds it skipped with it.
 */
export function isChecked(obj: K8sObject, rules?: readonly Rule[]): boolean {
    if (obj === null || typeof obj !== "object") return false;
    const all = rules ?? RULES;
    if (kindsOf !== all) {
        RESOURCE_KINDS.clear();
        for (const r of all) for (const k of r.kinds) RESOURCE_KINDS.add(k);
        kindsOf = all;
    }
    return (typeof obj.kind === "string" && RESOURCE_KINDS.has(obj.kind)) || carriesPods(obj);
}
