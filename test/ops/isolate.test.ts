import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
import { ANNOTATION_AT, ANNOTATION_REASON, QUARANTINE_LABEL, run, selects, stamp } from "../../ops/isolate";

const REPO = path.join(__dirname, "..", "..");
const NOW = new Date("2024-05-01T12:34:56.789Z");

/**
 * A fake kubectl: a node script that appends its arguments to calls.jsonl and answers from
 * state.json next to it (namespaces, pods, NetworkPolicies, logs); `patch --type=merge` updates
 * the pod in state.json, so a later call sees the change.
 */
const FAKE =
    `#!${process.execPath}
const fs = require("fs"), path = require("path");
const stateFile = path.join(__dirname, "state.json");
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(__dirname, "calls.jsonl"), JSON.stringify(argv) + "\\n");
const st = JSON.parse(fs.readFileSync(stateFile, "utf8"));
const args = argv[0] === "--kubeconfig" ? argv.slice(2) : argv;
const flag = n => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : undefined; };
const fail = (msg, code = 1) => { process.stderr.write(msg + "\\n"); process.exit(code); };
const out = s => process.stdout.write(s);
const ns = flag("-n");
const [verb, kind] = args;
if (st.unreachable) fail("The connection to the server 127.0.0.1:6443 was refused - did you specify the right host ` +
    `or port?");
const podOf = name => {
  if (!st.namespaces.includes(ns)) fail('Error from server (NotFound): namespaces "' + ns + '" not found');
  const p = st.pods[ns + "/" + name];
  if (!p) fail('Error from server (NotFound): pods "' + name + '" not found');
  return p;
};
const merge = (t, p) => { for (const [k, v] of Object.entries(p)) { if (v === null) delete t[k]; else if (typeof v ` +
    `=== "object" && !Array.isArray(v)) t[k] = merge(t[k] && typeof t[k] === "object" ? t[k] : {}, ` +
    `v); else t[k] = v; } return t; };
if (verb === "get" && kind === "namespace") {
  if (!st.namespaces.includes(args[2])) fail('Error from server (NotFound): namespaces "' + args[2] + '" not ` +
    `found');
  out(JSON.stringify({ kind: "Namespace", metadata: { name: args[2] } }));
} else if (verb === "get" && kind === "pod") {
  const p = podOf(args[2]);
  out(flag("-o") === "yaml" ? "kind: Pod\\nmetadata:\\n  name: " + p.metadata.name + "\\n  labels: " + ` +
    `JSON.stringify(p.metadata.labels || {}) + "\\n" : JSON.stringify(p));
} else if (verb === "get" && kind === "networkpolicies") {
  out(JSON.stringify({ kind: "List", items: st.policies[ns] || [] }));
} else if (verb === "get" && kind === "events") {
  if (st.events) out(st.events); else process.stderr.write("No resources found in " + ns + " namespace.\\n");
} else if (verb === "describe") {
  const p = podOf(args[2]);
  out("Name:         " + p.metadata.name + "\\nNamespace:    " + ns + "\\nStatus:       Pending\\n");
} else if (verb === "logs") {
  podOf(args[1]);
  const key = ns + "/" + args[1] + "/" + flag("-c") + (args.includes("--previous") ? "/previous" : "");
  if (st.generated && st.generated[key]) { const line = "2024-05-01T12:00:00Z " + "x".repeat(99) + "\\n"; const ` +
    `chunk = line.repeat(1024); for (let n = st.generated[key]; n > 0; n -= chunk.length) ` +
    `fs.writeSync(1, n >= chunk.length ? chunk : chunk.slice(0, n)); process.exit(0); }
  if (st.hang && st.hang.includes(key)) { fs.writeSync(1, "2024-05-01T12:00:00Z before the stall\\n"); ` +
    `setInterval(() => {}, 1000); return; }
  if (st.noisy && st.noisy[key]) { fs.writeSync(2, "E".repeat(st.noisy[key])); process.exit(1); }
  if (st.logs[key] === undefined) fail('Error from server (BadRequest): previous terminated container "' + flag("-` +
    `c") + '" in pod "' + args[1] + '" not found');
  out(st.logs[key]);
} else if (verb === "patch") {
  const p = podOf(args[2]);
  if (st.failPatch) fail('Error from server (Forbidden): pods "' + args[2] + '" is forbidden: User "responder" ` +
    `cannot patch resource "pods"');
  if (flag("--type") !== undefined || !args.includes("--type=merge")) fail("fake kubectl only does --type=merge", ` +
    `3);
  merge(p, JSON.parse(flag("-p")));
  fs.writeFileSync(stateFile, JSON.stringify(st));
  out("pod/" + args[2] + " patched\\n");
} else fail("fake kubectl: unexpected call " + JSON.stringify(argv), 3);
`;

type State = {
    namespaces: string[];
    /* eslint-disable @typescript-eslint/no-explicit-any -- the fake API server's objects, JSON as kubectl prints it */
    pods: Record<string, any>;
    policies: Record<string, any[]>;
    /* eslint-enable @typescript-eslint/no-explicit-any */
    logs: Record<string, string>;
    events?: string;
    generated?: Record<string, number>;
    hang?: string[];
    noisy?: Record<string, number>;
    failPatch?: boolean;
    unreachable?: boolean;
};

const QUARANTINE_POLICY = {
    metadata: { name: "quarantine" },
    spec: { podSelector: { matchLabels: { [QUARANTINE_LABEL]: "true" } }, policyTypes: ["Ingress", "Egress"] },
};
const DEFAULT_DENY = {
    metadata: { name: "default-deny" },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
};

function baseState(): State {
    return {
        namespaces: ["team-a", "team-b"],
        pods: {
            "team-a/web-7d4b9": {
                metadata: { name: "web-7d4b9", namespace: "team-a", uid: "1111-2222", labels: { app: "web" } },
                spec: {
                    nodeName: "node-1",
                    initContainers: [{ name: "init" }],
                    containers: [{ name: "app" }, { name: "sidecar" }],
                },
            },
        },
        policies: { "team-a": [DEFAULT_DENY, QUARANTINE_POLICY] },
        logs: {
            "team-a/web-7d4b9/init": "2024-05-01T12:00:00Z init done\n",
            "team-a/web-7d4b9/app": "2024-05-01T12:30:00Z GET /admin 200\n",
            "team-a/web-7d4b9/app/previous": "2024-05-01T11:00:00Z crashed\n",
            "team-a/web-7d4b9/sidecar": "2024-05-01T12:30:01Z proxy up\n",
            "team-a/web-7d4b9/init/previous": "",
        },
        events:
            "LAST SEEN   TYPE     REASON    OBJECT          MESSAGE\n5m          Normal   Started   pod/" +
            "web-7d4b9   Started container app\n",
    };
}

describe("ops/isolate (fake kubectl)", () => {
    let dir: string;
    let kubectl: string;
    let evidence: string;
    const setState = (s: State) => writeFileSync(path.join(dir, "state.json"), JSON.stringify(s));
    const state = (): State => JSON.parse(readFileSync(path.join(dir, "state.json"), "utf8"));
    const calls = (): string[][] =>
        existsSync(path.join(dir, "calls.jsonl"))
            ? readFileSync(path.join(dir, "calls.jsonl"), "utf8")
                  .split("\n")
                  .filter(Boolean)
                  .map(l => JSON.parse(l))
            : [];
    const verbs = () => calls().map(c => (c[0] === "--kubeconfig" ? c.slice(2) : c)[0]);
    const cli = (args: string[]) => {
        let out = "";
        let err = "";
        const code = run([...args, "--kubectl", kubectl], {
            stdout: s => (out += s),
            stderr: s => (err += s),
            now: () => NOW,
        });
        return { code, out, err };
    };
    const isolate = (ns: string, pod: string, extra: string[] = []) =>
        cli(["isolate", ns, pod, "--evidence-dir", evidence, ...extra]);

    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "hc-isolate-"));
        kubectl = path.join(dir, "kubectl");
        writeFileSync(kubectl, FAKE);
        chmodSync(kubectl, 0o755);
        evidence = path.join(dir, "evidence");
        setState(baseState());
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    describe("bad input changes nothing", () => {
        it("unknown namespace: exit 2 naming the namespace, no patch, no evidence", () => {
            const r = isolate("no-such-ns", "web-7d4b9");
            assert.equal(r.code, 2);
            assert.match(r.err, /namespace 'no-such-ns' not found; nothing was changed/);
            assert.deepEqual(verbs(), ["get"]);
            assert.ok(!existsSync(evidence), "an evidence folder was created");
        });
        it("unknown pod: exit 2 naming pod and namespace, no patch, no evidence", () => {
            const r = isolate("team-b", "web-7d4b9");
            assert.equal(r.code, 2);
            assert.match(r.err, /pod 'web-7d4b9' not found in namespace 'team-b'; nothing was changed/);
            assert.ok(
                !verbs().some(v => ["patch", "label", "annotate"].includes(v)),
                `a mutating call was made: ${JSON.stringify(calls())}`,
            );
            assert.ok(!existsSync(evidence));
            assert.deepEqual(state(), baseState());
        });
        it("release of an unknown pod: exit 2, no patch", () => {
            const r = cli(["release", "team-a", "ghost"]);
            assert.equal(r.code, 2);
            assert.match(r.err, /pod 'ghost' not found in namespace 'team-a'/);
            assert.ok(!verbs().includes("patch"));
        });
        it("release in an unknown namespace: exit 2 naming the namespace", () => {
            const r = cli(["release", "nope", "web-7d4b9"]);
            assert.equal(r.code, 2);
            assert.match(r.err, /namespace 'nope' not found/);
            assert.ok(!verbs().includes("patch"));
        });
        it("names that are not Kubernetes names are refused before kubectl runs (no path tricks)", () => {
            for (const [ns, pod] of [
                ["../etc", "web"],
                ["team-a", "../../x"],
                ["Team-A", "web"],
                ["team-a", ""],
            ]) {
                const r = isolate(ns, pod);
                assert.equal(r.code, 2, `${ns}/${pod}`);
                assert.match(r.err, /is not a valid (namespace|pod) name/);
            }
            assert.equal(calls().length, 0);
        });
        it("usage errors exit 2", () => {
            assert.equal(cli(["isolate", "team-a"]).code, 2);
            assert.equal(cli(["quarantine", "team-a", "web-7d4b9"]).code, 2);
            assert.equal(cli(["isolate", "team-a", "web-7d4b9", "--no-such-flag"]).code, 2);
        });
        it("an unreachable cluster is exit 1 with kubectl's error, nothing changed", () => {
            setState({ ...baseState(), unreachable: true });
            const r = isolate("team-a", "web-7d4b9");
            assert.equal(r.code, 1);
            assert.match(r.err, /could not read namespace 'team-a': The connection to the server/);
            assert.ok(!existsSync(evidence));
        });
        it("a kubectl that cannot be run is exit 2", () => {
            let err = "";
            const code = run(["isolate", "team-a", "web-7d4b9", "--kubectl", path.join(dir, "missing-kubectl")], {
                stdout: () => undefined,
                stderr: s => (err += s),
            });
            assert.equal(code, 2);
            assert.match(err, /cannot run kubectl .*missing-kubectl.*--kubectl PATH/);
        });
        it("a refused patch is exit 1 and leaves no evidence folder behind", () => {
            setState({ ...baseState(), failPatch: true });
            const r = isolate("team-a", "web-7d4b9");
            assert.equal(r.code, 1);
            assert.match(r.err, /could not label pod 'web-7d4b9' in namespace 'team-a': .*Forbidden/);
            assert.deepEqual(readdirSync(evidence), []);
        });
    });

    describe("isolate", () => {
        it("labels the pod first, then writes every evidence file and a manifest with their sha256", () => {
            const kubeconfig = path.join(dir, "kubeconfig");
            const r = isolate("team-a", "web-7d4b9", [
                "--kubeconfig",
                kubeconfig,
                "--reason",
                "INC-42 suspicious egress",
            ]);
            assert.equal(r.code, 0, r.err);
            const pod = state().pods["team-a/web-7d4b9"];
            assert.equal(pod.metadata.labels[QUARANTINE_LABEL], "true");
            assert.equal(pod.metadata.labels.app, "web", "other labels must stay");
            assert.equal(pod.metadata.annotations[ANNOTATION_AT], NOW.toISOString());
            assert.equal(pod.metadata.annotations[ANNOTATION_REASON], "INC-42 suspicious egress");
            // Every call uses the kubeconfig; the patch comes before any evidence is read.
            assert.ok(calls().every(c => c[0] === "--kubeconfig" && c[1] === kubeconfig));
            const v = verbs();
            assert.deepEqual(v.slice(0, 4), ["get", "get", "get", "patch"]);
            assert.equal(v.filter(x => x === "patch").length, 1);
            assert.ok(v.indexOf("describe") > v.indexOf("patch") && v.indexOf("logs") > v.indexOf("patch"));

            const folder = path.join(evidence, `team-a-web-7d4b9-${stamp(NOW)}`);
            assert.equal(stamp(NOW), "20240501T123456Z");
            const expected = [
                "pod.yaml",
                "describe.txt",
                "logs-init.txt",
                "logs-previous-init.txt",
                "logs-app.txt",
                "logs-previous-app.txt",
                "logs-sidecar.txt",
                "logs-previous-sidecar.txt",
                "events.txt",
            ];
            assert.deepEqual(readdirSync(folder).sort(), [...expected, "manifest.json"].sort());
            assert.equal(
                parse(readFileSync(path.join(folder, "pod.yaml"), "utf8")).metadata.labels[QUARANTINE_LABEL],
                "true",
                "pod.yaml is read after the label",
            );
            assert.match(readFileSync(path.join(folder, "describe.txt"), "utf8"), /Name:\s+web-7d4b9/);
            assert.equal(
                readFileSync(path.join(folder, "logs-app.txt"), "utf8"),
                "2024-05-01T12:30:00Z GET /admin 200\n",
            );
            assert.equal(
                readFileSync(path.join(folder, "logs-previous-app.txt"), "utf8"),
                "2024-05-01T11:00:00Z crashed\n",
            );
            assert.match(readFileSync(path.join(folder, "events.txt"), "utf8"), /Started container app/);
            const logCall = calls().find(c => c.includes("logs") && c.includes("app") && c.includes("--previous"));
            assert.ok(logCall?.includes("--timestamps"));
            const evCall = calls().find(c => c.includes("events"))!;
            assert.equal(
                evCall[evCall.indexOf("--field-selector") + 1],
                "involvedObject.kind=Pod,involvedObject.name=web-7d4b9,involvedObject.uid=1111-2222",
            );

            const manifest = JSON.parse(readFileSync(path.join(folder, "manifest.json"), "utf8"));
            assert.deepEqual(manifest.files.map((f: { name: string }) => f.name).sort(), [...expected].sort());
            for (const f of manifest.files) {
                const bytes = readFileSync(path.join(folder, f.name));
                assert.equal(f.sha256, createHash("sha256").update(bytes).digest("hex"), f.name);
                assert.equal(f.bytes, bytes.length);
                assert.match(f.command, /^kubectl /);
                assert.ok(!f.command.includes(kubeconfig), "the manifest should not carry the kubeconfig path");
            }
            assert.equal(manifest.namespace, "team-a");
            assert.equal(manifest.pod, "web-7d4b9");
            assert.equal(manifest.podUid, "1111-2222");
            assert.equal(manifest.node, "node-1");
            assert.equal(manifest.isolatedAt, NOW.toISOString());
            assert.equal(manifest.reason, "INC-42 suspicious egress");
            assert.equal(manifest.quarantinePolicy, true);
            assert.deepEqual(manifest.warnings, []);
            assert.equal(manifest.evidenceComplete, true);
            assert.deepEqual(manifest.incomplete, []);
            assert.deepEqual(manifest.refused, []);
            // Every capture complete but the sidecar's previous log: it has none (no status says otherwise), which is
            // no missing evidence.
            for (const f of manifest.files) {
                if (f.name === "logs-previous-sidecar.txt")
                    assert.deepEqual([f.status, f.exitCode], ["unavailable", 1]);
                else assert.deepEqual([f.name, f.status, f.exitCode], [f.name, "complete", 0]);
            }
            assert.equal(r.err, "");
            assert.match(r.out, /labelled pod team-a\/web-7d4b9 hardened-cluster\/quarantine=true/);
            assert.match(r.out, new RegExp(`evidence in ${folder.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
        });

        it("a failing `logs --previous` still yields its file, holding kubectl's error; the run succeeds", () => {
            const s = baseState();
            delete s.logs["team-a/web-7d4b9/sidecar/previous"]; // (never set: no previous sidecar container)
            s.events = undefined;
            setState(s);
            const r = isolate("team-a", "web-7d4b9");
            assert.equal(r.code, 0, r.err);
            const folder = path.join(evidence, `team-a-web-7d4b9-${stamp(NOW)}`);
            const prev = readFileSync(path.join(folder, "logs-previous-sidecar.txt"), "utf8");
            assert.match(
                prev,
                /^# kubectl logs web-7d4b9 -n team-a -c sidecar --timestamps --previous\n# failed with exit 1:\n/,
            );
            assert.match(prev, /previous terminated container "sidecar" in pod "web-7d4b9" not found/);
            assert.equal(
                readFileSync(path.join(folder, "logs-previous-init.txt"), "utf8"),
                "",
                "an empty log stays empty",
            );
            assert.match(
                readFileSync(path.join(folder, "events.txt"), "utf8"),
                /No resources found in team-a namespace/,
            );
            const manifest = JSON.parse(readFileSync(path.join(folder, "manifest.json"), "utf8"));
            const entry = manifest.files.find((f: { name: string }) => f.name === "logs-previous-sidecar.txt");
            assert.equal(entry.exitCode, 1);
            assert.equal(entry.sha256, createHash("sha256").update(prev).digest("hex"));
            assert.equal(entry.status, "unavailable");
            assert.match(entry.error, /no previous container/);
            assert.equal(manifest.evidenceComplete, true, "nothing to read is not missing evidence");
            assert.match(
                r.out,
                new RegExp(
                    "logs-previous-sidecar\\.txt \\(nothing to read: no previous container .*; " +
                        "kubectl's error is in the file\\)",
                ),
            );
        });

        it("every log call failing (a pod never scheduled) still writes every file", () => {
            const s = baseState();
            s.logs = {};
            setState(s);
            const r = isolate("team-a", "web-7d4b9");
            assert.equal(r.code, 0, r.err);
            const folder = path.join(evidence, `team-a-web-7d4b9-${stamp(NOW)}`);
            assert.equal(readdirSync(folder).length, 10);
            for (const c of ["init", "app", "sidecar"])
                assert.match(readFileSync(path.join(folder, `logs-${c}.txt`), "utf8"), /failed with exit 1/);
        });

        describe("evidence that cannot be captured fully makes the run fail, and the manifest says so", () => {
            const folder = () => path.join(evidence, `team-a-web-7d4b9-${stamp(NOW)}`);
            const manifest = () => JSON.parse(readFileSync(path.join(folder(), "manifest.json"), "utf8"));
            const entry = (name: string) => manifest().files.find((f: { name: string }) => f.name === name);
            /** Every path under the test's folder, relative to it. */
            const tree = (d = dir, rel = ""): string[] =>
                readdirSync(d, { withFileTypes: true }).flatMap(e => [
                    path.join(rel, e.name),
                    ...(e.isDirectory() ? tree(path.join(d, e.name), path.join(rel, e.name)) : []),
                ]);
            const running = (name: string, previous = false) => ({
                name,
                state: { running: {} },
                ...(previous ? { lastState: { terminated: { exitCode: 1 } } } : {}),
                restartCount: previous ? 1 : 0,
            });

            it(
                "a kubectl failure the pod's status does not explain (a previous container exists) is " +
                    "exit 1, named, recorded",
                () => {
                    const s = baseState();
                    s.pods["team-a/web-7d4b9"].status = {
                        initContainerStatuses: [{ name: "init", state: { terminated: { exitCode: 0 } } }],
                        containerStatuses: [running("app", true), running("sidecar", true)],
                    };
                    setState(s); // no previous log for sidecar although its status shows a restart
                    const r = isolate("team-a", "web-7d4b9");
                    assert.equal(r.code, 1);
                    assert.match(
                        r.err,
                        new RegExp(
                            "pod is labelled, but the evidence is incomplete \\(1 of its " +
                                "captures\\):\\n {2}logs-previous-sidecar\\.txt: failed: kubectl exited " +
                                '1: .*previous terminated container "sidecar"',
                        ),
                    );
                    assert.equal(
                        state().pods["team-a/web-7d4b9"].metadata.labels[QUARANTINE_LABEL],
                        "true",
                        "the pod stays labelled",
                    );
                    assert.equal(entry("logs-previous-sidecar.txt").status, "failed");
                    assert.equal(entry("logs-previous-app.txt").status, "complete");
                    assert.equal(manifest().evidenceComplete, false);
                    assert.deepEqual(
                        manifest().incomplete.map((x: string) => x.split(":")[0]),
                        ["logs-previous-sidecar.txt"],
                    );
                    assert.match(
                        r.out,
                        /logs-previous-sidecar\.txt \(FAILED: kubectl exited 1; its error is in the file\)/,
                    );
                },
            );

            it(
                "a log larger than any buffer is streamed to its file whole (kubectl's stdout is never " +
                    "held in memory)",
                () => {
                    const s = baseState();
                    const size = 3 * 1024 * 1024 + 17;
                    s.generated = { "team-a/web-7d4b9/app": size };
                    setState(s);
                    let out = "";
                    let err = "";
                    // kubectl's error output is limited to 64 KiB here: the 3 MiB log must not be subject to it.
                    const code = run(
                        ["isolate", "team-a", "web-7d4b9", "--evidence-dir", evidence, "--kubectl", kubectl],
                        {
                            stdout: x => (out += x),
                            stderr: x => (err += x),
                            now: () => NOW,
                            limits: { stderrBytes: 64 * 1024 },
                        },
                    );
                    assert.equal(code, 0, err);
                    const bytes = readFileSync(path.join(folder(), "logs-app.txt"));
                    assert.equal(bytes.length, size);
                    assert.equal(entry("logs-app.txt").bytes, size);
                    assert.equal(entry("logs-app.txt").sha256, createHash("sha256").update(bytes).digest("hex"));
                    assert.equal(entry("logs-app.txt").status, "complete");
                },
            );

            it(
                "a capture over its time-out is stopped: partial file kept and marked, exit 1, the other " +
                    "files still written",
                () => {
                    const s = baseState();
                    s.hang = ["team-a/web-7d4b9/app"];
                    setState(s);
                    const r = isolate("team-a", "web-7d4b9", ["--capture-timeout", "1"]);
                    assert.equal(r.code, 1);
                    assert.match(
                        r.err,
                        /evidence is incomplete .*\n {2}logs-app\.txt: truncated: timed out after 1 s and was stopped/,
                    );
                    const text = readFileSync(path.join(folder(), "logs-app.txt"), "utf8");
                    assert.match(
                        text,
                        new RegExp(
                            "^2024-05-01T12:00:00Z before the stall\\n\\n# kubectl logs web-7d4b9 -n " +
                                "team-a -c app --timestamps\\n# incomplete: timed out after 1 s",
                        ),
                    );
                    assert.equal(entry("logs-app.txt").status, "truncated");
                    assert.equal(entry("logs-app.txt").exitCode, null);
                    assert.equal(entry("logs-app.txt").sha256, createHash("sha256").update(text).digest("hex"));
                    assert.equal(entry("events.txt").status, "complete", "collection goes on after a stopped capture");
                    assert.equal(manifest().evidenceComplete, false);
                    assert.match(r.out, /logs-app\.txt \(INCOMPLETE: timed out after 1 s and was stopped\)/);
                },
            );

            it("kubectl error output over its limit stops the capture: truncated, exit 1", () => {
                const s = baseState();
                s.noisy = { "team-a/web-7d4b9/sidecar": 256 * 1024 };
                setState(s);
                let err = "";
                const code = run(["isolate", "team-a", "web-7d4b9", "--evidence-dir", evidence, "--kubectl", kubectl], {
                    stdout: () => undefined,
                    stderr: x => (err += x),
                    now: () => NOW,
                    limits: { stderrBytes: 64 * 1024 },
                });
                assert.equal(code, 1);
                assert.match(
                    err,
                    /logs-sidecar\.txt: truncated: kubectl wrote more than 65536 bytes of errors and was stopped/,
                );
                assert.equal(entry("logs-sidecar.txt").status, "truncated");
            });

            it("--capture-timeout must be a positive number (exit 2, nothing changed)", () => {
                for (const bad of ["0", "-1", "soon", ""]) {
                    const r = isolate("team-a", "web-7d4b9", ["--capture-timeout", bad]);
                    assert.equal(r.code, 2, bad);
                    assert.match(r.err, /--capture-timeout: .* is not a positive number of seconds/);
                }
                assert.equal(calls().length, 0);
                assert.ok(!existsSync(evidence));
            });

            it(
                "container names from the API are validated before they name a file: a hostile endpoint " +
                    "cannot write outside the evidence folder",
                () => {
                    const s = baseState();
                    const hostile = [
                        "../../../escaped",
                        "../escaped-too",
                        "a/b",
                        "..",
                        "x\n::error::forged",
                        "APP",
                        "y".repeat(64),
                    ];
                    s.pods["team-a/web-7d4b9"].spec = {
                        containers: [
                            { name: "app" },
                            ...hostile.map(name => ({ name })),
                            { name: "app" },
                            { name: 42 },
                            {},
                        ],
                    };
                    for (const n of hostile) s.logs[`team-a/web-7d4b9/${n}`] = "should never be asked for\n";
                    setState(s);
                    const r = isolate("team-a", "web-7d4b9");
                    assert.equal(r.code, 1);
                    // Nothing outside the evidence folder, nothing but the expected files inside it.
                    const files = [
                        "pod.yaml",
                        "describe.txt",
                        "logs-app.txt",
                        "logs-previous-app.txt",
                        "events.txt",
                        "manifest.json",
                    ];
                    const folderRel = path.relative(dir, folder());
                    assert.deepEqual(
                        tree().sort(),
                        [
                            "calls.jsonl",
                            "evidence",
                            folderRel,
                            ...files.map(f => path.join(folderRel, f)),
                            "kubectl",
                            "state.json",
                        ].sort(),
                    );
                    // kubectl was never asked for the refused containers.
                    const asked = calls()
                        .filter(c => c.includes("logs"))
                        .map(c => c[c.indexOf("-c") + 1]);
                    assert.deepEqual([...new Set(asked)], ["app"]);
                    const m = manifest();
                    assert.equal(m.evidenceComplete, false);
                    assert.deepEqual(
                        m.refused.map((x: { container: string }) => x.container),
                        [...hostile, "app", "42", "undefined"],
                    );
                    assert.ok(
                        m.refused.every(
                            (x: { status: string; error: string }) =>
                                x.status === "refused" && /logs were not captured/.test(x.error),
                        ),
                    );
                    assert.match(
                        m.refused.find((x: { container: string }) => x.container === "app").error,
                        /a second container with the same name/,
                    );
                    assert.equal(m.incomplete.length, hostile.length + 3);
                    assert.match(
                        r.err,
                        new RegExp(
                            "evidence is incomplete \\(10 of its captures\\):\\n {2}container " +
                                '"\\.\\.\\/\\.\\.\\/\\.\\.\\/escaped": refused: not a valid container ' +
                                "name",
                        ),
                    );
                    // Printed names are JSON-quoted: a newline or a CI workflow command cannot start a line of output.
                    assert.ok(
                        !r.out.split("\n").some(l => l.startsWith("::error")) &&
                            !r.err.split("\n").some(l => l.startsWith("::error")),
                    );
                },
            );

            it("a pod uid from the API that is not a UID never reaches the field selector", () => {
                const s = baseState();
                s.pods["team-a/web-7d4b9"].metadata.uid = "x,involvedObject.name=other-pod";
                setState(s);
                const r = isolate("team-a", "web-7d4b9");
                assert.equal(r.code, 0, r.err);
                assert.match(
                    r.err,
                    new RegExp(
                        "warning: the pod's uid from the API .* is not a valid UID; events are " +
                            "selected by kind and name only",
                    ),
                );
                const evCall = calls().find(c => c.includes("events"))!;
                assert.equal(
                    evCall[evCall.indexOf("--field-selector") + 1],
                    "involvedObject.kind=Pod,involvedObject.name=web-7d4b9",
                );
            });
        });

        it("relative paths are the caller's (INIT_CWD under npm run), not the repository root", () => {
            const saved = process.env.INIT_CWD;
            process.env.INIT_CWD = dir;
            try {
                let err = "";
                const code = run(
                    [
                        "isolate",
                        "team-a",
                        "web-7d4b9",
                        "--evidence-dir",
                        "evidence",
                        "--kubeconfig",
                        "kc.yaml",
                        "--kubectl",
                        "./kubectl",
                    ],
                    { stdout: () => undefined, stderr: s => (err += s), now: () => NOW },
                );
                assert.equal(code, 0, err);
            } finally {
                if (saved === undefined) delete process.env.INIT_CWD;
                else process.env.INIT_CWD = saved;
            }
            assert.ok(existsSync(path.join(evidence, `team-a-web-7d4b9-${stamp(NOW)}`, "manifest.json")));
            assert.ok(calls().every(c => c[1] === path.join(dir, "kc.yaml")));
        });

        it("a second isolation within the same second gets its own folder", () => {
            assert.equal(isolate("team-a", "web-7d4b9").code, 0);
            assert.equal(isolate("team-a", "web-7d4b9").code, 0);
            assert.deepEqual(readdirSync(evidence).sort(), [
                `team-a-web-7d4b9-${stamp(NOW)}`,
                `team-a-web-7d4b9-${stamp(NOW)}-1`,
            ]);
        });

        it("warns when the namespace has no quarantine NetworkPolicy, and still labels", () => {
            const s = baseState();
            s.policies["team-a"] = [DEFAULT_DENY];
            setState(s);
            const r = isolate("team-a", "web-7d4b9");
            assert.equal(r.code, 0);
            assert.match(r.err, /warning: namespace 'team-a' has no NetworkPolicy 'quarantine'/);
            assert.equal(state().pods["team-a/web-7d4b9"].metadata.labels[QUARANTINE_LABEL], "true");
            const manifest = JSON.parse(
                readFileSync(path.join(evidence, `team-a-web-7d4b9-${stamp(NOW)}`, "manifest.json"), "utf8"),
            );
            assert.equal(manifest.quarantinePolicy, false);
            assert.equal(manifest.warnings.length, 1);
        });

        it("warns about other NetworkPolicies that still allow traffic to or from the pod (policies add up)", () => {
            const s = baseState();
            s.policies["team-a"] = [
                DEFAULT_DENY,
                QUARANTINE_POLICY,
                {
                    metadata: { name: "allow-dns-egress" },
                    spec: {
                        podSelector: {},
                        policyTypes: ["Egress"],
                        egress: [{ ports: [{ port: 53, protocol: "UDP" }] }],
                    },
                },
                {
                    metadata: { name: "allow-ingress-web" },
                    spec: {
                        podSelector: { matchLabels: { app: "web" } },
                        policyTypes: ["Ingress"],
                        ingress: [{ from: [{ podSelector: {} }] }],
                    },
                },
                // Excludes quarantined pods: no warning.
                {
                    metadata: { name: "allow-same-namespace" },
                    spec: {
                        podSelector: { matchExpressions: [{ key: QUARANTINE_LABEL, operator: "DoesNotExist" }] },
                        policyTypes: ["Ingress", "Egress"],
                        ingress: [{}],
                        egress: [{}],
                    },
                },
                {
                    metadata: { name: "allow-ingress-db" },
                    spec: { podSelector: { matchLabels: { app: "db" } }, ingress: [{}] },
                },
            ];
            setState(s);
            const r = isolate("team-a", "web-7d4b9");
            assert.equal(r.code, 0);
            assert.match(r.err, /NetworkPolicy 'allow-dns-egress' also selects the pod and allows egress/);
            assert.match(r.err, /NetworkPolicy 'allow-ingress-web' also selects the pod and allows ingress/);
            assert.doesNotMatch(r.err, /allow-same-namespace|allow-ingress-db|default-deny|has no NetworkPolicy/);
        });

        it("a NetworkPolicy name from the API is printed with its control characters escaped (no forged lines)", () => {
            const s = baseState();
            s.policies["team-a"] = [
                DEFAULT_DENY,
                QUARANTINE_POLICY,
                {
                    metadata: { name: "evil\n::error file=x::forged\u001b[2J" },
                    spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] },
                },
            ];
            setState(s);
            const r = isolate("team-a", "web-7d4b9");
            assert.equal(r.code, 0, r.err);
            assert.match(r.err, /NetworkPolicy 'evil\\u000a::error file=x::forged\\u001b\[2J' also selects the pod/);
            assert.ok(!r.err.split("\n").some(l => l.startsWith("::error")) && !r.err.includes("\u001b"));
        });
        it("warns when the quarantine policy does not select the labelled pod", () => {
            const s = baseState();
            s.policies["team-a"] = [
                {
                    metadata: { name: "quarantine" },
                    spec: { podSelector: { matchLabels: { quarantine: "yes" } }, policyTypes: ["Ingress", "Egress"] },
                },
            ];
            setState(s);
            const r = isolate("team-a", "web-7d4b9");
            assert.equal(r.code, 0);
            assert.match(r.err, /NetworkPolicy 'quarantine' does not select the labelled pod/);
        });
    });

    describe("release", () => {
        it("removes the label and the annotations, keeps everything else", () => {
            assert.equal(isolate("team-a", "web-7d4b9", ["--reason", "INC-42"]).code, 0);
            const s = state();
            s.pods["team-a/web-7d4b9"].metadata.annotations.other = "kept";
            setState(s);
            const r = cli(["release", "team-a", "web-7d4b9"]);
            assert.equal(r.code, 0, r.err);
            const meta = state().pods["team-a/web-7d4b9"].metadata;
            assert.ok(!(QUARANTINE_LABEL in meta.labels), "label still there");
            assert.ok(
                !(ANNOTATION_AT in meta.annotations) && !(ANNOTATION_REASON in meta.annotations),
                "annotations still there",
            );
            assert.deepEqual(meta.labels, { app: "web" });
            assert.deepEqual(meta.annotations, { other: "kept" });
            assert.match(r.out, /released pod team-a\/web-7d4b9: removed label hardened-cluster\/quarantine/);
        });
        it("a pod that is not quarantined: exit 0, says so", () => {
            const r = cli(["release", "team-a", "web-7d4b9"]);
            assert.equal(r.code, 0);
            assert.match(r.out, /was not labelled/);
        });
    });

    it("the npm scripts run the CLI with its exit codes", () => {
        const pkg = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8"));
        for (const [script, sub] of [
            ["isolate", "isolate"],
            ["release", "release"],
        ]) {
            assert.equal(pkg.scripts[script], `node -r ts-node/register/transpile-only ops/isolate.ts ${sub}`);
        }
        const [, ...rest] = pkg.scripts.release.split(" ");
        const ok = spawnSync(process.execPath, [...rest, "team-a", "web-7d4b9", "--kubectl", kubectl], {
            cwd: REPO,
            encoding: "utf8",
        });
        assert.equal(ok.status, 0, ok.stderr);
        const bad = spawnSync(process.execPath, [...rest, "team-a", "ghost", "--kubectl", kubectl], {
            cwd: REPO,
            encoding: "utf8",
        });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /pod 'ghost' not found in namespace 'team-a'/);
    });
});

describe("ops/isolate selects()", () => {
    const labels = { app: "web", [QUARANTINE_LABEL]: "true" };
    it("matches matchLabels and every matchExpressions operator", () => {
        assert.ok(selects({}, labels));
        assert.ok(selects(undefined, labels));
        assert.ok(selects({ matchLabels: { [QUARANTINE_LABEL]: "true" } }, labels));
        assert.ok(!selects({ matchLabels: { [QUARANTINE_LABEL]: "true" } }, { app: "web" }));
        assert.ok(selects({ matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] }, labels));
        assert.ok(!selects({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["web"] }] }, labels));
        assert.ok(selects({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] }, labels));
        assert.ok(selects({ matchExpressions: [{ key: QUARANTINE_LABEL, operator: "Exists" }] }, labels));
        assert.ok(!selects({ matchExpressions: [{ key: QUARANTINE_LABEL, operator: "DoesNotExist" }] }, labels));
        assert.ok(!selects({ matchExpressions: [{ key: "app", operator: "Bogus" }] }, labels));
    });
});
