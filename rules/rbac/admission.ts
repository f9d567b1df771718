/**
 * RBAC-01 … RBAC-19 in the API server. The grant controls' twins are generated from their
 * questions (GRANT_CONTROLS, the same data the rules and the RBAC parity e2e ask), matched the
 * way rules/rbac/authorize.ts matches a PolicyRule: verbs and apiGroups exact or `*`; resources
 * `*`, exact `resource[/subresource]`, or `*\/subresource`; resourceNames empty or naming the
 * request's name (an unnamed request is not granted by a rule limited to names).
 */
import { BINDING_RESOURCES, celString, ROLE_RESOURCES, SYSTEM_NAME } from "../cel";
import { Admission, AdmissionResources } from "../types";
import { DISCOVERY_ROLES } from "./bindings";
import { GRANT_CONTROLS, GrantControl, namespacedQuestion, Question } from "./roles";

/** One request as a CEL map: verb, apiGroup, resource, subresource, name. */
const request = (q: {
    verb: string;
    apiGroup: string;
    resource: string;
    subresource?: string;
    name?: string;
}): string =>
    `{'v': ${celString(q.verb)}, 'g': ${celString(q.apiGroup)}, 'r': ${celString(q.resource)}, 's': ` +
    `${celString(q.subresource ?? "")}, 'n': ${celString(q.name ?? "")}}`;

/** Does PolicyRule `r` grant request `q`? With `anyName`, resourceNames do not limit it (see below). */
const grants = (anyName: boolean): string =>
    [
        "has(r.verbs) && (q.v in r.verbs || '*' in r.verbs)",
        "has(r.apiGroups) && (q.g in r.apiGroups || '*' in r.apiGroups)",
        "has(r.resources) && ('*' in r.resources || (q.s == '' ? q.r : q.r + '/' + q.s) in " +
            "r.resources || (q.s != '' && '*/' + q.s in r.resources))",
        ...(anyName ? [] : ["(!has(r.resourceNames) || size(r.resourceNames) == 0 || q.n in r.resourceNames)"]),
    ].join(" && ");

/**
 * The twin of a grant control: admitted unless every group of its question has a request some
 * rule grants. A control that also asks about the names the rules list (RBAC-13) is granted by a
 * rule whatever its resourceNames: each non-empty name it lists is asked about, and a list of
 * only "" grants the unnamed request.
 */
function grantExpression(g: GrantControl): string {
    const granted = (q: Question) =>
        q
            .map(group =>
                group.length === 0
                    ? "false"
                    : `object.rules.exists(r, [${group.map(request).join(", ")}].exists(q, ${grants(g.alsoNamed)}))`,
            )
            .join(" && ");
    const all = granted(g.question);
    // A Role's rules hold in its namespace: requests authorized at the cluster scope only are never granted by them.
    const inNamespace = granted(namespacedQuestion(g.question));
    const either = all === inNamespace ? all : `object.kind == 'Role' ? (${inNamespace}) : (${all})`;
    return `${SYSTEM_NAME} || !has(object.rules) || !(${either})`;
}

const resourcesOf = (kinds: readonly string[]): AdmissionResources[] =>
    ROLE_RESOURCES.map(r => ({ ...r, resources: kinds.map(k => `${k.toLowerCase()}s`) }));

/**
 * The aggregation controller writes into each aggregated ClusterRole (`admin`, `edit`, `view`,
 * add-ons' own) the rules of the ClusterRoles its aggregationRule selects. Those rules were each
 * judged when their ClusterRole was admitted; judging the controller's copy again denied its
 * update (`edit` grants Secret reads and exec by design) and left the built-in roles stale, so
 * no add-on's `aggregate-to-edit` rules ever reached the teams bound to `edit`. Its identity: its
 * own ServiceAccount, or the controller manager's without per-controller credentials.
 */
export const NOT_AGGREGATION_CONTROLLER = {
    name: "not-aggregation-controller",
    expression:
        "!(request.userInfo.username in ['system:serviceaccount:kube-system:clusterrole-aggregation-" +
        "controller', 'system:kube-controller-manager'])",
};

const AGGREGATED =
    "The rules the aggregation controller copies into an aggregated ClusterRole are judged in the " +
    "ClusterRoles they come from, not again in the aggregate (the controller's writes are let " +
    "through), so a control that needs two rules held by two different selected ClusterRoles (RBAC-" +
    "12's two halves of CSR approval) is not judged on their union: the pack and the scanner judge " +
    "the aggregated role as declared.";

/** The denial message of each grant control. */
const GRANT_MESSAGES: Record<string, string> = {
    "RBAC-02": "[RBAC-02] Roles must not grant get, list or watch on Secrets.",
    "RBAC-03": "[RBAC-03] Roles must not grant pods/exec, pods/attach or pods/portforward.",
    "RBAC-04": "[RBAC-04] Roles must not grant escalate or bind on roles.",
    "RBAC-05": "[RBAC-05] Roles must not grant impersonate.",
    "RBAC-10": "[RBAC-10] Roles that create pods or workload controllers should be granted deliberately.",
    "RBAC-11": "[RBAC-11] Roles must not grant nodes/proxy.",
    "RBAC-12": "[RBAC-12] Roles must not be able to approve certificate signing requests.",
    "RBAC-13": "[RBAC-13] Roles must not be able to create or change admission webhook configurations.",
    "RBAC-14": "[RBAC-14] Roles should not create serviceaccounts/token.",
    "RBAC-15": "[RBAC-15] Roles should not create PersistentVolumes.",
    "RBAC-17": "[RBAC-17] Roles should not be able to delete events or pod logs.",
    "RBAC-18": "[RBAC-18] ClusterRoles should not change ConfigMaps cluster-wide.",
    "RBAC-19": "[RBAC-19] Roles should not edit endpoints, endpoint slices or services/status.",
};

const subjectsNone = (names: string[]) =>
    `!has(object.subjects) || object.subjects.all(s, !(s.kind in ['Group', 'User'] && s.name in ` +
    `[${names.map(n => `'${n}'`).join(", ")}]))`;

export const RBAC_ADMISSION: Record<string, Admission> = {
    "RBAC-01": {
        twin: {
            resources: ROLE_RESOURCES,
            matchConditions: [NOT_AGGREGATION_CONTROLLER],
            expression:
                `${SYSTEM_NAME} || !has(object.rules) || object.rules.all(r, !(has(r.verbs) && '*' in ` +
                `r.verbs) && !(has(r.resources) && '*' in r.resources) && !(has(r.apiGroups) && '*' in ` +
                `r.apiGroups))`,
            message: "[RBAC-01] Roles must not use * in verbs, resources or apiGroups.",
        },
    },
    ...Object.fromEntries(
        Object.entries(GRANT_CONTROLS).map(([id, g]): [string, Admission] => {
            const message = GRANT_MESSAGES[id];
            if (!message) throw new Error(`grant control ${id} has no admission message in rules/rbac/admission.ts`);
            return [
                id,
                {
                    twin: {
                        resources: resourcesOf(g.kinds),
                        matchConditions: [NOT_AGGREGATION_CONTROLLER],
                        expression: grantExpression(g),
                        message,
                        gap: AGGREGATED,
                    },
                },
            ];
        }),
    ),
    "RBAC-06": {
        twin: {
            resources: BINDING_RESOURCES,
            expression:
                `${SYSTEM_NAME} || !(object.roleRef.kind == 'ClusterRole' && object.roleRef.name == ` +
                `'cluster-admin')`,
            message: "[RBAC-06] Nothing may be bound to cluster-admin.",
            gap:
                "A binding to another role that grants * on * in every API group needs that role's rules " +
                "(another object): the pack and the scanner judge it.",
        },
    },
    "RBAC-07": {
        twin: {
            resources: BINDING_RESOURCES,
            expression: subjectsNone(["system:anonymous", "system:unauthenticated"]),
            message: "[RBAC-07] Roles must not be bound to system:anonymous or system:unauthenticated.",
        },
    },
    "RBAC-08": {
        twin: {
            resources: BINDING_RESOURCES,
            expression:
                `object.roleRef.name in [${DISCOVERY_ROLES.map(n => `'${n}'`).join(", ")}] || ` +
                `(${subjectsNone(["system:authenticated"])})`,
            message: "[RBAC-08] Roles other than the discovery roles must not be bound to system:authenticated.",
            gap:
                "A binding of a role that only reads ConfigMaps named in resourceNames (published " +
                "information) needs that role's rules (another object): the pack and the scanner allow " +
                "it when the role is in the set; the twin, seeing the binding alone, refuses it.",
        },
    },
    "RBAC-09": {
        twin: {
            resources: BINDING_RESOURCES,
            expression: subjectsNone(["system:masters"]),
            message: "[RBAC-09] Bindings must not name system:masters.",
        },
    },
    "RBAC-16": {
        none: {
            kind: "several-objects",
            reason:
                "Decided on a binding together with the role it binds (can that role both create " +
                "bindings and bind roles?): admission sees the binding alone.",
        },
    },
};
