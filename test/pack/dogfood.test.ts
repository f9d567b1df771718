/**
 * Dogfooding: the resources of every stack in stacks/ (the program under mocks) pass the pack
 * with zero mandatory violations; every advisory one is listed and justified in docs/policy-pack.md.
 */
import { strict as assert } from "assert";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { toPolicies } from "../../policy-packs/crossguard/policies";
import { RULES } from "../../rules";
import { gatherStack } from "../../scripts/gather";
import { runPolicies } from "../../scripts/policy-harness";

const REPO = path.join(__dirname, "..", "..");

/** `- \`stack\` · \`policy\` — why` lines of the accepted-advisories section. */
function documentedAdvisories(): Set<string> {
    const doc = readFileSync(path.join(REPO, "docs", "policy-pack.md"), "utf8");
    const out = new Set<string>();
    for (const m of doc.matchAll(/^- `([\w-]+)` · `([\w-]+)` — \S/gm)) out.add(`${m[1]} ${m[2]}`);
    return out;
}

describe("dogfooding: every stack passes the pack", function () {
    this.timeout(60_000);
    const policies = toPolicies(RULES);
    for (const stack of ["dev", "prod", "local"]) {
        it(`${stack}: no mandatory violation; advisories are the documented ones`, async () => {
            const g = gatherStack(stack);
            const cfgFile = path.join(REPO, "stacks", `policy-config.${stack}.json`);
            const cfg = existsSync(cfgFile) ? JSON.parse(readFileSync(cfgFile, "utf8")) : {};
            const v = await runPolicies(
                policies,
                g.resources
                    .filter(r => r.custom)
                    .map(r => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs })),
                cfg,
            );
            assert.deepEqual(
                v.filter(x => x.enforcementLevel === "mandatory").map(x => `${x.policy}: ${x.message}`),
                [],
            );
            const advisories = new Set(v.map(x => `${stack} ${x.policy}`));
            const documented = new Set([...documentedAdvisories()].filter(k => k.startsWith(`${stack} `)));
            assert.deepEqual(
                [...advisories].sort(),
                [...documented].sort(),
                "advisory violations must match the accepted list in docs/policy-pack.md",
            );
        });
    }
});
