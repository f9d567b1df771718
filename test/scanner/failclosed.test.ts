import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { stringify } from "yaml";
import { run } from "../../scanner/cli";
import { findKubectl } from "../../scanner/load";
import { K8sObject, Rule } from "../../rules/types";
import { RULES } from "../../rules";
import { mutated, workload } from "../../rules/cases";

const REPO = path.join(__dirname, "..", "..");

function scan(args: string[], stdin?: string, rules?: readonly Rule[]): { code: number; out: string; err: string } {
    let out = "";
    let err = "";
    const code = run(args, { stdout: s => (out += s), stderr: s => (err += s), readStdin: () => stdin ?? "", rules });
    return { code, out, err };
}
const json = (args: string[], stdin?: string) => {
    const r = scan(["--format", "json", ...args], stdin);
    return { ...r, j: JSON.parse(r.out) };
};

const privileged = () => stringify(mutated("Deployment", s => (s.containers[0].securityContext.privileged = true)));
const secure = () => stringify(workload("Deployment"));

describe("scanner inputs fail closed", () => {
    let dir: string;
    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), "hc-failclosed-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const sub = (name: string) => {
        const d = path.join(dir, name);
        mkdirSync(d, { recursive: true });
        return d;
    };

    describe("YAML as kubectl reads it (no silent pass on YAML 1.1 spellings)", () => {
        it("privileged: yes, hostPID: on, hostNetwork: y are violations, exit 1", () => {
            const y = privileged().replace("privileged: true", "privileged: yes");
            assert.match(y, /privileged: yes/);
            const r = json(["-"], y);
            assert.equal(r.code, 1);
            assert.ok(r.j.violations.some((v: { controlId: string }) => v.controlId === "PS-01"));
            const pod = stringify(mutated("Pod", s => ((s.hostPID = true), (s.hostNetwork = true))))
                .replace("hostPID: true", "hostPID: on")
                .replace("hostNetwork: true", "hostNetwork: y");
            const ids = json(["-"], pod).j.violations.map((v: { controlId: string }) => v.controlId);
            assert.ok(ids.includes("PS-02") && ids.includes("PS-04"), ids.join(","));
        });
        it("a document that is no mapping (a manifest in a block scalar, a List item 7) is an input error", () => {
            // kubectl refuses each ("couldn't get version/kind"); an empty document it skips, and so does the scanner
            const text =
                `${secure()}---\n|\n${privileged().replace(/^/gm, "  ")}---\n# only a comment\n---\n` +
                "apiVersion: v1\nkind: List\nitems:\n- 7\n- true\n";
            const r = json(["-"], text);
            assert.equal(r.code, 2);
            const lineOf = (s: string) => text.split("\n").indexOf(s) + 1;
            assert.deepEqual(
                r.j.errors.map(
                    (e: { line: number; column: number; message: string }) => `${e.line}:${e.column} ${e.message}`,
                ),
                [
                    `${lineOf("|")}:1 not a Kubernetes object: a string`,
                    `${lineOf("- 7")}:3 not a Kubernetes object: a number`,
                    `${lineOf("- true")}:3 not a Kubernetes object: a boolean`,
                ],
            );
            assert.equal(r.j.summary.resources, 1);
        });
        it("a duplicate key is an input error at its line", () => {
            const r = scan(["-"], "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n");
            assert.equal(r.code, 2);
            assert.match(r.out, /<stdin>:5(:\d+)?: error: duplicated mapping key/);
        });
        it("a comment ended by NEL, LS or PS hides nothing: the field after it is read, placed on its own line", () => {
            // go-yaml v2 (YAML 1.1) ends a comment at U+0085, U+2028 and U+2029; kubectl reads the fields after them
            for (const brk of ["\u0085", "\u2028", "\u2029"]) {
                const base = stringify(mutated("Pod", () => undefined));
                const text = base.replace(
                    /^spec:\n/m,
                    `spec:\n  # debug${brk}  hostPID: true${brk}  hostNetwork: true\n`,
                );
                assert.notEqual(text, base);
                const r = json(["-"], text);
                assert.equal(r.code, 1, brk);
                const lines = text.split("\n");
                const line = lines.findIndex(l => l.includes("# debug")) + 1;
                const at = (id: string) =>
                    r.j.violations
                        .filter((v: { controlId: string }) => v.controlId === id)
                        .map((v: { line: number; column: number }) => `${v.line}:${v.column}`);
                // both on the comment's line of the file, at their own columns (the file's lines are cut at line feeds)
                assert.deepEqual(at("PS-02"), [`${line}:${lines[line - 1].indexOf("hostPID") + 1}`], brk);
                assert.deepEqual(at("PS-04"), [`${line}:${lines[line - 1].indexOf("hostNetwork") + 1}`], brk);
            }
        });
        it("a --- that a lone carriage return puts at a line start does not drop the document before it", () => {
            // kubectl cuts at line feeds only; go-yaml v2 ends the document at `\r---` and reads what is before it
            const pod = stringify(mutated("Pod", s => (s.hostPID = true)));
            for (const tail of ["\r---\n", "\n\r---\n", "\r\n\r---"]) {
                const r = json(["-"], `${secure()}---\n${pod}${tail}`);
                assert.equal(r.code, 1, JSON.stringify(tail));
                assert.equal(r.j.summary.resources, 2);
                assert.ok(r.j.violations.some((v: { controlId: string }) => v.controlId === "PS-02"));
            }
            // what go-yaml would drop after it makes the document an input error, never a silent pass
            const r = json(["-"], `${pod}\r---\rhostNetwork: true\n`);
            assert.equal(r.code, 2);
            assert.match(r.j.errors[0].message, /document start \(---\) after a carriage return/);
        });
        it("an empty item ending a nested list does not take the next container into that list", () => {
            // `args` ending in `-` alone (or `: -` after an explicit `? args`), then the next container: it stays a
            // container, and is checked
            for (const args of [
                ["    args:", "    - --serve", "    -"],
                ["    ? args", "    : -"],
            ]) {
                const text = [
                    "apiVersion: v1",
                    "kind: Pod",
                    "metadata:",
                    "  name: p",
                    "spec:",
                    "  containers:",
                    "  - name: a",
                    "    image: registry.example.com/a:1.0",
                    ...args,
                    "  - name: b",
                    "    image: registry.example.com/b:1.0",
                    "    securityContext:",
                    "      privileged: true",
                    "",
                ].join("\n");
                const r = json(["-"], text);
                assert.equal(r.code, 1, args.join("|"));
                assert.ok(
                    r.j.violations.some(
                        (v: { controlId: string; path: string }) =>
                            v.controlId === "PS-01" && v.path === "spec.containers[1].securityContext.privileged",
                    ),
                    args.join("|"),
                );
            }
        });
        it("an object with an items array is a list, as kubectl reads it; kind-less items take the list's kind", () => {
            const pod =
                "metadata: {name: p, namespace: app}\n  spec: {hostPID: true, containers: [{name: c, image: nginx}]}";
            const podJson = {
                metadata: { name: "p2", namespace: "app" },
                spec: { hostPID: true, containers: [{ name: "c", image: "nginx" }] },
            };
            for (const text of [
                // a typed list: its items carry no kind
                `apiVersion: v1\nkind: PodList\nitems:\n- ${pod}\n`,
                // any kind with an items array: kubectl applies the items, not the object
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: app}\n" +
                    `items:\n- apiVersion: v1\n  kind: Pod\n  ${pod}\n`,
                JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "outer" }, items: [podJson] }),
            ]) {
                const r = json(["-"], text);
                assert.equal(r.code, 1, text);
                assert.equal(r.j.summary.resources, 1, text);
                assert.deepEqual(
                    r.j.violations
                        .filter((v: { controlId: string }) => v.controlId === "PS-02")
                        .map(
                            (v: { resource: { kind: string; name: string } }) =>
                                `${v.resource.kind} ${v.resource.name}`,
                        ),
                    [text.startsWith("{") ? "Pod p2" : "Pod p"],
                    text,
                );
            }
        });
        it("an alias inside its own anchor is an input error, not a crash; the other documents are reported", () => {
            for (const jobs of ["1", "2"]) {
                const cycle = "apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: x\n  labels: *m\n";
                const text = `${privileged()}---\n${cycle}`;
                const r = json(["--jobs", jobs, "-"], text);
                assert.equal(r.code, 1, jobs);
                assert.ok(r.j.violations.some((v: { controlId: string }) => v.controlId === "PS-01"));
                assert.deepEqual(
                    r.j.errors.map((e: { line: number; message: string }) => `${e.line} ${e.message}`),
                    [
                        `${privileged().split("\n").length + 1} ` +
                            "anchor value contains itself (an alias inside its own anchor)",
                    ],
                );
            }
        });
    });

    describe("walk", () => {
        it("follows a symlinked directory, once, and reports a loop instead of following it", () => {
            const real = sub("real");
            writeFileSync(path.join(real, "priv.yaml"), privileged());
            const top = sub("top");
            symlinkSync(real, path.join(top, "linked"));
            symlinkSync(top, path.join(top, "loop"));
            const r = json([top]);
            assert.equal(r.code, 1);
            assert.ok(r.j.violations.some((v: { file: string }) => v.file === path.join(top, "linked", "priv.yaml")));
            assert.ok(
                r.j.errors.some(
                    (e: { file: string; message: string }) =>
                        e.file === path.join(top, "loop") && /loop/.test(e.message),
                ),
                JSON.stringify(r.j.errors),
            );
        });
        it("reports each unreadable path by its own name and keeps going", () => {
            const d = sub("broken");
            writeFileSync(path.join(d, "a.yaml"), secure());
            symlinkSync(path.join(dir, "does-not-exist"), path.join(d, "dangling.yaml"));
            symlinkSync(path.join(dir, "no-dir"), path.join(d, "gone"));
            writeFileSync(path.join(d, "z.yaml"), privileged());
            const r = json([d]);
            assert.ok(
                r.j.errors.some((e: { file: string }) => e.file === path.join(d, "dangling.yaml")),
                JSON.stringify(r.j.errors),
            );
            assert.ok(r.j.violations.some((v: { file: string }) => v.file === path.join(d, "z.yaml")));
            assert.equal(r.code, 1);
        });
        it(
            "an unreadable subdirectory is reported by its name (skipped when running as root, who reads " +
                "everything)",
            function () {
                if (process.getuid?.() === 0) this.skip();
                const d = sub("perm");
                const locked = path.join(d, "locked");
                mkdirSync(locked);
                writeFileSync(path.join(d, "z.yaml"), privileged());
                chmodSync(locked, 0);
                try {
                    const r = json([d]);
                    assert.ok(
                        r.j.errors.some(
                            (e: { file: string; message: string }) =>
                                e.file === locked && /permission denied/.test(e.message),
                        ),
                    );
                    assert.ok(r.j.violations.length > 0);
                } finally {
                    chmodSync(locked, 0o755);
                }
            },
        );
        it("refuses a FIFO without hanging and a symlink to /dev/zero without reading it", function () {
            this.timeout(10_000);
            const d = sub("special");
            execFileSync("mkfifo", [path.join(d, "fifo.yaml")]);
            symlinkSync("/dev/zero", path.join(d, "zero.yaml"));
            writeFileSync(path.join(d, "ok.yaml"), secure());
            const r = json([d]);
            const msg = (f: string) =>
                r.j.errors.find((e: { file: string }) => e.file === path.join(d, f))?.message ?? "";
            assert.match(msg("fifo.yaml"), /a FIFO, not a regular file/);
            assert.match(msg("zero.yaml"), /a device, not a regular file/);
            assert.equal(r.j.summary.resources, 1);
            assert.equal(r.code, 2);
        });
        it("caps one input's size (--max-input-size) with a clear error", () => {
            const f = path.join(sub("big"), "big.yaml");
            writeFileSync(f, privileged());
            const r = scan(["--max-input-size", "100", f]);
            assert.equal(r.code, 2);
            assert.match(
                r.out,
                /big\.yaml: error: not read: \d+ bytes is over the input size limit of 100 bytes \(--max-input-size\)/,
            );
            assert.equal(scan(["--max-input-size", "1Mi", f]).code, 1);
            assert.equal(scan(["--max-input-size", "lots", f]).code, 2);
            assert.match(
                scan(["--max-input-size", "10", "-"], "x".repeat(11)).out,
                /<stdin>: error: not read: over the input size limit/,
            );
        });
        it(
            "exit 2 when no Kubernetes resource was read (empty stdin, empty directory, comments only), " +
                "0 with --allow-empty",
            () => {
                const empty = sub("empty");
                for (const [args, stdin] of [
                    [["-"], ""],
                    [[empty], undefined],
                    [["-"], "# nothing\n---\n"],
                ] as Array<[string[], string | undefined]>) {
                    const r = scan(args, stdin);
                    assert.equal(r.code, 2, JSON.stringify(args));
                    assert.match(r.out, /no Kubernetes resource was read/);
                    assert.equal(scan(["--allow-empty", ...args], stdin).code, 0);
                }
            },
        );
        it("a helm template failure in a pipe (no output) fails the gate", () => {
            const r = spawnSync(process.execPath, [path.join(REPO, "bin", "hardened-scan"), "-"], {
                input: "",
                encoding: "utf8",
            });
            assert.equal(r.status, 2, r.stdout + r.stderr);
        });
    });

    describe("kustomizations and Helm charts", () => {
        it("a kustomization directory is rendered with kubectl kustomize, never read as plain files", function () {
            this.timeout(60_000);
            const kubectl = findKubectl();
            if (!kubectl) this.skip();
            const k = sub("kust");
            writeFileSync(path.join(k, "deploy.yaml"), privileged());
            writeFileSync(path.join(k, "kustomization.yaml"), "resources:\n- deploy.yaml\nnamespace: rendered-ns\n");
            const r = json([k]);
            assert.equal(r.code, 1, r.out + r.err);
            const v = r.j.violations.find((x: { controlId: string }) => x.controlId === "PS-01");
            assert.equal(v.resource.namespace, "rendered-ns"); // the overlay's namespace: rendered, not the raw file
            assert.equal(v.rendered, "kustomize");
            assert.equal(v.file, k);
        });
        it("without kubectl the kustomization is refused with exit 2 and the command to run", () => {
            const k = sub("kust2");
            writeFileSync(path.join(k, "kustomization.yaml"), "resources: []\n");
            const saved = { PATH: process.env.PATH, HC_TOOLS_DIR: process.env.HC_TOOLS_DIR };
            process.env.PATH = path.join(dir, "no-bin");
            process.env.HC_TOOLS_DIR = path.join(dir, "no-tools");
            try {
                const r = scan([k]);
                assert.equal(r.code, 2);
                assert.match(
                    r.out,
                    new RegExp(
                        "kust2: error: a kustomization directory, and no kubectl was found to " +
                            'render it: run `kubectl kustomize ".*kust2" \\| hardened-scan -`',
                    ),
                );
            } finally {
                for (const [k, v] of Object.entries(saved)) {
                    if (v === undefined) delete process.env[k];
                    else process.env[k] = v;
                }
            }
        });
        it("a Helm chart directory is rendered with helm template, or refused with exit 2 and the command", () => {
            const c = sub("chart");
            writeFileSync(path.join(c, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 0.1.0\n");
            mkdirSync(path.join(c, "templates"));
            writeFileSync(path.join(c, "templates", "d.yaml"), "{{ .Values.broken }\n");
            const saved = process.env.PATH;
            process.env.PATH = path.join(dir, "no-bin");
            try {
                const r = scan([c]);
                assert.equal(r.code, 2);
                assert.match(
                    r.out,
                    new RegExp(
                        "chart: error: a Helm chart directory, and no helm was found to render " +
                            'it: run `helm template ".*chart" \\| hardened-scan -`',
                    ),
                );
                assert.doesNotMatch(r.out, /templates/); // the raw templates are not parsed as YAML
            } finally {
                process.env.PATH = saved;
            }
            // a helm that prints the rendered chart (the command line it gets is checked)
            const helm = path.join(dir, "fake-helm");
            writeFileSync(
                helm,
                `#!/bin/sh\n[ "$1" = template ] && [ "$2" = "${c}" ] || exit 9\ncat <<'EOF'\n---\n# ` +
                    `Source: demo/templates/d.yaml\n${privileged()}EOF\n`,
            );
            chmodSync(helm, 0o755);
            const r = json(["--helm", helm, c]);
            assert.equal(r.code, 1, r.out);
            assert.ok(
                r.j.violations.some(
                    (v: { controlId: string; rendered: string }) => v.controlId === "PS-01" && v.rendered === "helm",
                ),
            );
            // a helm that fails: exit 2 with its message
            writeFileSync(helm, "#!/bin/sh\necho 'Error: parse error in d.yaml' >&2\nexit 1\n");
            const f = scan(["--helm", helm, c]);
            assert.equal(f.code, 2);
            assert.match(f.out, /failed to render: Error: parse error in d\.yaml/);
        });
        it("the summary lists the kinds no rule checked", () => {
            const r = json(["-"], secure() + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");
            assert.deepEqual(r.j.summary.skippedKinds, { Widget: 1 });
            assert.match(
                scan(["-"], "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n").out,
                /not checked \(no rule looks at these kinds\): Widget \(1\)/,
            );
            // a document that is no Kubernetes object (no kind, or a kind that is not a string) is named as such
            const odd = json(["-"], secure() + "---\nvalues:\n  a: 1\n---\nkind: 7\n---\nkind: [Pod]\n");
            assert.deepEqual(odd.j.summary.skippedKinds, { "(no kind)": 1, "(kind 7)": 1, '(kind ["Pod"])': 1 });
        });
        it("the summary counts, per control, the findings the exemptions kept out (defaults included)", () => {
            // a privileged host-PID pod in `falco`, which PS-01, PS-02 and others exempt by default
            const pod =
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: falco\nspec:\n  hostPID: true\n" +
                "  containers:\n  - name: c\n    image: x\n    securityContext:\n      privileged: true\n";
            const r = json(["-"], pod);
            assert.equal(r.j.violations.filter((v: { controlId: string }) => v.controlId === "PS-01").length, 0);
            assert.equal(r.j.summary.exempted["PS-01"], 1);
            assert.equal(r.j.summary.exempted["PS-02"], 1);
            assert.match(scan(["-"], pod).out, /exempted \(findings the policy config's exemptions, .*PS-01 \(1\)/);
            // the same pod elsewhere: its findings are reported, nothing is exempted, the text says nothing of it
            const elsewhere = pod.replace("namespace: falco", "namespace: team-a");
            const e = json(["-"], elsewhere);
            assert.deepEqual(e.j.summary.exempted, {});
            assert.ok(e.j.violations.some((v: { controlId: string }) => v.controlId === "PS-01"));
            assert.doesNotMatch(scan(["-"], elsewhere).out, /exempted/);
        });
    });

    describe("rules that fail", () => {
        const boom: Rule = {
            id: "PS-01",
            name: "boom",
            description: "Throws on objects named boom.",
            remediation: "None.",
            url: "https://kubernetes.io/",
            scope: "resource",
            kinds: ["Deployment"],
            check: obj => {
                if (obj.metadata?.name === "boom")
                    throw new TypeError("cannot read properties of null (reading 'path')");
                return [];
            },
        };
        const errorFinding: Rule = {
            ...boom,
            name: "error-finding",
            check: (obj: K8sObject) =>
                obj.metadata?.name === "boom"
                    ? [{ controlId: "PS-01", message: "rule failed: x is null", object: obj, error: true } as never]
                    : [],
        };
        const input = () => {
            const a = mutated("Deployment", s => (s.containers[0].securityContext.privileged = true));
            const b = workload("Deployment");
            (b.metadata as { name: string }).name = "boom";
            return [a, b].map(o => stringify(o)).join("---\n");
        };
        for (const rule of [boom, errorFinding]) {
            it(
                `${rule.name}: an error for that resource (file:line, control, message), every other ` +
                    `finding kept, exit 2 / 1`,
                () => {
                    const rules = [rule, ...RULES.filter(r => r.name === "no-privileged-containers")];
                    const r = scan(["--format", "json", "-"], input(), rules);
                    const j = JSON.parse(r.out);
                    const e = j.errors.find((x: { policy?: string }) => x.policy === rule.name);
                    assert.ok(e, r.out);
                    assert.equal(e.controlId, "PS-01");
                    assert.equal(e.resource.name, "boom");
                    assert.equal(e.file, "<stdin>");
                    assert.ok(e.line > 1);
                    assert.ok(j.violations.some((v: { controlId: string }) => v.controlId === "PS-01"));
                    assert.equal(r.code, 1); // a mandatory violation exits 1 first
                    const onlyBoom = scan(
                        ["-"],
                        stringify({ ...workload("Deployment"), metadata: { name: "boom", namespace: "team-a" } }),
                        [rule],
                    );
                    assert.equal(onlyBoom.code, 2);
                    assert.match(
                        onlyBoom.out,
                        /<stdin>:\d+:\d+: error: \[PS-01\] (boom|error-finding): Deployment team-a\/boom: rule failed:/,
                    );
                },
            );
        }
    });
});
