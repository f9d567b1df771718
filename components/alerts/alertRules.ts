/**
 * Security alert rules: the `spec` of a `monitoring.coreos.com/v1` PrometheusRule for the signals the
 * baseline produces — Falco runtime detections, Trivy-operator vulnerability reports, Pod Security
 * admission denials, RBAC changes and failed authentication/authorization at the API server.
 * Pure: no Pulumi; every expression is checked by the real PromQL parser in the tests.
 */
import { checkKnownKeys, checkOneOf, ConfigError } from "../validate";

const ALERT_SEVERITIES = ["critical", "warning", "info"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Falco priorities, most severe first; Falco exports a rule's priority as its index here ("0" is Emergency). */
const FALCO_PRIORITIES = [
    "Emergency",
    "Alert",
    "Critical",
    "Error",
    "Warning",
    "Notice",
    "Informational",
    "Debug",
] as const;
export type FalcoPriority = (typeof FALCO_PRIORITIES)[number];

export interface AlertOptions {
    /** Set `false` to leave this alert out. Default: true. */
    readonly enabled?: boolean;
    /** The `severity` label Alertmanager routes on. */
    readonly severity?: AlertSeverity;
    /** How long the condition must hold before the alert fires (`for`), a Prometheus duration such as `0s`, `5m`. */
    readonly for?: string;
}

/** An alert on the number of events counted over a window. */
export interface EventAlertOptions extends AlertOptions {
    /** The window events are counted over, a Prometheus duration such as `5m`. */
    readonly window?: string;
    /** The alert fires when more than this many events happen in the window. */
    readonly threshold?: number;
}

export interface SecurityAlertRulesOptions {
    /**
     * Falco rule matches at `minPriority` or worse (`falcosecurity_falco_rules_matches_total`; needs Falco's
     * Prometheus metrics with `rules_counters_enabled`). Default: any match of a Critical, Alert or Emergency
     * rule in 5m, severity critical, fires at once — these rules mean a likely compromise.
     */
    readonly falco?: EventAlertOptions & { readonly minPriority?: FalcoPriority };
    /**
     * Images with Critical vulnerabilities (`trivy_image_vulnerabilities`, from Trivy-operator's reports).
     * `threshold` is the number of Critical vulnerabilities an image may have. Default: 0, for 15m, warning.
     */
    readonly vulnerabilities?: AlertOptions & { readonly threshold?: number };
    /**
     * Pods denied by Pod Security admission in enforce mode (`pod_security_evaluations_total`). Default: any in 10m,
     * warning.
     */
    readonly podSecurityDenials?: EventAlertOptions;
    /**
     * Successful writes to `rbac.authorization.k8s.io` objects (`apiserver_request_total`). Default: more than 20 in
     * 10m, warning.
     */
    readonly rbacChanges?: EventAlertOptions;
    /**
     * Requests answered 401 by the authentication filter (`authentication_attempts`). Default: more than 50 in 5m,
     * warning.
     */
    readonly unauthorized?: EventAlertOptions;
    /**
     * Requests answered 403 by the authorization filter (`authorization_attempts_total`). Default: more than 50 in 5m,
     * warning.
     */
    readonly forbidden?: EventAlertOptions;
    /**
     * The scrape `job` of kube-apiserver, which the API-server expressions select. Default: `apiserver`
     * (kube-prometheus-stack).
     */
    readonly apiServerJob?: string;
    /** When set, every alert gets `runbook_url: <runbookBaseUrl>#<alert name in lower case>`. Default: none. */
    readonly runbookBaseUrl?: string;
}

export interface PrometheusAlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

export interface PrometheusRuleSpec {
    groups: { name: string; rules: PrometheusAlertRule[] }[];
}

export const SECURITY_ALERTS_GROUP = "hardened-cluster.security";

const EVENT_ALERTS = ["falco", "podSecurityDenials", "rbacChanges", "unauthorized", "forbidden"] as const;

interface ResolvedAlert {
    enabled: boolean;
    severity: AlertSeverity;
    for: string;
}
interface ResolvedEventAlert extends ResolvedAlert {
    window: string;
    threshold: number;
}

const SECURITY_ALERT_DEFAULTS: {
    falco: ResolvedEventAlert & { minPriority: FalcoPriority };
    vulnerabilities: ResolvedAlert & { threshold: number };
    podSecurityDenials: ResolvedEventAlert;
    rbacChanges: ResolvedEventAlert;
    unauthorized: ResolvedEventAlert;
    forbidden: ResolvedEventAlert;
    apiServerJob: string;
} = {
    falco: { enabled: true, severity: "critical", for: "0s", window: "5m", threshold: 0, minPriority: "Critical" },
    vulnerabilities: { enabled: true, severity: "warning", for: "15m", threshold: 0 },
    podSecurityDenials: { enabled: true, severity: "warning", for: "0s", window: "10m", threshold: 0 },
    rbacChanges: { enabled: true, severity: "warning", for: "0s", window: "10m", threshold: 20 },
    unauthorized: { enabled: true, severity: "warning", for: "0s", window: "5m", threshold: 50 },
    forbidden: { enabled: true, severity: "warning", for: "0s", window: "5m", threshold: 50 },
    apiServerJob: "apiserver",
};

/** Defaults overridden by the fields the caller set (an explicit `undefined` keeps the default). */
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
    const set = Object.entries(given ?? {}).filter(([, v]) => v !== undefined);
    return { ...defaults, ...Object.fromEntries(set) };
}

const ALERT_KEYS = ["enabled", "severity", "for"];
const DURATION = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

function checkDuration(key: string, value: unknown, opts: { positive: boolean }): void {
    const ok = typeof value === "string" && value !== "" && DURATION.test(value);
    if (!ok) throw new ConfigError(key, `'${String(value)}' is not a Prometheus duration such as 30s, 5m or 1h`);
    if (opts.positive && !/[1-9]/.test(value)) throw new ConfigError(key, "must be longer than zero");
}

function checkThreshold(key: string, value: unknown): void {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new ConfigError(key, `'${String(value)}' is not allowed; use a number, 0 or more`);
    }
}

function checkAlert(key: string, o: AlertOptions | undefined, extra: string[]): void {
    checkKnownKeys(key, o, [...ALERT_KEYS, ...extra]);
    if (o === undefined) return;
    if (o.enabled !== undefined && typeof o.enabled !== "boolean")
        throw new ConfigError(`${key}.enabled`, "must be true or false");
    if (o.severity !== undefined) checkOneOf(`${key}.severity`, o.severity, ALERT_SEVERITIES);
    if (o.for !== undefined) checkDuration(`${key}.for`, o.for, { positive: false });
}

export function validateSecurityAlertOptions(o: SecurityAlertRulesOptions, keyPrefix: string): void {
    checkKnownKeys(keyPrefix, o, [...EVENT_ALERTS, "vulnerabilities", "apiServerJob", "runbookBaseUrl"]);
    for (const name of EVENT_ALERTS) {
        const a: (EventAlertOptions & { minPriority?: unknown }) | undefined = o[name];
        checkAlert(
            `${keyPrefix}.${name}`,
            a,
            name === "falco" ? ["window", "threshold", "minPriority"] : ["window", "threshold"],
        );
        if (a?.window !== undefined) checkDuration(`${keyPrefix}.${name}.window`, a.window, { positive: true });
        if (a?.threshold !== undefined) checkThreshold(`${keyPrefix}.${name}.threshold`, a.threshold);
        if (a?.minPriority !== undefined)
            checkOneOf(`${keyPrefix}.${name}.minPriority`, a.minPriority, FALCO_PRIORITIES);
    }
    checkAlert(`${keyPrefix}.vulnerabilities`, o.vulnerabilities, ["threshold"]);
    if (o.vulnerabilities?.threshold !== undefined)
        checkThreshold(`${keyPrefix}.vulnerabilities.threshold`, o.vulnerabilities.threshold);
    if (o.apiServerJob !== undefined && (typeof o.apiServerJob !== "string" || !/^[\w.:/-]+$/.test(o.apiServerJob))) {
        throw new ConfigError(
            `${keyPrefix}.apiServerJob`,
            `'${String(o.apiServerJob)}' is not a scrape job name (letters, digits, _ . : / -)`,
        );
    }
    if (
        o.runbookBaseUrl !== undefined &&
        (typeof o.runbookBaseUrl !== "string" || !/^https:\/\/[^\s#]+$/.test(o.runbookBaseUrl))
    ) {
        throw new ConfigError(
            `${keyPrefix}.runbookBaseUrl`,
            `'${String(o.runbookBaseUrl)}' is not an https URL without a fragment`,
        );
    }
    const anyOn = [...EVENT_ALERTS, "vulnerabilities" as const].some(n => o[n]?.enabled !== false);
    if (!anyOn) throw new ConfigError(keyPrefix, "every alert is disabled; turn security alerting off instead");
}

/**
 * Events counted over `window`. `increase()` alone misses the events of a counter series that first
 * appears inside the window — and Falco exports a rule's counter only after its first match, Pod
 * Security creates a deny series on the first denial, a recreated pod scrapes as a new series — so the
 * whole value of such a series is counted. Only when Prometheus already scraped the same job before
 * the window (`up offset`): on a fresh Prometheus every series looks new, and old totals must not fire.
 * `or` matches label sets ignoring the metric name, so a series is never counted twice.
 */
function eventsIn(selector: string, window: string): string {
    return (
        `((${selector} unless ${selector} offset ${window}) and on (job) (up offset ${window})) or ` +
        `increase(${selector}[${window}])`
    );
}

/** Build the PrometheusRule spec; throws a ConfigError naming the key (under `keyPrefix`) on bad options. */
export function securityAlertRules(
    opts: SecurityAlertRulesOptions = {},
    keyPrefix = "securityAlerts",
): PrometheusRuleSpec {
    validateSecurityAlertOptions(opts, keyPrefix);
    const d = SECURITY_ALERT_DEFAULTS;
    const job = `job="${opts.apiServerJob ?? d.apiServerJob}"`;
    const rules: PrometheusAlertRule[] = [];
    const add = (
        name: string,
        o: { enabled: boolean; severity: AlertSeverity; for: string },
        expr: string,
        summary: string,
        description: string,
    ) => {
        if (!o.enabled) return;
        const annotations: Record<string, string> = { summary, description };
        if (opts.runbookBaseUrl) annotations.runbook_url = `${opts.runbookBaseUrl}#${name.toLowerCase()}`;
        rules.push({
            alert: name,
            expr,
            for: o.for,
            labels: { severity: o.severity, category: "security" },
            annotations,
        });
    };

    const falco = withDefaults(d.falco, opts.falco);
    const worst = FALCO_PRIORITIES.indexOf(falco.minPriority);
    const falcoSel = `falcosecurity_falco_rules_matches_total{priority=~"${FALCO_PRIORITIES.slice(0, worst + 1)
        .map((_, i) => i)
        .join("|")}"}`;
    add(
        "FalcoCriticalEvent",
        falco,
        `sum by (rule_name, priority, instance) (${eventsIn(falcoSel, falco.window)}) > ${falco.threshold}`,
        "Falco detected {{ $labels.rule_name }}",
        `Falco rule "{{ $labels.rule_name }}" (priority ${falco.minPriority} or worse) matched {{ ` +
            `$value }} times in ${falco.window} on {{ $labels.instance }}. Read the Falco event output ` +
            `for the process, container and pod.`,
    );

    const vulns = withDefaults(d.vulnerabilities, opts.vulnerabilities);
    add(
        "ImageCriticalVulnerabilities",
        vulns,
        `max by (namespace, resource_kind, resource_name, image_registry, image_repository, ` +
            `image_tag) (trivy_image_vulnerabilities{severity="Critical"}) > ${vulns.threshold}`,
        "{{ $labels.image_repository }}:{{ $labels.image_tag }} has Critical vulnerabilities",
        "Trivy-operator found {{ $value }} Critical vulnerabilities in {{ $labels.image_registry }}/" +
            "{{ $labels.image_repository }}:{{ $labels.image_tag }} used by {{ $labels.resource_kind }} " +
            "{{ $labels.namespace }}/{{ $labels.resource_name }}. Rebuild or update the image; see its " +
            "VulnerabilityReport.",
    );

    const pss = withDefaults(d.podSecurityDenials, opts.podSecurityDenials);
    add(
        "PodSecurityAdmissionDenials",
        pss,
        `sum by (policy_level, request_operation, resource) ` +
            `(` +
            `${eventsIn(`pod_security_evaluations_total{${job},decision="deny",mode="enforce"}`, pss.window)}` +
            `) > ${pss.threshold}`,
        "Pod Security admission denied {{ $labels.resource }} {{ $labels.request_operation }} requests",
        `The API server denied {{ $value }} {{ $labels.resource }} {{ $labels.request_operation }} ` +
            `requests in ${pss.window} for violating the Pod Security "{{ $labels.policy_level }}" ` +
            `level. A workload or its controller is trying to run pods its namespace forbids.`,
    );

    // apiserver_request_total counts requests that reached a handler, so writes (POST, PUT, PATCH, APPLY,
    // DELETE, DELETECOLLECTION), 2xx, not dry-run, are the RBAC objects actually changed.
    const rbac = withDefaults(d.rbacChanges, opts.rbacChanges);
    const rbacSel =
        `apiserver_request_total{${job},group="rbac.authorization.k8s.io",` +
        `verb=~"POST|PUT|PATCH|APPLY|DELETE|DELETECOLLECTION",code=~"2..",dry_run=""}`;
    add(
        "RbacChangeBurst",
        rbac,
        `sum(${eventsIn(rbacSel, rbac.window)}) > ${rbac.threshold}`,
        "Burst of RBAC changes",
        `{{ $value }} Roles, ClusterRoles or bindings were created, changed or deleted in ` +
            `${rbac.window} (threshold ${rbac.threshold}). Check the audit log for who made them, unless ` +
            `a deployment is under way.`,
    );

    // 401 and 403 from the authentication and authorization filters never reach the handlers that count
    // apiserver_request_total, so the filters' own counters are used.
    const unauth = withDefaults(d.unauthorized, opts.unauthorized);
    add(
        "ApiServerUnauthorizedBurst",
        unauth,
        `sum(${eventsIn(`authentication_attempts{${job},result=~"failure|error"}`, unauth.window)}) ` +
            `> ${unauth.threshold}`,
        "Burst of unauthenticated (401) API requests",
        `{{ $value }} API requests failed authentication in ${unauth.window} (threshold ` +
            `${unauth.threshold}): expired or stolen credentials, or someone probing the API server.`,
    );

    const forbidden = withDefaults(d.forbidden, opts.forbidden);
    add(
        "ApiServerForbiddenBurst",
        forbidden,
        `sum(` +
            `${eventsIn(`authorization_attempts_total{${job},result=~"denied|no-opinion"}`, forbidden.window)}` +
            `) > ${forbidden.threshold}`,
        "Burst of forbidden (403) API requests",
        `{{ $value }} API requests were refused by authorization in ${forbidden.window} (threshold ` +
            `${forbidden.threshold}): an identity is trying what it may not, e.g. enumerating ` +
            `permissions with a stolen token.`,
    );

    return { groups: [{ name: SECURITY_ALERTS_GROUP, rules }] };
}
