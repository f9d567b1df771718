/**
 * Cross-resource rules at scale, in a fresh process: N Deployments against N NetworkPolicies and
 * N PodDisruptionBudgets in ONE namespace (each policy selects one app; half the Deployments are
 * selected by nothing). Times NET-07 and OTH-07 alone; prints JSON.
 */
import { performance } from "perf_hooks";
import { RULES } from "../rules";
import { evaluate, resolveRules } from "../rules/evaluate";
import { selectorCorpus } from "./corpus";

const n = Number(process.argv[2] ?? 10000);
const objects = selectorCorpus(n);
const out: Record<string, number> = { deployments: n, policies: n, budgets: n };
for (const id of ["NET-07", "OTH-07"]) {
    const resolved = resolveRules(RULES.filter(r => r.id === id));
    const t = performance.now();
    const findings = evaluate(resolved, objects);
    out[`${id} ms`] = performance.now() - t;
    out[`${id} findings`] = findings.length;
}
process.stdout.write(JSON.stringify(out));
