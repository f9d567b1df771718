/** What a Role's rules grant, with wildcards, subresources and unknown values handled. */
import { Json } from "../podspec";
import { isUnknown } from "../unknown";

export type Grant = boolean | "unknown";

const has = (list: Json, value: string): Grant => {
    if (isUnknown(list)) return "unknown";
    if (!Array.isArray(list)) return false;
    if (list.some(isUnknown)) return list.includes(value) || list.includes("*") ? true : "unknown";
    return list.includes(value) || list.includes("*");
};

const and = (...gs: Grant[]): Grant => (gs.includes(false) ? false : gs.includes("unknown") ? "unknown" : true);
const or = (gs: Grant[]): Grant => (gs.includes(true) ? true : gs.includes("unknown") ? "unknown" : false);

/** Does one PolicyRule grant `verb` on `group`/`resource` (resource may be `pods/exec`)? */
export function ruleGrants(rule: Json, verb: string, group: string, resource: string): Grant {
    if (isUnknown(rule)) return "unknown";
    const [base] = resource.split("/");
    const resources = rule?.resources;
    const res: Grant = isUnknown(resources) ? "unknown"
        : or([has(resources, resource), Array.isArray(resources) && resources.includes(`${base}/*`) && resource.includes("/") ? true : false]);
    return and(has(rule?.verbs, verb), has(rule?.apiGroups, group), res);
}

/** Does any rule of a Role/ClusterRole grant any of `verbs` on any of `resources` in `group`? */
export function roleGrants(role: Json, verbs: string[], group: string, resources: string[]): Grant {
    const rules = role?.rules;
    if (isUnknown(rules)) return "unknown";
    const out: Grant[] = [];
    for (const r of Array.isArray(rules) ? rules : []) {
        for (const v of verbs) for (const res of resources) out.push(ruleGrants(r, v, group, res));
    }
    return or(out);
}

/** The rule is a full wildcard (`*` in verbs, resources and apiGroups): cluster-admin equivalent. */
export function isFullWildcard(role: Json): Grant {
    return roleGrants(role, ["*"], "*", ["*"]) === true && Array.isArray(role?.rules) &&
        role.rules.some((r: Json) => r?.verbs?.includes("*") && r?.resources?.includes("*") && r?.apiGroups?.includes("*")) ? true : false;
}
