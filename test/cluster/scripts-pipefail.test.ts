import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "..", "..");

/** The repository's shell scripts (tracked files), as git lists them. */
function shellScripts(): string[] {
    const r = spawnSync("git", ["ls-files", "*.sh", ".ci/run"], { cwd: REPO, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split("\n").filter(Boolean);
}

// Under `set -o pipefail`, a pipeline whose reader stops early (`head`, `grep -q`, `grep -m`) fails
// with status 141 whenever the writer is still writing when the reader exits (SIGPIPE): a race
// that made build-node.sh exit 141 without a word about one run in seven (busybox's help text
// piped to `head -n1`), and with it `npm run e2e`. Readers that read to the end (`sed -n 1p`,
// `grep ... >/dev/null`) have no such race.
describe("shell scripts under pipefail", () => {
    it("are found", () => assert.ok(shellScripts().length >= 10));
    for (const file of shellScripts()) {
        it(`${file}: no pipeline ends in a reader that stops early`, () => {
            const text = readFileSync(path.join(REPO, file), "utf8");
            if (!/set -[a-z]*o pipefail|set -o pipefail/.test(text)) return;
            const bad = text
                .split("\n")
                .map((line, i) => ({ line, n: i + 1 }))
                .filter(
                    ({ line }) =>
                        !line.trim().startsWith("#") &&
                        /\|\s*(head\b|grep\s+(-[a-zA-Z]*[qm]|--quiet|--max-count))/.test(line),
                );
            assert.deepEqual(
                bad.map(b => `${file}:${b.n}: ${b.line.trim()}`),
                [],
            );
        });
    }
});
