/**
 * The deploy runner's command line without the engine: usage errors exit 2 with a message that
 * names the offending option or file, before anything starts. (The engine paths run in
 * `npm run test:deploy`, against the local control plane.)
 */
import * as assert from "assert";
import { mkdtempSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../deploy/cli";
import { knownStacks, readProject, readStackFile, UsageError } from "../../deploy/project";
import { REPO } from "../../scripts/gather";

async function run(args: string[], env: Record<string, string | undefined> = {}, interactive = false) {
    const saved: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(env)) {
        saved[k] = process.env[k];
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    let out = "";
    let err = "";
    try {
        const code = await main(args, {
            stdout: s => {
                out += s;
            },
            stderr: s => {
                err += s;
            },
            interactive,
        });
        return { code, out, err };
    } finally {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
}

describe("hardened-deploy command line", () => {
    it("refuses an unknown operation, naming the choices", async () => {
        const r = await run(["deploy-all", "--stack", "dev"]);
        assert.strictEqual(r.code, 2);
        assert.match(
            r.err,
            /deploy-all.*(preview, up, refresh, destroy)|Allowed choices are preview, up, refresh, destroy/,
        );
    });

    it("requires --stack", async () => {
        const r = await run(["preview"]);
        assert.strictEqual(r.code, 2);
        assert.match(r.err, /--stack/);
    });

    it("names the project's stacks when the stack has no config file", async () => {
        const r = await run(["preview", "--stack", "staging"], { PULUMI_CONFIG_PASSPHRASE: "x" });
        assert.strictEqual(r.code, 2);
        assert.match(
            r.err,
            /--stack 'staging': no .*stacks\/Pulumi\.staging\.yaml; stacks of hardened-cluster: dev, local, prod/,
        );
    });

    it("refuses a stack name that could escape the stack directory", async () => {
        const r = await run(["preview", "--stack", "../dev"], { PULUMI_CONFIG_PASSPHRASE: "x" });
        assert.strictEqual(r.code, 2);
        assert.match(r.err, /--stack '\.\.\/dev': a stack name may only hold/);
    });

    it("names a missing kubeconfig, policy config or config file", async () => {
        for (const [flag, re] of [
            ["--kubeconfig", /--kubeconfig \/no\/such\/file: no such file/],
            ["--policy-pack-config", /--policy-pack-config \/no\/such\/file: no such file/],
            ["--config-file", /--config-file \/no\/such\/file: no such file/],
        ] as const) {
            const r = await run(["preview", "--stack", "dev", flag, "/no/such/file"], {
                PULUMI_CONFIG_PASSPHRASE: "x",
            });
            assert.strictEqual(r.code, 2, flag);
            assert.match(r.err, re);
        }
    });

    it("asks for the passphrase that encrypts the state's secrets before starting anything", async () => {
        const r = await run(["preview", "--stack", "dev"], {
            PULUMI_CONFIG_PASSPHRASE: undefined,
            PULUMI_CONFIG_PASSPHRASE_FILE: undefined,
            PULUMI_BACKEND_URL: undefined,
        });
        assert.strictEqual(r.code, 2);
        assert.match(r.err, /set PULUMI_CONFIG_PASSPHRASE/);
    });

    it("will not change a cluster without --yes when nobody can confirm", async () => {
        for (const op of ["up", "refresh", "destroy"]) {
            const r = await run([op, "--stack", "dev"], { PULUMI_CONFIG_PASSPHRASE: "x" });
            assert.strictEqual(r.code, 2, op);
            assert.match(r.err, new RegExp(`${op} changes the cluster or the state; pass --yes`));
        }
    });

    it("names the command that builds a missing tool", async () => {
        const empty = mkdtempSync(path.join(os.tmpdir(), "hc-no-tools-"));
        const r = await run(["preview", "--stack", "dev"], {
            PULUMI_CONFIG_PASSPHRASE: "x",
            HC_TOOLS_DIR: empty,
            HC_PULUMI_BIN: undefined,
            PATH: path.dirname(process.execPath),
        });
        assert.strictEqual(r.code, 2);
        assert.match(r.err, /the Pulumi CLI v3\.259\.0 .* not found .*; build it with: npm run tools:pulumi/);
    });
});

describe("deploy project reading", () => {
    it("reads this repository's project and its stacks", () => {
        const p = readProject(REPO);
        assert.strictEqual(p.name, "hardened-cluster");
        assert.deepStrictEqual(knownStacks(p), ["dev", "local", "prod"]);
        assert.ok(readStackFile(p, "dev").doc.config);
    });

    it("refuses a directory without Pulumi.yaml and a runtime other than Node.js, naming the file", () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), "hc-project-"));
        assert.throws(
            () => readProject(dir),
            (e: Error) => e instanceof UsageError && /no Pulumi\.yaml/.test(e.message),
        );
        writeFileSync(path.join(dir, "Pulumi.yaml"), "name: x\nruntime: python\n");
        assert.throws(() => readProject(dir), /Pulumi\.yaml: runtime is 'python'/);
        writeFileSync(path.join(dir, "Pulumi.yaml"), "name: [x\n");
        assert.throws(() => readProject(dir), /Pulumi\.yaml: /);
    });

    it("refuses a stack file that is not a mapping, naming it", () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), "hc-project-"));
        writeFileSync(path.join(dir, "Pulumi.yaml"), "name: x\nruntime: nodejs\n");
        writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: [1, 2]\n");
        assert.throws(() => readStackFile(readProject(dir), "dev"), /Pulumi\.dev\.yaml: 'config' must be a mapping/);
    });
});
