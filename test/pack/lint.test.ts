/** Pack lint: names, descriptions, catalog coverage, tests per rule, docs freshness. */
import { strict as assert } from "assert";
import { readdirSync, readFileSync, statSync } from "fs";
import * as path from "path";
import { RULES } from "../../rules";
import { CATALOG } from "../../rules/catalog";
import { renderPolicyDocs } from "../../scripts/gen-policy-docs";

function testSources(dir: string, keep: (file: string) => boolean = () => true): string {
    return readdirSync(dir)
        .map(f => path.join(dir, f))
        .map(p =>
            statSync(p).isDirectory()
                ? testSources(p, keep)
                : p.endsWith(".ts") && keep(p)
                  ? readFileSync(p, "utf8")
                  : "",
        )
        .join("\n");
}

describe("pack lint", () => {
    it("every catalog control (§1.1, §1.2, §1.3) has exactly one rule", () => {
        const ids = RULES.map(r => r.id);
        assert.deepEqual(
            CATALOG.map(c => c.id).filter(id => !ids.includes(id)),
            [],
        );
        assert.equal(new Set(ids).size, ids.length);
        assert.equal(RULES.length, 97);
    });
    it("every rule's ID is in the catalog", () => {
        const known = new Set(CATALOG.map(c => c.id));
        assert.deepEqual(
            RULES.filter(r => !known.has(r.id)).map(r => r.id),
            [],
        );
    });
    it("names are unique kebab-case", () => {
        const names = RULES.map(r => r.name);
        assert.equal(new Set(names).size, names.length);
        for (const n of names) assert.match(n, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    });
    it("descriptions and remediations are full sentences", () => {
        for (const r of RULES) {
            for (const text of [r.description, r.remediation]) {
                assert.match(text, /^[A-Z`]/, `${r.name}: starts with a capital`);
                assert.match(text, /[.)]$/, `${r.name}: ends with a full stop`);
                assert.ok(text.split(" ").length >= 6, `${r.name}: a sentence, not a phrase`);
            }
        }
    });
    it("urls point at documentation", () => {
        for (const r of RULES)
            assert.match(r.url, /^https:\/\/(kubernetes\.io|helm\.sh|kubernetes\.github\.io)\//, r.name);
    });
    it("every rule is exercised by a test under test/rules or a fixture beside its rule (its ID appears there)", () => {
        // The areas' fixtures (rules/<area>/cases.ts, *-cases.ts) are run case by case by test/rules/areas.test.ts.
        const fixtures = testSources(path.join(__dirname, "..", "..", "rules"), f => /(^|[/-])cases\.ts$/.test(f));
        const src = testSources(path.join(__dirname, "..", "rules")) + fixtures;
        assert.deepEqual(
            RULES.filter(r => !src.includes(`"${r.id}"`)).map(r => r.id),
            [],
        );
    });
    it("docs/policies.md is up to date (npm run docs:policies)", () => {
        const committed = readFileSync(path.join(__dirname, "..", "..", "docs", "policies.md"), "utf8");
        assert.equal(committed, renderPolicyDocs(), "docs/policies.md is stale: run `npm run docs:policies`");
    });
});
