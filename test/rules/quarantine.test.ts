/** NET-09: allow NetworkPolicies must not select quarantined pods (the label `npm run isolate` sets). */
import { strict as assert } from "assert";
import fc from "fast-check";
import { quarantineSpec, defaultDenySpec, dnsEgressSpec } from "../../components/namespace/builders";
import { selects } from "../../ops/isolate";
import { canSelectQuarantined } from "../../rules/network/network";
import { QUARANTINE_LABEL } from "../../rules/vocabulary";
import { UNKNOWN } from "../../rules/unknown";
import { allowWeb, clone, Json, run } from "../../rules/cases";

const Q = QUARANTINE_LABEL;
const np = (name: string, spec: Json): Json => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: "team-a" },
    spec,
});

describe("NET-09 allow policies skip quarantined pods", () => {
    it("judges the label isolate sets and SecureNamespace's quarantine policy selects", () => {
        assert.deepEqual(quarantineSpec().podSelector, { matchLabels: { [QUARANTINE_LABEL]: "true" } });
    });

    it(
        "passes SecureNamespace's own policies: quarantine, default-deny (no allow rules) and DNS egress " +
            "(excludes the label)",
        () => {
            const f = run("NET-09", [
                np("quarantine", quarantineSpec()),
                np("default-deny", defaultDenySpec()),
                np("allow-dns-egress", dnsEgressSpec()),
            ]);
            assert.deepEqual(
                f.map(x => x.message),
                [],
            );
        },
    );

    it("flags an allow policy that selects only quarantined pods (it gives them traffic back)", () => {
        const f = run("NET-09", [allowWeb([{ key: Q, operator: "In", values: ["true"] }])]);
        assert.equal(f.length, 1);
        assert.equal(f[0].path, "spec.podSelector");
        assert.match(f[0].message, /allows ingress/);
    });

    it("passes a selector that requires another value of the label, or a selector that can select nothing", () => {
        assert.equal(run("NET-09", [allowWeb([{ key: Q, operator: "In", values: ["false"] }])]).length, 0);
        const p = allowWeb([]);
        p.spec.podSelector.matchLabels[Q] = "no";
        assert.equal(run("NET-09", [p]).length, 0);
        const none = allowWeb([{ key: "app.kubernetes.io/name", operator: "NotIn", values: ["web"] }]);
        assert.equal(run("NET-09", [none]).length, 0, "matchLabels web and NotIn [web] select nothing");
    });

    it("an empty or absent podSelector selects every pod, quarantined ones included", () => {
        const p = allowWeb([]);
        p.spec.podSelector = {};
        assert.equal(run("NET-09", [p]).length, 1);
        delete p.spec.podSelector;
        assert.equal(run("NET-09", [p]).length, 1);
    });

    it(
        "policyTypes as the API server defaults them: egress rules without policyTypes allow egress; " +
            "rules of a type not listed allow nothing",
        () => {
            const p = allowWeb([], "Egress");
            delete p.spec.policyTypes;
            assert.match(run("NET-09", [p])[0].message, /allows egress/);
            const q = allowWeb([]);
            q.spec.policyTypes = ["Egress"];
            assert.equal(run("NET-09", [q]).length, 0, "ingress rules under policyTypes [Egress] are ignored");
            const r = allowWeb([]);
            r.spec.ingress = [];
            assert.equal(run("NET-09", [r]).length, 0, "an empty rule list allows nothing");
        },
    );

    it("unknown selectors or rules during preview are reported as unknown", () => {
        for (const mutate of [
            (s: Json) => (s.podSelector = UNKNOWN),
            (s: Json) => (s.podSelector.matchExpressions = UNKNOWN),
            (s: Json) => (s.ingress = UNKNOWN),
            (s: Json) => (s.policyTypes = UNKNOWN),
        ]) {
            const p = allowWeb([]);
            mutate(p.spec);
            const f = run("NET-09", [p]);
            assert.ok(f.length === 1 && f[0].unknown, JSON.stringify(f));
        }
        const p = clone(allowWeb([]));
        p.spec = UNKNOWN;
        assert.ok(run("NET-09", [p]).every(x => x.unknown) && run("NET-09", [p]).length === 1);
    });

    it("skips the system namespaces by default", () => {
        const p = allowWeb([]);
        p.metadata.namespace = "kube-system";
        assert.equal(run("NET-09", [p]).length, 0);
    });

    it(
        "equals a brute-force search over label sets for random selectors (isolate's own selector " +
            "matching as the oracle)",
        () => {
            // Keys: the quarantine label and one other; values drawn from a small set, plus one no selector names.
            const keys = [Q, "app"];
            const values = ["true", "false", "web"];
            const req = fc
                .record({
                    key: fc.constantFrom(...keys),
                    operator: fc.constantFrom("In", "NotIn", "Exists", "DoesNotExist"),
                    values: fc.subarray(values, { minLength: 1 }),
                })
                .map(r =>
                    r.operator === "Exists" || r.operator === "DoesNotExist" ? { key: r.key, operator: r.operator } : r,
                );
            const selector = fc.record({
                matchLabels: fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...values), { maxKeys: 2 }),
                matchExpressions: fc.array(req, { maxLength: 4 }),
            });
            const appValues: Array<string | undefined> = [undefined, ...values, "unnamed"];
            fc.assert(
                fc.property(selector, sel => {
                    const oracle = appValues.some(app =>
                        selects(sel, { [Q]: "true", ...(app === undefined ? {} : { app }) }),
                    );
                    assert.equal(canSelectQuarantined(sel), oracle, JSON.stringify(sel));
                }),
                { numRuns: 2000, seed: 17 },
            );
        },
    );
});
