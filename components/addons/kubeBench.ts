/**
 * CIS benchmark runs: kube-bench as a CronJob in a namespace of its own. It reads the node's
 * configuration files and process list, so it needs the host PID namespace and read-only host
 * paths — and nothing else: no API access (its ServiceAccount has no Role and no token), no
 * network (default-deny with no egress at all), no writable host path, no privileged mode.
 * Results are the JSON in each run's log; the CronJob keeps a bounded history of runs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { SecureNamespace } from "../secureNamespace";
import { checkKnownKeys, checkLabels, checkOneOf, checkSingleLine, checkStringList, ConfigError } from "../validate";
import { KUBE_BENCH_NS } from "../../rules/vocabulary";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects as plain JSON
type Obj = Record<string, any>;

const KUBE_BENCH_IMAGE = "docker.io/aquasec/kube-bench:v0.15.6";
const KUBE_BENCH_TARGETS = ["master", "controlplane", "node", "etcd", "policies"] as const;
export type KubeBenchTarget = (typeof KUBE_BENCH_TARGETS)[number];

export interface KubeBenchArgs {
    /** Cron schedule. Default `17 3 * * *` (daily, off the hour). */
    readonly schedule?: string;
    /**
     * Benchmark targets. Default `["node"]`; control-plane targets need `nodeSelector`/`tolerations` for those nodes.
     */
    readonly targets?: KubeBenchTarget[];
    /** Runs kept (successful and failed each), so results are a bounded history. Default 5, at most 30. */
    readonly historyLimit?: number;
    /** Image; pin a digest from your registry mirror. Default `docker.io/aquasec/kube-bench:v0.15.6`. */
    readonly image?: string;
    /** Node selector of the runs. Default: none (any worker). */
    readonly nodeSelector?: Record<string, string>;
    /** Tolerations of the runs, e.g. for control-plane nodes. Default: none. */
    readonly tolerations?: Obj[];
}

/** Host directories kube-bench inspects, each mounted read-only. */
export const KUBE_BENCH_HOST_PATHS: ReadonlyArray<[string, string]> = [
    ["var-lib-kubelet", "/var/lib/kubelet"],
    ["var-lib-etcd", "/var/lib/etcd"],
    ["etc-kubernetes", "/etc/kubernetes"],
    ["etc-systemd", "/etc/systemd"],
    ["lib-systemd", "/lib/systemd"],
    ["etc-cni-netd", "/etc/cni/net.d"],
    // kube-bench looks up binaries (kubelet --version) under this mount point.
    ["usr-bin", "/usr/bin"],
];

const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

export function validateKubeBenchArgs(a: KubeBenchArgs, key: string): void {
    checkKnownKeys(key, a, ["schedule", "targets", "historyLimit", "image", "nodeSelector", "tolerations", "enabled"]);
    checkSingleLine(`${key}.schedule`, a.schedule);
    checkSingleLine(`${key}.image`, a.image);
    if (
        a.schedule !== undefined &&
        (typeof a.schedule !== "string" ||
            a.schedule.trim().split(/\s+/).length !== 5 ||
            !a.schedule
                .trim()
                .split(/\s+/)
                .every(f => CRON_FIELD.test(f)))
    ) {
        throw new ConfigError(
            `${key}.schedule`,
            `'${String(a.schedule)}' must be a five-field cron schedule such as '17 3 * * *'`,
        );
    }
    if (a.targets !== undefined) {
        checkStringList(`${key}.targets`, a.targets, { nonEmpty: true });
        a.targets.forEach((t, i) => checkOneOf(`${key}.targets[${i}]`, t, KUBE_BENCH_TARGETS));
    }
    if (
        a.historyLimit !== undefined &&
        (!Number.isInteger(a.historyLimit) || a.historyLimit < 1 || a.historyLimit > 30)
    ) {
        throw new ConfigError(`${key}.historyLimit`, `'${String(a.historyLimit)}' must be a whole number from 1 to 30`);
    }
    if (
        a.image !== undefined &&
        (typeof a.image !== "string" ||
            !/^[^\s:@]+(:[\w][\w.-]*)?(@sha256:[a-f0-9]{64})?$/.test(a.image) ||
            !/[:@]/.test(a.image) ||
            a.image.endsWith(":latest"))
    ) {
        throw new ConfigError(`${key}.image`, `'${String(a.image)}' must name a tag other than latest or a digest`);
    }
    checkLabels(`${key}.nodeSelector`, a.nodeSelector);
    if (
        a.tolerations !== undefined &&
        (!Array.isArray(a.tolerations) || a.tolerations.some(t => t === null || typeof t !== "object"))
    ) {
        throw new ConfigError(`${key}.tolerations`, "must be a list of toleration objects");
    }
}

/** The CronJob spec: host PID and read-only host paths only, as root without any capability. */
export function kubeBenchCronJobSpec(
    a: KubeBenchArgs,
    serviceAccountName: string,
): k8s.types.input.batch.v1.CronJobSpec & Obj {
    const history = a.historyLimit ?? 5;
    const targets = a.targets ?? ["node"];
    return {
        schedule: a.schedule ?? "17 3 * * *",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: history,
        failedJobsHistoryLimit: history,
        jobTemplate: {
            spec: {
                backoffLimit: 0,
                activeDeadlineSeconds: 1800,
                template: {
                    metadata: { labels: { "app.kubernetes.io/name": "kube-bench" } },
                    spec: {
                        serviceAccountName,
                        automountServiceAccountToken: false,
                        // The benchmark reads the command lines of kubelet and the control-plane processes.
                        hostPID: true,
                        restartPolicy: "Never",
                        ...(a.nodeSelector ? { nodeSelector: { ...a.nodeSelector } } : {}),
                        ...(a.tolerations ? { tolerations: a.tolerations.map(t => ({ ...t })) } : {}),
                        securityContext: { seccompProfile: { type: "RuntimeDefault" } },
                        containers: [
                            {
                                name: "kube-bench",
                                image: a.image ?? KUBE_BENCH_IMAGE,
                                imagePullPolicy: "Always",
                                command: ["kube-bench", "run", "--targets", targets.join(","), "--json"],
                                // Root, to read root-only files (e.g. /var/lib/etcd), but with no capability at all.
                                securityContext: {
                                    runAsUser: 0,
                                    runAsNonRoot: false,
                                    privileged: false,
                                    allowPrivilegeEscalation: false,
                                    readOnlyRootFilesystem: true,
                                    capabilities: { drop: ["ALL"] },
                                },
                                resources: {
                                    requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "64Mi" },
                                    limits: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "128Mi" },
                                },
                                volumeMounts: [
                                    ...KUBE_BENCH_HOST_PATHS.map(([name, path]) => ({
                                        name,
                                        mountPath: name === "usr-bin" ? "/usr/local/mount-from-host/bin" : path,
                                        readOnly: true,
                                    })),
                                    { name: "tmp", mountPath: "/tmp" },
                                ],
                            },
                        ],
                        volumes: [
                            ...KUBE_BENCH_HOST_PATHS.map(([name, path]) => ({ name, hostPath: { path, type: "" } })),
                            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                        ],
                    },
                },
            },
        },
    };
}

export class KubeBench extends pulumi.ComponentResource {
    public readonly namespace: SecureNamespace;
    public readonly serviceAccount: k8s.core.v1.ServiceAccount;
    public readonly cronJob: k8s.batch.v1.CronJob;

    constructor(name: string, args: KubeBenchArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
        super("hardened:addons:KubeBench", name, {}, opts);
        validateKubeBenchArgs(args, name);
        const provider = opts.provider ? { provider: opts.provider } : {};
        this.namespace = new SecureNamespace(
            `${name}-ns`,
            {
                namespaceName: KUBE_BENCH_NS,
                // Host PID and host paths need `privileged` enforce; audit and warn stay restricted so the exception is
                // recorded.
                podSecurity: { enforce: "privileged", audit: "restricted", warn: "restricted" },
                quota: { pods: 5, requestsCpu: "1", requestsMemory: "1Gi", limitsCpu: "2", limitsMemory: "2Gi" },
                // No network at all: not even DNS.
                network: { allowDns: false },
            },
            { parent: this, ...provider },
        );
        const child = { parent: this, dependsOn: [this.namespace], ...provider };
        // The ServiceAccount has no Role and no token: kube-bench never talks to the API.
        this.serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            {
                metadata: { name: "kube-bench", namespace: this.namespace.namespaceName },
                automountServiceAccountToken: false,
            },
            child,
        );
        this.cronJob = new k8s.batch.v1.CronJob(
            name,
            {
                metadata: {
                    name: "kube-bench",
                    namespace: this.namespace.namespaceName,
                    labels: { "app.kubernetes.io/name": "kube-bench" },
                },
                spec: kubeBenchCronJobSpec(args, "kube-bench"),
            },
            child,
        );
        this.registerOutputs({ namespace: this.namespace.namespaceName });
    }
}
