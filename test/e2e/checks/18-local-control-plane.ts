/**
 * e2e check 18 (the local control plane under hostile conditions): etcd accepts only clients with
 * a certificate from its CA, over TLS; `cluster:up` killed (SIGKILL) leaves a pointer that
 * `cluster:down` follows to stop every daemon; `up` hung up on (SIGHUP) cleans up by itself; the
 * printed exports evaluate back to exactly the values.
 */
import { spawn, spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import * as https from "https";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { exportLines, UpResult } from "../../../cluster/local";
import { recordedPids, startTimeOf, Started } from "../../../cluster/procs";
import { REPO } from "../../../scripts/gather";
import { assert, Check } from "../harness";

/** Status of a GET, or the error message when the connection or handshake fails. */
function get(url: string, opts: https.RequestOptions): Promise<number | string> {
    return new Promise(resolve => {
        const mod = url.startsWith("https") ? https : http;
        const req = mod.get(url, { ...opts, timeout: 5000 }, res => {
            res.resume();
            resolve(res.statusCode ?? 0);
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", e => resolve(e.message || String(e)));
    });
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = probe();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(200);
    }
}

const readJson = (f: string) => {
    try {
        return JSON.parse(readFileSync(f, "utf8"));
    } catch {
        return undefined;
    }
};
const running = (p: Started) => startTimeOf(p.pid) !== undefined && startTimeOf(p.pid) === p.startTime;

/** Start `cluster:up` with its own pointer file; resolve once etcd is recorded in its state directory. */
async function upUntilEtcd(pointer: string) {
    const child = spawn(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(REPO, "cluster", "up.ts")],
        {
            cwd: REPO,
            env: { ...process.env, HC_CLUSTER_POINTER: pointer },
            stdio: ["ignore", "ignore", "pipe"],
        },
    );
    let stderr = "";
    child.stderr!.on("data", d => (stderr += d));
    const exited = new Promise<number | null>(resolve =>
        child.on("exit", (code, sig) => resolve(code ?? (sig ? -1 : null))),
    );
    try {
        // Generous: rendering the stack and making the PKI come first, and the machine may be busy.
        const info = await until("the pointer to be written", () => readJson(pointer), 300_000);
        const etcd = await until(
            "etcd to be recorded",
            () => recordedPids(info.stateDir).find(p => p.name === "etcd"),
            300_000,
        );
        return { child, info, etcd, exited, stderr: () => stderr };
    } catch (e) {
        await stopStray(child, pointer);
        throw e;
    }
}

/** After a failure: kill the child up and stop whatever its pointer records, so nothing outlives the check. */
async function stopStray(child: ReturnType<typeof spawn>, pointer: string): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await new Promise(r => child.once("exit", r));
    }
    if (existsSync(pointer))
        spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO, "cluster", "down.ts")], {
            cwd: REPO,
            env: { ...process.env, HC_CLUSTER_POINTER: pointer },
            encoding: "utf8",
            timeout: 120_000,
        });
}

async function localControlPlaneCheck(c: UpResult): Promise<void> {
    // etcd: TLS only, and only clients holding a certificate from etcd's CA.
    const ca = readFileSync(`${c.etcdCertDir}/ca.crt`);
    const health = `${c.etcdEndpoint}/health`;
    assert(c.etcdEndpoint.startsWith("https://127.0.0.1:"), `etcd does not listen on TLS loopback: ${c.etcdEndpoint}`);
    const withCert = await get(health, {
        ca,
        cert: readFileSync(`${c.etcdCertDir}/client.crt`),
        key: readFileSync(`${c.etcdCertDir}/client.key`),
    });
    assert(withCert === 200, `etcd refused its own client certificate: ${withCert}`);
    const noCert = await get(health, { ca });
    assert(noCert !== 200, "etcd answered a TLS client without a certificate");
    const foreign = await get(health, { ca, cert: readFileSync(c.pki.adminCert), key: readFileSync(c.pki.adminKey) });
    assert(foreign !== 200, "etcd answered a client whose certificate comes from another CA (the cluster CA)");
    const plain = await get(health.replace("https://", "http://"), {});
    assert(plain !== 200, "etcd answered plain http");
    const etcdctl = (args: string[]) =>
        spawnSync(
            path.join(c.toolsBin, "etcdctl"),
            [
                `--endpoints=${c.etcdEndpoint}`,
                `--cacert=${c.etcdCertDir}/ca.crt`,
                ...args,
                "get",
                "/registry/namespaces/default",
                "--keys-only",
            ],
            { encoding: "utf8", timeout: 20_000 },
        );
    assert(etcdctl([]).status !== 0, "etcdctl without a client certificate read a key");

    // The exports evaluate back to exactly the values (bash, as `eval "$(... | tail -n N)"` does).
    const lines = exportLines(c);
    const names = [...lines.matchAll(/^export ([A-Z_]+)=/gm)].map(m => m[1]);
    const back = spawnSync(
        "bash",
        ["-c", `eval "$HC_LINES"; for n in ${names.join(" ")}; do printf '%s\\0' "\${!n}"; done`],
        { env: { PATH: process.env.PATH, HC_LINES: lines }, encoding: "utf8" },
    );
    const values = back.stdout.split("\0").slice(0, -1);
    const want = [
        c.kubeconfig,
        c.etcdEndpoint,
        c.etcdCertDir,
        c.toolsBin,
        c.auditLog,
        c.namespace,
        c.workloadServiceAccount,
        ...(c.node !== undefined ? [c.node] : []),
        ...(c.testImage !== undefined ? [c.testImage] : []),
    ];
    assert(
        JSON.stringify(values) === JSON.stringify(want),
        `the exports evaluate to ${JSON.stringify(values)}, expected ${JSON.stringify(want)}`,
    );

    const tmp = mkdtempSync(path.join(os.tmpdir(), "hc-e2e-pointer-"));
    const strays: Array<() => Promise<void>> = [];
    try {
        // up killed with SIGKILL: the pointer was written before the daemons, down follows it.
        const pointer = path.join(tmp, "killed.json");
        const killed = await upUntilEtcd(pointer);
        killed.child.kill("SIGKILL");
        await killed.exited;
        strays.push(() => stopStray(killed.child, pointer));
        assert(running(killed.etcd), "etcd should outlive the killed up (that is what down is for)");
        const d = spawnSync(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(REPO, "cluster", "down.ts")],
            { cwd: REPO, env: { ...process.env, HC_CLUSTER_POINTER: pointer }, encoding: "utf8", timeout: 60_000 },
        );
        assert(d.status === 0, `cluster:down after a killed up failed (${d.status}): ${d.stderr}`);
        for (const p of recordedPids(killed.info.stateDir).concat(killed.etcd))
            assert(!running(p), `${p.name} (pid ${p.pid}) still runs after cluster:down`);
        assert(
            !existsSync(killed.info.stateDir) && !existsSync(pointer),
            "cluster:down left the state directory or the pointer",
        );

        // up hung up on (SIGHUP): it stops what it started, removes its state and the pointer, exits 129.
        const hupPointer = path.join(tmp, "hup.json");
        const hup = await upUntilEtcd(hupPointer);
        strays.push(() => stopStray(hup.child, hupPointer));
        hup.child.kill("SIGHUP");
        const code = await hup.exited;
        assert(code === 129, `up exited with ${code} on SIGHUP, expected 129: ${hup.stderr()}`);
        assert(!running(hup.etcd), "etcd still runs after up was hung up on");
        assert(
            !existsSync(hup.info.stateDir) && !existsSync(hupPointer),
            "up left its state directory or the pointer after SIGHUP",
        );
    } finally {
        for (const stop of strays) await stop(); // no-ops when the check went through
        rmSync(tmp, { recursive: true, force: true });
    }
}

export const check: Check = {
    name:
        "18. local control plane: etcd takes TLS clients with its CA's certificate only; a killed up " +
        "leaves a pointer down follows; a hung-up up cleans up; exports eval back exactly",
    run: ({ c }) => localControlPlaneCheck(c),
};
