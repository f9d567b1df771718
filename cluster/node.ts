/**
 * A real worker node for the local control plane (`cluster:up -- --node`): containerd + runc, the
 * CNI bridge, kubelet, kube-scheduler and kube-router's NetworkPolicy firewall (only), all built by
 * scripts/toolchain/build-node.sh, plus the test image imported from an OCI layout tarball.
 *
 * The kubelet runs the KubeletConfiguration the ControlPlaneHardening component generates (from
 * the `local` stack), with only paths and addresses adapted (LOCAL_KUBELET_OVERRIDES) and the one
 * machine-dictated change this VM needs (cgroupfs: it has no systemd). Everything the node adds to
 * the machine is recorded in `<state>/node/node.json` before it is made, and `stopNode` removes it:
 * processes, mounts, iptables chains and ipsets that did not exist before, the bridge, the cgroups,
 * the kernel settings the kubelet requires (restored), and host paths a hostPath volume created.
 *
 * Only one node can run on a machine (fixed kubelet port, host-wide iptables and cgroups): a lock
 * in the cache directory says which state directory holds it.
 */
import { execFileSync, spawnSync } from "child_process";
import {
    existsSync,
    lstatSync,
    mkdirSync,
    readdirSync,
    readFileSync,
    readlinkSync,
    rmdirSync,
    rmSync,
    unlinkSync,
    writeFileSync,
} from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { REPO } from "../scripts/gather";
import { kubeconfig, makeClientCert, Pki } from "./pki";
import { cmdlineOf, freePort, recordedPids, startDetached, Started, stopProcess } from "./procs";
import { cacheDir, notOurStateDir, writeAtomic } from "./state";

/** The node's name: the API server reaches the kubelet by this Hostname address (a loopback --node-ip is refused). */
const NODE_NAME = "localhost";
const BRIDGE = "hc-cni0";
/**
 * The node's taint: only pods that tolerate it run here. The local stack's other checks create pods
 * naming images of registries that do not exist on this machine; they stay Pending, as without a node.
 */
export const NODE_TAINT = { key: "hardened-cluster/local-node", value: "true", effect: "NoSchedule" } as const;
export const CNI_NETWORK = "hc-pods";
/** The kubelet's cgroup root (cgroupfs): every pod cgroup lives below `/<CGROUP_ROOT>` of each controller. */
const CGROUP_ROOT = "hc-node";
/**
 * Kernel settings the kubelet checks with protectKernelDefaults (the component sets it): set before, restored after.
 */
const KERNEL_DEFAULTS: Record<string, string> = {
    "vm.overcommit_memory": "1",
    "vm.panic_on_oom": "0",
    "kernel.panic": "10",
    "kernel.panic_on_oops": "1",
    "kernel.keys.root_maxkeys": "1000000",
    "kernel.keys.root_maxbytes": "25000000",
};
/**
 * Host paths a kubelet may create for hostPath volumes (kube-bench's): removed after when they did not exist before and
 * are empty.
 */
const HOST_PATHS_WATCHED = [
    "/var/lib/kubelet",
    "/var/lib/etcd",
    "/etc/kubernetes",
    "/etc/systemd",
    "/lib/systemd",
    "/etc/cni/net.d",
    "/etc/cni",
    "/var/log/containers",
    "/var/lib/cni/results",
    "/var/lib/cni",
    "/var/lib/kube-router",
];
/**
 * Kernel settings the node's components may change besides KERNEL_DEFAULTS (the bridge plugin enables forwarding):
 * restored after.
 */
const SYSCTLS_WATCHED = [
    "net.ipv4.ip_forward",
    "net.bridge.bridge-nf-call-iptables",
    "net.bridge.bridge-nf-call-ip6tables",
    "net.ipv6.conf.all.forwarding",
];
const IPTABLES = ["iptables", "ip6tables"];
const TABLES = ["filter", "nat", "mangle", "raw"];

/**
 * What the local node changes in the component's KubeletConfiguration, field by field (dotted
 * paths), with the reason. The e2e checks that the running kubelet's configuration is the
 * component's with exactly these fields changed or added.
 */
export const LOCAL_KUBELET_OVERRIDES: Record<string, string> = {
    "authentication.x509.clientCAFile": "path: the local cluster CA in the state directory",
    cgroupDriver: "this machine has no systemd (cgroupfs instead of systemd)",
    address: "address: loopback only (the component leaves the kubelet default, all addresses)",
    containerRuntimeEndpoint: "path: the node's containerd socket in the state directory",
    cgroupRoot: "path: pods under /hc-node in each cgroup controller, removed by cluster:down",
    podLogsDir: "path: pod logs in the state directory",
    evictionHard:
        "disk thresholds of 5% (the kubelet's defaults are 10% and 15% of capacity): a build machine's disk can " +
        "count as 85% full with 40 GB free (blocks reserved or not provisioned), and the node must not evict its " +
        "test pods for that",
};

export interface NodeRecord {
    stateDir: string;
    bin: string;
    containerdSocket: string;
    testImage: string;
    podCidr: string;
    /** Kernel settings before the node changed them. */
    sysctls: Record<string, string>;
    /** Chains per `iptables|ip6tables:table` and ipset names that existed before the node started. */
    chainsBefore: Record<string, string[]>;
    ipsetsBefore: string[];
    hostPathsBefore: string[];
    cgroupControllers: string[];
}

export interface NodeResult {
    name: string;
    testImage: string;
    bin: string;
    kubeletConfig: string;
    kubeletConfigComponent: Record<string, unknown>;
    record: NodeRecord;
}

const nodeDir = (stateDir: string) => path.join(stateDir, "node");
const recordFile = (stateDir: string) => path.join(nodeDir(stateDir), "node.json");
const lockFile = () => path.join(cacheDir(), "local-node.lock");
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[node ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

function run(
    cmd: string,
    args: string[],
    opts: { input?: string; allowFail?: boolean; env?: NodeJS.ProcessEnv } = {},
): { code: number; out: string; err: string } {
    const r = spawnSync(cmd, args, {
        encoding: "utf8",
        input: opts.input,
        env: opts.env ?? process.env,
        timeout: 120_000,
    });
    const res = { code: r.status ?? 1, out: r.stdout ?? "", err: (r.stderr ?? "") + (r.error ? String(r.error) : "") };
    if (res.code !== 0 && !opts.allowFail)
        throw new Error(`${cmd} ${args.join(" ")} failed (${res.code}): ${res.err.trim()}`);
    return res;
}

/** Build (or reuse) the node components; returns their directory. */
function nodeTools(): string {
    const script = path.join(REPO, "scripts", "toolchain", "build-node.sh");
    try {
        return execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
            .trim()
            .split("\n")
            .pop()!;
    } catch (e) {
        // The script says why on stderr (inherited); the status tells the rest when it could not.
        const { status, signal } = e as { status?: number | null; signal?: string | null };
        throw new Error(
            `${script} failed (${signal ? `signal ${signal}` : `exit status ${status}`}); its messages are above`,
            { cause: e },
        );
    }
}

/** Chain names of every table of iptables and ip6tables (only tables this kernel has). */
function iptablesChains(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const ipt of IPTABLES)
        for (const t of TABLES) {
            const r = run(`${ipt}-save`, ["-t", t], { allowFail: true });
            if (r.code !== 0) continue;
            out[`${ipt}:${t}`] = r.out
                .split("\n")
                .filter(l => l.startsWith(":"))
                .map(l => l.slice(1).split(" ")[0])
                .sort();
        }
    return out;
}

function ipsets(): string[] {
    return run("ipset", ["list", "-n"], { allowFail: true }).out.split("\n").filter(Boolean).sort();
}

function cgroupControllers(): string[] {
    const root = "/sys/fs/cgroup";
    if (existsSync(path.join(root, "cgroup.controllers"))) return [""]; // cgroup v2: one hierarchy
    return readdirSync(root).filter(d => {
        try {
            return lstatSync(path.join(root, d)).isDirectory();
        } catch {
            return false;
        }
    });
}

/** Cgroup directories left below the node's cgroup root, in every controller. */
function nodeCgroups(controllers: string[]): string[] {
    const left: string[] = [];
    for (const c of controllers) {
        const d = path.join("/sys/fs/cgroup", c, CGROUP_ROOT);
        if (existsSync(d)) left.push(d);
    }
    return left;
}

/** Processes in any cgroup below the node's cgroup root. */
function nodeCgroupProcs(controllers: string[]): number[] {
    const pids = new Set<number>();
    const walk = (d: string) => {
        if (!existsSync(d)) return;
        try {
            for (const l of readFileSync(path.join(d, "cgroup.procs"), "utf8").split("\n")) if (l) pids.add(Number(l));
        } catch {
            /* gone */
        }
        try {
            for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
        } catch {
            /* gone */
        }
    };
    for (const c of controllers) walk(path.join("/sys/fs/cgroup", c, CGROUP_ROOT));
    return [...pids];
}

/** Mount points at or below `dir` (from /proc/self/mountinfo), deepest first. */
function mountsUnder(dir: string): string[] {
    const unescape = (s: string) => s.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
    return readFileSync("/proc/self/mountinfo", "utf8")
        .split("\n")
        .filter(Boolean)
        .map(l => unescape(l.split(" ")[4]))
        .filter(m => m === dir || m.startsWith(`${dir}/`))
        .sort((a, b) => b.length - a.length);
}

/** Processes (not recorded ones) whose command line names the state directory: containerd's shims and what they run. */
function processesNaming(stateDir: string, exclude: number[] = []): Array<{ pid: number; cmd: string[] }> {
    const found: Array<{ pid: number; cmd: string[] }> = [];
    for (const d of readdirSync("/proc")) {
        const pid = Number(d);
        if (!Number.isInteger(pid) || pid === process.pid || exclude.includes(pid)) continue;
        const cmd = cmdlineOf(pid);
        if (cmd && cmd.some(a => a.includes(stateDir))) found.push({ pid, cmd });
    }
    return found;
}

function readSysctl(name: string): string {
    return readFileSync(`/proc/sys/${name.replace(/\./g, "/")}`, "utf8").trim();
}
function writeSysctl(name: string, value: string): void {
    writeFileSync(`/proc/sys/${name.replace(/\./g, "/")}`, value);
}

export interface NodeContext {
    stateDir: string;
    k8sBin: string;
    server: string;
    pki: Pki;
    adminKubeconfig: string;
    /** The component's KubeletConfiguration (YAML), as the stack generated it. */
    kubeletConfigYaml: string;
    /** Maps a node path of the component's artefacts into the state directory. */
    localPath: (p: string) => string;
    serviceCidr: string;
    podCidr: string;
}

const kc = (ctx: NodeContext, args: string[], input?: string) =>
    run(path.join(ctx.k8sBin, "kubectl"), ["--kubeconfig", ctx.adminKubeconfig, ...args], { input, allowFail: true });

async function waitUntil(what: string, probe: () => boolean, timeoutMs: number, logFile?: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        try {
            if (probe()) return;
        } catch {
            /* not yet */
        }
        await sleep(500);
    }
    throw new Error(`${what} did not happen within ${timeoutMs / 1000}s${logFile ? `; see ${logFile}` : ""}`);
}

/**
 * Take the machine-wide node lock for this state directory. While another live node holds it
 * (its state directory checks out and records a node), wait for it up to `waitMs`, then refuse.
 */
async function takeLock(
    stateDir: string,
    token: string,
    waitMs = Number(process.env.HC_NODE_LOCK_WAIT_MS ?? 20 * 60_000),
): Promise<void> {
    mkdirSync(cacheDir(), { recursive: true });
    const deadline = Date.now() + waitMs;
    let said = false;
    for (;;) {
        let held: { stateDir?: string; token?: string } = {};
        try {
            held = JSON.parse(readFileSync(lockFile(), "utf8"));
        } catch {
            /* none, or unreadable: free */
        }
        const live =
            held.stateDir &&
            held.stateDir !== stateDir &&
            notOurStateDir(held.stateDir, held.token) === undefined &&
            existsSync(recordFile(held.stateDir));
        if (!live) break;
        if (Date.now() > deadline)
            throw new Error(
                `a local node already runs (state ${held.stateDir}); only one node fits on a ` +
                    `machine: stop it with npm run cluster:down`,
            );
        if (!said)
            log(`another local node runs (state ${held.stateDir}); waiting for it to stop (one node per machine)`);
        said = true;
        await sleep(2000);
    }
    writeAtomic(lockFile(), JSON.stringify({ stateDir, token }));
}

function releaseLock(stateDir: string): void {
    try {
        if (JSON.parse(readFileSync(lockFile(), "utf8")).stateDir === stateDir) rmSync(lockFile(), { force: true });
    } catch {
        /* none */
    }
}

/** A KubeletConfiguration: the field the local node rewrites, every other one kept as it is. */
export interface KubeletConfiguration {
    authentication: { x509: { clientCAFile: string } };
    [field: string]: unknown;
}

/** The fields of a CertificateSigningRequest the node's start reads. */
interface CertificateSigningRequest {
    metadata: { name: string };
    spec: { signerName: string; username: string };
    status?: { certificate?: string; conditions?: unknown[] };
}

/** The component's KubeletConfiguration with only the local overrides (see LOCAL_KUBELET_OVERRIDES). */
function localKubeletConfig(
    component: KubeletConfiguration,
    ctx: { localPath: (p: string) => string; containerdSocket: string; podLogsDir: string },
): KubeletConfiguration {
    const cfg: KubeletConfiguration = JSON.parse(JSON.stringify(component));
    cfg.authentication.x509.clientCAFile = ctx.localPath(component.authentication.x509.clientCAFile);
    cfg.cgroupDriver = "cgroupfs";
    cfg.address = "127.0.0.1";
    cfg.containerRuntimeEndpoint = `unix://${ctx.containerdSocket}`;
    cfg.cgroupRoot = `/${CGROUP_ROOT}`;
    cfg.podLogsDir = ctx.podLogsDir;
    // Every signal given (a partial map would leave the others at 0, off): the defaults but for the disk ones.
    cfg.evictionHard = {
        "memory.available": "100Mi",
        "nodefs.available": "5%",
        "nodefs.inodesFree": "5%",
        "imagefs.available": "5%",
        "imagefs.inodesFree": "5%",
    };
    return cfg;
}

export async function startNode(ctx: NodeContext, token: string): Promise<NodeResult> {
    const bin = nodeTools();
    const { stateDir } = ctx;
    const dir = nodeDir(stateDir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    await takeLock(stateDir, token);
    if (existsSync(`/sys/class/net/${BRIDGE}`))
        throw new Error(`the bridge ${BRIDGE} already exists: a local node was not cleaned up (ip link del ${BRIDGE})`);
    if (nodeCgroups(cgroupControllers()).length)
        throw new Error(`cgroups under /${CGROUP_ROOT} exist: a local node was not cleaned up`);

    const testImage = readFileSync(path.join(path.dirname(bin), "image", "test-image.ref"), "utf8").trim();
    const containerdSocket = path.join(dir, "containerd.sock");
    // Record the machine's state before touching it: stopNode removes exactly what appeared.
    const record: NodeRecord = {
        stateDir,
        bin,
        containerdSocket,
        testImage,
        podCidr: ctx.podCidr,
        sysctls: Object.fromEntries(
            [...Object.keys(KERNEL_DEFAULTS), ...SYSCTLS_WATCHED]
                .filter(k => existsSync(`/proc/sys/${k.replace(/\./g, "/")}`))
                .map(k => [k, readSysctl(k)]),
        ),
        chainsBefore: iptablesChains(),
        ipsetsBefore: ipsets(),
        hostPathsBefore: HOST_PATHS_WATCHED.filter(p => existsSync(p)),
        cgroupControllers: cgroupControllers(),
    };
    writeAtomic(recordFile(stateDir), JSON.stringify(record, null, 2));
    for (const [k, v] of Object.entries(KERNEL_DEFAULTS)) writeSysctl(k, v);
    for (const c of record.cgroupControllers)
        mkdirSync(path.join("/sys/fs/cgroup", c, CGROUP_ROOT), { recursive: true });

    // --- containerd, with every path in the state directory --------------------------------
    const cd = path.join(dir, "containerd");
    const cniConf = path.join(dir, "cni", "net.d");
    mkdirSync(cniConf, { recursive: true });
    writeFileSync(
        path.join(cniConf, "10-hc-bridge.conflist"),
        JSON.stringify(
            {
                cniVersion: "1.0.0",
                name: CNI_NETWORK,
                plugins: [
                    {
                        type: "bridge",
                        bridge: BRIDGE,
                        isGateway: true,
                        ipMasq: false,
                        hairpinMode: true,
                        ipam: {
                            type: "host-local",
                            ranges: [[{ subnet: ctx.podCidr }]],
                            dataDir: path.join(dir, "cni", "ipam"),
                        },
                    },
                ],
            },
            null,
            2,
        ),
    );
    const toml = `version = 3
root = '${cd}/root'
state = '${cd}/state'
temp = '${cd}/tmp'
imports = []
[grpc]
  address = '${containerdSocket}'
[ttrpc]
  address = '${containerdSocket}.ttrpc'
[debug]
  address = ''
[metrics]
  address = ''
[plugins]
  [plugins.'io.containerd.cri.v1.images']
    snapshotter = 'overlayfs'
    [plugins.'io.containerd.cri.v1.images'.pinned_images]
      sandbox = 'registry.k8s.io/pause:3.10.1'
  [plugins.'io.containerd.cri.v1.runtime']
    restrict_oom_score_adj = true
    netns_mounts_under_state_dir = true
    enable_cdi = false
    [plugins.'io.containerd.cri.v1.runtime'.containerd]
      default_runtime_name = 'runc'
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
        runtime_type = 'io.containerd.runc.v2'
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
          BinaryName = '${bin}/runc'
          Root = '${cd}/runc'
          SystemdCgroup = false
    [plugins.'io.containerd.cri.v1.runtime'.cni]
      bin_dirs = ['${bin}']
      conf_dir = '${cniConf}'
  [plugins.'io.containerd.grpc.v1.cri']
    stream_server_address = '127.0.0.1'
    stream_server_port = '0'
  [plugins.'io.containerd.image-verifier.v1.bindir']
    bin_dir = '${cd}/image-verifier'
  [plugins.'io.containerd.internal.v1.opt']
    path = '${cd}/opt'
  [plugins.'io.containerd.nri.v1.nri']
    disable = true
`;
    writeFileSync(path.join(dir, "containerd.toml"), toml);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const containerd = startDetached(
        stateDir,
        "containerd",
        path.join(bin, "containerd"),
        ["--config", path.join(dir, "containerd.toml")],
        { env },
    );
    const ctr = (args: string[], allowFail = false) =>
        run(path.join(bin, "ctr"), ["--address", containerdSocket, "--namespace", "k8s.io", ...args], { allowFail });
    await waitUntil(
        "containerd",
        () => existsSync(containerdSocket) && ctr(["version"], true).code === 0,
        60_000,
        containerd.started.log,
    );
    ctr(["images", "import", "--all-platforms", path.join(path.dirname(bin), "image", "node-test.oci.tar")]);
    const images = ctr(["images", "ls", "-q"]).out;
    for (const want of ["registry.k8s.io/pause:3.10.1", testImage.replace(/:[^:/@]+@/, "@")]) {
        if (!images.split("\n").includes(want))
            throw new Error(`the test image was not imported as ${want}: ${images}`);
    }
    // Pinned, as the runtime pins its sandbox image: the kubelet's image garbage collection never removes it. It
    // counts the disk as full from 85% of its capacity (blocks reserved or not yet provisioned included), and then
    // removes every image no running container uses: the test image between two checks, which no registry can
    // bring back here (seen on a build machine whose disk was 85% "full" with 40 GB free).
    for (const ref of images.split("\n").filter(r => r.startsWith(testImage.replace(/[:@].*$/, ""))))
        ctr(["images", "label", ref, "io.cri-containerd.pinned=pinned"]);
    log(`containerd ready; test image ${testImage}`);

    // --- identities: the kubelet (system:node:localhost), the scheduler, kube-router ----------
    const kubeletCert = makeClientCert(ctx.pki, "kubelet-client", `/O=system:nodes/CN=system:node:${NODE_NAME}`);
    const schedCert = makeClientCert(ctx.pki, "scheduler", "/CN=system:kube-scheduler");
    const routerCert = makeClientCert(ctx.pki, "kube-router", "/CN=hc-local:kube-router");
    const kubeconfigFor = (name: string, c: { cert: string; key: string }) => {
        const f = path.join(dir, `${name}.kubeconfig`);
        writeFileSync(f, kubeconfig(ctx.server, ctx.pki, { name, cert: c.cert, key: c.key }), { mode: 0o600 });
        return f;
    };
    const rbac = [
        // The API server's kubelet client (logs, exec): what kubeadm grants it.
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: "hc-local:apiserver-kubelet-client" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:kubelet-api-admin" },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "kube-apiserver-kubelet-client" }],
        },
        // kube-router's firewall reads pods, namespaces, nodes and policies; it writes nothing.
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "hc-local:kube-router" },
            rules: [
                {
                    apiGroups: [""],
                    resources: ["pods", "namespaces", "nodes", "services", "endpoints"],
                    verbs: ["get", "list", "watch"],
                },
                { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list", "watch"] },
                { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
            ],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: "hc-local:kube-router" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "hc-local:kube-router" },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "hc-local:kube-router" }],
        },
    ];
    const applied = kc(
        ctx,
        ["apply", "--server-side", "--field-manager=hardened-cluster-node", "-f", "-"],
        rbac.map(o => stringify(o)).join("---\n"),
    );
    if (applied.code !== 0) throw new Error(`node RBAC did not apply: ${applied.err}`);

    // --- kube-scheduler -------------------------------------------------------------------
    const schedKc = kubeconfigFor("scheduler", schedCert);
    const sched = startDetached(stateDir, "kube-scheduler", path.join(bin, "kube-scheduler"), [
        `--kubeconfig=${schedKc}`,
        `--authentication-kubeconfig=${schedKc}`,
        `--authorization-kubeconfig=${schedKc}`,
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        `--secure-port=${await freePort()}`,
        "--profiling=false",
    ]);

    // --- kubelet: the component's configuration, paths and addresses adapted ----------------
    const component = parse(ctx.kubeletConfigYaml) as KubeletConfiguration;
    const cfg = localKubeletConfig(component, {
        localPath: ctx.localPath,
        containerdSocket,
        podLogsDir: path.join(dir, "pod-logs"),
    });
    const kubeletConfig = path.join(dir, "kubelet-config.yaml");
    writeFileSync(kubeletConfig, stringify(cfg));
    const kubelet = startDetached(
        stateDir,
        "kubelet",
        path.join(bin, "kubelet"),
        [
            `--config=${kubeletConfig}`,
            `--kubeconfig=${kubeconfigFor("kubelet", kubeletCert)}`,
            `--cert-dir=${path.join(dir, "kubelet-pki")}`,
            `--root-dir=${path.join(dir, "kubelet")}`,
            `--hostname-override=${NODE_NAME}`,
            "--v=1",
            `--register-with-taints=${NODE_TAINT.key}=${NODE_TAINT.value}:${NODE_TAINT.effect}`,
        ],
        { env },
    );
    // serverTLSBootstrap (component): the kubelet asks for its serving certificate; approve the
    // node's own kubelet-serving request (the controller manager signs it with the cluster CA).
    await waitUntil(
        "the node to register",
        () => kc(ctx, ["get", "node", NODE_NAME]).code === 0,
        120_000,
        kubelet.started.log,
    );
    await waitUntil(
        "the kubelet-serving CSR to be approved",
        () => {
            const csrs: CertificateSigningRequest[] = JSON.parse(kc(ctx, ["get", "csr", "-o", "json"]).out).items;
            const mine = csrs.filter(
                c =>
                    c.spec.signerName === "kubernetes.io/kubelet-serving" &&
                    c.spec.username === `system:node:${NODE_NAME}`,
            );
            if (mine.some(c => c.status?.certificate)) return true;
            for (const c of mine.filter(x => !x.status?.conditions?.length))
                kc(ctx, ["certificate", "approve", c.metadata.name]);
            return false;
        },
        120_000,
        kubelet.started.log,
    );
    await waitUntil(
        "the node to be Ready",
        () =>
            /True/.test(
                kc(ctx, ["get", "node", NODE_NAME, "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])
                    .out,
            ),
        180_000,
        kubelet.started.log,
    );
    // The node lifecycle controller is off in the local control plane: drop the registration taint.
    kc(ctx, ["taint", "node", NODE_NAME, "node.kubernetes.io/not-ready:NoSchedule-"]);
    const taints = kc(ctx, ["get", "node", NODE_NAME, "-o", "jsonpath={.spec.taints[*].key}"]).out;
    if (!taints.split(" ").includes(NODE_TAINT.key))
        throw new Error(`the node registered without its taint ${NODE_TAINT.key}: ${taints}`);

    // --- kube-router: the NetworkPolicy firewall only (no routing, no service proxy) ----------
    const router = startDetached(
        stateDir,
        "kube-router",
        path.join(bin, "kube-router"),
        [
            `--kubeconfig=${kubeconfigFor("kube-router", routerCert)}`,
            "--run-firewall=true",
            "--run-router=false",
            "--run-service-proxy=false",
            "--enable-cni=false",
            `--hostname-override=${NODE_NAME}`,
            `--service-cluster-ip-range=${ctx.serviceCidr}`,
            "--metrics-port=0",
            "--health-port=0",
            "--v=1",
        ],
        { env },
    );
    await waitUntil(
        "kube-router's firewall chains",
        () => /KUBE-ROUTER-FORWARD/.test(run("iptables-save", ["-t", "filter"], { allowFail: true }).out),
        120_000,
        router.started.log,
    );
    log(
        `node ${NODE_NAME} Ready (scheduler ${sched.started.pid}, kubelet ${kubelet.started.pid}, ` +
            `kube-router ${router.started.pid})`,
    );
    return { name: NODE_NAME, testImage, bin, kubeletConfig, kubeletConfigComponent: component, record };
}

const recordOf = (stateDir: string): NodeRecord | undefined =>
    existsSync(recordFile(stateDir)) ? JSON.parse(readFileSync(recordFile(stateDir), "utf8")) : undefined;

/**
 * Remove every trace of the node: pods deleted through the API while it still answers (so the
 * kubelet tears their sandboxes down: CNI DEL, netns), then the node's processes (recorded, checked
 * by procs.ts), containerd's shims and containers (command line naming the state directory),
 * mounts under the state directory, new iptables chains and ipsets, the bridge, the cgroups, the
 * kernel settings, host paths that appeared. Returns what could not be cleaned.
 */
export async function stopNode(stateDir: string, api?: { k8sBin: string; adminKubeconfig: string }): Promise<string[]> {
    const rec = recordOf(stateDir);
    if (!rec) return [];
    const problems: string[] = [];
    const procs = recordedPids(stateDir);
    const stop = async (name: string) => {
        const p = procs.find(x => x.name === name);
        if (!p) return;
        try {
            if (!(await stopProcess(p, stateDir))) problems.push(`${name} (pid ${p.pid}) still running`);
        } catch (e) {
            problems.push((e as Error).message);
        }
    };
    const ctr = (args: string[]) =>
        run(path.join(rec.bin, "ctr"), ["--address", rec.containerdSocket, "--namespace", "k8s.io", ...args], {
            allowFail: true,
        });
    const containerdUp = () => existsSync(rec.containerdSocket) && ctr(["version"]).code === 0;
    if (api && procs.some(p => p.name === "kubelet")) {
        const k = (args: string[]) =>
            run(
                path.join(api.k8sBin, "kubectl"),
                ["--kubeconfig", api.adminKubeconfig, "--request-timeout=10s", ...args],
                { allowFail: true },
            );
        if (k(["cordon", NODE_NAME]).code === 0) {
            k([
                "delete",
                "pods",
                "--all-namespaces",
                "--field-selector",
                `spec.nodeName=${NODE_NAME}`,
                "--grace-period=1",
                "--wait=false",
            ]);
            const deadline = Date.now() + 90_000;
            while (Date.now() < deadline && containerdUp() && ctr(["tasks", "ls", "-q"]).out.trim() !== "")
                await sleep(500);
        }
    }
    await stop("kube-router");
    await stop("kubelet");
    await stop("kube-scheduler");
    if (containerdUp()) {
        for (const id of ctr(["tasks", "ls", "-q"]).out.split("\n").filter(Boolean)) {
            ctr(["tasks", "kill", "--signal", "SIGKILL", id]);
        }
        await sleep(500);
        for (const id of ctr(["tasks", "ls", "-q"]).out.split("\n").filter(Boolean))
            ctr(["tasks", "delete", "--force", id]);
        for (const id of ctr(["containers", "ls", "-q"]).out.split("\n").filter(Boolean))
            ctr(["containers", "delete", id]);
    }
    await stop("containerd");
    // Shims (and anything they left) whose command line names this state directory.
    const recorded = procs.map(p => p.pid);
    for (const sig of ["SIGTERM", "SIGKILL"] as const) {
        for (const p of processesNaming(stateDir, recorded))
            try {
                process.kill(p.pid, sig);
            } catch {
                /* gone */
            }
        for (let i = 0; i < 30 && processesNaming(stateDir, recorded).length; i++) await sleep(100);
    }
    for (const p of processesNaming(stateDir, recorded))
        problems.push(`pid ${p.pid} (${p.cmd.join(" ").slice(0, 120)}) still running`);
    // Container processes outlive a killed shim: whatever is still in the node's cgroups is the node's.
    for (let i = 0; i < 30; i++) {
        const pids = nodeCgroupProcs(rec.cgroupControllers);
        if (!pids.length) break;
        for (const pid of pids)
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                /* gone */
            }
        await sleep(100);
    }
    for (const pid of nodeCgroupProcs(rec.cgroupControllers)) problems.push(`pid ${pid} still in the node's cgroups`);
    // Mounts under the state directory (netns, rootfs overlays, shm, kubelet volumes).
    for (const m of mountsUnder(stateDir)) run("umount", ["-l", m], { allowFail: true });
    for (const m of mountsUnder(stateDir)) problems.push(`mount ${m} remains`);
    // iptables: first every rule (in a chain that existed before) that jumps to a chain that did not,
    // or matches an ipset that did not exist before; then those chains; then those ipsets.
    const freshSets = ipsets().filter(x => !rec.ipsetsBefore.includes(x));
    for (const [key, before] of Object.entries(rec.chainsBefore)) {
        const [ipt, table] = key.split(":");
        const fresh = () => iptablesChains()[key]?.filter(c => !before.includes(c)) ?? [];
        const chains = fresh();
        if (!chains.length && !freshSets.length) continue;
        const rules = run(`${ipt}-save`, ["-t", table], { allowFail: true })
            .out.split("\n")
            .filter(l => l.startsWith("-A "));
        for (const r of rules) {
            const target = /\s-[jg] (\S+)/.exec(r)?.[1];
            const chain = r.split(" ")[1];
            const set = /--match-set (\S+)/.exec(r)?.[1];
            if (!chains.includes(chain) && ((target && chains.includes(target)) || (set && freshSets.includes(set)))) {
                run(ipt, ["-t", table, "-D", ...splitRule(r.slice(3))], { allowFail: true });
            }
        }
        for (const c of chains) run(ipt, ["-t", table, "-F", c], { allowFail: true });
        for (const c of chains) run(ipt, ["-t", table, "-X", c], { allowFail: true });
        for (const c of fresh()) problems.push(`${ipt} chain ${table}/${c} remains`);
    }
    for (const s of ipsets().filter(x => !rec.ipsetsBefore.includes(x)))
        run("ipset", ["destroy", s], { allowFail: true });
    for (const s of ipsets().filter(x => !rec.ipsetsBefore.includes(x))) problems.push(`ipset ${s} remains`);
    if (existsSync(`/sys/class/net/${BRIDGE}`)) run("ip", ["link", "del", BRIDGE], { allowFail: true });
    if (existsSync(`/sys/class/net/${BRIDGE}`)) problems.push(`bridge ${BRIDGE} remains`);
    // Cgroups, deepest first.
    for (const c of rec.cgroupControllers) {
        const root = path.join("/sys/fs/cgroup", c, CGROUP_ROOT);
        const dirs: string[] = [];
        const walk = (d: string) => {
            if (!existsSync(d)) return;
            dirs.push(d);
            for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
        };
        walk(root);
        for (const d of dirs.sort((a, b) => b.length - a.length)) {
            for (let i = 0; i < 20; i++) {
                try {
                    rmdirSync(d);
                    break;
                } catch {
                    await sleep(100);
                }
            }
        }
    }
    for (const d of nodeCgroups(rec.cgroupControllers)) problems.push(`cgroup ${d} remains`);
    for (const [k, v] of Object.entries(rec.sysctls))
        try {
            writeSysctl(k, v);
        } catch (e) {
            problems.push(`sysctl ${k}: ${(e as Error).message}`);
        }
    // Kubelet's container log links (fixed host path) pointing into this state directory.
    if (existsSync("/var/log/containers")) {
        for (const f of readdirSync("/var/log/containers")) {
            const p = path.join("/var/log/containers", f);
            try {
                if (readlinkSync(p).startsWith(stateDir)) unlinkSync(p);
            } catch {
                /* not a link */
            }
        }
    }
    // CNI results cached by libcni: those of this network, and any (containerd's own cni-loopback
    // network included) whose network namespace lies in this state directory. containerd removes
    // them when it tears a sandbox down; pods stopped at teardown on a busy machine leave them.
    for (const f of ownCniResults("/var/lib/cni/results", stateDir)) rmSync(f, { force: true });
    // Host paths that appeared: the kubelet keeps its device-plugin socket under /var/lib/kubelet
    // whatever its root directory, and hostPath volumes create missing paths. Sockets and empty
    // directories go; a regular file in them would be someone's data: reported, kept.
    for (const p of HOST_PATHS_WATCHED.filter(x => !rec.hostPathsBefore.includes(x)).sort(
        (a, b) => b.length - a.length,
    )) {
        if (!existsSync(p)) continue;
        const dirs: string[] = [];
        const walk = (d: string) => {
            dirs.push(d);
            for (const e of readdirSync(d, { withFileTypes: true })) {
                const f = path.join(d, e.name);
                if (e.isDirectory()) walk(f);
                else if (e.isSocket()) unlinkSync(f);
            }
        };
        try {
            walk(p);
        } catch {
            /* vanished */
        }
        for (const d of dirs.sort((a, b) => b.length - a.length))
            try {
                rmdirSync(d);
            } catch {
                /* not empty */
            }
        if (existsSync(p)) problems.push(`host path ${p} appeared and holds files`);
    }
    if (!problems.length) {
        rmSync(recordFile(stateDir), { force: true });
        releaseLock(stateDir);
    }
    return problems;
}

/**
 * The libcni result files in `dir` that belong to the node of `stateDir`: of its network, or with a network namespace
 * inside the state directory.
 */
export function ownCniResults(dir: string, stateDir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
        .map(f => path.join(dir, f))
        .filter(p => {
            if (path.basename(p).startsWith(`${CNI_NETWORK}-`)) return true;
            try {
                return String(JSON.parse(readFileSync(p, "utf8")).netns ?? "").startsWith(`${stateDir}/`);
            } catch {
                return false; /* not a result file: not ours */
            }
        });
}

/** Split an iptables-save rule into arguments (quoted strings kept whole). */
function splitRule(rule: string): string[] {
    const out: string[] = [];
    const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(rule))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]);
    return out;
}

/** What a torn-down node must not have left (for the e2e's teardown check). */
export function nodeLeftovers(rec: NodeRecord): string[] {
    const left: string[] = [];
    for (const [key, before] of Object.entries(rec.chainsBefore))
        for (const c of (iptablesChains()[key] ?? []).filter(x => !before.includes(x))) left.push(`${key}/${c}`);
    for (const s of ipsets().filter(x => !rec.ipsetsBefore.includes(x))) left.push(`ipset ${s}`);
    if (existsSync(`/sys/class/net/${BRIDGE}`)) left.push(`bridge ${BRIDGE}`);
    for (const d of nodeCgroups(rec.cgroupControllers)) left.push(`cgroup ${d}`);
    for (const m of mountsUnder(rec.stateDir)) left.push(`mount ${m}`);
    for (const p of processesNaming(rec.stateDir)) left.push(`process ${p.pid} ${p.cmd[0]}`);
    for (const pid of nodeCgroupProcs(rec.cgroupControllers)) left.push(`process ${pid} in the node's cgroups`);
    for (const [k, v] of Object.entries(rec.sysctls))
        if (readSysctl(k) !== v) left.push(`sysctl ${k}=${readSysctl(k)} (was ${v})`);
    for (const p of HOST_PATHS_WATCHED.filter(x => !rec.hostPathsBefore.includes(x)))
        if (existsSync(p)) left.push(`host path ${p}`);
    const netns = readdirSync("/sys/class/net").filter(n => n.startsWith("veth"));
    if (netns.length) left.push(`veth interfaces ${netns.join(",")}`);
    if (existsSync(lockFile()))
        try {
            if (JSON.parse(readFileSync(lockFile(), "utf8")).stateDir === rec.stateDir) left.push("node lock");
        } catch {
            /* other */
        }
    return left;
}

export type { Started };
