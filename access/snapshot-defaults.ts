/**
 * `npm run access:defaults [-- --kubeconfig FILE]`: regenerate `defaults/bootstrap-rbac.json`
 * from a real kube-apiserver: every RBAC object labelled `kubernetes.io/bootstrapping=rbac-defaults`,
 * server-written metadata stripped, sorted. Without --kubeconfig it uses the running local cluster
 * (`npm run cluster:up`), or starts one and stops it afterwards.
 *
 * Aggregated ClusterRoles (admin, edit, view, ...) are stored with empty rules: the review
 * recomputes them from the roles their selectors pick (the cluster's stored copy would also hold
 * whatever the cluster's other ClusterRoles add).
 */
import { writeFileSync } from "fs";
import { K8sObject } from "../rules/types";
import { DEFAULTS_FILE, DefaultsSnapshot, stripServerFields } from "./defaults";
import { connect, LIVE_LISTS, listAll, request } from "./live";

async function snapshotFrom(kubeconfig: string): Promise<DefaultsSnapshot> {
    const c = connect(kubeconfig);
    const version = await request(c, "GET", "/version");
    if (version.status !== 200) throw new Error(`GET /version: HTTP ${version.status}`);
    const objects: K8sObject[] = [];
    for (const l of LIVE_LISTS.filter(x => x.apiVersion.startsWith("rbac."))) {
        const items = await listAll(c, {
            ...l,
            path: `${l.path}?labelSelector=${encodeURIComponent("kubernetes.io/bootstrapping=rbac-defaults")}`,
        });
        objects.push(...items.map(stripServerFields).map(o => (o.aggregationRule ? { ...o, rules: [] } : o)));
    }
    const order = ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"];
    objects.sort(
        (a, b) =>
            order.indexOf(a.kind!) - order.indexOf(b.kind!) ||
            (a.metadata?.namespace ?? "").localeCompare(b.metadata?.namespace ?? "") ||
            a.metadata!.name!.localeCompare(b.metadata!.name!),
    );
    c.agent.destroy();
    return { serverVersion: version.body.gitVersion, objects };
}

async function main(): Promise<void> {
    const i = process.argv.indexOf("--kubeconfig");
    let kubeconfig = i > 0 ? process.argv[i + 1] : undefined;
    let stop: (() => Promise<unknown>) | undefined;
    if (!kubeconfig) {
        const { loadInfo } = await import("../cluster/state");
        const info = loadInfo();
        if (info) kubeconfig = info.kubeconfig;
        else {
            const { up } = await import("../cluster/local");
            const { down } = await import("../cluster/down");
            const c = await up();
            kubeconfig = c.kubeconfig;
            stop = () => down(c);
        }
    }
    try {
        const snap = await snapshotFrom(kubeconfig);
        writeFileSync(DEFAULTS_FILE, JSON.stringify(snap, null, 1) + "\n");
        process.stderr.write(
            `wrote ${snap.objects.length} default RBAC objects of kube-apiserver ` +
                `${snap.serverVersion} to ${DEFAULTS_FILE}\n`,
        );
    } finally {
        if (stop) await stop();
    }
}

if (require.main === module)
    main().then(
        () => process.exit(0),
        e => {
            process.stderr.write(`access:defaults: ${(e as Error).message}\n`);
            process.exit(1);
        },
    );
