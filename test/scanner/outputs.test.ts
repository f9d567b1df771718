import { strict as assert } from "assert";
import Ajv4 from "ajv-draft-04";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { stringify } from "yaml";
import { run } from "../../scanner/cli";
import { escapeText } from "../../scanner/report";
import { mutated, workload } from "../../rules/cases";

/** The official SARIF 2.1.0 schema (draft-04 JSON Schema). */
const SARIF_SCHEMA = JSON.parse(
    readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"),
);

function scan(args: string[], stdin?: string): { code: number; out: string; err: string } {
    let out = "";
    let err = "";
    const code = run(args, { stdout: s => (out += s), stderr: s => (err += s), readStdin: () => stdin ?? "" });
    return { code, out, err };
}

const validateSarif = new Ajv4({ strict: false, unicodeRegExp: false, validateFormats: false, logger: false }).compile(
    SARIF_SCHEMA,
);

/** A Deployment with a privileged second container, written so every field has a known line. */
const YAML_DOC = [
    "apiVersion: apps/v1", // 1
    "kind: Deployment", // 2
    "metadata:", // 3
    "  name: web", // 4
    "  namespace: team-a", // 5
    "spec:", // 6
    "  template:", // 7
    "    spec:", // 8
    "      containers:", // 9
    "      - name: ok", // 10
    "        image: registry.example.com/ok:1", // 11
    "      - name: bad", // 12
    "        image: registry.example.com/bad:1", // 13
    "        securityContext:", // 14
    "          privileged: yes", // 15
    "",
].join("\n");

describe("scanner outputs", () => {
    let dir: string;
    before(() => (dir = mkdtempSync(path.join(tmpdir(), "hc-out-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    describe("every finding at the line and column of its field", () => {
        const ps01 = (j: { violations: Array<{ controlId: string; line: number; column: number; path?: string }> }) =>
            j.violations.find(v => v.controlId === "PS-01")!;
        it("YAML: the offending key, in JSON, text and SARIF", () => {
            const f = path.join(dir, "web.yaml");
            writeFileSync(f, "# leading comment\n---\n" + YAML_DOC);
            const j = JSON.parse(scan(["--format", "json", f]).out);
            const v = ps01(j);
            assert.equal(v.path, "spec.template.spec.containers[1].securityContext.privileged");
            assert.deepEqual([v.line, v.column], [17, 11]);
            assert.match(scan([f]).out, /web\.yaml:17:11: MANDATORY \[PS-01 critical\]/);
            const sarif = JSON.parse(scan(["--format", "sarif", f]).out);
            const res = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === "no-privileged-containers");
            assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 17, startColumn: 11 });
        });
        it("a missing field: its nearest existing ancestor (the container), not the resource's first line", () => {
            const f = path.join(dir, "web2.yaml");
            writeFileSync(f, YAML_DOC);
            const j = JSON.parse(scan(["--format", "json", f]).out);
            const ape = j.violations.find(
                (v: { controlId: string; message: string }) => v.controlId === "PS-17" && /"ok"/.test(v.message),
            );
            assert.ok(ape, "PS-17 for container ok");
            assert.deepEqual([ape.line, ape.column], [10, 9]);
        });
        it("JSON files and List items: the field inside the item", () => {
            const item = mutated("Pod", s => (s.hostPID = true));
            const list = { apiVersion: "v1", kind: "List", items: [workload("Deployment"), item] };
            const f = path.join(dir, "list.json");
            writeFileSync(f, JSON.stringify(list, null, 2));
            const text = JSON.stringify(list, null, 2).split("\n");
            const want = text.findIndex(l => l.includes('"hostPID"')) + 1;
            const v = JSON.parse(scan(["--format", "json", f]).out).violations.find(
                (x: { controlId: string }) => x.controlId === "PS-02",
            );
            assert.equal(v.line, want);
            assert.equal(v.column, text[want - 1].indexOf('"hostPID"') + 1);
        });
    });

    describe("SARIF", () => {
        it(
            "validates for files and for stdin; relative URIs against originalUriBaseIds; stdin is an " +
                "artifact without a URI",
            () => {
                const f = path.join(dir, "a b.yaml");
                writeFileSync(f, YAML_DOC);
                for (const [args, stdin] of [[[f]], [["-"], YAML_DOC]] as Array<[string[], string?]>) {
                    const log = JSON.parse(scan(["--format", "sarif", ...args], stdin).out);
                    const valid: boolean = validateSarif(log);
                    assert.ok(valid, JSON.stringify(validateSarif.errors?.slice(0, 3)));
                    const runLog = log.runs[0];
                    assert.ok(runLog.originalUriBaseIds.SRCROOT.uri.startsWith("file:///"));
                    assert.ok(runLog.originalUriBaseIds.SRCROOT.uri.endsWith("/"));
                    for (const r of runLog.results) {
                        const a = r.locations[0].physicalLocation.artifactLocation;
                        if (stdin !== undefined) {
                            assert.equal(a.uri, undefined);
                            assert.equal(runLog.artifacts[a.index].description.text, "standard input");
                        } else {
                            assert.equal(a.uriBaseId, "SRCROOT");
                            assert.ok(!a.uri.startsWith("/") && !a.uri.includes(" "), a.uri);
                            assert.equal(new URL(a.uri, runLog.originalUriBaseIds.SRCROOT.uri).pathname, encodeURI(f));
                        }
                    }
                }
            },
        );
        it(
            "fingerprints are stable and unique per result (a pod-level setting reported for two " +
                "containers differs)",
            () => {
                const pod = mutated("Pod", s => {
                    delete s.securityContext.runAsNonRoot;
                    s.containers.push({ ...s.containers[0], name: "second" });
                    for (const c of s.containers) delete c.securityContext.runAsNonRoot;
                });
                const y = stringify(pod);
                const a = JSON.parse(scan(["--format", "sarif", "-"], y).out).runs[0].results;
                const b = JSON.parse(scan(["--format", "sarif", "-"], y).out).runs[0].results;
                const fps = a.map(
                    (r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints["hardenedScan/v2"],
                );
                assert.equal(new Set(fps).size, fps.length);
                assert.deepEqual(
                    fps,
                    b.map(
                        (r: { partialFingerprints: Record<string, string> }) =>
                            r.partialFingerprints["hardenedScan/v2"],
                    ),
                );
                assert.ok(a.filter((r: { ruleId: string }) => r.ruleId === "run-as-non-root").length >= 2);
            },
        );
    });

    describe("text cannot be forged; JSON and SARIF keep names exact", () => {
        const evil = "x\n::error file=a::pwned\u001b[31m\r\u2028";
        const pod = () => {
            const p = mutated("Pod", s => (s.containers[0].securityContext.privileged = true));
            (p.metadata as { name: string }).name = evil;
            return stringify(p);
        };
        it("control characters are escaped and no line starts with ::", () => {
            const out = scan(["-"], pod()).out;
            assert.ok(!out.includes("\u001b") && !out.includes("\r") && !out.includes("\u2028"));
            for (const line of out.split("\n")) assert.ok(!line.startsWith("::"), line);
            assert.match(out, /x\\x0a::error file=a::pwned\\x1b\[31m\\x0d\\u2028/);
        });
        it("a file name starting with :: or holding a newline cannot start a line", () => {
            const cwd = process.cwd();
            process.chdir(dir);
            try {
                writeFileSync("::error::x.yaml", stringify(mutated("Pod", s => (s.hostPID = true))));
                const out = scan(["::error::x.yaml"]).out;
                for (const line of out.split("\n")) assert.ok(!line.startsWith("::"), line);
                assert.match(out, /^\.\/::error::x\.yaml:\d+:\d+: /m);
            } finally {
                process.chdir(cwd);
            }
        });
        it("JSON and SARIF carry the exact name", () => {
            const j = JSON.parse(scan(["--format", "json", "-"], pod()).out);
            assert.ok(j.violations.every((v: { resource: { name: string } }) => v.resource.name === evil));
            const s = JSON.parse(scan(["--format", "sarif", "-"], pod()).out);
            assert.ok(s.runs[0].results[0].message.text.includes(evil));
        });
        it("escapeText leaves ordinary text alone", () =>
            assert.equal(escapeText('Pod team-a/web: "ok" é'), 'Pod team-a/web: "ok" é'));
    });

    describe("JSON lines", () => {
        it("one record per line, the summary last", () => {
            const r = scan(["--format", "jsonl", "-"], YAML_DOC);
            const lines = r.out
                .trim()
                .split("\n")
                .map(l => JSON.parse(l));
            assert.ok(lines.slice(0, -1).every(l => l.violation || l.error));
            assert.equal(lines[lines.length - 1].summary.violations, lines.filter(l => l.violation).length);
            assert.equal(r.code, 1);
        });
    });
});
