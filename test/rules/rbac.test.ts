/**
 * RBAC rules decide as the RBAC authorizer (rules/rbac/authorize.ts): resourceNames, literal subresources, both halves
 * of CSR approval, non-resource URLs, aggregation.
 */
import { strict as assert } from "assert";
import { run, RBAC_CASES } from "../../rules/cases";

describe("RBAC rules decide as the authorizer", () => {
    for (const c of RBAC_CASES) {
        describe(`${c.id}: ${c.what}`, () => {
            it("passes the good fixture", () =>
                assert.deepEqual(
                    run(c.id, c.good()).map(f => f.message),
                    [],
                ));
            it("flags the bad fixture", () => {
                const f = run(c.id, c.bad());
                assert.ok(
                    f.length >= 1 && f.every(x => x.controlId === c.id && !x.unknown && !x.error),
                    JSON.stringify(f.map(x => x.message)),
                );
            });
        });
    }
    it("the aggregated ClusterRole is flagged through what it aggregates, at aggregationRule", () => {
        const f = run("RBAC-02", RBAC_CASES.find(c => c.what.startsWith("an aggregated"))!.bad());
        const agg = f.find(x => (x.object.metadata as { name: string }).name === "reader");
        assert.ok(agg, JSON.stringify(f.map(x => x.message)));
        assert.equal(agg.path, "aggregationRule");
        assert.match(agg.message, /through the ClusterRoles it aggregates/);
    });
    it("the finding points at the granting rule", () => {
        const f = run("RBAC-02", [
            {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "Role",
                metadata: { name: "r", namespace: "team-a" },
                rules: [
                    { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
                    { apiGroups: [""], resources: ["secrets"], verbs: ["list"] },
                ],
            },
        ]);
        assert.equal(f[0].path, "rules[1]");
    });
});
