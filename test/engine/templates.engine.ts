/** The CI templates users copy are linted with real linters for their formats. */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { REPO } from "./analyze";

describe("CI templates", () => {
    it("the GitHub Actions workflow passes actionlint", () => {
        const bin = process.env.HC_ACTIONLINT_BIN;
        assert.ok(bin, "HC_ACTIONLINT_BIN is not set");
        const res = spawnSync(bin, ["-no-color", path.join(REPO, "ci-templates", "github", "hardened-cluster.yml")], {
            encoding: "utf8",
        });
        assert.equal(res.status, 0, res.stdout + res.stderr);
    });

    it("actionlint does fail on a broken workflow (the check can fail)", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "hc-al-"));
        try {
            const file = path.join(dir, "bad.yml");
            writeFileSync(
                file,
                "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo " +
                    "${{ github.nope.x }}\n        uses: actions/checkout@v4\n",
            );
            const res = spawnSync(process.env.HC_ACTIONLINT_BIN!, ["-no-color", file], { encoding: "utf8" });
            assert.notEqual(res.status, 0);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    function gitlabList(file: string) {
        const bin = process.env.HC_GITLAB_CI_LOCAL_BIN;
        assert.ok(bin, "HC_GITLAB_CI_LOCAL_BIN is not set");
        const dir = mkdtempSync(path.join(tmpdir(), "hc-gl-"));
        try {
            copyFileSync(file, path.join(dir, ".gitlab-ci.yml"));
            spawnSync("git", ["init", "-q"], { cwd: dir });
            return spawnSync(bin, ["--list-all", "--cwd", "."], { encoding: "utf8", cwd: dir, timeout: 60_000 });
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    }

    it("gitlab-ci-local does fail on an invalid pipeline (the check can fail)", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "hc-glbad-"));
        try {
            const file = path.join(dir, "bad.yml");
            writeFileSync(file, "stages: [a]\njob:\n  stage: a\n  scriptx: [echo]\n");
            assert.notEqual(gitlabList(file).status, 0);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the GitLab CI template validates against GitLab's CI schema (gitlab-ci-local)", () => {
        const res = gitlabList(path.join(REPO, "ci-templates", "gitlab", ".gitlab-ci.yml"));
        assert.equal(res.status, 0, res.stdout + res.stderr);
        const out = res.stdout + res.stderr;
        assert.match(out, /json schema validated/);
        for (const job of ["scan-manifests", "preview", "deploy"]) {
            assert.match(out, new RegExp(`^${job}\\s`, "m"));
        }
    });
});
