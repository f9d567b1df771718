/**
 * e2e check 15: default-deny inside and across namespaces, DNS egress to kube-dns only, the stack's
 * declared flows and SecureIngress's policy, as TCP connections between pods on the node (busybox
 * nc); each denial is paired with a connection to the same port from an allowed peer, so a denial is
 * the policy and not a missing listener. Its pods stay for check 16.
 */
import { Check } from "../harness";
import { ensureNamespace, expectFlow, nodePod, runPods, serve } from "../node-kit";

export const check: Check = {
    name:
        "15. node traffic: default-deny inside and across namespaces; DNS egress to kube-dns only; the " +
        "stack's declared ingress/egress flows and SecureIngress's backend port pass, nothing else",
    run: async e => {
        const { c, ns } = e;
        for (const n of ["monitoring", "db", "ingress-nginx"]) ensureNamespace(e, n);
        const app = { "app.kubernetes.io/name": "app" };
        const pods = await runPods(e, [
            nodePod(e, "app", ns, app, `${serve("app", [8080, 9090, 9091])}`, { sa: c.workloadServiceAccount }),
            nodePod(e, "peer", ns, { "app.kubernetes.io/name": "peer" }, `${serve("peer", [8080])}`, {
                sa: c.workloadServiceAccount,
            }),
            nodePod(e, "db", "db", { "app.kubernetes.io/name": "db" }, serve("db", [5432, 5433])),
            nodePod(e, "cache", "db", { "app.kubernetes.io/name": "cache" }, serve("cache", [5432])),
            nodePod(
                e,
                "prometheus",
                "monitoring",
                { "app.kubernetes.io/name": "prometheus" },
                serve("prometheus", [8080]),
            ),
            nodePod(e, "fake-controller", "monitoring", { "app.kubernetes.io/name": "ingress-nginx" }, "sleep 3600"),
            nodePod(e, "controller", "ingress-nginx", { "app.kubernetes.io/name": "ingress-nginx" }, "sleep 3600"),
            nodePod(e, "other", "ingress-nginx", { "app.kubernetes.io/name": "other" }, "sleep 3600"),
            nodePod(e, "kube-dns", "kube-system", { "k8s-app": "kube-dns" }, serve("kube-dns", [53, 5353])),
            nodePod(e, "not-dns", "kube-system", { "k8s-app": "not-dns" }, serve("not-dns", [53])),
        ]);
        const T = (s: string) => `${ns}/${s}`;
        const at = (key: string) => ({ ip: pods[key].ip, name: key.split("/")[1] });
        // Positive controls first: each listener a denial below is about answers a peer that is
        // allowed to reach it (the ingress controller's namespace has no policy of its own).
        for (const [to, port] of [
            [T("app"), 8080],
            ["db/db", 5432],
            ["db/db", 5433],
            ["db/cache", 5432],
            ["kube-system/kube-dns", 5353],
            ["kube-system/not-dns", 53],
            ["monitoring/prometheus", 8080],
        ] as const) {
            await expectFlow(
                e,
                "ingress-nginx/controller",
                at(to),
                port,
                true,
                "positive control (from the ingress controller's namespace, which has no policy)",
            );
        }
        // Default-deny inside the namespace and across namespaces, both directions.
        await expectFlow(
            e,
            T("peer"),
            at(T("app")),
            8080,
            false,
            "same-namespace traffic (allowSameNamespace is false)",
        );
        await expectFlow(e, "ingress-nginx/other", at(T("app")), 8080, false, "ingress from another namespace");
        await expectFlow(e, T("app"), at("monitoring/prometheus"), 8080, false, "egress to another namespace");
        // DNS: egress to the kube-dns pods on 53 only.
        await expectFlow(e, T("app"), at("kube-system/kube-dns"), 53, true, "DNS egress to kube-dns");
        await expectFlow(e, T("app"), at("kube-system/kube-dns"), 5353, false, "egress to kube-dns on another port");
        await expectFlow(e, T("app"), at("kube-system/not-dns"), 53, false, "port 53 on a pod that is not kube-dns");
        // Declared flows (stack network.ingress / network.egress) pass; their neighbours do not.
        await expectFlow(e, "monitoring/prometheus", at(T("app")), 9090, true, "declared ingress from-monitoring");
        await expectFlow(
            e,
            "monitoring/prometheus",
            at(T("app")),
            8080,
            false,
            "from-monitoring on an undeclared port",
        );
        await expectFlow(e, T("app"), at("db/db"), 5432, true, "declared egress to-db");
        await expectFlow(e, T("app"), at("db/db"), 5433, false, "to-db on an undeclared port");
        await expectFlow(e, T("app"), at("db/cache"), 5432, false, "to-db towards a pod without the declared labels");
        await expectFlow(e, T("peer"), at("db/db"), 5432, false, "to-db from a pod the rule does not select");
        // SecureIngress: only the controller's pods (its namespace and labels) reach the backend port.
        await expectFlow(
            e,
            "ingress-nginx/controller",
            at(T("app")),
            8080,
            true,
            "ingress controller to the backend port",
        );
        await expectFlow(
            e,
            "ingress-nginx/controller",
            at(T("app")),
            9090,
            false,
            "ingress controller to another port (9090 answers monitoring, above)",
        );
        await expectFlow(
            e,
            "monitoring/fake-controller",
            at(T("app")),
            8080,
            false,
            "controller labels in another namespace",
        );
    },
};
