/** Shared indexing for stack rules that judge each namespace by the objects in it (linear time). */
import { Finding, K8sObject } from "../types";
import { isUnknown } from "../unknown";

/** Namespaces declared as Namespace objects, and namespaced objects grouped by namespace. */
export function indexByNamespace(objects: readonly K8sObject[]): {
    declared: Map<string, K8sObject>;
    members: Map<string, K8sObject[]>;
    unknownMembers: K8sObject[];
} {
    const declared = new Map<string, K8sObject>();
    const members = new Map<string, K8sObject[]>();
    const unknownMembers: K8sObject[] = [];
    for (const o of objects) {
        if (o.kind === "Namespace") {
            const n = o.metadata?.name;
            if (typeof n === "string") declared.set(n, o);
            continue;
        }
        const ns = o.metadata?.namespace;
        if (isUnknown(ns)) {
            unknownMembers.push(o);
        } else if (typeof ns === "string") {
            let list = members.get(ns);
            if (!list) members.set(ns, (list = []));
            list.push(o);
        }
    }
    return { declared, members, unknownMembers };
}

/**
 * For every declared Namespace: `missing(ns, members)` gives a message when the namespace lacks
 * what the control needs. When some objects' namespaces are unknown (preview) and the namespace
 * would fail, the finding is marked unknown instead: the missing object may be among them.
 */
export function namespaceFindings(
    objects: readonly K8sObject[],
    controlId: string,
    missing: (ns: string, members: K8sObject[]) => string | undefined,
): Finding[] {
    const { declared, members, unknownMembers } = indexByNamespace(objects);
    const out: Finding[] = [];
    for (const [ns, obj] of declared) {
        const msg = missing(ns, members.get(ns) ?? []);
        if (msg === undefined) continue;
        if (unknownMembers.length > 0) {
            out.push({
                controlId,
                object: obj,
                unknown: true,
                path: "metadata.name",
                message: `${msg} Some objects' namespaces are unknown during preview, so this cannot be verified yet.`,
            });
        } else {
            out.push({ controlId, object: obj, path: "metadata.name", message: msg });
        }
    }
    return out;
}
