/**
 * Property-based fuzzing of the rule core and both faces (the engine, and the CrossGuard policies
 * through the harness that runs them as the policy SDK's server does). Fixed seed and modest run
 * counts by default; `FUZZ_RUNS=2000 FUZZ_SEED=<n> npm test -- --grep fuzz` goes deeper. Every
 * crash ever found is kept in `fuzz-seeds/` and replayed below as an ordinary test.
 */
import { strict as assert } from "assert";
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import fc from "fast-check";
import { toPolicies, toPolicy } from "../../policy-packs/crossguard/policies";
import { RULES } from "../../rules";
import { evaluate, resolveRules } from "../../rules/evaluate";
import { K8sObject, ResourceRule, StackRule } from "../../rules/types";
import { k8sResource, runPolicies } from "../../scripts/policy-harness";
import { anyObject, evaluateAll, Json, RUNS, SEED, summary } from "./fuzz-support";
import { workload } from "../../rules/cases";

const POLICIES = toPolicies(RULES);
/** Generous per-object budget (all 97 rules on one object take about a millisecond). */
const MS_PER_OBJECT = 1000;

const errorsOf = (objs: K8sObject[]) =>
    evaluateAll(objs)
        .filter(f => f.error)
        .map(f => f.message);

/** Move an object out of every namespace and name the other objects use, keeping the rest of it. */
function unrelated(o: Json, i: number): Json {
    const md = o.metadata !== null && typeof o.metadata === "object" && !Array.isArray(o.metadata) ? o.metadata : {};
    return { ...o, metadata: { ...md, name: `zz-unrelated-${i}`, namespace: "zz-unrelated" } };
}

function multisetIncludes(big: string[], small: string[]): string | undefined {
    const counts = new Map<string, number>();
    for (const s of big) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const s of small) {
        const n = counts.get(s) ?? 0;
        if (n === 0) return s;
        counts.set(s, n - 1);
    }
    return undefined;
}

describe("fuzz: random and mutated objects through every rule", function () {
    this.timeout(120_000);
    const params = { numRuns: RUNS, seed: SEED };
    const objects = fc.array(anyObject, { minLength: 1, maxLength: 4 });

    it("the engine: no rule throws, the output is deterministic, time per object bounded", () => {
        fc.assert(
            fc.property(objects, objs => {
                const first = evaluateAll(objs);
                assert.deepEqual(
                    first.filter(f => f.error).map(f => f.message),
                    [],
                    "a rule threw",
                );
                const again = structuredClone(objs);
                assert.deepEqual(summary(evaluateAll(again), again), summary(first, objs));
                for (const o of objs) {
                    const t = performance.now();
                    evaluateAll([o]);
                    assert.ok(
                        performance.now() - t < MS_PER_OBJECT,
                        `one object took over ${MS_PER_OBJECT} ms: ${JSON.stringify(o).slice(0, 200)}`,
                    );
                }
            }),
            params,
        );
    });

    it("the engine: no finding is lost when unrelated objects are added", () => {
        fc.assert(
            fc.property(objects, fc.array(anyObject, { minLength: 1, maxLength: 4 }), (objs, extra) => {
                const alone = summary(evaluateAll(objs), objs);
                const all = [...objs, ...extra.map(unrelated)];
                const together = summary(evaluateAll(all), all).filter(s => Number(s.split("|")[0]) < objs.length);
                const lost = multisetIncludes(together, alone);
                assert.equal(lost, undefined, `lost: ${lost}`);
            }),
            params,
        );
    });

    it("the CrossGuard face: no policy throws or errs, the output is deterministic", async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(anyObject, { minLength: 1, maxLength: 3 }), async objs => {
                const resources = objs
                    .filter(o => typeof o.kind === "string" && /^\w+$/.test(o.kind))
                    .map(o => k8sResource(o));
                const first = await runPolicies(POLICIES, resources, { all: "mandatory" });
                assert.deepEqual(
                    first.filter(v => v.message.includes("POLICY ERROR")).map(v => v.message),
                    [],
                );
                const again = await runPolicies(POLICIES, structuredClone(resources), { all: "mandatory" });
                const key = (v: { policy: string; message: string; urn?: string; enforcementLevel: string }) =>
                    `${v.policy}|${v.urn}|${v.enforcementLevel}|${v.message}`;
                assert.deepEqual(again.map(key).sort(), first.map(key).sort());
            }),
            { ...params, numRuns: Math.max(5, Math.ceil(RUNS / 4)) },
        );
    });
});

describe("fuzz seed corpus: every crash found so far, replayed", () => {
    const dir = path.join(__dirname, "fuzz-seeds");
    const seeds = readdirSync(dir)
        .filter(f => f.endsWith(".json"))
        .sort();
    it("holds the crash sites found so far", () => assert.ok(seeds.length >= 7, seeds.join(", ")));
    for (const file of seeds) {
        const seed = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { why: string; objects: Json[] };
        describe(`${file}: ${seed.why}`, () => {
            it("the engine decides every rule on it", () => assert.deepEqual(errorsOf(seed.objects), []));
            it("the CrossGuard face decides every policy on it", async () => {
                const v = await runPolicies(
                    POLICIES,
                    seed.objects.map(o => k8sResource(o)),
                    { all: "mandatory" },
                );
                assert.deepEqual(
                    v.filter(x => x.message.includes("POLICY ERROR")).map(x => x.message),
                    [],
                );
            });
        });
    }
    it("labels given as a string count as missing labels (OTH-05), not as a crash", () => {
        const o = workload("Deployment") as Json;
        o.metadata.labels = "a=b";
        assert.deepEqual(
            evaluate(resolveRules(RULES.filter(r => r.id === "OTH-05")), [o]).map(f => [f.controlId, !!f.error]),
            [["OTH-05", false]],
        );
    });
    it("an audit Policy with rules: [null] is still judged (nothing logged: CFG-03 findings)", () => {
        const f = evaluate(resolveRules(RULES.filter(r => r.id === "CFG-03")), [
            { apiVersion: "audit.k8s.io/v1", kind: "Policy", rules: [null] } as Json,
        ]);
        assert.ok(
            f.length > 0 && f.every(x => !x.error && /does not log/.test(x.message)),
            JSON.stringify(f.map(x => x.message)),
        );
    });
});

describe("isolation: a rule that throws costs only its own verdict on that object", () => {
    const pod = RULES.find(r => r.id === "PS-01") as ResourceRule;
    const boom: ResourceRule = {
        ...pod,
        name: "boom",
        check(obj) {
            if ((obj.metadata as Json)?.name === "bad") throw new TypeError("cannot read 'x' of null");
            return pod.check(obj, { config: { exemptNamespaces: [], exemptNames: [], exemptLabels: {} } });
        },
    };
    const privileged = (name: string) => {
        const o = workload("Pod") as Json;
        o.metadata.name = name;
        o.spec.containers[0].securityContext.privileged = true;
        return o;
    };

    it("the engine: an error finding for the bad object, every other finding kept", () => {
        const f = evaluate(resolveRules([boom, ...RULES.filter(r => r.id === "PS-02")]), [
            privileged("a"),
            privileged("bad"),
            privileged("c"),
        ]);
        const err = f.filter(x => x.error);
        assert.equal(err.length, 1);
        assert.equal(err[0].controlId, "PS-01");
        assert.equal((err[0].object.metadata as Json).name, "bad");
        assert.match(err[0].message, /boom failed on Pod "team-a\/bad" \(TypeError: cannot read 'x' of null\)/);
        assert.deepEqual(
            f.filter(x => !x.error && x.controlId === "PS-01").map(x => (x.object.metadata as Json).name),
            ["a", "c"],
        );
    });

    it("a stack rule: the object that makes it throw gets the error, the rest are still judged", () => {
        const stack: StackRule = {
            ...pod,
            scope: "stack",
            name: "boom-stack",
            check(objs) {
                if (objs.some(o => (o.metadata as Json)?.name === "bad")) throw new Error("stack rule failed");
                return objs.map(o => ({ controlId: "PS-01", object: o, path: "metadata.name", message: "seen" }));
            },
        };
        const objs = [privileged("a"), privileged("bad"), privileged("c")];
        const f = evaluate(resolveRules([stack]), objs);
        assert.deepEqual(f.map(x => `${(x.object.metadata as Json).name}:${x.error ? "error" : x.message}`).sort(), [
            "a:seen",
            "bad:error",
            "c:seen",
        ]);
    });

    it(
        "the CrossGuard face reports a mandatory violation saying the rule failed, even for an advisory " + "policy",
        async () => {
            const v = await runPolicies([toPolicy(boom)], [k8sResource(privileged("bad"))], { boom: "advisory" });
            assert.equal(v.length, 1);
            assert.equal(v[0].enforcementLevel, "mandatory");
            assert.match(v[0].message, /^\[PS-01\] POLICY ERROR: The rule boom failed on Pod "team-a\/bad"/);
        },
    );
});
