/**
 * One case per pod-security control field: each mutates exactly one field of the hardened pod spec (shared by the unit
 * tests and the admission parity check).
 */
import { Json } from "../testkit/workloads";

const sc = (s: Json, i = 0, field = "containers") => (s[field][i].securityContext ??= {});

export interface PodCase {
    id: string;
    what: string;
    mutate: (s: Json) => void;
    path?: RegExp;
    meta?: Json;
}

/** Each case breaks exactly one field of the hardened pod spec. */
export const POD_CASES: PodCase[] = [
    {
        id: "PS-01",
        what: "privileged: true",
        mutate: s => (sc(s).privileged = true),
        path: /containers\[0\]\.securityContext\.privileged/,
    },
    {
        id: "PS-01",
        what: "privileged init container",
        mutate: s => (sc(s, 0, "initContainers").privileged = true),
        path: /initContainers\[0\]/,
    },
    { id: "PS-02", what: "hostPID", mutate: s => (s.hostPID = true), path: /hostPID$/ },
    { id: "PS-03", what: "hostIPC", mutate: s => (s.hostIPC = true), path: /hostIPC$/ },
    { id: "PS-04", what: "hostNetwork", mutate: s => (s.hostNetwork = true), path: /hostNetwork$/ },
    {
        id: "PS-05",
        what: "hostPath volume",
        mutate: s => s.volumes.push({ name: "data", hostPath: { path: "/data" } }),
        path: /volumes\[1\]\.hostPath/,
    },
    {
        id: "PS-06",
        what: "hostPath /etc",
        mutate: s => s.volumes.push({ name: "etc", hostPath: { path: "/etc" } }),
        path: /volumes\[1\]/,
    },
    {
        id: "PS-06",
        what: "hostPath below /var/lib/kubelet",
        mutate: s => s.volumes.push({ name: "k", hostPath: { path: "/var/lib/kubelet/pods/" } }),
    },
    { id: "PS-06", what: "hostPath /", mutate: s => s.volumes.push({ name: "root", hostPath: { path: "/" } }) },
    {
        id: "PS-07",
        what: "docker.sock",
        mutate: s => s.volumes.push({ name: "sock", hostPath: { path: "/var/run/docker.sock" } }),
    },
    {
        id: "PS-07",
        what: "containerd.sock",
        mutate: s => s.volumes.push({ name: "sock", hostPath: { path: "/run/containerd/containerd.sock" } }),
    },
    {
        id: "PS-07",
        what: "the /var/run directory",
        mutate: s => s.volumes.push({ name: "run", hostPath: { path: "/var/run" } }),
    },
    {
        id: "PS-08",
        what: "writable hostPath mount",
        mutate: s => {
            s.volumes.push({ name: "h", hostPath: { path: "/data" } });
            s.containers[0].volumeMounts.push({ name: "h", mountPath: "/h" });
        },
        path: /volumeMounts\[1\]\.readOnly/,
    },
    {
        id: "PS-09",
        what: "hostPort",
        mutate: s => (s.containers[0].ports[0].hostPort = 8080),
        path: /ports\[0\]\.hostPort/,
    },
    { id: "PS-10", what: "hostProcess on a container", mutate: s => (sc(s).windowsOptions = { hostProcess: true }) },
    {
        id: "PS-10",
        what: "hostProcess on the pod",
        mutate: s => (s.securityContext.windowsOptions = { hostProcess: true }),
    },
    {
        id: "PS-11",
        what: "liveness probe host",
        mutate: s => (s.containers[0].livenessProbe.httpGet.host = "10.0.0.1"),
        path: /livenessProbe\.httpGet\.host/,
    },
    {
        id: "PS-11",
        what: "preStop tcpSocket host",
        mutate: s => (s.containers[0].lifecycle = { preStop: { tcpSocket: { port: 80, host: "169.254.169.254" } } }),
    },
    { id: "PS-12", what: "adding SYS_TIME", mutate: s => (sc(s).capabilities.add = ["SYS_TIME"]) },
    { id: "PS-13", what: "adding SYS_ADMIN", mutate: s => (sc(s).capabilities.add = ["SYS_ADMIN"]) },
    {
        id: "PS-13",
        what: "adding CAP_SYS_PTRACE (prefixed, lower case)",
        mutate: s => (sc(s).capabilities.add = ["cap_sys_ptrace"]),
    },
    { id: "PS-13", what: "adding ALL", mutate: s => (sc(s).capabilities.add = ["ALL"]) },
    { id: "PS-14", what: "NET_RAW not dropped", mutate: s => (sc(s).capabilities.drop = ["CHOWN"]) },
    { id: "PS-14", what: "NET_RAW added back", mutate: s => (sc(s).capabilities.add = ["NET_RAW"]) },
    { id: "PS-15", what: "drop without ALL", mutate: s => (sc(s).capabilities.drop = ["NET_RAW"]) },
    { id: "PS-15", what: "no capabilities at all", mutate: s => delete sc(s).capabilities },
    { id: "PS-16", what: "adding CHOWN", mutate: s => (sc(s).capabilities.add = ["CHOWN"]) },
    { id: "PS-17", what: "allowPrivilegeEscalation unset", mutate: s => delete sc(s).allowPrivilegeEscalation },
    { id: "PS-17", what: "allowPrivilegeEscalation true", mutate: s => (sc(s).allowPrivilegeEscalation = true) },
    {
        id: "PS-17",
        what: "ephemeral container without it",
        mutate: s => (s.ephemeralContainers = [{ name: "debug", image: "busybox:1.36" }]),
        path: /ephemeralContainers\[0\]/,
    },
    { id: "PS-18", what: "container runAsNonRoot false overriding the pod", mutate: s => (sc(s).runAsNonRoot = false) },
    {
        id: "PS-18",
        what: "runAsNonRoot unset on pod and container",
        mutate: s => {
            delete s.securityContext.runAsNonRoot;
            delete sc(s).runAsNonRoot;
            delete sc(s, 0, "initContainers").runAsNonRoot;
        },
    },
    {
        id: "PS-19",
        what: "pod runAsUser 0",
        mutate: s => (s.securityContext.runAsUser = 0),
        path: /spec\.securityContext\.runAsUser|securityContext\.runAsUser/,
    },
    { id: "PS-19", what: "container runAsUser 0", mutate: s => (sc(s).runAsUser = 0) },
    { id: "PS-20", what: "fsGroup 0", mutate: s => (s.securityContext.fsGroup = 0) },
    {
        id: "PS-20",
        what: "supplementalGroups with 0",
        mutate: s => (s.securityContext.supplementalGroups = [10001, 0]),
    },
    { id: "PS-20", what: "container runAsGroup 0", mutate: s => (sc(s).runAsGroup = 0) },
    { id: "PS-21", what: "runAsUser 1000", mutate: s => (sc(s).runAsUser = 1000) },
    { id: "PS-22", what: "readOnlyRootFilesystem unset", mutate: s => delete sc(s).readOnlyRootFilesystem },
    { id: "PS-22", what: "readOnlyRootFilesystem false", mutate: s => (sc(s).readOnlyRootFilesystem = false) },
    { id: "PS-23", what: "container seccomp Unconfined", mutate: s => (sc(s).seccompProfile = { type: "Unconfined" }) },
    {
        id: "PS-23",
        what: "legacy unconfined annotation",
        mutate: () => undefined,
        meta: { annotations: { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" } },
    },
    {
        id: "PS-24",
        what: "seccomp unset everywhere",
        mutate: s => {
            delete s.securityContext.seccompProfile;
            delete sc(s).seccompProfile;
            delete sc(s, 0, "initContainers").seccompProfile;
        },
    },
    { id: "PS-24", what: "seccomp Unconfined", mutate: s => (sc(s).seccompProfile = { type: "Unconfined" }) },
    { id: "PS-25", what: "appArmorProfile Unconfined", mutate: s => (sc(s).appArmorProfile = { type: "Unconfined" }) },
    {
        id: "PS-25",
        what: "pod-level appArmorProfile Unconfined",
        mutate: s => (s.securityContext.appArmorProfile = { type: "Unconfined" }),
    },
    {
        id: "PS-25",
        what: "legacy AppArmor annotation unconfined",
        mutate: () => undefined,
        meta: { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" } },
    },
    { id: "PS-26", what: "custom SELinux type", mutate: s => (sc(s).seLinuxOptions = { type: "spc_t" }) },
    {
        id: "PS-26",
        what: "custom SELinux user on the pod",
        mutate: s => (s.securityContext.seLinuxOptions = { user: "system_u" }),
    },
    { id: "PS-27", what: "procMount Unmasked", mutate: s => (sc(s).procMount = "Unmasked") },
    {
        id: "PS-28",
        what: "unsafe sysctl",
        mutate: s => (s.securityContext.sysctls = [{ name: "kernel.msgmax", value: "65536" }]),
    },
    {
        id: "PS-28",
        what: "cr8escape value",
        mutate: s =>
            (s.securityContext.sysctls = [{ name: "kernel.shm_rmid_forced", value: "1+kernel.core_pattern=|/x" }]),
    },
    {
        id: "PS-29",
        what: "hostPath volume type",
        mutate: s => s.volumes.push({ name: "h", hostPath: { path: "/data" } }),
    },
    {
        id: "PS-29",
        what: "nfs volume type",
        mutate: s => s.volumes.push({ name: "n", nfs: { server: "nfs", path: "/" } }),
    },
    {
        id: "PS-30",
        what: "no hardening at all",
        mutate: s => {
            delete s.securityContext.seccompProfile;
            delete sc(s).seccompProfile;
            delete sc(s).capabilities;
        },
    },
    { id: "PS-31", what: "containerPort 80", mutate: s => (s.containers[0].ports[0].containerPort = 80) },
];
