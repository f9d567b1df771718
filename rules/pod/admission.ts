/**
 * PS-01 … PS-31 in the API server. Pod Security admission, set by each namespace's
 * `pod-security.kubernetes.io/enforce` label (NS-03 requires one), enforces the Pod Security
 * Standards in the cluster; the CEL twins cover the privileged and host settings in the namespaces
 * it does not hold at baseline or restricted, and the controls the standards do not contain.
 */
import { POD_VARIABLES, SPEC_VARIABLE, WORKLOAD_RESOURCES } from "../cel";
import { Admission, CelTwin, RuleConfig } from "../types";

const outside = (t: Omit<CelTwin, "resources" | "outsidePodSecurity">): Admission => ({
    twin: { resources: WORKLOAD_RESOURCES, outsidePodSecurity: true, ...t },
});
const hostNamespace = (id: string, field: string, what: string): Admission =>
    outside({
        variables: SPEC_VARIABLE,
        expression: `!(has(variables.spec.${field}) && variables.spec.${field})`,
        message: `[${id}] Pods must not set ${field}: true (sharing the host's ${what} namespace).`,
    });
const pss = (level: "baseline" | "restricted", what: string): Admission => ({
    none: {
        kind: "pod-security",
        reason:
            `Pod Security admission at ${level} (a SecureNamespace enforces restricted by default; NS-03 ` +
            `requires at least baseline) refuses ${what}.`,
    },
});
/** PS-06 … PS-08 judge hostPath volumes, which PS-05's twin refuses outright outside baseline/restricted namespaces. */
const hostPathDetail = (what: string): Admission => ({
    none: {
        kind: "pod-security",
        reason:
            `Pod Security admission at baseline refuses every hostPath volume, so ${what} never reaches ` +
            `a baseline or restricted namespace; elsewhere the twin of PS-05 refuses every hostPath ` +
            `volume, a stricter test than this one.`,
    },
});

/** Controls the Pod Security Standards do not contain: twins in every namespace. */
const everywhere = (t: Omit<CelTwin, "resources">): Admission => ({ twin: { resources: WORKLOAD_RESOURCES, ...t } });
const podSc = (f: string) => `(has(variables.spec.securityContext) && has(variables.spec.securityContext.${f}))`;
const ownSc = (f: string) => `(has(c.securityContext) && has(c.securityContext.${f}))`;
/** The container's setting, else the pod's (rules/define.ts `effective`), else 0. */
const effectiveId = (f: string) =>
    `(${ownSc(f)} ? c.securityContext.${f} : ${podSc(f)} ? variables.spec.securityContext.${f} : 0)`;
const minimumId = (cfg: RuleConfig) => Number(cfg.minimumId);
/** The annotations of the pod (a Pod's own, a template's), for the legacy AppArmor annotation. */
const POD_ANNOTATIONS = {
    name: "podAnnotations",
    expression:
        "object.kind == 'Pod' ? (has(object.metadata.annotations) ? object.metadata.annotations : {})" +
        (" : object.kind == 'PodTemplate' ? (has(object.template.metadata) && " +
            "has(object.template.metadata.annotations) ? object.template.metadata.annotations : {})") +
        (" : object.kind == 'CronJob' ? (has(object.spec.jobTemplate.spec.template.metadata) && " +
            "has(object.spec.jobTemplate.spec.template.metadata.annotations) ? " +
            "object.spec.jobTemplate.spec.template.metadata.annotations : {})") +
        (" : (has(object.spec.template.metadata) && has(object.spec.template.metadata.annotations) ? " +
            "object.spec.template.metadata.annotations : {})"),
};

export const POD_ADMISSION: Record<string, Admission> = {
    "PS-01": outside({
        variables: POD_VARIABLES,
        expression:
            "variables.containers.all(c, !(has(c.securityContext) && " +
            "has(c.securityContext.privileged) && c.securityContext.privileged))",
        message: "[PS-01] Containers must not run privileged.",
    }),
    "PS-02": hostNamespace("PS-02", "hostPID", "process ID"),
    "PS-03": hostNamespace("PS-03", "hostIPC", "IPC"),
    "PS-04": hostNamespace("PS-04", "hostNetwork", "network"),
    "PS-05": outside({
        variables: SPEC_VARIABLE,
        expression: "!has(variables.spec.volumes) || variables.spec.volumes.all(v, !has(v.hostPath))",
        message: "[PS-05] Pods must not mount hostPath volumes.",
    }),
    "PS-06": hostPathDetail("a sensitive host directory"),
    "PS-07": hostPathDetail("a container runtime socket"),
    "PS-08": hostPathDetail("a writable host path"),
    "PS-09": outside({
        variables: POD_VARIABLES,
        expression: "variables.containers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))",
        message: "[PS-09] Containers must not declare host ports.",
    }),
    "PS-10": outside({
        variables: POD_VARIABLES,
        expression:
            "!(has(variables.spec.securityContext) && has(variables.spec.securityContext.windowsOptio" +
            "ns) && has(variables.spec.securityContext.windowsOptions.hostProcess) && " +
            "variables.spec.securityContext.windowsOptions.hostProcess)" +
            (" && variables.containers.all(c, !(has(c.securityContext) && " +
                "has(c.securityContext.windowsOptions) && has(c.securityContext.windowsOptions.hostProces" +
                "s) && c.securityContext.windowsOptions.hostProcess))"),
        message: "[PS-10] Windows HostProcess containers must not be used.",
    }),
    "PS-11": pss(
        "baseline",
        "probes and lifecycle handlers that set a host (the Host Probes / Lifecycle Hooks check of Kubernetes 1.34)",
    ),
    "PS-12": pss("baseline", "added capabilities outside its allow-list, the rule's default list"),
    "PS-13": pss(
        "baseline",
        "every added capability outside the baseline allow-list, which holds none of the dangerous ones",
    ),
    "PS-14": pss(
        "restricted",
        "containers that do not drop ALL capabilities, which drops NET_RAW; at baseline NET_RAW " +
            "stays allowed, so the control is enforced in the cluster only in restricted namespaces",
    ),
    "PS-15": pss("restricted", "containers that do not drop ALL capabilities"),
    "PS-16": pss("restricted", "added capabilities other than NET_BIND_SERVICE"),
    "PS-17": pss("restricted", "containers that do not set allowPrivilegeEscalation: false"),
    "PS-18": pss("restricted", "pods whose containers may run as root (runAsNonRoot not true)"),
    "PS-19": pss("restricted", "runAsUser: 0 on the pod or a container"),
    "PS-20": everywhere({
        variables: POD_VARIABLES,
        expression:
            `!(${podSc("runAsGroup")} && variables.spec.securityContext.runAsGroup == 0) && ` +
            `!(${podSc("fsGroup")} && variables.spec.securityContext.fsGroup == 0)` +
            ` && !(${podSc("supplementalGroups")} && 0 in variables.spec.securityContext.supplementalGroups)` +
            ` && variables.containers.all(c, !(${ownSc("runAsGroup")} && c.securityContext.runAsGroup == 0))`,
        message:
            "[PS-20] Neither the pod nor any container may run with group 0 (runAsGroup, fsGroup, supplementalGroups).",
    }),
    "PS-21": everywhere({
        variables: POD_VARIABLES,
        expression: cfg => {
            const low = (f: string) => `!(${effectiveId(f)} > 0 && ${effectiveId(f)} < ${minimumId(cfg)})`;
            return `variables.containers.all(c, ${["runAsUser", "runAsGroup"].map(low).join(" && ")})`;
        },
        message: cfg => `[PS-21] Containers should run with runAsUser and runAsGroup of at least ${minimumId(cfg)}.`,
    }),
    "PS-22": everywhere({
        variables: POD_VARIABLES,
        expression:
            `variables.containers.all(c, ${ownSc("readOnlyRootFilesystem")} && ` +
            `c.securityContext.readOnlyRootFilesystem)`,
        message: "[PS-22] Containers should set securityContext.readOnlyRootFilesystem: true.",
    }),
    "PS-23": pss("baseline", "seccomp profile Unconfined on the pod or a container"),
    "PS-24": pss("restricted", "containers without a RuntimeDefault or Localhost seccomp profile"),
    "PS-25": pss("baseline", "AppArmor profiles other than RuntimeDefault or Localhost, by field or annotation"),
    "PS-26": pss("baseline", "custom SELinux users and roles and types other than the container types"),
    "PS-27": pss("baseline", "a procMount other than Default"),
    "PS-28": pss("baseline", "sysctls outside the safe set (the rule's default list)"),
    "PS-29": pss("restricted", "volume types outside the restricted list"),
    "PS-30": everywhere({
        variables: [...POD_VARIABLES, POD_ANNOTATIONS],
        expression:
            "variables.containers.all(c, " +
            ["seccompProfile", "appArmorProfile", "seLinuxOptions"]
                .map(f => `${ownSc(f)} || ${podSc(f)}`)
                .join(" || ") +
            (" || (has(c.securityContext) && has(c.securityContext.capabilities) && " +
                "has(c.securityContext.capabilities.drop) && size(c.securityContext.capabilities.drop) > " +
                "0)") +
            " || ('container.apparmor.security.beta.kubernetes.io/' + c.name) in variables.podAnnotations)",
        message: "[PS-30] Every container should have a seccomp, AppArmor, SELinux or capability-drop setting.",
    }),
    "PS-31": everywhere({
        variables: POD_VARIABLES,
        expression:
            "variables.containers.all(c, !has(c.ports) || c.ports.all(p, !(p.containerPort > 0 && " +
            "p.containerPort < 1024) && !(has(p.hostPort) && p.hostPort > 0 && p.hostPort < 1024)))",
        message: "[PS-31] Containers should not use ports below 1024.",
    }),
};
