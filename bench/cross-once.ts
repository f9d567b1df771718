/**
 * Cross-resource rules at scale, in a fresh process: N Deployments against N NetworkPolicies and
 * N PodDisruptionBudgets in ONE namespace (each policy selects one app; half the Deployments are
 * selected by nothing). Times NET-07 and OTH-07 alone; prints JSON.
 */
import { performance } from "perf_hooks";
import { RULES } from "../rules";
import { evaluate, resolveRules } from "../rules/evaluate";
import { K8sObject } from "../rules/types";

const n = Number(process.argv[2] ?? 10000);
const objects: K8sObject[] = [];
for (let i = 0; i < n; i++) {
    const app = i % 2 === 0 ? `app-${i}` : `lonely-${i}`;
    objects.push({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: `d${i}`, namespace: "bulk" },
        spec: {
            replicas: 2,
            selector: { matchLabels: { app } },
            template: {
                metadata: { labels: { app, tier: "web" } },
                spec: { containers: [{ name: "c", image: "r.example/a:1" }] },
            },
        },
    });
    objects.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: `np${i}`, namespace: "bulk" },
        spec: { podSelector: { matchLabels: { app: `app-${i}` } }, policyTypes: ["Ingress"] },
    });
    objects.push({
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: `pdb${i}`, namespace: "bulk" },
        spec: { maxUnavailable: 1, selector: { matchLabels: { app: `app-${i}` } } },
    });
}
const out: Record<string, number> = { deployments: n, policies: n, budgets: n };
for (const id of ["NET-07", "OTH-07"]) {
    const resolved = resolveRules(RULES.filter(r => r.id === id));
    const t = performance.now();
    const findings = evaluate(resolved, objects);
    out[`${id} ms`] = performance.now() - t;
    out[`${id} findings`] = findings.length;
}
process.stdout.write(JSON.stringify(out));
