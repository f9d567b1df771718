/** Pinned charts and hardened Helm values for the runtime-security add-ons (pure, tested without mocks). */

export const FALCO_CHART = {
    chart: "falco",
    version: "6.2.5",
    repo: "https://falcosecurity.github.io/charts",
} as const;
export const TRIVY_CHART = {
    chart: "trivy-operator",
    version: "0.31.0",
    repo: "https://aquasecurity.github.io/helm-charts/",
} as const;

/** Falco rules the platform needs on top of the default ruleset. */
export const PLATFORM_RULES = (
    `
- macro: hc_container
  condition: (container.id != host and container.id exists)

- rule: Shell spawned in a container (hardened-cluster)
  desc: An interactive or scripted shell started inside a container; workloads of the platform never need one.
  condition: spawned_process and hc_container and proc.name in (sh, bash, zsh, ash, dash, ksh, fish)
  output: "Shell in container (user=%user.name ns=%k8s.ns.name pod=%k8s.pod.name container=%container.name ` +
    `cmdline=%proc.cmdline)"
  priority: WARNING
  tags: [container, shell, mitre_execution, hardened_cluster]

- rule: Sensitive host path mounted (hardened-cluster)
  desc: A container started with a sensitive host directory or the container runtime socket mounted.
  condition: container_started and hc_container and (container.mount.dest[/var/run/docker.sock] != "" or ` +
    `container.mount.dest[/run/containerd/containerd.sock] != "" or container.mount.dest[/host/etc] ` +
    `!= "" or container.mount.dest[/etc/kubernetes] != "")
  output: "Sensitive mount (ns=%k8s.ns.name pod=%k8s.pod.name container=%container.name ` +
    `image=%container.image.repository)"
  priority: CRITICAL
  tags: [container, mount, mitre_privilege_escalation, hardened_cluster]

- rule: Write below /etc in a container (hardened-cluster)
  desc: A process wrote below /etc inside a container; immutable workloads never do.
  condition: open_write and hc_container and fd.name startswith /etc/
  output: "Write below /etc (file=%fd.name ns=%k8s.ns.name pod=%k8s.pod.name cmdline=%proc.cmdline)"
  priority: ERROR
  tags: [container, filesystem, mitre_persistence, hardened_cluster]

- rule: Read of service-account token or sensitive file (hardened-cluster)
  desc: A process read a Kubernetes service-account token, /etc/shadow or SSH keys inside a container.
  condition: open_read and hc_container and (fd.name startswith /var/run/secrets/kubernetes.io/serviceaccount or ` +
    `fd.name = /etc/shadow or fd.name pmatch (/root/.ssh)) and not proc.name in (falco, trivy, node-` +
    `collector)
  output: "Sensitive file read (file=%fd.name ns=%k8s.ns.name pod=%k8s.pod.name cmdline=%proc.cmdline)"
  priority: WARNING
  tags: [container, credentials, mitre_credential_access, hardened_cluster]
`
).trimStart();

/** Falco: modern eBPF driver (no kernel module), JSON output, the platform rules, no chart-made namespace. */
/** Prometheus scraping of an add-on's metrics through a ServiceMonitor (Prometheus Operator). */
export interface AddonMetrics {
    /** Labels the Prometheus `serviceMonitorSelector` matches. */
    readonly serviceMonitorLabels: Record<string, string>;
}

/** Falco's metrics port (the chart's `metrics.service` default). */
export const FALCO_METRICS_PORT = 8765;
/** Trivy-operator's metrics port (the chart's `service.metricsPort` default). */
export const TRIVY_METRICS_PORT = 8080;

export function falcoValues(opts: { extraRules?: string; metrics?: AddonMetrics } = {}): Record<string, unknown> {
    return {
        // Per-rule match counters (falcosecurity_falco_rules_matches_total) for the security alerts.
        ...(opts.metrics
            ? {
                  metrics: { enabled: true, rulesCountersEnabled: true, service: { create: true } },
                  serviceMonitor: { create: true, labels: { ...opts.metrics.serviceMonitorLabels } },
              }
            : {}),
        driver: { kind: "modern_ebpf" },
        tty: false,
        falco: { json_output: true, json_include_output_property: true, log_syslog: false, priority: "notice" },
        customRules: {
            "hardened-cluster-rules.yaml": PLATFORM_RULES + (opts.extraRules ? `\n${opts.extraRules}` : ""),
        },
        falcosidekick: { enabled: false },
        collectors: { enabled: true },
        resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1024Mi" } },
    };
}

/** Trivy-operator: vulnerability scans reporting HIGH and CRITICAL, CIS compliance reports on. */
export function trivyValues(
    opts: { severities?: string[]; excludeNamespaces?: string[]; metrics?: AddonMetrics } = {},
): Record<string, unknown> {
    return {
        // trivy_image_vulnerabilities for the security alerts.
        ...(opts.metrics
            ? { serviceMonitor: { enabled: true, labels: { ...opts.metrics.serviceMonitorLabels } } }
            : {}),
        trivy: { severity: (opts.severities ?? ["HIGH", "CRITICAL"]).join(","), ignoreUnfixed: false },
        operator: {
            vulnerabilityScannerEnabled: true,
            configAuditScannerEnabled: true,
            rbacAssessmentScannerEnabled: true,
            infraAssessmentScannerEnabled: true,
            clusterComplianceEnabled: true,
            exposedSecretScannerEnabled: true,
            scannerReportTTL: "24h",
        },
        compliance: {
            cron: "0 */6 * * *",
            reportType: "summary",
            specs: ["k8s-cis-1.23", "k8s-nsa-1.0", "k8s-pss-restricted-0.1"],
        },
        excludeNamespaces: (opts.excludeNamespaces ?? ["kube-system"]).join(","),
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    };
}
