/**
 * The access review at scale, in a fresh process: 10,000 generated RBAC objects (about 1,000
 * subjects) loaded from YAML with the scanner's loader plus the default RBAC, then `risky` and
 * single `who-can` questions. Prints JSON timings.
 */
import { writeFileSync } from "fs";
import { performance } from "perf_hooks";
import { stringify } from "yaml";
import { withDefaults } from "../access/defaults";
import { parseRequest } from "../access/request";
import { AccessReview } from "../access/review";
import { risky } from "../access/risky";
import { loadPaths } from "../scanner/load";
import { generate } from "../scripts/rbac-generate";

const file = process.argv[2];
const gen = generate({
    seed: 42,
    prefix: "b",
    namespaces: 100,
    clusterRoles: 1000,
    rolesPerNamespace: 40,
    clusterRoleBindings: 1000,
    roleBindingsPerNamespace: 40,
    users: 400,
    groups: 200,
    serviceAccountsPerNamespace: 4,
});
writeFileSync(file, gen.objects.map(o => stringify(o)).join("---\n"));
const t0 = performance.now();
const { objects, errors } = loadPaths([file]);
if (errors.length) throw new Error(JSON.stringify(errors.slice(0, 3)));
const review = new AccessReview(withDefaults(objects.map(o => o.object)));
const t1 = performance.now();
// Single questions first (nothing cached yet), then risky.
const whoCan = ["list secrets", "create pods/exec", "get nodes/proxy", "update deployments/scale"].map((q, i) => {
    const [verb, res] = q.split(" ");
    const req = parseRequest(verb, res, "", i % 2 ? "b-ns7" : "");
    const s = performance.now();
    const n = review.whoCan(req).length;
    return { question: q, subjects: n, ms: performance.now() - s };
});
const t2 = performance.now();
const entries = risky(review, { includeDefaults: true });
const t3 = performance.now();
const rbac = objects.filter(o => /^(Cluster)?Role(Binding)?$/.test(o.object.kind ?? "")).length;
process.stdout.write(
    JSON.stringify({
        rbacObjects: rbac,
        subjects: review.subjects.length,
        namespaces: review.namespaces.length,
        loadMs: t1 - t0,
        riskyMs: t3 - t2,
        riskyEntries: entries.length,
        whoCanMaxMs: Math.max(...whoCan.map(w => w.ms)),
        whoCan,
        maxRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
);
