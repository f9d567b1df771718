/**
 * The Kubernetes RBAC authorizer, as pure functions over plain objects.
 *
 * Decides whether PolicyRules grant a request the way the API server's RBAC authorizer does
 * (kube-apiserver `--authorization-mode=RBAC`):
 * - verbs: exact, or `*`;
 * - apiGroups: exact (the core group is `""`), or `*`;
 * - resources: `*`, the exact `resource` or `resource/subresource`, or `*\/subresource` for a
 *   request with that subresource. `pods/*` is NOT a wildcard for subresources: the authorizer
 *   compares it literally;
 * - resourceNames: an empty list allows every name; a non-empty list allows only those names,
 *   so a request without a name (list, watch, create, deletecollection) is not granted by it;
 * - nonResourceURLs: `*`, exact, or a trailing `*` as a prefix match;
 * - a rule with nonResourceURLs never grants a resource request and vice versa (unless it has
 *   both, which only ClusterRoles can).
 *
 * Plus what the authorizer relies on: which binding subjects apply to a user (ServiceAccount
 * subjects without a namespace default to a RoleBinding's namespace), which rules a user holds
 * in a namespace (ClusterRoleBindings everywhere, RoleBindings in their namespace; a binding
 * to a missing role grants nothing), and ClusterRole aggregation (what the controller-manager
 * writes into a ClusterRole with an `aggregationRule`).
 *
 * Values may be the rule core's UNKNOWN (a Pulumi preview output): the `*Decides` functions
 * return "unknown" when a deciding value is unknown, the `*Allows` functions treat unknown as
 * not granted. Nothing here imports Pulumi.
 */
import { Json } from "../podspec";
import { matchSelector } from "../selectors";
import { isUnknown } from "../unknown";

/** true, false, or "unknown" when a deciding value is not known yet. */
export type Decision = boolean | "unknown";

export interface PolicyRule {
    verbs?: string[];
    apiGroups?: string[];
    resources?: string[];
    resourceNames?: string[];
    nonResourceURLs?: string[];
}

/** A request on an API resource (what `kubectl auth can-i VERB RESOURCE` asks). */
export interface ResourceRequest {
    verb: string;
    /** API group; `""` for the core group. */
    apiGroup: string;
    /** Plural resource name, without subresource (`pods`). */
    resource: string;
    /** Subresource (`exec`, `status`, `scale`); empty or absent for none. */
    subresource?: string;
    /** Object name; empty or absent for list/watch/create/deletecollection. */
    name?: string;
    /** Namespace; empty or absent for a cluster-scoped request or one across all namespaces. */
    namespace?: string;
}

/** A request on a non-resource URL (`/healthz`, `/metrics`). */
export interface NonResourceRequest {
    verb: string;
    /** The URL path, e.g. `/healthz/ping`. */
    path: string;
}

export type Request = ResourceRequest | NonResourceRequest;

export const isNonResourceRequest = (r: Request): r is NonResourceRequest =>
    typeof (r as NonResourceRequest).path === "string";

/** Split `pods/exec` into `{resource: "pods", subresource: "exec"}` (what kubectl does with its argument). */
export function splitResource(combined: string): { resource: string; subresource: string } {
    const i = combined.indexOf("/");
    return i < 0
        ? { resource: combined, subresource: "" }
        : { resource: combined.slice(0, i), subresource: combined.slice(i + 1) };
}

const and = (...ds: Decision[]): Decision => (ds.includes(false) ? false : ds.includes("unknown") ? "unknown" : true);

/**
 * Any element of `list` satisfies `test`? A missing or non-list field is an empty list (Go's nil
 * slice). Known matches win over unknown elements.
 */
function anyOf(list: Json, test: (entry: string) => boolean): Decision {
    if (isUnknown(list)) return "unknown";
    if (!Array.isArray(list)) return false;
    let unknown = false;
    for (const e of list) {
        if (isUnknown(e)) unknown = true;
        else if (typeof e === "string" && test(e)) return true;
    }
    return unknown ? "unknown" : false;
}

function verbDecides(rule: Json, verb: string): Decision {
    return anyOf(rule?.verbs, v => v === "*" || v === verb);
}

function apiGroupDecides(rule: Json, group: string): Decision {
    return anyOf(rule?.apiGroups, g => g === "*" || g === group);
}

/** `resource` and `subresource` as in the request (`pods` + `exec`). */
function resourceDecides(rule: Json, resource: string, subresource = ""): Decision {
    const combined = subresource ? `${resource}/${subresource}` : resource;
    return anyOf(rule?.resources, r => r === "*" || r === combined || (subresource !== "" && r === `*/${subresource}`));
}

function resourceNameDecides(rule: Json, name = ""): Decision {
    const names = rule?.resourceNames;
    if (isUnknown(names)) return "unknown";
    if (!Array.isArray(names) || names.length === 0) return true;
    return anyOf(names, n => n === name);
}

function nonResourceURLDecides(rule: Json, path: string): Decision {
    return anyOf(
        rule?.nonResourceURLs,
        u => u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.replace(/\*+$/, ""))),
    );
}

/** Does one PolicyRule grant the request? (the authorizer's RuleAllows, with unknown values) */
export function ruleDecides(rule: Json, req: Request): Decision {
    if (isUnknown(rule)) return "unknown";
    // the parts in turn, stopping at the first false one (they have no side effects): the access
    // review and the grant controls ask this for every rule of every role, mostly answered by the verb
    const verb = verbDecides(rule, req.verb);
    if (verb === false) return false;
    if (isNonResourceRequest(req)) return and(verb, nonResourceURLDecides(rule, req.path));
    const group = apiGroupDecides(rule, req.apiGroup);
    if (group === false) return false;
    const resource = resourceDecides(rule, req.resource, req.subresource ?? "");
    if (resource === false) return false;
    return and(verb, group, resource, resourceNameDecides(rule, req.name ?? ""));
}

/** Does any of the rules grant the request? */
function rulesDecide(rules: Json, req: Request): Decision {
    if (isUnknown(rules)) return "unknown";
    let unknown = false;
    for (const r of Array.isArray(rules) ? rules : []) {
        const d = ruleDecides(r, req);
        if (d === true) return true;
        if (d === "unknown") unknown = true;
    }
    return unknown ? "unknown" : false;
}

/** `list` holds a string satisfying `test` (UNKNOWN elements never do). */
function has(list: Json, test: (entry: string) => boolean): boolean {
    if (!Array.isArray(list)) return false;
    for (const e of list) if (typeof e === "string" && test(e)) return true;
    return false;
}

/**
 * Boolean form: true exactly when `ruleDecides` is true (an unknown value never grants). The
 * same checks without the three-valued bookkeeping: the access review calls it millions of times.
 */
export function ruleAllows(rule: Json, req: Request): boolean {
    if (!rule || typeof rule !== "object" || isUnknown(rule)) return false;
    const verb = req.verb;
    if (!has(rule.verbs, v => v === "*" || v === verb)) return false;
    if (isNonResourceRequest(req)) {
        const path = req.path;
        return has(
            rule.nonResourceURLs,
            u => u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.replace(/\*+$/, ""))),
        );
    }
    const group = req.apiGroup;
    if (!has(rule.apiGroups, g => g === "*" || g === group)) return false;
    const sub = req.subresource ?? "";
    const combined = sub ? `${req.resource}/${sub}` : req.resource;
    if (!has(rule.resources, r => r === "*" || r === combined || (sub !== "" && r === `*/${sub}`))) return false;
    const names = rule.resourceNames;
    if (isUnknown(names)) return false;
    if (!Array.isArray(names) || names.length === 0) return true;
    const name = req.name ?? "";
    return has(names, n => n === name);
}
export const rulesAllow = (rules: Json, req: Request): boolean => rulesDecide(rules, req) === true;

// ---------------------------------------------------------------------------------------------
// Subjects and bindings

/** The identity the authorizer sees: user name and groups (as authentication produced them). */
export interface UserInfo {
    name: string;
    groups: string[];
}

export interface Subject {
    kind: string;
    name: string;
    namespace?: string;
    apiGroup?: string;
}

/** The user name of a ServiceAccount's tokens. */
export const serviceAccountUser = (namespace: string, name: string): string =>
    `system:serviceaccount:${namespace}:${name}`;

/** The groups every token of a ServiceAccount in `namespace` carries (besides `system:authenticated`). */
export const serviceAccountGroups = (namespace: string): string[] => [
    "system:serviceaccounts",
    `system:serviceaccounts:${namespace}`,
];

/**
 * Does a binding subject apply to `user`? `bindingNamespace` is the RoleBinding's namespace
 * (empty for a ClusterRoleBinding): a ServiceAccount subject without a namespace means that one.
 */
export function subjectApplies(subject: Json, user: UserInfo, bindingNamespace = ""): boolean {
    if (!subject || typeof subject.name !== "string") return false;
    switch (subject.kind) {
        case "User":
            return user.name === subject.name;
        case "Group":
            return user.groups.includes(subject.name);
        case "ServiceAccount": {
            const ns =
                typeof subject.namespace === "string" && subject.namespace !== ""
                    ? subject.namespace
                    : bindingNamespace;
            return ns !== "" && user.name === serviceAccountUser(ns, subject.name);
        }
        default:
            return false;
    }
}

// ---------------------------------------------------------------------------------------------
// ClusterRole aggregation

const labelsOf = (o: Json): Record<string, string> =>
    o?.metadata?.labels && typeof o.metadata.labels === "object" ? o.metadata.labels : {};
const nameOf = (o: Json): string => (typeof o?.metadata?.name === "string" ? o.metadata.name : "");

/** Rules compare as the controller compares them (a missing list equals an empty one). */
const ruleKey = (r: Json): string =>
    JSON.stringify([
        r?.verbs ?? [],
        r?.apiGroups ?? [],
        r?.resources ?? [],
        r?.resourceNames ?? [],
        r?.nonResourceURLs ?? [],
    ]);

/**
 * The rules each ClusterRole holds once the aggregation controller has settled: a ClusterRole
 * with an `aggregationRule` holds the union (deduplicated, in the controller's order: selector
 * by selector, selected roles by name) of the rules of the other ClusterRoles its selectors
 * match; its own written rules are replaced. Aggregated roles selecting aggregated roles are
 * resolved to a fixed point, starting from empty rules. (The controller starts from the stored
 * rules instead; the two differ only for cycles of aggregated roles holding written rules.)
 * Returns a map name → rules for every ClusterRole given.
 */
export function aggregateClusterRoles(clusterRoles: Json[]): Map<string, PolicyRule[]> {
    const byName = new Map<string, Json>();
    for (const cr of clusterRoles) if (nameOf(cr)) byName.set(nameOf(cr), cr);
    const sorted = [...byName.keys()].sort();
    const out = new Map<string, PolicyRule[]>();
    const aggregated: string[] = [];
    for (const name of sorted) {
        const cr = byName.get(name);
        if (cr?.aggregationRule) {
            aggregated.push(name);
            out.set(name, []);
        } else out.set(name, Array.isArray(cr?.rules) ? cr.rules : []);
    }
    if (aggregated.length === 0) return out;
    // Which roles each selector picks, computed once.
    const picks = new Map<string, string[][]>();
    for (const name of aggregated) {
        const selectors = byName.get(name).aggregationRule?.clusterRoleSelectors;
        picks.set(
            name,
            (Array.isArray(selectors) ? selectors : []).map((sel: Json) =>
                sorted.filter(
                    other => other !== name && matchSelector(sel ?? {}, labelsOf(byName.get(other))) === true,
                ),
            ),
        );
    }
    // Iterate to the fixed point; rule sets only grow, so this terminates.
    for (let changed = true; changed;) {
        changed = false;
        for (const name of aggregated) {
            const rules: PolicyRule[] = [];
            const seen = new Set<string>();
            for (const group of picks.get(name)!) {
                for (const other of group) {
                    for (const r of out.get(other)!) {
                        const k = ruleKey(r);
                        if (!seen.has(k)) {
                            seen.add(k);
                            rules.push(r);
                        }
                    }
                }
            }
            if (rules.length !== out.get(name)!.length) {
                out.set(name, rules);
                changed = true;
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The authorizer over a set of RBAC objects

/** Where a granting rule came from: the binding, the subject in it, and the role. */
export interface GrantSource {
    binding: { kind: "ClusterRoleBinding" | "RoleBinding"; name: string; namespace?: string };
    subject: Subject;
    role: { kind: "ClusterRole" | "Role"; name: string; namespace?: string };
    /** Index of the rule in the role's (aggregated) rules. */
    ruleIndex: number;
    rule: PolicyRule;
}

/**
 * The RBAC objects of a cluster, resolved for authorization: roles by name (ClusterRoles
 * aggregated), bindings by namespace.
 */
export class RbacSnapshot {
    readonly clusterRoleRules: Map<string, PolicyRule[]>;
    readonly roleRules = new Map<string, PolicyRule[]>();
    readonly clusterRoleBindings: Json[] = [];
    readonly roleBindings = new Map<string, Json[]>();

    /**
     * `objects`: any Kubernetes objects; Role, ClusterRole, RoleBinding and ClusterRoleBinding
     * of `rbac.authorization.k8s.io/v1` are used, the rest ignored. With `aggregate: false` the
     * ClusterRoles' written rules are used as they are (a live cluster, where the controller has
     * already written them).
     */
    constructor(objects: Json[], opts: { aggregate?: boolean } = {}) {
        const clusterRoles: Json[] = [];
        for (const o of objects) {
            if (!isRbac(o)) continue;
            const ns = o.metadata?.namespace ?? "";
            switch (o.kind) {
                case "ClusterRole":
                    clusterRoles.push(o);
                    break;
                case "Role":
                    if (ns) this.roleRules.set(`${ns}/${nameOf(o)}`, Array.isArray(o.rules) ? o.rules : []);
                    break;
                case "ClusterRoleBinding":
                    this.clusterRoleBindings.push(o);
                    break;
                case "RoleBinding":
                    if (ns) {
                        if (!this.roleBindings.has(ns)) this.roleBindings.set(ns, []);
                        this.roleBindings.get(ns)!.push(o);
                    }
                    break;
            }
        }
        this.clusterRoleRules =
            opts.aggregate === false
                ? new Map(clusterRoles.map(cr => [nameOf(cr), Array.isArray(cr.rules) ? cr.rules : []]))
                : aggregateClusterRoles(clusterRoles);
    }

    /** The rules a binding's roleRef resolves to (none when the role does not exist). */
    roleRefRules(roleRef: Json, bindingNamespace: string): PolicyRule[] {
        if (roleRef?.apiGroup !== undefined && roleRef.apiGroup !== "rbac.authorization.k8s.io") return [];
        if (roleRef?.kind === "ClusterRole") return this.clusterRoleRules.get(roleRef.name) ?? [];
        if (roleRef?.kind === "Role" && bindingNamespace)
            return this.roleRules.get(`${bindingNamespace}/${roleRef.name}`) ?? [];
        return [];
    }

    /**
     * Every (rule, source) that applies to `user` in `namespace` (empty namespace: cluster-wide,
     * ClusterRoleBindings only), in the authorizer's order. Stop early by returning false.
     */
    visitRules(
        user: UserInfo,
        namespace: string,
        visit: (rule: PolicyRule, source: GrantSource) => boolean | void,
    ): void {
        const lists: Array<[Json[], string]> = [[this.clusterRoleBindings, ""]];
        if (namespace) lists.push([this.roleBindings.get(namespace) ?? [], namespace]);
        for (const [bindings, ns] of lists) {
            for (const b of bindings) {
                const subjects: Json[] = Array.isArray(b.subjects) ? b.subjects : [];
                const subject = subjects.find(s => subjectApplies(s, user, ns));
                if (!subject) continue;
                const rules = this.roleRefRules(b.roleRef, ns);
                for (let i = 0; i < rules.length; i++) {
                    const source: GrantSource = {
                        binding: ns
                            ? { kind: "RoleBinding", name: nameOf(b), namespace: ns }
                            : { kind: "ClusterRoleBinding", name: nameOf(b) },
                        subject: {
                            kind: subject.kind,
                            name: subject.name,
                            ...(subject.kind === "ServiceAccount" ? { namespace: subject.namespace || ns } : {}),
                        },
                        role:
                            b.roleRef.kind === "Role"
                                ? { kind: "Role", name: b.roleRef.name, namespace: ns }
                                : { kind: "ClusterRole", name: b.roleRef.name },
                        ruleIndex: i,
                        rule: rules[i],
                    };
                    if (visit(rules[i], source) === false) return;
                }
            }
        }
    }

    /**
     * The authorizer's decision: the first source whose rule grants the request, or undefined (no opinion, i.e.
     * denied).
     */
    authorize(user: UserInfo, req: Request): GrantSource | undefined {
        let found: GrantSource | undefined;
        const ns = isNonResourceRequest(req) ? "" : (req.namespace ?? "");
        this.visitRules(user, ns, (rule, source) => {
            if (ruleAllows(rule, req)) {
                found = source;
                return false;
            }
            return true;
        });
        return found;
    }

    allows(user: UserInfo, req: Request): boolean {
        return this.authorize(user, req) !== undefined;
    }
}

const RBAC_KINDS = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

/** An RBAC object the authorizer reads (`rbac.authorization.k8s.io/v1`). */
export function isRbac(o: Json): boolean {
    return !!o && RBAC_KINDS.has(o.kind) && o.apiVersion === "rbac.authorization.k8s.io/v1";
}
