/** PS-22 … PS-31: filesystem, seccomp, AppArmor, SELinux, /proc, sysctls, volume types, hardening, ports. */
import { get, show } from "../fields";
import { Json, pathKey } from "../podspec";
import { isUnknown } from "../unknown";
import {
    asList,
    containerRule,
    effectivePath,
    effectiveValue,
    judge,
    NONE,
    ownSettingIs,
    podRule,
    PSS_URL,
    UNKNOWN_VERDICT,
    Verdict,
    securityField,
} from "../define";
import { FALCO_NS, KUBE_BENCH_NS, TRIVY_NS } from "../vocabulary";

const READ_ONLY_ROOT_FS = securityField("readOnlyRootFilesystem");
const SECCOMP_PROFILE = securityField("seccompProfile");
const APPARMOR_PROFILE = securityField("appArmorProfile");
const SELINUX_OPTIONS = securityField("seLinuxOptions");

export const readOnlyRootFs = containerRule(
    {
        id: "PS-22",
        name: "read-only-root-filesystem",
        description:
            "Containers should run with `readOnlyRootFilesystem: true`. An immutable root filesystem " +
            "stops an attacker from installing tools or changing binaries, and keeps writes to " +
            "declared volumes.",
        remediation:
            "Set `securityContext.readOnlyRootFilesystem: true` and mount an emptyDir where the " +
            "application writes (e.g. /tmp).",
        url: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        defaultExemptNamespaces: [FALCO_NS, TRIVY_NS],
    },
    c => ownSettingIs(c, READ_ONLY_ROOT_FS, true),
);

const SECCOMP_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_ANNOTATION_KEY = pathKey(SECCOMP_ANNOTATION);

export const seccompUnconfined = containerRule(
    {
        id: "PS-23",
        name: "no-seccomp-unconfined",
        description:
            "Seccomp must not be set to `Unconfined` on the pod or a container (Pod Security " +
            "baseline). Unconfined removes the syscall filter that blocks many kernel exploits.",
        remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` (or Localhost) instead of Unconfined.",
        url: `${PSS_URL}#baseline`,
    },
    (c, pod) => {
        const value = effectiveValue(c, pod, SECCOMP_PROFILE);
        const type = isUnknown(value) ? value : get(value, "type");
        const out: Array<[string, Verdict]> = [];
        if (isUnknown(type) || type === "Unconfined")
            out.push([
                `${effectivePath(c, pod, SECCOMP_PROFILE)}.type`,
                isUnknown(type) ? UNKNOWN_VERDICT : `The ${c.label} runs with seccomp profile Unconfined.`,
            ]);
        if (c.index === 0 && c.field === "containers") {
            const ann = get(pod.podMeta, "annotations")?.[SECCOMP_ANNOTATION];
            if (isUnknown(ann) || ann === "unconfined")
                out.push([
                    `@${pod.metaPath}.annotations${SECCOMP_ANNOTATION_KEY}`,
                    isUnknown(ann) ? UNKNOWN_VERDICT : `The pod's ${SECCOMP_ANNOTATION} annotation is unconfined.`,
                ]);
        }
        return out;
    },
);

export const seccompRequired = containerRule(
    {
        id: "PS-24",
        name: "seccomp-runtime-default",
        description:
            "Every container must run with seccomp profile `RuntimeDefault` or `Localhost`, set on " +
            "the container or the pod (Pod Security restricted).",
        remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` in the pod spec.",
        url: `${PSS_URL}#restricted`,
        defaultExemptNamespaces: [FALCO_NS],
    },
    (c, pod) => {
        const value = effectiveValue(c, pod, SECCOMP_PROFILE);
        const type = isUnknown(value) ? value : get(value, "type");
        if (type === "RuntimeDefault" || type === "Localhost") return NONE;
        return [
            [
                `${effectivePath(c, pod, SECCOMP_PROFILE)}.type`,
                isUnknown(type)
                    ? UNKNOWN_VERDICT
                    : `The ${c.label} has seccomp profile ` +
                      `${type === undefined ? "unset" : show(type)}; use RuntimeDefault or ` +
                      `Localhost.`,
            ],
        ];
    },
);

const APPARMOR_ANN = "container.apparmor.security.beta.kubernetes.io/";

export const appArmor = containerRule(
    {
        id: "PS-25",
        name: "apparmor-not-unconfined",
        description:
            "AppArmor must not be disabled: the profile, set by `securityContext.appArmorProfile` " +
            "(pod or container) or by the legacy annotation, must be RuntimeDefault or Localhost " +
            "(Pod Security baseline).",
        remediation: "Remove `appArmorProfile.type: Unconfined` (or the `unconfined` annotation); use RuntimeDefault.",
        url: `${PSS_URL}#baseline`,
        defaultExemptNamespaces: [FALCO_NS],
    },
    (c, pod) => {
        const value = effectiveValue(c, pod, APPARMOR_PROFILE);
        const type = isUnknown(value) ? value : get(value, "type");
        const ann = get(pod.podMeta, "annotations");
        const annValue = isUnknown(ann) || ann === undefined || ann === null ? ann : ann[`${APPARMOR_ANN}${c.name}`];
        const out: Array<[string, Verdict]> = [];
        if (type !== undefined && type !== "RuntimeDefault" && type !== "Localhost")
            out.push([
                `${effectivePath(c, pod, APPARMOR_PROFILE)}.type`,
                isUnknown(type) ? UNKNOWN_VERDICT : `The ${c.label} runs with AppArmor profile ${show(type)}.`,
            ]);
        if (
            isUnknown(annValue) ||
            (typeof annValue === "string" && annValue !== "runtime/default" && !annValue.startsWith("localhost/"))
        )
            out.push([
                `@${pod.metaPath}.annotations${pathKey(`${APPARMOR_ANN}${c.name}`)}`,
                isUnknown(annValue) ? UNKNOWN_VERDICT : `The ${c.label} has AppArmor annotation "${show(annValue)}".`,
            ]);
        return out;
    },
);

const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

function seLinuxVerdicts(opts: Json, where: string): Array<[string, Verdict]> {
    if (isUnknown(opts)) return [["", UNKNOWN_VERDICT]];
    if (!opts || typeof opts !== "object") return [];
    return [
        [
            "type",
            judge(
                opts.type,
                v => v !== undefined && !SELINUX_TYPES.has(v),
                () => `${where} sets SELinux type ${show(opts.type)}.`,
            ),
        ],
        [
            "user",
            judge(
                opts.user,
                v => v !== undefined && v !== "",
                () => `${where} sets a custom SELinux user.`,
            ),
        ],
        [
            "role",
            judge(
                opts.role,
                v => v !== undefined && v !== "",
                () => `${where} sets a custom SELinux role.`,
            ),
        ],
    ];
}

export const seLinux = podRule(
    {
        id: "PS-26",
        name: "no-custom-selinux",
        description:
            "Pods and containers must not set a custom SELinux user or role, or a type other than " +
            "the container types (Pod Security baseline).",
        remediation:
            "Remove `seLinuxOptions.user`/`role` and custom `type` values from the pod and container " +
            "security contexts.",
        url: `${PSS_URL}#baseline`,
    },
    pod => {
        const out: Array<[string, Verdict]> = seLinuxVerdicts(
            get(pod.spec, "securityContext.seLinuxOptions"),
            "The pod",
        ).map(([f, v]) => [`securityContext.seLinuxOptions${f ? "." + f : ""}`, v]);
        for (const field of ["containers", "initContainers", "ephemeralContainers"]) {
            asList(pod.spec[field]).forEach((c: Json, i: number) => {
                for (const [f, v] of seLinuxVerdicts(
                    get(c, "securityContext.seLinuxOptions"),
                    `The container "${show(c?.name)}"`,
                )) {
                    out.push([`${field}[${i}].securityContext.seLinuxOptions${f ? "." + f : ""}`, v]);
                }
            });
        }
        return out;
    },
);

export const procMount = containerRule(
    {
        id: "PS-27",
        name: "default-proc-mount",
        description:
            "Containers must keep the default /proc mount (`procMount: Default`). `Unmasked` exposes " +
            "kernel information and interfaces the runtime normally hides.",
        remediation: "Remove `securityContext.procMount` or set it to Default.",
        url: `${PSS_URL}#baseline`,
    },
    c => {
        const v = get(c.container, "securityContext.procMount");
        if (v === undefined || v === "Default") return NONE;
        return [
            ["securityContext.procMount", isUnknown(v) ? UNKNOWN_VERDICT : `The ${c.label} sets procMount ${show(v)}.`],
        ];
    },
);

const SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];

export const sysctls = podRule(
    {
        id: "PS-28",
        name: "safe-sysctls-only",
        description:
            "Pods may set only the sysctls of the Pod Security safe set, and no value may carry `+` " +
            "or `=` (the cr8escape injection, CVE-2022-0811). Other sysctls change kernel behaviour " +
            "for the whole node.",
        remediation: "Remove the sysctl from `securityContext.sysctls`, or tune it on the node instead.",
        url: `${PSS_URL}#baseline`,
        config: {
            allowedSysctls: {
                type: "array",
                items: { type: "string" },
                description: "Sysctls pods may set (the Pod Security safe set).",
                default: SAFE_SYSCTLS,
            },
        },
    },
    (pod, _obj, cfg) => {
        const list = get(pod.spec, "securityContext.sysctls");
        if (isUnknown(list)) return [["securityContext.sysctls", UNKNOWN_VERDICT]];
        const allowed = new Set(cfg.allowedSysctls as string[]);
        return asList(list).map(
            (s: Json, i: number) =>
                [
                    `securityContext.sysctls[${i}]`,
                    isUnknown(s?.name) || isUnknown(s?.value)
                        ? UNKNOWN_VERDICT
                        : !allowed.has(s?.name)
                          ? `The pod sets the unsafe sysctl ${show(s?.name)}.`
                          : /[+=]/.test(show(s?.value ?? "", Infinity))
                            ? `The pod sets sysctl ${show(s.name)} to "${show(s.value)}", which ` +
                              `contains '+' or '=' (cr8escape).`
                            : undefined,
                ] as [string, Verdict],
        );
    },
);

const RESTRICTED_VOLUME_TYPES = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

export const volumeTypes = podRule(
    {
        id: "PS-29",
        name: "restricted-volume-types",
        description:
            "Pods may use only the volume types of the Pod Security restricted profile: configMap, " +
            "csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret. " +
            "Other types reach the node or external storage directly.",
        remediation: "Replace the volume with one of the allowed types (a PersistentVolumeClaim for storage).",
        url: `${PSS_URL}#restricted`,
        defaultExemptNamespaces: [FALCO_NS, TRIVY_NS, KUBE_BENCH_NS],
        config: {
            allowedVolumeTypes: {
                type: "array",
                items: { type: "string" },
                description: "Volume types pods may use.",
                default: RESTRICTED_VOLUME_TYPES,
            },
        },
    },
    (pod, _obj, cfg) => {
        const vols = pod.spec.volumes;
        if (isUnknown(vols)) return [["volumes", UNKNOWN_VERDICT]];
        const allowed = new Set(cfg.allowedVolumeTypes as string[]);
        return asList(vols).map((v: Json, i: number) => {
            if (isUnknown(v)) return [`volumes[${i}]`, UNKNOWN_VERDICT] as [string, Verdict];
            const types = Object.keys(v ?? {}).filter(k => k !== "name");
            const bad = types.filter(t => !allowed.has(t));
            return [
                `volumes[${i}]`,
                bad.length
                    ? `The pod's volume "${show(v?.name)}" is of type ${bad.join(", ")}, outside the restricted list.`
                    : undefined,
            ] as [string, Verdict];
        });
    },
);

export const linuxHardening = containerRule(
    {
        id: "PS-30",
        name: "linux-hardening-present",
        description:
            "Every container should have some Linux hardening: a seccomp profile, an AppArmor " +
            "profile, SELinux options or dropped capabilities. A container with none of them runs " +
            "with the runtime's widest defaults.",
        remediation:
            "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod and " +
            '`capabilities.drop: ["ALL"]` on the container.',
        url: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        defaultExemptNamespaces: [FALCO_NS],
    },
    (c, pod) => {
        const seccomp = effectiveValue(c, pod, SECCOMP_PROFILE);
        const apparmor = effectiveValue(c, pod, APPARMOR_PROFILE);
        const selinux = effectiveValue(c, pod, SELINUX_OPTIONS);
        const drop = get(c.container, "securityContext.capabilities.drop");
        const ann = get(pod.podMeta, "annotations");
        if (isUnknown(seccomp) || isUnknown(apparmor) || isUnknown(selinux) || isUnknown(drop) || isUnknown(ann))
            return [["securityContext", UNKNOWN_VERDICT]];
        const hardened =
            seccomp !== undefined ||
            apparmor !== undefined ||
            selinux !== undefined ||
            (Array.isArray(drop) && drop.length > 0) ||
            (ann !== undefined && ann !== null && ann[`${APPARMOR_ANN}${c.name}`] !== undefined);
        return hardened
            ? NONE
            : [["securityContext", `The ${c.label} has no seccomp, AppArmor, SELinux or capability-drop setting.`]];
    },
);

export const privilegedPorts = containerRule(
    {
        id: "PS-31",
        name: "no-privileged-ports",
        description:
            "Containers should not listen on ports below 1024. Binding them needs root or " +
            "NET_BIND_SERVICE, which non-root hardened containers do not have.",
        remediation: "Listen on a port of 1024 or above (e.g. 8080) and map it with a Service.",
        url: "https://kubernetes.io/docs/concepts/services-networking/service/",
    },
    c => {
        const ports = asList(c.container.ports);
        if (ports.length === 0) return NONE;
        const out: Array<[string, Verdict]> = [];
        for (let i = 0; i < ports.length; i++) {
            if (!(i in ports)) continue; // flatMap passes over holes
            const p = ports[i];
            const port = p?.containerPort;
            if (isUnknown(port) || isPrivilegedPort(port))
                out.push([
                    `ports[${i}].containerPort`,
                    isUnknown(port) ? UNKNOWN_VERDICT : `The ${c.label} uses privileged port ${show(port)}.`,
                ]);
            const hostPort = p?.hostPort;
            if (isUnknown(hostPort) || isPrivilegedPort(hostPort))
                out.push([
                    `ports[${i}].hostPort`,
                    isUnknown(hostPort)
                        ? UNKNOWN_VERDICT
                        : `The ${c.label} uses privileged host port ${show(hostPort)}.`,
                ]);
        }
        return out;
    },
);

function isPrivilegedPort(v: Json): boolean {
    return typeof v === "number" && v > 0 && v < 1024;
}
