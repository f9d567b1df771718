/**
 * The local cluster's bookkeeping under hostile or careless conditions: exports that survive
 * `eval`, a cluster:down that signals only the processes it started and removes only a state
 * directory `up` made.
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { down } from "../../cluster/down";
import { exportLines, shellQuote } from "../../cluster/local";
import { alive, notOurs, recordedPids, startDetached, startTimeOf, stopAll } from "../../cluster/procs";
import { ClusterInfo, newStateDir, notOurStateDir, saveInfo } from "../../cluster/state";

const HOSTILE = [
    "plain",
    "with space",
    "it's",
    "$(touch /tmp/hc-pwned)",
    "`id`",
    'a"b',
    "new\nline",
    "back\\slash",
    "*",
    "",
    "x'; echo pwned; '",
];

function info(stateDir: string, token: string, over: Partial<ClusterInfo> = {}): ClusterInfo {
    return {
        stateDir,
        token,
        kubeconfig: "",
        server: "",
        etcdEndpoint: "",
        etcdCertDir: "",
        toolsBin: "",
        auditLog: "",
        namespace: "",
        workloadServiceAccount: "",
        ...over,
    };
}

describe("local cluster: export lines", function () {
    this.timeout(60_000); // bash children on a busy machine
    it("shell-quotes every value, so eval gives back exactly the value and runs nothing", () => {
        // One bash for every value: each line evals `export X=<quoted>` and prints X, NUL-terminated.
        const script = HOSTILE.map(
            (v, i) => `L${i}=${shellQuote(`export X=${shellQuote(v)}`)}; eval "$L${i}"; printf '%s\\0' "$X"`,
        ).join("\n");
        const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
        assert.deepStrictEqual(r.stdout.split("\0").slice(0, -1), HOSTILE);
        assert.ok(!existsSync("/tmp/hc-pwned"), "a command substitution ran");
    });

    it("every export line evaluates to its field, hostile values included", () => {
        const fields = {
            kubeconfig: HOSTILE[3],
            etcdEndpoint: HOSTILE[4],
            etcdCertDir: HOSTILE[1],
            toolsBin: HOSTILE[6],
            auditLog: HOSTILE[2],
            namespace: HOSTILE[10],
            workloadServiceAccount: HOSTILE[9],
            node: "localhost",
            testImage: HOSTILE[5],
        };
        const lines = exportLines(info("/tmp/x", "t", fields));
        const names = [
            "KUBECONFIG",
            "HC_ETCD_ENDPOINT",
            "HC_ETCD_CERT_DIR",
            "HC_TOOLS_BIN",
            "HC_AUDIT_LOG",
            "HC_NAMESPACE",
            "HC_WORKLOAD_SA",
            "HC_NODE",
            "HC_TEST_IMAGE",
        ];
        assert.deepStrictEqual(
            [...lines.matchAll(/^export ([A-Z_]+)=/gm)].map(m => m[1]),
            names,
        );
        const r = spawnSync(
            "bash",
            ["-c", `eval "$L"; for n in ${names.join(" ")}; do printf '%s\\0' "\${!n}"; done`],
            { env: { PATH: process.env.PATH, L: lines }, encoding: "utf8" },
        );
        assert.deepStrictEqual(r.stdout.split("\0").slice(0, -1), Object.values(fields));
        assert.ok(!existsSync("/tmp/hc-pwned"), "a command substitution ran");
    });

    it("leaves out HC_NODE and HC_TEST_IMAGE without a node", () => {
        assert.ok(!/HC_NODE|HC_TEST_IMAGE/.test(exportLines(info("/tmp/x", "t"))));
    });
});

describe("local cluster: cluster:down acts only on what up started", function () {
    this.timeout(60_000);
    let state: { stateDir: string; token: string };
    const strangers: number[] = [];
    const stranger = () => {
        // a process this tool did not start (no state directory on its command line)
        const p = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore", detached: true });
        strangers.push(p.pid!);
        return p.pid!;
    };
    beforeEach(() => {
        state = newStateDir();
    });
    afterEach(() => {
        for (const pid of strangers.splice(0))
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                /* gone */
            }
        for (const p of recordedPids(state.stateDir))
            try {
                if (startTimeOf(p.pid) === p.startTime) process.kill(p.pid, "SIGKILL");
            } catch {
                /* gone */
            }
        rmSync(state.stateDir, { recursive: true, force: true });
    });
    const ours = () =>
        startDetached(state.stateDir, "ours", process.execPath, ["-e", "setInterval(() => {}, 1000)", state.stateDir])
            .started;
    const record = (entries: object[]) =>
        writeFileSync(path.join(state.stateDir, "pids.json"), JSON.stringify(entries));

    it("stops a recorded process that is still the one started", async () => {
        const p = ours();
        await new Promise(r => setTimeout(r, 300)); // let it exec, so /proc shows its own command line
        assert.strictEqual(notOurs(p, state.stateDir), undefined);
        assert.deepStrictEqual(await stopAll(state.stateDir), []);
        assert.ok(!alive(p.pid));
    });

    it("never signals a pid now held by another process (start time differs)", async () => {
        const pid = stranger();
        await new Promise(r => setTimeout(r, 300));
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
        record([{ name: "etcd", pid, log: "", argv: cmd, startTime: "1" }]);
        const problems = await stopAll(state.stateDir);
        assert.match(problems.join(), /etcd: not signalled: pid \d+ started at tick \d+, not at the recorded 1/);
        assert.ok(alive(pid), "the stranger was signalled");
    });

    it(
        "never signals a process whose command line is not the recorded one, or does not name the state " + "directory",
        async () => {
            const pid = stranger();
            await new Promise(r => setTimeout(r, 300));
            const startTime = startTimeOf(pid)!;
            record([
                {
                    name: "kube-apiserver",
                    pid,
                    log: "",
                    argv: ["/bin/kube-apiserver", `--data=${state.stateDir}`],
                    startTime,
                },
            ]);
            assert.match((await stopAll(state.stateDir)).join(), /not the recorded command line/);
            const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
            record([{ name: "kube-apiserver", pid, log: "", argv: cmd, startTime }]);
            assert.match((await stopAll(state.stateDir)).join(), /does not name the state directory/);
            record([{ name: "init", pid: 1, log: "", argv: [], startTime: "0" }]);
            assert.match((await stopAll(state.stateDir)).join(), /recorded pid 1 is not a process this tool starts/);
            assert.ok(alive(pid), "the stranger was signalled");
        },
    );

    it("refuses to start a process whose command line does not name the state directory", () => {
        assert.throws(
            () => startDetached(state.stateDir, "x", process.execPath, ["-e", "0"]),
            /must name the state directory/,
        );
    });

    it("down refuses a pointer to a directory up did not make, and removes nothing", async () => {
        const victim = mkdtempSync(path.join(os.tmpdir(), "hc-victim-"));
        writeFileSync(path.join(victim, "precious"), "data");
        const pointer = path.join(state.stateDir, "pointer.json");
        const before = process.env.HC_CLUSTER_POINTER;
        process.env.HC_CLUSTER_POINTER = pointer;
        try {
            for (const [dir, token, says] of [
                [victim, "x", /is not a hc-cluster-\* directory/],
                [os.homedir(), "x", /is not a hc-cluster-\* directory/],
                ["relative/dir", "x", /not an absolute path/],
                [state.stateDir, "not-the-token", /no marker matching the recorded token/],
            ] as const) {
                writeFileSync(pointer, JSON.stringify(info(dir, token)));
                const r = await down();
                assert.match(r.problems.join(), says, `${dir}`);
                assert.ok(existsSync(dir === "relative/dir" ? state.stateDir : dir));
            }
            assert.strictEqual(readFileSync(path.join(victim, "precious"), "utf8"), "data");
            // A symlink to a real state directory is refused too.
            const link = path.join(os.tmpdir(), `hc-cluster-link${process.pid}`);
            rmSync(link, { force: true });
            symlinkSync(state.stateDir, link);
            try {
                assert.match(notOurStateDir(link, state.token) ?? "", /symlink/);
            } finally {
                rmSync(link, { force: true });
            }
            // The real one, with its token: stopped and removed, pointer cleared.
            const p = ours();
            saveInfo(info(state.stateDir, state.token));
            const r = await down();
            assert.deepStrictEqual(r.problems, []);
            assert.ok(!existsSync(state.stateDir) && !existsSync(pointer) && !alive(p.pid));
        } finally {
            if (before === undefined) delete process.env.HC_CLUSTER_POINTER;
            else process.env.HC_CLUSTER_POINTER = before;
            rmSync(victim, { recursive: true, force: true });
            mkdirSync(state.stateDir, { recursive: true }); // afterEach removes it
        }
    });
});
