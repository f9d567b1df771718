/**
 * Lint of the admission face: every control states what it is in the API server — a CEL twin or
 * a precise reason — and every single-object control has a twin or a reason other than needing
 * several objects. Each twin has parity fixtures (a good and a bad object the rule tells apart)
 * for the e2e check on the real API server.
 */
import { strict as assert } from "assert";
import { readdirSync, readFileSync, statSync } from "fs";
import * as path from "path";
import { ADMISSION_CONTROLS, admissionPolicies, isSingleObject, WITHOUT_TWIN } from "../../admission/policies";
import { NOT_AGGREGATION_CONTROLLER } from "../../rules/rbac/admission";
import { RULES } from "../../rules";
import { resolveRules } from "../../rules/evaluate";
import { ADMISSION_BY_ID } from "../../rules/admission";
import { CATALOG } from "../../rules/catalog";
import { MULTI_OBJECT_REASONS } from "../../rules/types";
import { renderAdmissionDocs } from "../../scripts/gen-admission-docs";
import { parityCases } from "../e2e/admission-parity";
import { run } from "../../rules/cases";

describe("admission twins: every control has a CEL twin or a stated reason", () => {
    it("every rule carries `admission`, and every declared entry is a rule of the catalog", () => {
        const missing = RULES.filter(r => r.admission === undefined).map(r => r.id);
        assert.deepEqual(missing, [], `controls with neither a CEL twin nor a reason: ${missing.join(", ")}`);
        const orphans = [...ADMISSION_BY_ID.keys()].filter(id => !RULES.some(r => r.id === id));
        assert.deepEqual(orphans, [], `admission entries without a rule: ${orphans.join(", ")}`);
        assert.equal(ADMISSION_CONTROLS.length + WITHOUT_TWIN.length, CATALOG.length);
    });

    it("a single-object control has a twin, or a reason that is not 'needs several objects'", () => {
        const wrong = RULES.filter(isSingleObject).filter(
            r => r.admission && "none" in r.admission && MULTI_OBJECT_REASONS.includes(r.admission.none.kind),
        );
        assert.deepEqual(
            wrong.map(r => r.id),
            [],
        );
        // And a control that needs several objects really does (a stack rule that does not judge each object alone).
        for (const w of WITHOUT_TWIN.filter(x => MULTI_OBJECT_REASONS.includes(x.kind))) {
            const r = RULES.find(x => x.id === w.id)!;
            assert.ok(!isSingleObject(r), `${w.id} claims to need several objects but is decided on one`);
        }
    });

    it("the single-object controls outside Pod Security named in the issue each have a twin or a reason", () => {
        for (const id of ["SEC-02", "SEC-03", "RBAC-03", "RBAC-11", "RBAC-12", "RBAC-13", "NS-03", "OTH-02"]) {
            const r = RULES.find(x => x.id === id)!;
            assert.ok(isSingleObject(r), `${id} is decided on one object`);
            assert.ok(r.admission, id);
        }
    });

    it("reasons are precise sentences; 'Pod Security enforces it' only for pod-security controls", () => {
        for (const w of WITHOUT_TWIN) {
            assert.ok(
                w.reason.length >= 60 && w.reason.endsWith("."),
                `${w.id}: reason too short or not a sentence: ${w.reason}`,
            );
            if (w.kind === "pod-security") assert.ok(w.id.startsWith("PS-"), `${w.id} is not a Pod Security control`);
        }
    });

    it("every twin names its control at the start of its message and matches at least one API resource", () => {
        for (const c of ADMISSION_CONTROLS) {
            const cfg = resolveRules([RULES.find(r => r.id === c.id)!], {})[0].config;
            const msg = typeof c.message === "function" ? c.message(cfg) : c.message;
            assert.ok(String(msg).startsWith(`[${c.id}] `), `${c.id}: ${msg}`);
            assert.ok(c.resources.length > 0 && c.resources.every(r => r.resources.length > 0), c.id);
        }
    });

    it("every twin has parity fixtures: a good object its rule admits and a bad one it refuses", () => {
        for (const c of ADMISSION_CONTROLS) {
            const cases = parityCases(c.id);
            assert.ok(cases.length > 0, `${c.id} has no single-object fixtures for the e2e parity check`);
            for (const cs of cases) {
                assert.equal(
                    run(c.id, cs.good(), cs.cfg).length,
                    0,
                    `${c.id} ${cs.what}: the good fixture is refused by the rule`,
                );
                assert.ok(
                    run(c.id, cs.bad(), cs.cfg).length > 0,
                    `${c.id} ${cs.what}: the bad fixture passes the rule`,
                );
            }
        }
    });

    it("docs/admission.md is up to date (npm run docs:admission)", () => {
        const committed = readFileSync(path.join(__dirname, "..", "..", "docs", "admission.md"), "utf8");
        assert.equal(committed, renderAdmissionDocs(), "docs/admission.md is stale: run `npm run docs:admission`");
    });

    it(
        "imports run one way: rules/ imports neither Pulumi nor a face; admission/ imports no Pulumi and " +
            "no component",
        () => {
            const files = (dir: string): string[] =>
                readdirSync(dir).flatMap(f => {
                    const p = path.join(dir, f);
                    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
                });
            const root = path.join(__dirname, "..", "..");
            const importsOf = (f: string) =>
                [...readFileSync(f, "utf8").matchAll(/^\s*(?:import|export)[^;]*?from\s+"([^"]+)"/gm)].map(m => m[1]);
            const top = (f: string, i: string) =>
                i.startsWith(".") ? path.relative(root, path.resolve(path.dirname(f), i)).split(path.sep)[0] : "";
            const check = (dir: string, forbidden: string[]) => {
                for (const f of files(path.join(root, dir))) {
                    for (const i of importsOf(f))
                        assert.ok(
                            !i.startsWith("@pulumi") && !forbidden.includes(top(f, i)),
                            `${path.relative(root, f)} imports ${i}`,
                        );
                }
            };
            check("rules", ["admission", "components", "policy-packs", "scanner", "test", "scripts"]);
            check("admission", ["components", "policy-packs", "scanner", "test", "scripts"]);
        },
    );
});

describe("admission twins: the aggregation controller keeps the built-in roles current", () => {
    it(
        "every policy on Roles/ClusterRoles lets the aggregation controller's writes through, and only " +
            "those policies",
        () => {
            const policies = admissionPolicies({ prefix: "t-", exemptNamespaces: [] }).filter(
                o => o.kind === "ValidatingAdmissionPolicy",
            );
            const onRoles = policies.filter(p =>
                p.spec.matchConstraints.resourceRules.some((r: { resources: string[] }) =>
                    r.resources.includes("clusterroles"),
                ),
            );
            assert.ok(
                onRoles.length >= 10,
                `expected the RBAC role controls, got ${onRoles.map(p => p.metadata.name).join(", ")}`,
            );
            for (const p of onRoles) {
                const c = p.spec.matchConditions.find(
                    (m: { name: string }) => m.name === NOT_AGGREGATION_CONTROLLER.name,
                );
                assert.ok(c, `${p.metadata.name} would deny the aggregation controller's update of admin/edit/view`);
                assert.match(c.expression, /system:serviceaccount:kube-system:clusterrole-aggregation-controller/);
            }
            const others = policies.filter(
                p =>
                    !onRoles.includes(p) &&
                    p.spec.matchConditions.some((m: { name: string }) => m.name === NOT_AGGREGATION_CONTROLLER.name),
            );
            assert.deepEqual(
                others.map(p => p.metadata.name),
                [],
            );
        },
    );
});
