/**
 * The label-indexed selector lookup answers exactly as matching every selector one by one, and keeps NET-07/OTH-07
 * near-linear.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { RULES } from "../../rules";
import { evaluate, resolveRules } from "../../rules/evaluate";
import { SelectorIndex } from "../../rules/selector-index";
import { Match, matchSelector } from "../../rules/selectors";
import { UNKNOWN } from "../../rules/unknown";
import { RUNS, SEED } from "./fuzz-support";
import { selectorCorpus } from "../../bench/corpus";

function naive(selectors: unknown[], labels: unknown): Match {
    const ms = selectors.map(s => matchSelector(s, labels));
    return ms.includes(true) ? true : ms.includes("unknown") ? "unknown" : false;
}

const key = fc.constantFrom("app", "tier", "team", "x");
const value = fc.oneof(fc.constantFrom("a", "b", "c", ""), fc.constant(UNKNOWN), fc.constant(1), fc.constant(null));
const labels = fc.oneof(
    fc.dictionary(key, value, { maxKeys: 3 }),
    fc.constantFrom(UNKNOWN, null, undefined, "a=b", {}),
);
const requirement = fc.record({
    key,
    operator: fc.constantFrom("In", "NotIn", "Exists", "DoesNotExist", "Bogus"),
    values: fc.oneof(fc.array(value, { maxLength: 2 }), fc.constant(UNKNOWN)),
});
const selector = fc.oneof(
    fc.record(
        {
            matchLabels: fc.oneof(fc.dictionary(key, value, { maxKeys: 2 }), fc.constant(UNKNOWN)),
            matchExpressions: fc.oneof(
                fc.array(fc.oneof(requirement, fc.constant(null)), { maxLength: 2 }),
                fc.constant(UNKNOWN),
            ),
        },
        { requiredKeys: [] },
    ),
    fc.constantFrom(UNKNOWN, null, undefined, {}, "x"),
);

describe("selector index", () => {
    it("answers as matching every selector one by one (random selectors, labels, unknowns)", () => {
        fc.assert(
            fc.property(
                fc.array(selector, { maxLength: 8 }),
                fc.array(labels, { minLength: 1, maxLength: 4 }),
                (sels, pods) => {
                    const index = new SelectorIndex(sels);
                    for (const l of pods)
                        assert.equal(
                            index.matches(l),
                            naive(sels, l),
                            JSON.stringify({ sels, l }, (_k, v) => (v === UNKNOWN ? "UNKNOWN" : v)),
                        );
                },
            ),
            { numRuns: RUNS * 10, seed: SEED },
        );
    });

    it(
        "NET-07 and OTH-07: 10,000 Deployments against 10,000 NetworkPolicies and budgets in one " +
            "namespace stay near-linear",
        function () {
            this.timeout(120_000);
            const n = 10_000;
            const objects = selectorCorpus(n);
            for (const id of ["NET-07", "OTH-07"]) {
                const t = performance.now();
                const f = evaluate(resolveRules(RULES.filter(r => r.id === id)), objects);
                const ms = performance.now() - t;
                // Exactly the unselected half; the product of both sides (10^8 selector checks) took minutes.
                assert.equal(f.length, n / 2, id);
                assert.ok(
                    f.every(x => /lonely/.test(JSON.stringify((x.object as { spec: unknown }).spec))),
                    id,
                );
                assert.ok(ms < 20_000, `${id} took ${ms.toFixed(0)} ms`);
            }
        },
    );
});
