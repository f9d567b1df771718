/**
 * The access review: who can do what, over a set of RBAC objects, decided by the rule core's
 * authorizer (rules/rbac/authorize.ts) exactly as the API server's RBAC authorizer decides.
 *
 * A subject is asked about with the identity the API server would see for it:
 * - User `alice` → user `alice`, groups `system:authenticated` (other groups a user may carry at
 *   sign-in, e.g. from OIDC, are only known at sign-in: ask about those Groups separately);
 * - Group `G` → a member of `G` (no user name), groups `G` and `system:authenticated`
 *   (`system:serviceaccounts:<ns>` members are also in `system:serviceaccounts`;
 *   `system:unauthenticated` members are not authenticated);
 * - ServiceAccount `ns/name` → user `system:serviceaccount:ns:name`, groups
 *   `system:serviceaccounts`, `system:serviceaccounts:ns`, `system:authenticated`.
 * Members of `system:masters` are allowed everything by the API server before RBAC is asked.
 */
import { K8sObject } from "../rules/types";
import {
    GrantSource,
    isNonResourceRequest,
    isRbac,
    PolicyRule,
    RbacSnapshot,
    Request,
    ResourceRequest,
    ruleAllows,
    serviceAccountGroups,
    serviceAccountUser,
    subjectApplies,
    UserInfo,
} from "../rules/rbac/authorize";

export type SubjectKind = "User" | "Group" | "ServiceAccount";

export interface AccessSubject {
    kind: SubjectKind;
    name: string;
    /** ServiceAccounts only. */
    namespace?: string;
}

/** One binding chain: binding → role → rule, for the binding subject that matched. */
export interface Chain {
    binding: { kind: "ClusterRoleBinding" | "RoleBinding"; name: string; namespace?: string };
    role: { kind: "ClusterRole" | "Role"; name: string; namespace?: string };
    /** The subject as the binding names it (a Group the subject belongs to, or the subject itself). */
    via: AccessSubject;
    ruleIndex: number;
    rule: PolicyRule;
    /** The binding is one of the API server's default (bootstrap) bindings. */
    default?: true;
}

/** The authorizer's privileged group: allowed everything before RBAC is asked. */
const MASTERS = "system:masters";
export const PRIVILEGED_CHAIN_NOTE = "member of system:masters (allowed by the API server before RBAC)";

const SA_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

export const subjectKey = (s: AccessSubject) => `${s.kind}:${s.namespace ?? ""}/${s.name}`;
export const subjectLabel = (s: AccessSubject) =>
    s.kind === "ServiceAccount" ? `ServiceAccount ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`;

/** Parse `User:alice`, `Group:devs`, `ServiceAccount:ns/name` (also `sa:ns/name`, `system:serviceaccount:ns:name`). */
export function parseSubject(text: string): AccessSubject {
    const sa = SA_USER.exec(text);
    if (sa) return { kind: "ServiceAccount", namespace: sa[1], name: sa[2] };
    const m = /^(user|group|serviceaccount|sa):(.+)$/i.exec(text);
    if (!m)
        throw new Error(`invalid subject '${text}': expected User:NAME, Group:NAME or ServiceAccount:NAMESPACE/NAME`);
    const kind = m[1].toLowerCase();
    if (kind === "user") return normalize({ kind: "User", name: m[2] });
    if (kind === "group") return { kind: "Group", name: m[2] };
    const [ns, name, ...rest] = m[2].split("/");
    if (!ns || !name || rest.length) throw new Error(`invalid ServiceAccount '${m[2]}': expected NAMESPACE/NAME`);
    return { kind: "ServiceAccount", namespace: ns, name };
}

/** A User named like a ServiceAccount's user is that ServiceAccount. */
function normalize(s: AccessSubject): AccessSubject {
    if (s.kind === "User") {
        const sa = SA_USER.exec(s.name);
        if (sa) return { kind: "ServiceAccount", namespace: sa[1], name: sa[2] };
    }
    return s;
}

/** The identity the API server sees for a subject (see the module comment). */
export function identity(s: AccessSubject): UserInfo {
    switch (s.kind) {
        case "ServiceAccount":
            return {
                name: serviceAccountUser(s.namespace!, s.name),
                groups: [...serviceAccountGroups(s.namespace!), "system:authenticated"],
            };
        case "User":
            return s.name === "system:anonymous"
                ? { name: s.name, groups: ["system:unauthenticated"] }
                : { name: s.name, groups: ["system:authenticated"] };
        case "Group": {
            if (s.name === "system:unauthenticated") return { name: "", groups: [s.name] };
            if (s.name === "system:authenticated") return { name: "", groups: [s.name] };
            const groups = [s.name];
            if (s.name.startsWith("system:serviceaccounts:")) groups.push("system:serviceaccounts");
            groups.push("system:authenticated");
            return { name: "", groups };
        }
    }
}

const DEFAULTS_LABEL = "kubernetes.io/bootstrapping";

function toChain(src: GrantSource, isDefault: boolean): Chain {
    const via = normalize({
        kind: src.subject.kind as SubjectKind,
        name: src.subject.name,
        ...(src.subject.kind === "ServiceAccount" ? { namespace: src.subject.namespace } : {}),
    });
    return {
        binding: src.binding,
        role: src.role,
        via,
        ruleIndex: src.ruleIndex,
        rule: src.rule,
        ...(isDefault ? { default: true as const } : {}),
    };
}

export interface Grantee {
    subject: AccessSubject;
    /** Every chain that grants it (several bindings may); empty only for system:masters members. */
    chains: Chain[];
    /** Allowed as a member of system:masters (before RBAC). */
    privileged?: true;
}

export interface ReviewOptions {
    /** Recompute aggregated ClusterRoles (offline: manifests do not hold what the controller writes). Default true. */
    aggregate?: boolean;
}

export class AccessReview {
    readonly snapshot: RbacSnapshot;
    /** Every subject known from the objects: binding subjects and ServiceAccount objects, sorted. */
    readonly subjects: AccessSubject[];
    /** Every namespace known from the objects (Namespace objects and namespaced objects), sorted. */
    readonly namespaces: string[];
    /** Objects left out, with the reason (the CLI prints them on stderr). */
    readonly warnings: string[] = [];
    private readonly defaultBindings = new Set<object>();
    private readonly bindingObjects: K8sObject[] = [];
    /** Per request key: ClusterRole name → first granting rule index (-1: none). */
    private readonly clusterRoleGrantCache = new Map<string, Map<string, number>>();

    constructor(objects: readonly K8sObject[], opts: ReviewOptions = {}) {
        this.snapshot = new RbacSnapshot(objects as object[], { aggregate: opts.aggregate !== false });
        const subjects = new Map<string, AccessSubject>();
        const namespaces = new Set<string>();
        const add = (s: AccessSubject) => subjects.set(subjectKey(s), s);
        for (const o of objects) {
            const ns = o.metadata?.namespace;
            if (typeof ns === "string" && ns) namespaces.add(ns);
            if (o.kind === "Namespace" && o.apiVersion === "v1" && typeof o.metadata?.name === "string")
                namespaces.add(o.metadata.name);
            if (o.kind === "ServiceAccount" && o.apiVersion === "v1" && typeof o.metadata?.name === "string" && ns)
                add({ kind: "ServiceAccount", namespace: ns, name: o.metadata.name });
            if (isRbac(o) && (o.kind === "Role" || o.kind === "RoleBinding") && !ns) {
                this.warnings.push(
                    `${o.kind} ${o.metadata?.name ?? "(unnamed)"} has no metadata.namespace: left ` +
                        `out (kubectl would create it in its current namespace)`,
                );
            }
            if (!isRbac(o) || (o.kind !== "RoleBinding" && o.kind !== "ClusterRoleBinding")) continue;
            this.bindingObjects.push(o);
            if (o.metadata?.labels?.[DEFAULTS_LABEL] === "rbac-defaults") this.defaultBindings.add(o);
            for (const s of Array.isArray(o.subjects) ? o.subjects : []) {
                if (!s || typeof s.name !== "string" || !s.name) continue;
                if (s.kind === "User" || s.kind === "Group") add(normalize({ kind: s.kind, name: s.name }));
                else if (s.kind === "ServiceAccount") {
                    const sns = s.namespace || (o.kind === "RoleBinding" ? ns : "");
                    if (sns) {
                        add({ kind: "ServiceAccount", namespace: sns, name: s.name });
                        namespaces.add(sns);
                    }
                }
            }
        }
        const order: Record<SubjectKind, number> = { User: 0, Group: 1, ServiceAccount: 2 };
        this.subjects = [...subjects.values()].sort(
            (a, b) =>
                order[a.kind] - order[b.kind] ||
                (a.namespace ?? "").localeCompare(b.namespace ?? "") ||
                a.name.localeCompare(b.name),
        );
        this.namespaces = [...namespaces].sort();
    }

    private isDefault(bindingName: string, ns: string): boolean {
        const list = ns ? (this.snapshot.roleBindings.get(ns) ?? []) : this.snapshot.clusterRoleBindings;
        const b = list.find(x => x.metadata?.name === bindingName);
        return !!b && this.defaultBindings.has(b);
    }

    /** The ClusterRoles granting `req`, name → index of the first granting rule (cached per request). */
    private grantingClusterRoles(req: Request): Map<string, number> {
        const key = JSON.stringify(
            isNonResourceRequest(req)
                ? [req.verb, req.path]
                : [req.verb, req.apiGroup, req.resource, req.subresource ?? "", req.name ?? ""],
        );
        let m = this.clusterRoleGrantCache.get(key);
        if (!m) {
            m = new Map();
            for (const [name, rules] of this.snapshot.clusterRoleRules) {
                const i = rules.findIndex(r => ruleAllows(r, req));
                if (i >= 0) m.set(name, i);
            }
            this.clusterRoleGrantCache.set(key, m);
        }
        return m;
    }

    /**
     * The binding chains that grant `req`, keyed by whom the binding names: `user:<name>` (Users
     * and ServiceAccounts by their user name) and `group:<name>`.
     */
    grantsFor(req: Request, scope: "all" | "cluster" | "namespace" = "all"): Map<string, Chain[]> {
        const out = new Map<string, Chain[]>();
        const ns = isNonResourceRequest(req) ? "" : (req.namespace ?? "");
        const crGrants = this.grantingClusterRoles(req);
        const push = (b: K8sObject, bindingNs: string, role: Chain["role"], ruleIndex: number, rule: PolicyRule) => {
            for (const s of Array.isArray(b.subjects) ? (b.subjects as Array<Record<string, string>>) : []) {
                if (!s || typeof s.name !== "string") continue;
                let key: string;
                let via: AccessSubject;
                if (s.kind === "User") {
                    key = `user:${s.name}`;
                    via = normalize({ kind: "User", name: s.name });
                } else if (s.kind === "Group") {
                    key = `group:${s.name}`;
                    via = { kind: "Group", name: s.name };
                } else if (s.kind === "ServiceAccount") {
                    const sns = s.namespace || bindingNs;
                    if (!sns) continue;
                    key = `user:${serviceAccountUser(sns, s.name)}`;
                    via = { kind: "ServiceAccount", namespace: sns, name: s.name };
                } else continue;
                const chain: Chain = {
                    binding: bindingNs
                        ? { kind: "RoleBinding", name: b.metadata!.name!, namespace: bindingNs }
                        : { kind: "ClusterRoleBinding", name: b.metadata!.name! },
                    role,
                    via,
                    ruleIndex,
                    rule,
                    ...(this.defaultBindings.has(b) ? { default: true as const } : {}),
                };
                if (!out.has(key)) out.set(key, []);
                const list = out.get(key)!;
                if (
                    !list.some(
                        c =>
                            c.binding.kind === chain.binding.kind &&
                            c.binding.name === chain.binding.name &&
                            c.binding.namespace === chain.binding.namespace,
                    )
                )
                    list.push(chain);
            }
        };
        if (scope !== "namespace") {
            for (const b of this.snapshot.clusterRoleBindings) {
                if (b.roleRef?.kind !== "ClusterRole" || !validRef(b.roleRef)) continue;
                const i = crGrants.get(b.roleRef.name);
                if (i !== undefined)
                    push(
                        b,
                        "",
                        { kind: "ClusterRole", name: b.roleRef.name },
                        i,
                        this.snapshot.clusterRoleRules.get(b.roleRef.name)![i],
                    );
            }
        }
        if (ns && scope !== "cluster") {
            for (const b of this.snapshot.roleBindings.get(ns) ?? []) {
                if (!validRef(b.roleRef)) continue;
                if (b.roleRef.kind === "ClusterRole") {
                    const i = crGrants.get(b.roleRef.name);
                    if (i !== undefined)
                        push(
                            b,
                            ns,
                            { kind: "ClusterRole", name: b.roleRef.name },
                            i,
                            this.snapshot.clusterRoleRules.get(b.roleRef.name)![i],
                        );
                } else if (b.roleRef.kind === "Role") {
                    const rules = this.snapshot.roleRules.get(`${ns}/${b.roleRef.name}`) ?? [];
                    const i = rules.findIndex(r => ruleAllows(r, req));
                    if (i >= 0) push(b, ns, { kind: "Role", name: b.roleRef.name, namespace: ns }, i, rules[i]);
                }
            }
        }
        return out;
    }

    /** Every known subject allowed to do `req`, each with the chains that grant it. */
    whoCan(req: Request, subjects?: readonly AccessSubject[]): Grantee[] {
        return this.granteesOf(this.grantsFor(req), subjects);
    }

    private readonly identities = new Map<AccessSubject, UserInfo>();
    private identityOf(s: AccessSubject): UserInfo {
        let u = this.identities.get(s);
        if (!u) this.identities.set(s, (u = identity(s)));
        return u;
    }
    private identityIndex?: Map<string, AccessSubject[]>;
    private subjectOrder?: Map<AccessSubject, number>;

    /** `user:<name>` / `group:<name>` → the known subjects with that user name or group (built once). */
    private candidates(key: string): AccessSubject[] {
        if (!this.identityIndex) {
            this.identityIndex = new Map();
            const add = (k: string, s: AccessSubject) => {
                if (!this.identityIndex!.has(k)) this.identityIndex!.set(k, []);
                this.identityIndex!.get(k)!.push(s);
            };
            for (const s of this.subjects) {
                const who = identity(s);
                if (who.name) add(`user:${who.name}`, s);
                for (const g of who.groups) add(`group:${g}`, s);
            }
        }
        return this.identityIndex.get(key) ?? [];
    }

    /** Match grants (from grantsFor) against subjects' identities (all known subjects by default). */
    granteesOf(grants: Map<string, Chain[]>, subjects?: readonly AccessSubject[]): Grantee[] {
        if (!subjects) {
            const found = new Set<AccessSubject>(this.candidates(`group:${MASTERS}`));
            for (const k of grants.keys()) for (const s of this.candidates(k)) found.add(s);
            const order = (this.subjectOrder ??= new Map(this.subjects.map((s, i) => [s, i])));
            subjects = [...found].sort((a, b) => order.get(a)! - order.get(b)!);
        }
        const out: Grantee[] = [];
        for (const s of subjects) {
            const who = this.identityOf(s);
            const chains: Chain[] = [];
            const add = (list: Chain[] | undefined) => {
                for (const c of list ?? [])
                    if (
                        !chains.some(
                            x =>
                                x.binding.kind === c.binding.kind &&
                                x.binding.name === c.binding.name &&
                                x.binding.namespace === c.binding.namespace,
                        )
                    )
                        chains.push(c);
            };
            if (who.name) add(grants.get(`user:${who.name}`));
            for (const g of who.groups) add(grants.get(`group:${g}`));
            const privileged = who.groups.includes(MASTERS);
            if (chains.length || privileged)
                out.push({ subject: s, chains, ...(privileged ? { privileged: true as const } : {}) });
        }
        return out;
    }

    /**
     * A subject's effective rules (like `kubectl auth can-i --list`): cluster-wide (from
     * ClusterRoleBindings, valid in every namespace) and per namespace (from RoleBindings).
     */
    can(subject: AccessSubject): {
        identity: UserInfo;
        privileged: boolean;
        clusterWide: RuleGrant[];
        namespaces: Record<string, RuleGrant[]>;
    } {
        const who = identity(subject);
        const clusterWide: RuleGrant[] = [];
        this.snapshot.visitRules(who, "", (rule, src) => {
            clusterWide.push({ rule, chain: toChain(src, this.isDefault(src.binding.name, "")) });
        });
        const namespaces: Record<string, RuleGrant[]> = {};
        for (const ns of [...this.snapshot.roleBindings.keys()].sort()) {
            const rules: RuleGrant[] = [];
            for (const b of this.snapshot.roleBindings.get(ns)!) {
                const s = (Array.isArray(b.subjects) ? b.subjects : []).find((x: unknown) =>
                    subjectApplies(x, who, ns),
                );
                if (!s) continue;
                this.snapshot.roleRefRules(b.roleRef, ns).forEach((rule, i) =>
                    rules.push({
                        rule,
                        chain: toChain(
                            {
                                binding: { kind: "RoleBinding", name: b.metadata.name, namespace: ns },
                                subject: {
                                    kind: s.kind,
                                    name: s.name,
                                    ...(s.kind === "ServiceAccount" ? { namespace: s.namespace || ns } : {}),
                                },
                                role:
                                    b.roleRef.kind === "Role"
                                        ? { kind: "Role", name: b.roleRef.name, namespace: ns }
                                        : { kind: "ClusterRole", name: b.roleRef.name },
                                ruleIndex: i,
                                rule,
                            },
                            this.defaultBindings.has(b),
                        ),
                    }),
                );
            }
            if (rules.length) namespaces[ns] = rules;
        }
        return { identity: who, privileged: who.groups.includes(MASTERS), clusterWide, namespaces };
    }
}

export interface RuleGrant {
    rule: PolicyRule;
    chain: Chain;
}

const validRef = (ref: { apiGroup?: string } | undefined) =>
    !!ref && (ref.apiGroup === undefined || ref.apiGroup === "rbac.authorization.k8s.io");

/** Is `req` allowed by a subject's `can` result in `namespace`? (the same decision as `check`) */
export function canAllows(result: ReturnType<AccessReview["can"]>, req: Request): boolean {
    if (result.privileged) return true;
    if (result.clusterWide.some(g => ruleAllows(g.rule, req))) return true;
    const ns = isNonResourceRequest(req) ? "" : ((req as ResourceRequest).namespace ?? "");
    return !!ns && (result.namespaces[ns] ?? []).some(g => ruleAllows(g.rule, req));
}
