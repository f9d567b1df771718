import { strict as assert } from "assert";
import Ajv4 from "ajv-draft-04";
import { spawnSync } from "child_process";
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync, readFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { stringify } from "yaml";
import { run } from "../../scanner/cli";
import { mutated, workload } from "../../rules/cases";

/** The official SARIF 2.1.0 schema (draft-04 JSON Schema). */
const SARIF_SCHEMA = JSON.parse(
    readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"),
);

const REPO = path.join(__dirname, "..", "..");
const INSECURE = path.join(REPO, "examples", "insecure", "insecure.yaml");

function scan(args: string[], stdin?: string): { code: number; out: string; err: string } {
    let out = "";
    let err = "";
    const code = run(args, { stdout: s => (out += s), stderr: s => (err += s), readStdin: () => stdin ?? "" });
    return { code, out, err };
}

/** A hardened namespace and Deployment that pass every mandatory control. */
function secureYaml(): string {
    const ns = {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "team-a", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
    };
    return [ns, workload("Deployment")].map(o => stringify(o)).join("---\n");
}

describe("offline scanner", () => {
    let dir: string;
    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), "hc-scan-"));
        writeFileSync(path.join(dir, "secure.yaml"), secureYaml());
        mkdirSync(path.join(dir, "nested", "deeper"), { recursive: true });
        writeFileSync(
            path.join(dir, "nested", "deeper", "priv.yml"),
            stringify(mutated("Deployment", s => (s.containers[0].securityContext.privileged = true))),
        );
        writeFileSync(path.join(dir, "nested", "notes.txt"), "not a manifest");
        writeFileSync(path.join(dir, "bad.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   oops: [\n");
        writeFileSync(
            path.join(dir, "list.json"),
            JSON.stringify({
                apiVersion: "v1",
                kind: "List",
                items: [
                    mutated("Pod", s => (s.hostPID = true)),
                    { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } },
                ],
            }),
        );
        writeFileSync(
            path.join(dir, "cfg-ok.json"),
            JSON.stringify({ "no-privileged-containers": "advisory", "no-host-pid": { exemptNamespaces: ["team-a"] } }),
        );
        writeFileSync(
            path.join(dir, "cfg-bad.json"),
            JSON.stringify({
                "no-privileged-containers": { exemptNamespaces: "team-a" },
                "no-such-policy": "advisory",
            }),
        );
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    describe("exit codes", () => {
        it("0 when there is no mandatory violation", () => assert.equal(scan([path.join(dir, "secure.yaml")]).code, 0));
        it("1 when there is a mandatory violation", () => assert.equal(scan([INSECURE]).code, 1));
        it("2 on a usage error", () => assert.equal(scan(["--format", "xml", INSECURE]).code, 2));
        it("2 when no path is given", () => assert.equal(scan([]).code, 2));
        it("2 on an input error with no mandatory violation", () =>
            assert.equal(scan([path.join(dir, "bad.yaml")]).code, 2));
        it("1 wins over input errors", () => assert.equal(scan([path.join(dir, "bad.yaml"), INSECURE]).code, 1));
        it("2 for a missing file, named in the output", () => {
            const r = scan([path.join(dir, "nope.yaml")]);
            assert.equal(r.code, 2);
            assert.match(r.out, /nope\.yaml: error: no such file or directory/);
        });
    });

    describe("inputs", () => {
        it("reports invalid YAML with file and line, and scans the other files", () => {
            const r = scan([dir]);
            assert.match(r.out, /bad\.yaml:[45]:\d+: error: /);
            assert.match(r.out, /priv\.yml:\d+:\d+: MANDATORY \[PS-01 critical\]/);
        });
        it("walks directories recursively for .yaml/.yml/.json only", () => {
            const r = JSON.parse(scan(["--format", "json", dir]).out);
            // secure.yaml, bad.yaml, list.json, cfg-ok.json, cfg-bad.json, nested/deeper/priv.yml; not notes.txt
            assert.equal(r.summary.files, 6);
            assert.ok(!r.violations.some((v: { file: string }) => v.file.endsWith(".txt")));
        });
        it("flattens List kinds and skips unknown kinds silently", () => {
            const r = JSON.parse(scan(["--format", "json", path.join(dir, "list.json")]).out);
            assert.ok(r.violations.some((v: { controlId: string }) => v.controlId === "PS-02"));
            assert.ok(!r.violations.some((v: { resource: { kind: string } }) => v.resource.kind === "Widget"));
            assert.equal(r.summary.resources, 2);
        });
        it("reads multi-document YAML from stdin with `-`", () => {
            const r = scan(
                ["--format", "json", "-"],
                secureYaml() + "---\n" + stringify(mutated("Pod", s => (s.hostNetwork = true))),
            );
            const out = JSON.parse(r.out);
            assert.equal(out.summary.resources, 3);
            assert.ok(
                out.violations.some(
                    (v: { controlId: string; file: string }) => v.controlId === "PS-04" && v.file === "<stdin>",
                ),
            );
            assert.equal(r.code, 1);
        });
        it("files given together are one stack for cross-resource controls", () => {
            const deny = {
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: "d", namespace: "team-a" },
                spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
            };
            const p = path.join(dir, "deny.json");
            writeFileSync(p, JSON.stringify(deny));
            const ids = (args: string[]) =>
                JSON.parse(scan(["--format", "json", ...args]).out).violations.map(
                    (v: { controlId: string }) => v.controlId,
                );
            assert.ok(ids([path.join(dir, "secure.yaml")]).includes("NET-08"));
            assert.ok(!ids([path.join(dir, "secure.yaml"), p]).includes("NET-08"));
        });
    });

    describe("formats", () => {
        it(
            "json is the whole result, one violation per line, with nothing lost (and an empty scan is " +
                "valid JSON)",
            () => {
                const text = scan(["--format", "json", INSECURE, path.join(dir, "list.json")]).out;
                const r = JSON.parse(text);
                assert.ok(r.violations.length >= 2);
                assert.equal(text.split("\n").filter(l => l.startsWith('    {"policy"')).length, r.violations.length);
                assert.deepEqual(Object.keys(r), ["violations", "errors", "summary"]);
                assert.equal(r.summary.violations, r.violations.length);
                assert.deepEqual(JSON.parse(scan(["--format", "json", "--allow-empty", "-"], "").out).violations, []);
            },
        );
        it("json prints exactly one object with the documented fields", () => {
            const r = scan(["--format", "json", INSECURE]);
            const out = JSON.parse(r.out);
            assert.deepEqual(Object.keys(out).sort(), ["errors", "summary", "violations"]);
            const v = out.violations[0];
            for (const k of [
                "policy",
                "controlId",
                "severity",
                "enforcementLevel",
                "message",
                "resource",
                "file",
                "line",
                "column",
            ])
                assert.ok(k in v, k);
            assert.deepEqual(Object.keys(v.resource).sort(), ["apiVersion", "kind", "name", "namespace"]);
            assert.equal(
                out.summary.mandatory,
                out.violations.filter((x: { enforcementLevel: string }) => x.enforcementLevel === "mandatory").length,
            );
        });
        it("text names file:line, level, control, policy and resource", () => {
            const r = scan([INSECURE]);
            assert.match(
                r.out,
                new RegExp(
                    "insecure\\.yaml:\\d+:\\d+: MANDATORY \\[PS-01 critical\\] no-privileged-" +
                        "containers: Deployment legacy\\/debug-tools: ",
                ),
            );
            assert.match(r.out, /mandatory, \d+ advisory violation\(s\), 0 error\(s\)\.\n$/);
        });
        it("sarif is valid SARIF 2.1.0 (official schema) with rules, levels and locations", () => {
            const ajv = new Ajv4({ strict: false, unicodeRegExp: false, validateFormats: false, logger: false });
            const validate = ajv.compile(SARIF_SCHEMA);
            const log = JSON.parse(scan(["--format", "sarif", INSECURE]).out);
            const valid: boolean = validate(log);
            assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 3)));
            const runLog = log.runs[0];
            assert.equal(runLog.tool.driver.name, "hardened-scan");
            const res = runLog.results.find((x: { ruleId: string }) => x.ruleId === "no-privileged-containers");
            assert.equal(res.level, "error");
            assert.equal(runLog.tool.driver.rules[res.ruleIndex].id, "no-privileged-containers");
            assert.match(res.locations[0].physicalLocation.artifactLocation.uri, /examples\/insecure\/insecure\.yaml$/);
            assert.ok(res.locations[0].physicalLocation.region.startLine >= 1);
            assert.ok(runLog.results.some((x: { level: string }) => x.level === "warning"));
        });
        it("sarif of a broken file is still valid and records the error", () => {
            const log = JSON.parse(scan(["--format", "sarif", path.join(dir, "bad.yaml")]).out);
            assert.equal(log.runs[0].invocations[0].executionSuccessful, false);
        });
    });

    describe("--config (the --policy-pack-config format)", () => {
        it("changes levels and exemptions", () => {
            const priv = path.join(dir, "nested", "deeper", "priv.yml");
            assert.equal(scan([priv]).code, 1);
            const r = JSON.parse(scan(["--format", "json", "--config", path.join(dir, "cfg-ok.json"), priv]).out);
            assert.ok(
                r.violations
                    .filter((v: { policy: string }) => v.policy === "no-privileged-containers")
                    .every((v: { enforcementLevel: string }) => v.enforcementLevel === "advisory"),
            );
        });
        it("rejects an invalid config naming the keys, exit 2", () => {
            const r = scan(["--config", path.join(dir, "cfg-bad.json"), INSECURE]);
            assert.equal(r.code, 2);
            assert.match(r.err, /no-privileged-containers\.exemptNamespaces: must be array/);
            assert.match(r.err, /must NOT have additional properties 'no-such-policy'/);
        });
        it("a namespace exemption does not reach a cluster-scoped object that carries a stray namespace", () => {
            const f = path.join(dir, "stray-ns.yaml");
            writeFileSync(
                f,
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\n" +
                    "  namespace: kube-system\nrules:\n- apiGroups: ['']\n  resources: [secrets]\n  verbs: [list]\n",
            );
            const cfg = path.join(dir, "cfg-kube-system.json");
            writeFileSync(cfg, JSON.stringify({ "no-secret-read-access": { exemptNamespaces: ["kube-system"] } }));
            const r = JSON.parse(scan(["--format", "json", "--config", cfg, f]).out);
            const v = r.violations.filter((x: { controlId: string }) => x.controlId === "RBAC-02");
            assert.equal(v.length, 1, JSON.stringify(r.summary));
            assert.deepEqual(v[0].resource, {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "ClusterRole",
                namespace: "",
                name: "reader",
            });
            assert.equal(r.summary.exempted["RBAC-02"], undefined);
        });
        it("rejects a config that is not JSON", () => {
            const p = path.join(dir, "cfg.txt");
            writeFileSync(p, "{nope");
            const r = scan(["--config", p, INSECURE]);
            assert.equal(r.code, 2);
            assert.match(r.err, /cfg\.txt: /);
        });
        it("the stacks' own policy configs are valid", () => {
            for (const s of ["dev", "prod", "local"])
                assert.notEqual(
                    scan([
                        "--config",
                        path.join(REPO, "stacks", `policy-config.${s}.json`),
                        path.join(dir, "secure.yaml"),
                    ]).code,
                    2,
                    s,
                );
        });
    });

    describe("as a command", () => {
        it("npm run scan works end to end with stdin and exit code 1", () => {
            const r = spawnSync(process.execPath, [path.join(REPO, "bin", "hardened-scan"), "--format", "json", "-"], {
                input: stringify(mutated("Pod", s => (s.hostPID = true))),
                encoding: "utf8",
                cwd: REPO,
            });
            assert.equal(r.status, 1, r.stderr);
            assert.ok(JSON.parse(r.stdout).violations.length > 0);
        });
        it("a UTF-16 file or standard input (as Windows PowerShell writes it) is read as kubectl reads it", () => {
            const pod =
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: on\n  containers:\n" +
                "  - name: c\n    image: x\n    securityContext:\n      privileged: yes\n";
            const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pod, "utf16le")]);
            const be = Buffer.from(le).swap16(); // FE FF, then big-endian units
            const file = path.join(dir, "utf16.yaml");
            for (const [what, bytes] of [
                ["UTF-16LE", le],
                ["UTF-16BE", be],
            ] as const) {
                writeFileSync(file, bytes);
                for (const viaStdin of [false, true]) {
                    const r = spawnSync(
                        process.execPath,
                        [path.join(REPO, "bin", "hardened-scan"), "--format", "json", viaStdin ? "-" : file],
                        { input: viaStdin ? bytes : undefined, encoding: "utf8", cwd: REPO },
                    );
                    const at = (id: string) =>
                        (JSON.parse(r.stdout).violations as Array<{ controlId: string; line: number; column: number }>)
                            .filter(v => v.controlId === id)
                            .map(v => `${v.line}:${v.column}`);
                    assert.equal(r.status, 1, `${what} ${viaStdin ? "stdin" : "file"}: ${r.stderr}`);
                    assert.deepEqual(at("PS-01"), ["11:7"], what);
                    assert.deepEqual(at("PS-02"), ["6:3"], what);
                }
            }
        });
        it("UTF-16 without a byte order mark is an input error that says so (kubectl does not read it either)", () => {
            const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: []\n";
            const file = path.join(dir, "utf16-nomark.yaml");
            for (const bytes of [Buffer.from(pod, "utf16le"), Buffer.from(pod, "utf16le").swap16()]) {
                writeFileSync(file, bytes);
                const r = scan(["--format", "json", file]);
                assert.equal(r.code, 2, r.err);
                const errors = JSON.parse(r.out).errors as Array<{ file: string; line: number; message: string }>;
                assert.equal(errors[0].file, file);
                assert.match(errors[0].message, /UTF-16 without a byte order mark/);
            }
            // a NUL in UTF-8 text is the same error, without the UTF-16 hint
            writeFileSync(file, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\u0000\n");
            const r = scan(["--format", "json", file]);
            assert.equal(r.code, 2, r.err);
            const errors = JSON.parse(r.out).errors as Array<{ message: string }>;
            assert.match(errors[0].message, /null byte/);
            assert.doesNotMatch(errors[0].message, /UTF-16/);
        });
        it("JSON values one after the other (jq -c output, `{...}{...}`) are read as kubectl reads them", () => {
            const pod = (name: string, spec: string) =>
                `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}"},"spec":${spec}}`;
            const a = pod("a", '{"containers":[]}');
            const b = pod("b", '{"hostPID":true,"containers":[]}');
            const hostPid = (text: string) => {
                const r = scan(["--format", "json", "-"], text);
                assert.equal(r.code, 1, r.err);
                const v = (JSON.parse(r.out).violations as Array<{ controlId: string; line: number; column: number }>)
                    .filter(x => x.controlId === "PS-02")
                    .map(x => `${x.line}:${x.column}`);
                assert.equal(JSON.parse(r.out).summary.resources, 2);
                return v;
            };
            // the key's column, counted from the start of its line
            const col = (line: string) => line.indexOf('"hostPID"') + 1;
            assert.deepEqual(hostPid(`${a}\n${b}\n`), [`2:${col(b)}`]);
            assert.deepEqual(hostPid(`${a}  ${b}`), [`1:${col(`${a}  ${b}`)}`]);
            assert.deepEqual(hostPid(`${a}\n  ${b}\n`), [`2:${col(`  ${b}`)}`]);
            // two values read, then one that is not JSON: an error (exit 2), nothing after it read
            const bad = scan(["--format", "json", "-"], `${a}\n${a}\n{"kind": \n${b}\n`);
            assert.equal(bad.code, 2);
            assert.match(
                bad.err,
                /^<stdin>:3: error: invalid JSON in a stream of JSON values \(the rest of the file is not read/m,
            );
        });
        it("--version prints the package version", () => assert.match(scan(["--version"]).out, /^\d+\.\d+\.\d+/));
        it(
            "the bin runs the compiled scanner when it is fresh, the TypeScript sources otherwise, with " +
                "the same output",
            function () {
                this.timeout(240_000); // a build and a run through ts-node's transpiler: slow on a busy machine
                const bin = (env: Record<string, string> = {}) =>
                    spawnSync(
                        process.execPath,
                        [path.join(REPO, "bin", "hardened-scan"), "--format", "json", INSECURE],
                        {
                            encoding: "utf8",
                            cwd: REPO,
                            env: { ...process.env, ...env },
                        },
                    );
                const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: REPO, encoding: "utf8" });
                assert.equal(build.status, 0, build.stderr);
                const compiled = bin();
                // A source newer than the build: the bin must not run stale JavaScript.
                const stamp = path.join(REPO, "dist", ".stamp");
                utimesSync(stamp, new Date(0), new Date(0));
                const fromSources = bin();
                spawnSync("npm", ["run", "--silent", "build"], { cwd: REPO });
                assert.equal(compiled.status, 1);
                assert.equal(fromSources.status, 1);
                assert.equal(compiled.stdout, fromSources.stdout);
            },
        );
    });
});
