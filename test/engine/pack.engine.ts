/**
 * The policy pack as users run it: loaded by the real Pulumi engine (the pinned CLI built from
 * Go modules), over the resources of every stack and over a deliberately insecure example.
 */
import { strict as assert } from "assert";
import { readdirSync, readFileSync, existsSync } from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { RULES } from "../../rules";
import { PROJECT } from "../../rules/vocabulary";
import { manifestResource, toDeployment } from "../../scripts/engine/deployment";
import { analyze, PolicyEvent, REPO } from "./analyze";

/** Policy name of the rule implementing a control (the pack names policies after rules). */
function policyFor(controlId: string): string {
    const rule = RULES.find(r => r.id === controlId);
    assert.ok(rule, `no rule implements ${controlId}`);
    return rule.name;
}

function insecureDeployment(): object {
    const text = readFileSync(path.join(REPO, "examples", "insecure", "insecure.yaml"), "utf8");
    const objs = parseAllDocuments(text)
        .map(d => d.toJS())
        .filter(Boolean);
    return toDeployment(
        objs.map(o => manifestResource(o, "insecure", PROJECT)),
        "insecure",
        PROJECT,
    );
}

const mandatory = (evs: PolicyEvent[]) => evs.filter(e => e.enforcementLevel === "mandatory");
const names = (evs: PolicyEvent[]) => new Set(evs.map(e => e.policyName));

describe("real engine: stacks/ pass the hardened-k8s pack", () => {
    const stacks = readdirSync(path.join(REPO, "stacks"))
        .map(f => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => Boolean(s));

    it("finds the dev, prod and local stacks", () => {
        for (const s of ["dev", "prod", "local"]) {
            assert.ok(stacks.includes(s), `stacks/Pulumi.${s}.yaml is missing`);
        }
    });

    for (const stack of ["dev", "prod", "local"]) {
        it(`${stack}: no mandatory violation, exit 0`, async () => {
            const { gatherStack } = await import("../../scripts/gather");
            const gathered = await gatherStack(stack);
            assert.ok(gathered.resources.length > 5, `gathered only ${gathered.resources.length} resources`);
            const cfgFile = path.join(REPO, "stacks", `policy-config.${stack}.json`);
            const cfg = existsSync(cfgFile) ? JSON.parse(readFileSync(cfgFile, "utf8")) : undefined;
            const res = analyze(toDeployment(gathered.resources, stack, PROJECT), cfg);
            const bad = mandatory(res.events).map(e => `${e.policyName}: ${e.message.split("\n").pop()}`);
            assert.deepEqual(bad, [], res.stderr);
            assert.equal(res.code, 0, res.stderr);
            console.log(
                `      ${stack}: ${gathered.resources.length} resources, ${res.events.length} ` +
                    `advisory events, ${res.seconds.toFixed(1)}s`,
            );
        });
    }
});

describe("real engine: a deliberately insecure example fails", () => {
    const expected = ["PS-01", "PS-02", "PS-04", "PS-07", "PS-17", "RBAC-01", "RBAC-06", "RBAC-07", "NET-03"];
    let res: ReturnType<typeof analyze>;
    before(() => {
        res = analyze(insecureDeployment());
    });

    it("exits 1 with the engine's mandatory-violation error", () => {
        assert.equal(res.code, 1, res.stderr);
        assert.match(res.stderr, /mandatory policy violations/);
    });

    for (const id of expected) {
        it(`reports ${id} as mandatory`, () => {
            const evs = res.events.filter(e => e.policyName === policyFor(id));
            assert.ok(
                evs.length > 0,
                `no event for ${id} (${policyFor(id)}); got ${[...names(res.events)].join(", ")}`,
            );
            assert.ok(evs.every(e => e.enforcementLevel === "mandatory"));
            assert.ok(evs.every(e => e.policyPackName === "hardened-k8s"));
        });
    }
});

describe("real engine: --policy-pack-config", () => {
    it("`all: advisory` turns every violation advisory and the run passes", () => {
        const res = analyze(insecureDeployment(), { all: "advisory" });
        assert.equal(res.code, 0, res.stderr);
        assert.ok(res.events.length > 0);
        assert.deepEqual(mandatory(res.events), []);
    });

    it("disabling one policy removes exactly its events", () => {
        const privileged = policyFor("PS-01");
        const res = analyze(insecureDeployment(), { [privileged]: "disabled" });
        assert.equal(res.code, 1);
        assert.ok(!names(res.events).has(privileged));
        assert.ok(names(res.events).has(policyFor("PS-02")));
    });

    it("an exemption by namespace, set in config, is honoured by the engine", () => {
        const privileged = policyFor("PS-01");
        const res = analyze(insecureDeployment(), { [privileged]: { exemptNamespaces: ["legacy"] } });
        assert.ok(!names(res.events).has(privileged));
    });

    it("rejects an invalid config with a message naming the policy and the property", () => {
        const privileged = policyFor("PS-01");
        const res = analyze(insecureDeployment(), { [privileged]: { exemptNamespaces: "legacy" } });
        assert.notEqual(res.code, 0);
        assert.match(res.stderr, new RegExp(`${privileged}.*exemptNamespaces|exemptNamespaces.*${privileged}`));
        assert.match(res.stderr, /Invalid type|expected/i);
    });

    it("rejects an unknown enforcement level", () => {
        const res = analyze(insecureDeployment(), { [policyFor("PS-01")]: "sometimes" });
        assert.notEqual(res.code, 0);
        assert.match(res.stderr, /enforcement|sometimes/i);
    });
});
