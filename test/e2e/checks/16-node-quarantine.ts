/**
 * e2e check 16: quarantine on the node: `npm run isolate` cuts the pod off from flows that passed a
 * moment before (both directions) and names a team policy that forgets the quarantine label (as the
 * pack's NET-09 does; that policy's flow indeed still passes); `release` restores the flows. It uses
 * the pods check 15 started.
 */
import * as path from "path";
import { stringify } from "yaml";
import { QUARANTINE_LABEL } from "../../../ops/isolate";
import { RULES } from "../../../rules";
import { evaluate, resolveRules } from "../../../rules/evaluate";
import { assert, Check, isolateCli } from "../harness";
import { expectFlow, podAddress } from "../node-kit";

export const check: Check = {
    name:
        "16. node quarantine: isolate cuts the pod off from flows that passed a moment before (both " +
        "directions) and names a team policy that forgets the quarantine label, whose flow indeed still " +
        "passes; release restores the flows",
    run: async e => {
        const { c, k, ns } = e;
        const T = (s: string) => `${ns}/${s}`;
        const at = (key: string) => podAddress(e, key);
        // A team's own allow policy that does not exclude quarantined pods.
        const leaky = {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "team-own-metrics", namespace: ns },
            spec: {
                podSelector: { matchLabels: { "app.kubernetes.io/name": "app" } },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
                        ports: [{ port: 9091 }],
                    },
                ],
            },
        };
        assert(
            k(["apply", "--server-side", "--field-manager=e2e-node", "-f", "-"], stringify(leaky)).code === 0,
            "the team policy did not apply",
        );
        await expectFlow(e, "monitoring/prometheus", at(T("app")), 9091, true, "the team's own flow before isolation");
        await expectFlow(e, "monitoring/prometheus", at(T("app")), 9090, true, "ingress before isolation");
        await expectFlow(e, T("app"), at("db/db"), 5432, true, "egress before isolation");
        const cli = (args: string[]) => isolateCli(e, args);
        const iso = cli([
            "isolate",
            ns,
            "app",
            "--evidence-dir",
            path.join(c.stateDir, "node-evidence"),
            "--reason",
            "e2e node quarantine",
        ]);
        assert(iso.status === 0, `isolate failed (${iso.status}): ${iso.stderr}`);
        assert(
            /team-own-metrics/.test(iso.stderr),
            `isolate did not report the team policy that still admits traffic: ${iso.stderr}`,
        );
        assert(
            JSON.parse(k(["get", "pod", "app", "-n", ns, "-o", "json"]).out).metadata.labels[QUARANTINE_LABEL] ===
                "true",
            "the pod is not labelled",
        );
        await expectFlow(e, "monitoring/prometheus", at(T("app")), 9090, false, "ingress after isolation");
        await expectFlow(e, T("app"), at("db/db"), 5432, false, "egress after isolation");
        await expectFlow(e, T("app"), at("kube-system/kube-dns"), 53, false, "DNS egress after isolation");
        await expectFlow(
            e,
            "monitoring/prometheus",
            at(T("app")),
            9091,
            true,
            "the team policy's flow (policies add up: that is why isolate names it)",
        );
        // The pack's NET-09, on the namespace's policies as the API server holds them, flags exactly the one whose flow
        // passed.
        const live = JSON.parse(k(["get", "networkpolicies", "-n", ns, "-o", "json"]).out).items;
        const net09 = evaluate(resolveRules(RULES.filter(r => r.id === "NET-09")), live).map(
            f => `${f.object.metadata?.name}${f.unknown ? " (unknown)" : ""}`,
        );
        assert(
            JSON.stringify(net09) === JSON.stringify(["team-own-metrics"]),
            `NET-09 flags ${JSON.stringify(net09)} among ${live.length} policies, expected only team-own-metrics`,
        );
        const rel = cli(["release", ns, "app"]);
        assert(rel.status === 0, `release failed (${rel.status}): ${rel.stderr}`);
        await expectFlow(e, "monitoring/prometheus", at(T("app")), 9090, true, "ingress after release");
        await expectFlow(e, T("app"), at("db/db"), 5432, true, "egress after release");
        k(["delete", "networkpolicy", "team-own-metrics", "-n", ns]);
    },
};
