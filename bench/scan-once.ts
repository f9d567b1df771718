/** One scanner run in a fresh process (so peak RSS is this run's): parse YAML + evaluate every rule; prints JSON timings. */
import { performance } from "perf_hooks";
import { RULES } from "../rules";
import { evaluate, resolveRules } from "../rules/engine";
import { loadPaths } from "../scanner/load";

const file = process.argv[2];
const t0 = performance.now();
const { objects, errors } = loadPaths([file]);
const t1 = performance.now();
const findings = evaluate(resolveRules(RULES), objects.map(o => o.object));
const t2 = performance.now();
if (errors.length) throw new Error(JSON.stringify(errors.slice(0, 3)));
process.stdout.write(JSON.stringify({ resources: objects.length, findings: findings.length, parseMs: t1 - t0, evalMs: t2 - t1, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
