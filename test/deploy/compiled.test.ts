/**
 * The deploy runner hands the engine the compiled policy pack only while dist/ is at least as new
 * as every source of the pack, the rule core and the adapter (bin/compiled.js); a stale build
 * must never judge a stack with yesterday's rules.
 */
import * as assert from "assert";
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { policyPackDir } from "../../deploy/tools";
import { REPO } from "../../scripts/gather";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript, without typings
const { compiledIsFresh } = require(path.join(REPO, "bin", "compiled.js")) as {
    compiledIsFresh(root: string, dirs: string[]): boolean;
};

describe("compiled policy pack freshness (bin/compiled.js)", () => {
    function tree(): { root: string; touch(rel: string, secondsAgo: number): void } {
        const root = mkdtempSync(path.join(os.tmpdir(), "hc-fresh-"));
        const touch = (rel: string, secondsAgo: number) => {
            const f = path.join(root, rel);
            mkdirSync(path.dirname(f), { recursive: true });
            writeFileSync(f, "");
            const t = Date.now() / 1000 - secondsAgo;
            utimesSync(f, t, t);
        };
        return { root, touch };
    }

    it("uses dist/ when its stamp is newer than every source file", () => {
        const t = tree();
        t.touch("rules/a.ts", 100);
        t.touch("rules/sub/b.json", 90);
        t.touch("dist/.stamp", 10);
        assert.strictEqual(compiledIsFresh(t.root, ["rules"]), true);
    });

    it("refuses dist/ when any source file, however deep, is newer than the stamp", () => {
        const t = tree();
        t.touch("rules/a.ts", 100);
        t.touch("dist/.stamp", 50);
        t.touch("policy-packs/crossguard/deep/c.ts", 5);
        assert.strictEqual(compiledIsFresh(t.root, ["rules", "policy-packs"]), false);
    });

    it("refuses dist/ without a stamp, and ignores dependencies under node_modules", () => {
        const t = tree();
        t.touch("rules/a.ts", 100);
        assert.strictEqual(compiledIsFresh(t.root, ["rules"]), false);
        t.touch("dist/.stamp", 50);
        t.touch("policy-packs/hardened-k8s/node_modules/x/package.json", 1);
        assert.strictEqual(compiledIsFresh(t.root, ["rules", "policy-packs"]), true);
    });

    it("the runner's pack is one of the repository's two packs, matching freshness", () => {
        const dir = policyPackDir();
        const compiled = path.join(REPO, "dist", "policy-packs", "hardened-k8s");
        const expected = compiledIsFresh(REPO, ["rules", "policy-packs"])
            ? compiled
            : path.join(REPO, "policy-packs", "hardened-k8s");
        assert.strictEqual(dir, expected);
    });
});
