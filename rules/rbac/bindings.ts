/** RBAC-06 … RBAC-09 and RBAC-16: who roles are bound to. */
import { show } from "../fields";
import { describe, objectRule, UNKNOWN_VERDICT, Verdict } from "../define";
import { Json } from "../podspec";
import { Finding, K8sObject, StackRule } from "../types";
import { isUnknown } from "../unknown";
import { Decision, ResourceRequest } from "./authorize";
import { decide, isSystem } from "./roles";

const RBAC_URL = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/";
const BINDINGS = ["RoleBinding", "ClusterRoleBinding"];

function subjectRule(
    id: string,
    name: string,
    groups: string[],
    description: string,
    remediation: string,
    allowedRoles: string[] = [],
) {
    return objectRule({ id, name, description, remediation, url: RBAC_URL }, BINDINGS, o => {
        const subjects = o.subjects;
        if (isUnknown(subjects)) return [["subjects", UNKNOWN_VERDICT]];
        const role = o.roleRef?.name;
        if (typeof role === "string" && allowedRoles.includes(role)) return [];
        return (Array.isArray(subjects) ? subjects : []).map(
            (s: Json, i: number) =>
                [
                    `subjects[${i}].name`,
                    isUnknown(s?.name)
                        ? UNKNOWN_VERDICT
                        : (s?.kind === "Group" || s?.kind === "User") && groups.includes(s.name)
                          ? `${describe(o)} binds ${show(o.roleRef?.kind)} "${show(role)}" to ${s.name}.`
                          : undefined,
                ] as [string, Verdict],
        );
    });
}

export const anonymousSubjects = subjectRule(
    "RBAC-07",
    "no-anonymous-bindings",
    ["system:anonymous", "system:unauthenticated"],
    "Roles must not be bound to `system:anonymous` or `system:unauthenticated`: anyone who can reach " +
        "the API server would hold them.",
    "Bind the role to named users, groups or ServiceAccounts instead.",
);

export const DISCOVERY_ROLES = ["system:basic-user", "system:discovery", "system:public-info-viewer"];
/** RBAC-08 on a binding alone (what its admission twin decides). */
const authenticatedByName = subjectRule(
    "RBAC-08",
    "no-system-authenticated-bindings",
    ["system:authenticated"],
    "Roles other than the discovery roles must not be bound to `system:authenticated`: every " +
        "identity the cluster accepts, from any identity provider, would hold them. A role in the same " +
        "set whose every rule only reads ConfigMaps named in `resourceNames` (published information, " +
        "such as a project's version) may be.",
    "Bind the role to specific groups.",
    DISCOVERY_ROLES,
);

/**
 * Does the role only publish information: every rule `get` (nothing else) on core ConfigMaps named in
 * `resourceNames`, no non-resource URLs, no aggregation (whose rules the controller fills in), all of
 * it known?
 */
function publishesOnly(role: K8sObject | undefined): boolean {
    if (!role) return false;
    const r = role as Json;
    if (r.aggregationRule !== undefined || !Array.isArray(r.rules) || r.rules.length === 0) return false;
    const only = (list: Json, value: string) =>
        Array.isArray(list) && list.length > 0 && list.every((x: Json) => x === value);
    return r.rules.every(
        (rule: Json) =>
            rule !== null &&
            typeof rule === "object" &&
            only(rule.verbs, "get") &&
            only(rule.apiGroups, "") &&
            only(rule.resources, "configmaps") &&
            rule.nonResourceURLs === undefined &&
            Array.isArray(rule.resourceNames) &&
            rule.resourceNames.length > 0 &&
            rule.resourceNames.every((n: Json) => typeof n === "string" && n !== ""),
    );
}

/**
 * RBAC-08: the binding's subjects, unless the role it binds is in the set and only publishes
 * information (`publishesOnly`). The admission twin sees the binding alone, and refuses those too.
 */
export const authenticatedSubjects: StackRule = {
    id: authenticatedByName.id,
    name: authenticatedByName.name,
    description: authenticatedByName.description,
    remediation: authenticatedByName.remediation,
    url: authenticatedByName.url,
    scope: "stack",
    kinds: BINDINGS,
    check(objects, ctx) {
        const roles = roleIndex(objects);
        const out: Finding[] = [];
        for (const o of objects) {
            if (!BINDINGS.includes(o.kind as string)) continue;
            if (publishesOnly(referenced(o as K8sObject & Json, roles))) continue;
            out.push(...authenticatedByName.check(o, ctx));
        }
        return out;
    },
};

export const mastersSubjects = subjectRule(
    "RBAC-09",
    "no-system-masters-bindings",
    ["system:masters"],
    "Bindings must not name `system:masters`. That group bypasses RBAC entirely and cannot be " +
        "revoked by removing a binding.",
    "Use a dedicated admin group bound to a scoped ClusterRole.",
);

/** Roles in the set, by `namespace/name` (ClusterRoles by `/name`). */
function roleIndex(objects: readonly K8sObject[]): Map<string, K8sObject> {
    const m = new Map<string, K8sObject>();
    for (const o of objects) {
        if (o.kind === "ClusterRole") m.set(`/${show(o.metadata?.name)}`, o);
        else if (o.kind === "Role") m.set(`${show(o.metadata?.namespace)}/${show(o.metadata?.name)}`, o);
    }
    return m;
}

function referenced(b: K8sObject & Json, roles: Map<string, K8sObject>): K8sObject | undefined {
    const ref = b.roleRef ?? {};
    return ref.kind === "ClusterRole"
        ? roles.get(`/${show(ref.name)}`)
        : roles.get(`${show(b.metadata?.namespace)}/${show(ref.name)}`);
}

function bindingFindings(
    objects: readonly K8sObject[],
    id: string,
    judgeBinding: (b: K8sObject & Json, role: K8sObject | undefined) => Verdict,
): Finding[] {
    const roles = roleIndex(objects);
    const out: Finding[] = [];
    for (const b of objects) {
        if (!BINDINGS.includes(b.kind as string)) continue;
        if (isSystem(b as Json)) continue;
        const bj = b as K8sObject & Json;
        if (isUnknown(bj.roleRef) || isUnknown(bj.roleRef?.name)) {
            out.push({
                controlId: id,
                object: b,
                path: "roleRef",
                unknown: true,
                message: `${describe(b)}: the role it binds is unknown during preview.`,
            });
            continue;
        }
        const v = judgeBinding(bj, referenced(bj, roles));
        if (v === UNKNOWN_VERDICT)
            out.push({
                controlId: id,
                object: b,
                path: "roleRef",
                unknown: true,
                message: `${describe(b)}: the bound role's rules are unknown during preview.`,
            });
        else if (v) out.push({ controlId: id, object: b, path: "roleRef", message: v });
    }
    return out;
}

const g2v = (g: Decision, msg: string): Verdict => (g === true ? msg : g === "unknown" ? UNKNOWN_VERDICT : undefined);

export const clusterAdminBinding: StackRule = {
    id: "RBAC-06",
    name: "no-cluster-admin-bindings",
    scope: "stack",
    kinds: BINDINGS,
    description:
        "Nothing may be bound to `cluster-admin`, or to a role that grants `*` on `*` in every API " +
        "group. Such a binding hands over the whole cluster.",
    remediation:
        "Bind a role with just the permissions needed. Break-glass administration uses a separate, audited identity.",
    url: RBAC_URL,
    check(objects) {
        return bindingFindings(objects, "RBAC-06", (b, role) => {
            if (b.roleRef?.name === "cluster-admin" && b.roleRef?.kind === "ClusterRole")
                return `${describe(b)} binds cluster-admin.`;
            if (!role) return undefined;
            const rules = (role as Json).rules;
            if (isUnknown(rules)) return UNKNOWN_VERDICT;
            const full = (Array.isArray(rules) ? rules : []).some((r: Json) =>
                ["verbs", "resources", "apiGroups"].every(f => Array.isArray(r?.[f]) && r[f].includes("*")),
            );
            return full
                ? b.kind === "RoleBinding"
                    ? `${describe(b)} binds ${describe(role)}, which grants * on * (full control of namespace ` +
                      `${show(b.metadata?.namespace)}).`
                    : `${describe(b)} binds ${describe(role)}, which grants * on * (cluster-admin equivalent).`
                : undefined;
        });
    },
};

const rbacReq = (verb: string, resources: string[]): ResourceRequest[] =>
    resources.map(resource => ({ verb, apiGroup: "rbac.authorization.k8s.io", resource }));
/** Create bindings AND bind roles, as the authorizer answers them. */
export const BINDING_CHAIN = [
    rbacReq("create", ["rolebindings", "clusterrolebindings"]),
    rbacReq("bind", ["roles", "clusterroles"]),
];

export const bindingChain: StackRule = {
    id: "RBAC-16",
    name: "no-binding-chain-escalation",
    scope: "stack",
    kinds: BINDINGS,
    description:
        "No subject may be bound to a role that can both create (Cluster)RoleBindings and `bind` " +
        "roles: together they let the holder bind any role, including cluster-admin, to themselves.",
    remediation:
        "Split binding management from role binding rights; never grant create on bindings together with bind.",
    url: "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb",
    check(objects) {
        return bindingFindings(objects, "RBAC-16", (b, role) => {
            if (!role) return undefined;
            // A RoleBinding grants its role's rules in its namespace only: no ClusterRoleBindings, whatever the role.
            const g: Decision = decide((role as Json).rules, BINDING_CHAIN, b.kind === "RoleBinding").decision;
            return g2v(
                g,
                `${describe(b)} binds ${describe(role)}, which can create bindings and bind roles (self-escalation).`,
            );
        });
    },
};
