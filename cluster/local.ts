/**
 * The local hardened control plane: etcd, kube-apiserver and kube-controller-manager built from
 * pinned Go modules, started on loopback on free ports with state in a temp directory, running
 * the `local` stack's control-plane artefacts (the component's kube-apiserver flags with only
 * file paths and listen addresses adapted, its EncryptionConfiguration with the generated key,
 * its audit policy); then every Kubernetes resource of the stack applied with server-side apply.
 */
import { execFileSync } from "child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as https from "https";
import * as http from "http";
import * as path from "path";
import { parse, stringify } from "yaml";
import { gatherStack, kubernetesObjects, REPO } from "../scripts/gather";
import { OidcProvider, startOidcProvider } from "./oidc";
import { NodeResult, startNode, stopNode } from "./node";
import { EtcdPki, kubeconfig, makeEtcdPki, makePki, Pki } from "./pki";
import { freePort, startDetached, stopAll } from "./procs";
import { clearPointer, ClusterInfo, newStateDir, saveInfo } from "./state";

export const log = (msg: string) =>
    process.stderr.write(`[cluster ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** Map a node path of the component's artefacts into the state directory. */
export function localPath(stateDir: string, nodePath: string): string {
    if (nodePath.startsWith("/etc/kubernetes/"))
        return path.join(stateDir, "etc", nodePath.slice("/etc/kubernetes/".length));
    if (nodePath.startsWith("/var/log/kubernetes/"))
        return path.join(stateDir, "log", nodePath.slice("/var/log/kubernetes/".length));
    return nodePath;
}

/** Listen addresses and ports adapted for a loopback-only throwaway cluster (documented; checked by the e2e). */
export const LOCAL_OVERRIDES = ["bind-address", "secure-port", "etcd-servers", "advertise-address"];
/** With OIDC configured, the issuer moves to the loopback provider and its CA to the local one. */
export const LOCAL_OIDC_OVERRIDES = ["oidc-issuer-url", "oidc-ca-file"];

/** The component's flags with file paths mapped into the state directory and the listen overrides applied. */
export function localApiServerArgs(
    componentArgs: string[],
    stateDir: string,
    overrides: Record<string, string>,
): string[] {
    const out: string[] = [];
    for (const a of componentArgs) {
        const m = /^--([^=]+)=(.*)$/.exec(a);
        if (!m) throw new Error(`unexpected flag form '${a}' in the component's apiServerArgs`);
        const [, name, value] = m;
        if (name in overrides) continue;
        out.push(`--${name}=${value.startsWith("/") ? localPath(stateDir, value) : value}`);
    }
    for (const [k, v] of Object.entries(overrides)) out.push(`--${k}=${v}`);
    return out;
}

function tools(): string {
    return execFileSync("bash", [path.join(REPO, "scripts", "toolchain", "build-k8s.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    })
        .trim()
        .split("\n")
        .pop()!;
}

/** A GET with client-certificate auth (`tls`: CA, certificate and key files). */
export function request(
    url: string,
    tls: { ca: string; cert: string; key: string } | undefined,
    timeoutMs = 2000,
): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const mod = url.startsWith("https") ? https : http;
        const req = mod.get(
            url,
            tls
                ? {
                      ca: readFileSync(tls.ca),
                      cert: readFileSync(tls.cert),
                      key: readFileSync(tls.key),
                      timeout: timeoutMs,
                  }
                : { timeout: timeoutMs },
            res => {
                let body = "";
                res.on("data", d => (body += d));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            },
        );
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", reject);
    });
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, logFile: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        try {
            if (await probe()) return;
        } catch {
            /* not up yet */
        }
        await new Promise(r => setTimeout(r, 300));
    }
    throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s; see ${logFile}`);
}

export interface UpResult extends ClusterInfo {
    apiserverArgs: string[];
    apiserverPid: number;
    pki: Pki;
    etcdPki: EtcdPki;
    encryptionKeyName: string;
    /** The worker node, with `up({ node: true })`. */
    nodeResult?: NodeResult;
    /** The loopback OIDC provider, when the stack configures OIDC. */
    oidc?: OidcProvider;
}

/** Order for applying: namespaces first, then everything else as gathered. */
function applyOrder(objs: Record<string, unknown>[]): Record<string, unknown>[] {
    return [...objs.filter(o => o.kind === "Namespace"), ...objs.filter(o => o.kind !== "Namespace")];
}

export function kubectl(
    info: { toolsBin: string; kubeconfig: string },
    args: string[],
    input?: string,
): { code: number; out: string; err: string } {
    try {
        const out = execFileSync(path.join(info.toolsBin, "kubectl"), ["--kubeconfig", info.kubeconfig, ...args], {
            encoding: "utf8",
            input,
            stdio: ["pipe", "pipe", "pipe"],
        });
        return { code: 0, out, err: "" };
    } catch (e) {
        const err = e as { status?: number; stdout?: string; stderr?: string };
        return { code: err.status ?? 1, out: err.stdout ?? "", err: err.stderr ?? "" };
    }
}

const adminTls = (pki: Pki) => ({ ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey });

export async function startApiServer(
    stateDir: string,
    bin: string,
    args: string[],
    pki: Pki,
    port: number,
): Promise<number> {
    const { started } = startDetached(stateDir, "kube-apiserver", path.join(bin, "kube-apiserver"), args);
    await waitFor(
        "kube-apiserver",
        async () => (await request(`https://127.0.0.1:${port}/readyz`, adminTls(pki))).status === 200,
        120_000,
        started.log,
    );
    return started.pid;
}

/** Exit codes for the signals that interrupt `up` (128 + signal number). */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** The first /24 of an IPv4 pod subnet (the node's pod range). */
export function nodePodCidr(podSubnet: string): string {
    const m = /^(\d+)\.(\d+)\.(\d+)\.\d+\/(\d+)$/.exec(podSubnet);
    if (!m || Number(m[4]) > 24)
        throw new Error(`the stack's pod subnet '${podSubnet}' is not an IPv4 range of /24 or wider`);
    return `${m[1]}.${m[2]}.${m[3]}.0/24`;
}

export async function up(opts: { node?: boolean } = {}): Promise<UpResult> {
    const bin = tools();
    // The state directory and the pointer to it exist before any daemon starts, so cluster:down
    // finds whatever runs even if this process is killed (SIGKILL cannot be caught).
    const { stateDir, token } = newStateDir();
    const info: ClusterInfo = {
        stateDir,
        token,
        kubeconfig: "",
        server: "",
        etcdEndpoint: "",
        etcdCertDir: "",
        toolsBin: bin,
        auditLog: localPath(stateDir, "/var/log/kubernetes/audit/audit.log"),
        namespace: "",
        workloadServiceAccount: "",
    };
    saveInfo(info);
    const cleanup = async () => {
        const left = [
            ...(await stopNode(
                stateDir,
                info.kubeconfig ? { k8sBin: bin, adminKubeconfig: info.kubeconfig } : undefined,
            )),
            ...(await stopAll(stateDir)),
        ];
        if (left.length) {
            log(`could not stop: ${left.join("; ")}; state kept in ${stateDir}`);
            return;
        }
        rmSync(stateDir, { recursive: true, force: true });
        clearPointer(stateDir);
    };
    const onSignal = (sig: NodeJS.Signals) => {
        log(`${sig}: stopping everything started so far`);
        void cleanup().then(() => process.exit(SIGNAL_EXIT[sig] ?? 1));
    };
    for (const sig of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) process.once(sig, onSignal);
    try {
        log(`state in ${stateDir}; rendering the local stack`);
        const g = gatherStack("local");
        const cp = g.outputs.controlPlane as { apiServerArgs: string[] };
        const files = g.outputs.controlPlaneFiles as Record<string, string>;
        if (!cp || typeof cp !== "object" || !files)
            throw new Error("the local stack has no control-plane artefacts (hardened-cluster:controlPlane.enabled)");
        // Write the component's artefacts (encryption config with its generated key, audit policy,
        // service-account key pair) at their mapped paths.
        for (const [nodePath, content] of Object.entries(files)) {
            const p = localPath(stateDir, nodePath);
            mkdirSync(path.dirname(p), { recursive: true, mode: 0o700 });
            writeFileSync(p, content, { mode: 0o600 });
        }
        // Certificates: the component's TLS resources are only real once deployed, so the local
        // cluster makes its own CA and leaf certificates with openssl at the same mapped paths.
        const pki = makePki(
            localPath(stateDir, "/etc/kubernetes/pki"),
            localPath(stateDir, "/etc/kubernetes/pki/sa.key"),
        );
        mkdirSync(localPath(stateDir, "/var/log/kubernetes/audit"), { recursive: true });
        // etcd: TLS with client-certificate auth (clients and peer), its own CA, at the paths the
        // component's --etcd-* flags name (the local stack's etcd server is https).
        const etcdPki = makeEtcdPki(path.join(stateDir, "etcd-pki"), {
            caCert: localPath(stateDir, "/etc/kubernetes/pki/etcd/ca.crt"),
            apiserverClientCert: localPath(stateDir, "/etc/kubernetes/pki/apiserver-etcd-client.crt"),
            apiserverClientKey: localPath(stateDir, "/etc/kubernetes/pki/apiserver-etcd-client.key"),
        });
        info.etcdCertDir = etcdPki.clientDir;

        const [etcdPort, peerPort, apiPort, kcmPort] = [
            await freePort(),
            await freePort(),
            await freePort(),
            await freePort(),
        ];
        const etcdUrl = `https://127.0.0.1:${etcdPort}`;
        const peerUrl = `https://127.0.0.1:${peerPort}`;
        const etcd = startDetached(stateDir, "etcd", path.join(bin, "etcd"), [
            "--name=local",
            `--data-dir=${path.join(stateDir, "etcd")}`,
            `--listen-client-urls=${etcdUrl}`,
            `--advertise-client-urls=${etcdUrl}`,
            `--listen-peer-urls=${peerUrl}`,
            `--initial-advertise-peer-urls=${peerUrl}`,
            `--initial-cluster=local=${peerUrl}`,
            `--cert-file=${etcdPki.serverCert}`,
            `--key-file=${etcdPki.serverKey}`,
            `--trusted-ca-file=${etcdPki.caCert}`,
            "--client-cert-auth=true",
            `--peer-cert-file=${etcdPki.serverCert}`,
            `--peer-key-file=${etcdPki.serverKey}`,
            `--peer-trusted-ca-file=${etcdPki.caCert}`,
            "--peer-client-cert-auth=true",
            "--tls-min-version=TLS1.2",
            "--log-level=warn",
        ]);
        info.etcdEndpoint = etcdUrl;
        saveInfo(info);
        const etcdClient = {
            ca: etcdPki.caCert,
            cert: `${etcdPki.clientDir}/client.crt`,
            key: `${etcdPki.clientDir}/client.key`,
        };
        await waitFor(
            "etcd",
            async () => (await request(`${etcdUrl}/health`, etcdClient)).status === 200,
            60_000,
            etcd.started.log,
        );
        log(`etcd ready at ${etcdUrl} (TLS, client certificates required)`);

        const overrides: Record<string, string> = {
            "bind-address": "127.0.0.1",
            "secure-port": String(apiPort),
            "etcd-servers": etcdUrl,
            "advertise-address": "127.0.0.1",
        };
        // OIDC: a provider on loopback (never the configured host), same issuer path, TLS from the local CA.
        const issuerArg = cp.apiServerArgs.find(a => a.startsWith("--oidc-issuer-url="));
        let oidc: OidcProvider | undefined;
        if (issuerArg) {
            const configured = new URL(issuerArg.slice("--oidc-issuer-url=".length));
            const issuer = `https://127.0.0.1:${await freePort()}${configured.pathname.replace(/\/$/, "")}`;
            oidc = await startOidcProvider(stateDir, issuer, {
                cert: pki.apiserverCert,
                key: pki.apiserverKey,
                ca: pki.caCert,
            });
            overrides["oidc-issuer-url"] = issuer;
            overrides["oidc-ca-file"] = pki.caCert;
            log(`OIDC provider ready at ${issuer}`);
        }
        if (!cp.apiServerArgs.some(a => a.startsWith("--etcd-certfile=")))
            throw new Error(
                "the local stack's kube-apiserver flags have no --etcd-certfile: its " +
                    "controlPlane.apiServer.etcdServers must be https",
            );
        const args = localApiServerArgs(cp.apiServerArgs, stateDir, overrides);
        const apiserverPid = await startApiServer(stateDir, bin, args, pki, apiPort);
        const server = `https://127.0.0.1:${apiPort}`;
        log(`kube-apiserver ready at ${server}`);

        const adminKubeconfig = path.join(stateDir, "admin.kubeconfig");
        writeFileSync(
            adminKubeconfig,
            kubeconfig(server, pki, { name: "admin", cert: pki.adminCert, key: pki.adminKey }),
            { mode: 0o600 },
        );
        const kcmKubeconfig = path.join(stateDir, "controller-manager.kubeconfig");
        writeFileSync(kcmKubeconfig, kubeconfig(server, pki, { name: "kcm", cert: pki.kcmCert, key: pki.kcmKey }), {
            mode: 0o600,
        });
        const kcm = startDetached(stateDir, "kube-controller-manager", path.join(bin, "kube-controller-manager"), [
            `--kubeconfig=${kcmKubeconfig}`,
            `--authentication-kubeconfig=${kcmKubeconfig}`,
            `--authorization-kubeconfig=${kcmKubeconfig}`,
            `--service-account-private-key-file=${pki.saKey}`,
            `--root-ca-file=${pki.caCert}`,
            "--use-service-account-credentials=true",
            // Signs approved CSRs (the node's kubelet-serving certificate, serverTLSBootstrap) with the cluster CA.
            `--cluster-signing-cert-file=${pki.caCert}`,
            `--cluster-signing-key-file=${pki.caKey}`,
            "--controllers=*,-nodeipam,-nodelifecycle,-ttl,-bootstrapsigner,-tokencleaner,-cloud-" +
                "node-lifecycle,-service-lb-controller,-node-route-controller",
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
            `--secure-port=${kcmPort}`,
            "--profiling=false",
        ]);
        Object.assign(info, { kubeconfig: adminKubeconfig, server });
        saveInfo(info);
        await waitFor(
            "kube-controller-manager",
            async () => kubectl(info, ["get", "serviceaccount", "default", "-n", "default"]).code === 0,
            90_000,
            kcm.started.log,
        );
        log("kube-controller-manager ready (default ServiceAccount created)");

        const objects = applyOrder(kubernetesObjects(g.resources));
        const manifest = objects.map(o => stringify(o, { lineWidth: 0 })).join("---\n");
        writeFileSync(path.join(stateDir, "local-stack.yaml"), manifest);
        const applied = kubectl(info, [
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=hardened-cluster",
            "-f",
            path.join(stateDir, "local-stack.yaml"),
        ]);
        if (applied.code !== 0) throw new Error(`applying the local stack failed:\n${applied.err}`);
        log(`applied ${objects.length} objects of the local stack`);

        const ws = g.outputs.workloadServiceAccounts as Record<string, string[]>;
        const [ns, sas] = Object.entries(ws).find(([, s]) => s.length > 0) ?? ["", []];
        info.namespace = ns;
        info.workloadServiceAccount = sas[0] ?? "";
        saveInfo(info);
        let nodeResult: NodeResult | undefined;
        if (opts.node) {
            const kubeadm = parse(files["/etc/kubernetes/kubeadm-config.yaml"] ?? "") ?? {};
            const kubeletConfigYaml = files["/etc/kubernetes/kubelet-config.yaml"];
            if (!kubeletConfigYaml || !kubeadm.networking?.podSubnet)
                throw new Error(
                    "the local stack has no kubelet configuration or pod subnet among its control-plane artefacts",
                );
            nodeResult = await startNode(
                {
                    stateDir,
                    k8sBin: bin,
                    server,
                    pki,
                    adminKubeconfig,
                    kubeletConfigYaml,
                    localPath: p => localPath(stateDir, p),
                    serviceCidr: kubeadm.networking.serviceSubnet,
                    podCidr: nodePodCidr(kubeadm.networking.podSubnet),
                },
                token,
            );
            Object.assign(info, { node: nodeResult.name, testImage: nodeResult.testImage });
            saveInfo(info);
        }
        const enc = files["/etc/kubernetes/enc/encryption-config.yaml"];
        const keyName = /name: (\S+)/.exec(enc)?.[1] ?? "";
        return {
            ...info,
            apiserverArgs: args,
            apiserverPid,
            pki,
            etcdPki,
            encryptionKeyName: keyName,
            ...(oidc ? { oidc } : {}),
            ...(nodeResult ? { nodeResult } : {}),
        };
    } catch (e) {
        await cleanup();
        throw e;
    } finally {
        for (const sig of Object.keys(SIGNAL_EXIT)) process.removeListener(sig, onSignal);
    }
}

/** `value` as one shell word: single-quoted, each `'` written as `'\''` (safe for `eval`). */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, "'\\''")}'`;
}

/** The `export` lines `cluster:up` prints last, every value shell-quoted (meant for `eval`). */
export function exportLines(info: ClusterInfo): string {
    const vars: Array<[string, string | undefined]> = [
        ["KUBECONFIG", info.kubeconfig],
        ["HC_ETCD_ENDPOINT", info.etcdEndpoint],
        ["HC_ETCD_CERT_DIR", info.etcdCertDir],
        ["HC_TOOLS_BIN", info.toolsBin],
        ["HC_AUDIT_LOG", info.auditLog],
        ["HC_NAMESPACE", info.namespace],
        ["HC_WORKLOAD_SA", info.workloadServiceAccount],
        ["HC_NODE", info.node],
        ["HC_TEST_IMAGE", info.testImage],
    ];
    return vars
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `export ${k}=${shellQuote(v!)}`)
        .join("\n");
}
