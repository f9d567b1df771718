/**
 * Pod templates wherever they are: built-in workloads, well-known custom resources, unknown kinds holding containers;
 * isChecked for the scanner's skipped-kinds list.
 */
import { strict as assert } from "assert";
import { toPolicies } from "../../policy-packs/crossguard/policies";
import { RULES } from "../../rules";
import { evaluate, isChecked, resolveRules } from "../../rules/evaluate";
import { k8sResource, ruleNamed, runPolicies } from "../../scripts/policy-harness";
import { CRD_CASES } from "./crd-fixtures";
import { Json, WORKLOAD_KIND_LIST, workload } from "../../rules/cases";

const ps01 = resolveRules(RULES.filter(r => r.id === "PS-01"));

describe("pod templates in custom resources and unknown kinds", () => {
    for (const [what, obj, path] of CRD_CASES) {
        it(`${what}: a privileged container is found at ${path}`, () => {
            assert.deepEqual(
                evaluate(ps01, [obj]).map(f => f.path),
                [path],
            );
            assert.equal(isChecked(obj), true);
        });
    }
    it("the hardened pod spec in a Rollout passes the pod-security rules like a Deployment", () => {
        const pod = RULES.filter(r => r.id.startsWith("PS-"));
        const d = workload("Deployment") as Json;
        const rollout = { ...d, apiVersion: "argoproj.io/v1alpha1", kind: "Rollout" };
        assert.deepEqual(
            evaluate(resolveRules(pod), [rollout]).map(f => f.message),
            [],
        );
    });
    it("the CrossGuard face judges a privileged Rollout (mandatory PS-01)", async () => {
        const [, rollout] = CRD_CASES[0];
        const v = await runPolicies(
            toPolicies(RULES).filter(p => p.name === ruleNamed("PS-01")),
            [k8sResource(rollout)],
        );
        assert.deepEqual(
            v.map(x => x.enforcementLevel),
            ["mandatory"],
        );
        assert.match(v[0].message, /field: spec\.template\.spec\.containers\[0\]\.securityContext\.privileged/);
    });
    it(
        "isChecked: built-in workloads and kinds rules read are checked; a custom resource without " +
            "containers is not",
        () => {
            for (const k of WORKLOAD_KIND_LIST) assert.equal(isChecked(workload(k)), true, k);
            for (const kind of ["Namespace", "ConfigMap", "Role", "NetworkPolicy", "Service"])
                assert.equal(isChecked({ apiVersion: "v1", kind }), true, kind);
            assert.equal(isChecked({ apiVersion: "example.com/v1", kind: "Gadget", spec: { size: 3 } }), false);
            assert.equal(isChecked({ apiVersion: "apps/v1", kind: "ControllerRevision" }), false);
            assert.equal(
                isChecked({ apiVersion: "cert-manager.io/v1", kind: "Certificate", spec: { secretName: "x" } }),
                false,
            );
        },
    );
    it("a custom resource of a built-in kind name is judged by its group's layout (OpenKruise StatefulSet)", () => {
        const [, sts] = CRD_CASES[3];
        assert.equal(evaluate(ps01, [sts]).length, 1);
    });
    it(
        "kinds named like Object.prototype members (constructor, toString, __proto__) are unknown kinds, " +
            "not table entries: no rule throws",
        () => {
            const all = resolveRules(RULES);
            for (const kind of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
                for (const apiVersion of ["v1", "apps/v1", "argoproj.io/v1alpha1", "example.com/v1"]) {
                    const o = { apiVersion, kind, metadata: { name: "c", namespace: "team-a" }, data: { a: "b" } };
                    assert.deepEqual(
                        evaluate(all, [o])
                            .filter(f => f.error)
                            .map(f => f.message),
                        [],
                        `${apiVersion} ${kind}`,
                    );
                }
            }
        },
    );
});
