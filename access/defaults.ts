/**
 * The API server's default RBAC: the bootstrap ClusterRoles, ClusterRoleBindings, Roles and
 * RoleBindings (label `kubernetes.io/bootstrapping: rbac-defaults`) that every kube-apiserver
 * creates and reconciles at start. Offline, manifests never hold them, yet they grant (e.g.
 * `system:basic-user` to every authenticated user, `cluster-admin` to `system:masters`). The
 * snapshot in `defaults/bootstrap-rbac.json` was read from the local cluster's real
 * kube-apiserver; `npm run access:defaults` regenerates it (see `snapshot-defaults.ts`).
 */
import { readFileSync } from "fs";
import * as path from "path";
import { K8sObject } from "../rules/types";

export const DEFAULTS_FILE = path.join(__dirname, "defaults", "bootstrap-rbac.json");

export interface DefaultsSnapshot {
    /** The kube-apiserver version the snapshot was read from. */
    serverVersion: string;
    objects: K8sObject[];
}

let cached: DefaultsSnapshot | undefined;

function defaultRbac(): DefaultsSnapshot {
    return (cached ??= JSON.parse(readFileSync(DEFAULTS_FILE, "utf8")) as DefaultsSnapshot);
}

const key = (o: K8sObject) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

/** `objects` plus the defaults they do not replace (an object of the same kind, namespace and name wins). */
export function withDefaults(
    objects: readonly K8sObject[],
    defaults: readonly K8sObject[] = defaultRbac().objects,
): K8sObject[] {
    const have = new Set(objects.map(key));
    return [...defaults.filter(d => !have.has(key(d))), ...objects];
}

/** Keep only what decides access: strip server-written metadata. */
export function stripServerFields(o: K8sObject): K8sObject {
    const meta = o.metadata ?? {};
    const out: K8sObject = {
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: {
            name: meta.name,
            ...(meta.namespace ? { namespace: meta.namespace } : {}),
            ...(meta.labels ? { labels: meta.labels } : {}),
            ...(meta.annotations ? { annotations: meta.annotations } : {}),
        },
    };
    for (const f of ["aggregationRule", "rules", "roleRef", "subjects"]) if (o[f] !== undefined) out[f] = o[f];
    return out;
}
