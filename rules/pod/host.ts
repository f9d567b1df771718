/** PS-02 … PS-11: host namespaces, host paths, runtime sockets, host ports, HostProcess, host probes. */
import { get, getIn, keysOf, show } from "../fields";
import { containersOf, Json, PodSpecRef } from "../podspec";
import { isUnknown } from "../unknown";
import {
    asList,
    containerRule,
    holeyPairs,
    itemPairs,
    judge,
    NONE,
    podRule,
    PSS_URL,
    UNKNOWN_VERDICT,
    Verdict,
} from "../define";
import { FALCO_NS, KUBE_BENCH_NS, TRIVY_NS } from "../vocabulary";

const VOLUMES_URL = "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath";

function hostNamespaceRule(
    id: string,
    field: "hostPID" | "hostIPC" | "hostNetwork",
    name: string,
    what: string,
    exempt: string[],
) {
    return podRule(
        {
            id,
            name,
            description:
                `Pods must not set \`${field}: true\`. Sharing the host's ${what} lets a container see ` +
                `or reach the node's own processes and services, which breaks the isolation every other ` +
                `control relies on.`,
            remediation:
                `Remove \`${field}: true\` from the pod spec. A SecureNamespace at the \`baseline\` or ` +
                `\`restricted\` Pod Security level (component arg \`podSecurity.enforce\`) refuses such ` +
                `pods at admission.`,
            url: `${PSS_URL}#baseline`,
            defaultExemptNamespaces: exempt,
        },
        pod => {
            const v = pod.spec[field];
            if (v !== true && !isUnknown(v)) return NONE;
            return [
                [field, isUnknown(v) ? UNKNOWN_VERDICT : `The pod sets ${field}: true and shares the host's ${what}.`],
            ];
        },
    );
}

export const hostPid = hostNamespaceRule("PS-02", "hostPID", "no-host-pid", "process ID namespace", [
    FALCO_NS,
    TRIVY_NS,
    KUBE_BENCH_NS,
]);
export const hostIpc = hostNamespaceRule("PS-03", "hostIPC", "no-host-ipc", "IPC namespace", []);
export const hostNetwork = hostNamespaceRule("PS-04", "hostNetwork", "no-host-network", "network namespace", [
    FALCO_NS,
]);

/** Each hostPath volume of the pod with its index. */
function hostPaths(spec: Json): Array<{ i: number; path: Json; name: Json }> {
    const vols = spec.volumes;
    if (isUnknown(vols)) return [{ i: -1, path: vols, name: vols }];
    if (!hasHostPath(vols)) return [];
    return asList(vols)
        .map((v: Json, i: number) => ({ i, v }))
        .filter(({ v }) => v && v.hostPath !== undefined)
        .map(({ v, i }) => ({
            i,
            path: isUnknown(v.hostPath)
                ? v.hostPath
                : v.hostPath !== null && typeof v.hostPath === "object"
                  ? v.hostPath.path
                  : undefined,
            name: v.name,
        }));
}

/** Is there a hostPath volume at all (the volumes being known)? */
function hasHostPath(vols: Json): boolean {
    if (!Array.isArray(vols)) return false;
    for (let i = 0; i < vols.length; i++) {
        const v = vols[i];
        if (v && v.hostPath !== undefined) return true;
    }
    return false;
}

export const hostPathVolume = podRule(
    {
        id: "PS-05",
        name: "no-host-path-volumes",
        description:
            "Pods must not mount hostPath volumes. A host path gives the container direct access to " +
            "the node's filesystem, outside every storage and isolation boundary Kubernetes provides.",
        remediation:
            "Replace the hostPath volume with an emptyDir, a ConfigMap/Secret/projected volume or a " +
            "PersistentVolumeClaim. SecureNamespace at `baseline` or `restricted` " +
            "(`podSecurity.enforce`) refuses hostPath volumes.",
        url: `${PSS_URL}#baseline`,
        defaultExemptNamespaces: [FALCO_NS, TRIVY_NS, KUBE_BENCH_NS],
    },
    pod =>
        hostPaths(pod.spec).map(
            h =>
                [
                    h.i < 0 ? "volumes" : `volumes[${h.i}].hostPath`,
                    judge(
                        h.path,
                        () => true,
                        () => `The pod mounts host path ${show(h.path)} as volume "${show(h.name)}".`,
                    ),
                ] as [string, Verdict],
        ),
);

const DEFAULT_SENSITIVE_PATHS = [
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/usr",
    "/lib",
    "/lib64",
    "/bin",
    "/sbin",
    "/root",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/kubelet",
    "/etc/kubernetes",
    "/var/lib/etcd",
    "/var/run/secrets",
    "/run/secrets",
    "/home",
    // control-plane credentials outside /etc/kubernetes: kOps and kube-up keep the cluster PKI, etcd
    // client keys and token files in /srv/kubernetes, and components' kubeconfigs in these two
    "/srv/kubernetes",
    "/var/lib/kube-scheduler",
    "/var/lib/kube-controller-manager",
    // root daemons' runtime directories: udev runs the RUN+= commands of rules dropped in
    // /run/udev/rules.d; systemd's private socket and the system D-Bus start units as root. A
    // socket answers through a read-only mount too. /var/run is /run on every current distribution,
    // but a hostPath is matched as written, so both spellings are listed.
    "/run/udev",
    "/var/run/udev",
    "/run/systemd",
    "/var/run/systemd",
    "/run/dbus",
    "/var/run/dbus",
    // the Container Device Interface spec directories (/etc/cdi is under /etc): containerd and CRI-O
    // apply a CDI spec's host mounts, device nodes and OCI hooks (run on the host by the runtime) to
    // every container that names one of its devices, so writing a spec there is host code execution
    "/run/cdi",
    "/var/run/cdi",
];

/**
 * Host directories whose contents the node runs as root, sensitive when a container can write them:
 * the container runtime executes the CNI plugin binaries in /opt/cni/bin (containerd's and CRI-O's
 * default `bin_dir`) as root on the host for every pod sandbox, so a writable mount of it (or of /opt,
 * which holds it) is host code execution, the reason /run/cdi is listed above. Read-only, they hold
 * public binaries.
 */
const DEFAULT_WRITE_SENSITIVE_PATHS = [
    "/opt/cni/bin",
    // the Secrets Store CSI driver's provider sockets: the privileged driver dials every socket there on each
    // mount, hands it the pod's ServiceAccount token and writes its answer into the pod
    "/run/secrets-store-csi-providers",
    "/var/run/secrets-store-csi-providers",
];

/**
 * Single files below a sensitive directory that hold nothing secret (world-readable account and group
 * names, public CA bundles, time-zone data, the OS release, the swap list): mounted read-only by every container
 * that mounts them, they are not a sensitive host path.
 */
const DEFAULT_PUBLIC_FILES = [
    "/etc/passwd",
    "/etc/group",
    "/etc/localtime",
    "/etc/timezone",
    "/etc/os-release",
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/ssl/certs/ca-bundle.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
    // mode 0444 and not namespaced: every container already reads the host's swap list in its own /proc
    "/proc/swaps",
];

/**
 * Device-node paths below /dev that the runtime's default device cgroup refuses to open: runc and crun
 * append only null, zero, full, random, urandom, tty, console, ptmx, pts/* and net/tun to a non-privileged
 * container's deny-all device rules, so a read-only mount of these nodes into a pod with no privileged
 * container lets it list them, not open them. (A pod allocated one of them by a device plugin gets it by
 * the plugin's DeviceSpecs, not through this mount.)
 */
const DEFAULT_UNOPENABLE_DEVICES = [
    "/dev/dri",
    "/dev/vfio",
    "/dev/sgx_enclave",
    "/dev/sgx_provision",
    "/dev/sgx_vepc",
    "/dev/accel",
    "/dev/kfd",
    // udev's by-id/by-uuid/by-path/by-label symlinks to block devices: they resolve in the container's own
    // /dev, and the default device cgroup never allows a block device
    "/dev/disk",
];

/**
 * Sysfs subtrees with no filesystem mounted below them and not masked by the runtime: every container's
 * own read-only /sys already shows them (their entries are symlinks into /sys/devices, which resolve in
 * the container's own sysfs), so a read-only hostPath of one exposes nothing more.
 */
const DEFAULT_CONTAINER_VISIBLE_SYSFS = ["/sys/class/drm"];

/**
 * Directories below a sensitive directory that hold only public CA-trust material (trust anchors, the
 * bundles extracted from them, the update hooks that rebuild them): mounted read-only by every container
 * that mounts them, they are not a sensitive host path. Deliberately not /etc/ssl or /etc/pki as a whole:
 * /etc/ssl/private, /etc/pki/tls/private, /etc/pki/entitlement and /etc/pki/consumer hold host private keys.
 */
const DEFAULT_PUBLIC_DIRECTORIES = [
    "/etc/ca-certificates",
    "/etc/ssl/certs",
    "/etc/pki/ca-trust",
    "/etc/pki/tls/certs",
    "/usr/share/ca-certificates",
];

/**
 * The path as the node resolves it: no empty or `.` segments, no trailing slash (`/` stays `/`). The
 * API server refuses only `..` segments, so `//etc`, `/./etc` and `/etc//kubernetes/` are admitted
 * and mount what they name. One split and filter: linear on any input.
 */
function normalise(p: string): string {
    const parts = p.split("/").filter(s => s !== "" && s !== ".");
    return p.startsWith("/") ? `/${parts.join("/")}` : parts.join("/");
}

/**
 * Does every container of the pod that mounts the volume mount it `readOnly: true`, all of them
 * being known? (A volume no container mounts is read by none: true.)
 */
function readOnlyEverywhere(pod: PodSpecRef, volume: Json): boolean {
    if (typeof volume !== "string") return false;
    for (const c of containersOf(pod)) {
        const mounts = c.container?.volumeMounts;
        if (isUnknown(c.container) || isUnknown(mounts)) return false;
        for (const m of asList(mounts)) {
            if (isUnknown(m) || isUnknown(m?.name) || isUnknown(m?.readOnly)) return false;
            if (m?.name === volume && m.readOnly !== true) return false;
        }
    }
    return true;
}

/** Is a container of the pod privileged (or unknown)? Its device cgroup then allows every device. */
function anyPrivileged(pod: PodSpecRef): boolean {
    for (const c of containersOf(pod)) {
        if (isUnknown(c.container)) return true;
        const p = get(c.container, "securityContext.privileged");
        if (p === true || isUnknown(p)) return true;
    }
    return false;
}

/** `n` is `s` or below it. */
const under = (n: string, s: string) => n === s || (s !== "/" && n.startsWith(`${s}/`));

/**
 * The mount reaches `s`: the host path is `s`, below it, or above it (a hostPath of /var exposes
 * /var/lib/kubelet as surely as a hostPath of /var/lib/kubelet does). Absolute paths only.
 */
const reaches = (n: string, s: string) => under(n, s) || (n.startsWith("/") && under(s, n));

export const sensitiveHostPath = podRule(
    {
        id: "PS-06",
        name: "no-sensitive-host-paths",
        description:
            "Pods must not mount sensitive host directories such as /, /etc, /proc, /sys, /dev, the " +
            "kubelet's or container runtime's state, or credential directories. Each of these is a " +
            "direct route to node takeover or credential theft.",
        remediation:
            "Remove the hostPath volume; if the workload is a node agent, run it in a dedicated " +
            "namespace exempted explicitly in the policy config (`exemptNamespaces`), as the " +
            "blueprint does for Falco and Trivy.",
        url: VOLUMES_URL,
        defaultExemptNamespaces: [FALCO_NS, TRIVY_NS, KUBE_BENCH_NS],
        config: {
            sensitivePaths: {
                type: "array",
                items: { type: "string" },
                description: "Host paths (and everything below them, except for `/`) that must not be mounted.",
                default: DEFAULT_SENSITIVE_PATHS,
            },
            publicFiles: {
                type: "array",
                items: { type: "string" },
                description:
                    "Single host files holding nothing secret (exact paths, e.g. /etc/localtime) that a pod may " +
                    "mount when every container mounting them sets `readOnly: true`.",
                default: DEFAULT_PUBLIC_FILES,
            },
            publicDirectories: {
                type: "array",
                items: { type: "string" },
                description:
                    "Host directories (and everything below them) holding only public CA-trust material that a pod " +
                    "may mount when every container mounting them sets `readOnly: true`.",
                default: DEFAULT_PUBLIC_DIRECTORIES,
            },
            unopenableDevices: {
                type: "array",
                items: { type: "string" },
                description:
                    "Device-node paths below /dev (and everything below them) outside the runtime's default device " +
                    "allow-list: not sensitive when every container mounting them sets `readOnly: true` and no " +
                    "container of the pod is privileged.",
                default: DEFAULT_UNOPENABLE_DEVICES,
            },
            containerVisibleSysfs: {
                type: "array",
                items: { type: "string" },
                description:
                    "Sysfs subtrees (and everything below them) that every container's own read-only /sys already " +
                    "shows: not sensitive when every container mounting them sets `readOnly: true`.",
                default: DEFAULT_CONTAINER_VISIBLE_SYSFS,
            },
            writeSensitivePaths: {
                type: "array",
                items: { type: "string" },
                description:
                    "Host paths (and everything below or above them) that are sensitive when some container of the " +
                    "pod mounts them writable, e.g. the CNI plugin binaries the runtime executes as root.",
                default: DEFAULT_WRITE_SENSITIVE_PATHS,
            },
        },
    },
    (pod, _obj, cfg) => {
        const found = hostPaths(pod.spec);
        if (found.length === 0) return NONE;
        // the config's paths, read only for a pod that has a hostPath volume (most have none)
        const sensitive = (cfg.sensitivePaths as string[]).map(normalise);
        const publicFiles = new Set((cfg.publicFiles as string[]).map(normalise));
        const publicDirs = (cfg.publicDirectories as string[]).map(normalise);
        const devices = (cfg.unopenableDevices as string[]).map(normalise);
        const visibleSysfs = (cfg.containerVisibleSysfs as string[]).map(normalise);
        const writeSensitive = (cfg.writeSensitivePaths as string[]).map(normalise);
        return found.map(
            h =>
                [
                    h.i < 0 ? "volumes" : `volumes[${h.i}].hostPath.path`,
                    judge(
                        h.path,
                        p => {
                            if (typeof p !== "string") return false;
                            const n = normalise(p);
                            let ro: boolean | undefined;
                            const readOnly = () => (ro ??= readOnlyEverywhere(pod, h.name));
                            // harmless read-only: public files and CA-trust directories, sysfs every container
                            // sees, device nodes no container of the pod can open
                            const harmlessReadOnly =
                                publicFiles.has(n) ||
                                publicDirs.some(s => under(n, s)) ||
                                visibleSysfs.some(s => under(n, s));
                            if (harmlessReadOnly && readOnly()) return false;
                            if (devices.some(s => under(n, s)) && readOnly() && !anyPrivileged(pod)) return false;
                            if (sensitive.some(s => reaches(n, s))) return true;
                            return writeSensitive.some(s => reaches(n, s)) && !readOnly();
                        },
                        () => `The pod mounts the sensitive host path ${show(h.path)} (volume "${show(h.name)}").`,
                    ),
                ] as [string, Verdict],
        );
    },
);

/**
 * A socket file (`*.sock`), or a runtime's socket directory under /run or /var/run (/run/podman,
 * /run/k3s/containerd). A path elsewhere that merely ends in a runtime's name is its state or
 * configuration (/var/lib/docker, /var/lib/containerd, /etc/containerd): no socket, PS-06's concern.
 */
const SOCKET = /\.sock$|^\/(var\/)?run\/(.+\/)?(docker|containerd|crio|cri-dockerd|podman)$/;
const SOCKET_DIRS = new Set([
    "/var/run",
    "/run",
    "/var/run/docker",
    "/run/containerd",
    "/var/run/containerd",
    "/var/run/crio",
    "/run/crio",
]);

export const runtimeSocket = podRule(
    {
        id: "PS-07",
        name: "no-container-runtime-socket",
        description:
            "Pods must not mount the container runtime socket (docker.sock, containerd.sock, " +
            "crio.sock) or the directory holding it. Whoever talks to the runtime can start " +
            "privileged containers on the node.",
        remediation:
            "Remove the volume exposing the runtime socket. Build images with a rootless builder " +
            "instead of Docker-in-Docker.",
        url: VOLUMES_URL,
        defaultExemptNamespaces: [FALCO_NS],
    },
    pod =>
        hostPaths(pod.spec).map(
            h =>
                [
                    h.i < 0 ? "volumes" : `volumes[${h.i}].hostPath.path`,
                    judge(
                        h.path,
                        p => typeof p === "string" && (SOCKET.test(normalise(p)) || SOCKET_DIRS.has(normalise(p))),
                        () => `The pod mounts the container runtime socket path ${show(h.path)}.`,
                    ),
                ] as [string, Verdict],
        ),
);

export const writableHostPath = containerRule(
    {
        id: "PS-08",
        name: "host-paths-read-only",
        description:
            "A hostPath volume, where one is allowed at all, must be mounted read-only. A writable " +
            "host path lets a container plant files that the node or other pods later execute.",
        remediation: "Set `readOnly: true` on every volumeMount that refers to a hostPath volume.",
        url: VOLUMES_URL,
        defaultExemptNamespaces: [FALCO_NS, TRIVY_NS],
    },
    (c, pod) => {
        const vols = pod.spec.volumes;
        if (!hasHostPath(vols)) {
            // No hostPath volume: no mount of one.
            const mounts = c.container.volumeMounts;
            return (Array.isArray(mounts) && holeyPairs(mounts)) || NONE;
        }
        const hostVols = new Set(
            asList(vols)
                .filter((v: Json) => v && v.hostPath !== undefined)
                .map((v: Json) => v.name),
        );
        const mounts = c.container.volumeMounts;
        if (isUnknown(mounts)) return hostVols.size > 0 ? [["volumeMounts", UNKNOWN_VERDICT]] : [];
        return asList(mounts).map(
            (m: Json, i: number) =>
                [
                    `volumeMounts[${i}].readOnly`,
                    hostVols.has(m?.name)
                        ? judge(
                              m.readOnly,
                              v => v !== true,
                              () => `The ${c.label} mounts host path volume "${show(m.name)}" writable.`,
                          )
                        : undefined,
                ] as [string, Verdict],
        );
    },
);

export const hostPort = containerRule(
    {
        id: "PS-09",
        name: "no-host-ports",
        description:
            "Containers must not declare host ports. A host port binds the node's own network " +
            "address, bypasses Service and NetworkPolicy design, and limits scheduling.",
        remediation:
            "Remove `hostPort` and expose the workload through a Service. SecureNamespace at " +
            "`baseline` or `restricted` refuses host ports.",
        url: `${PSS_URL}#baseline`,
    },
    c =>
        itemPairs(c.container.ports, (port, i) => {
            const v = port?.hostPort;
            if (v === undefined || v === null || v === 0) return undefined;
            return [
                `ports[${i}].hostPort`,
                isUnknown(v) ? UNKNOWN_VERDICT : `The ${c.label} declares hostPort ${show(v)}.`,
            ];
        }),
);

export const hostProcess = containerRule(
    {
        id: "PS-10",
        name: "no-windows-host-process",
        description:
            "Windows HostProcess containers must not be used. They run directly on the Windows node " +
            "with its privileges.",
        remediation: "Remove `securityContext.windowsOptions.hostProcess: true` from the pod and its containers.",
        url: `${PSS_URL}#baseline`,
    },
    (c, pod) => {
        const own = get(c.container, "securityContext.windowsOptions.hostProcess");
        const atPod =
            c.index === 0 && c.field === "containers"
                ? get(pod.spec, "securityContext.windowsOptions.hostProcess")
                : undefined;
        if (own !== true && !isUnknown(own) && atPod !== true && !isUnknown(atPod)) return NONE;
        return [
            [
                "securityContext.windowsOptions.hostProcess",
                isUnknown(own)
                    ? UNKNOWN_VERDICT
                    : own === true
                      ? `The ${c.label} is a Windows HostProcess container.`
                      : undefined,
            ],
            [
                `@${pod.path}.securityContext.windowsOptions.hostProcess`,
                isUnknown(atPod)
                    ? UNKNOWN_VERDICT
                    : atPod === true
                      ? "The pod sets windowsOptions.hostProcess: true."
                      : undefined,
            ],
        ];
    },
);

const HANDLERS = ["livenessProbe", "readinessProbe", "startupProbe", "lifecycle.postStart", "lifecycle.preStop"];
/** `<handler>.<httpGet|tcpSocket>.host` of every handler, in the order the rule reports them. */
const HANDLER_HOSTS = HANDLERS.flatMap(h =>
    ["httpGet", "tcpSocket"].map(kind => ({ path: `${h}.${kind}.host`, keys: keysOf(`${h}.${kind}.host`) })),
);

export const probeHost = containerRule(
    {
        id: "PS-11",
        name: "no-probe-host-override",
        description:
            "Probes and lifecycle handlers must not set a `host`. A host lets the kubelet be pointed " +
            "at arbitrary addresses on the node's network (Pod Security baseline since Kubernetes " +
            "1.34).",
        remediation: "Remove `host` from httpGet and tcpSocket handlers; the kubelet then uses the pod's own IP.",
        url: `${PSS_URL}#baseline`,
    },
    c => {
        let out = NONE;
        for (let i = 0; i < HANDLER_HOSTS.length; i++) {
            const { path, keys } = HANDLER_HOSTS[i];
            const v = getIn(c.container, keys);
            if (isUnknown(v) || (typeof v === "string" && v !== "")) {
                if (out === NONE) out = [];
                out.push([path, isUnknown(v) ? UNKNOWN_VERDICT : `The ${c.label} sets ${path} to "${show(v)}".`]);
            }
        }
        return out;
    },
);
