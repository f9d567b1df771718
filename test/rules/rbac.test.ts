/**
 * RBAC rules decide as the RBAC authorizer (rules/rbac/authorize.ts): resourceNames, literal subresources, both halves
 * of CSR approval, non-resource URLs, aggregation.
 */
import { strict as assert } from "assert";
import { run, RBAC_CASES } from "../../rules/cases";
import { binding, group, role } from "../../rules/testkit/cases";

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
    it("RBAC-08 allows system:authenticated on a role in the set that only reads named ConfigMaps", () => {
        const info = { apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNames: ["pipelines-info"] };
        const bound = (rules: unknown[], extra: Record<string, unknown> = {}) =>
            run("RBAC-08", [{ ...role(rules as never), ...extra }, binding([group("system:authenticated")])]);
        assert.deepEqual(bound([info]), []);
        assert.deepEqual(bound([info, { ...info, resourceNames: ["other"] }]), []);
        // anything more than get on named ConfigMaps, or anything not known, and the binding is flagged
        for (const rules of [
            [{ ...info, verbs: ["get", "list"] }],
            [{ ...info, verbs: ["*"] }],
            [{ ...info, resourceNames: [] }],
            [{ ...info, resourceNames: undefined }],
            [{ ...info, resources: ["configmaps", "secrets"] }],
            [{ ...info, apiGroups: ["*"] }],
            [info, { nonResourceURLs: ["/metrics"], verbs: ["get"] }],
            [],
        ])
            assert.equal(bound(rules).length, 1, JSON.stringify(rules));
        assert.equal(bound([info], { aggregationRule: { clusterRoleSelectors: [] } }).length, 1);
        // the role is not in the set: judged by the binding alone, as the admission twin judges it
        assert.equal(run("RBAC-08", [binding([group("system:authenticated")])]).length, 1);
        // another role of that name elsewhere is not the one bound
        const elsewhere = { ...role([info]), metadata: { name: "r", namespace: "team-b" } };
        assert.equal(run("RBAC-08", [elsewhere, binding([group("system:authenticated")])]).length, 1);
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
