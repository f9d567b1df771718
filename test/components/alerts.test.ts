import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as path from "path";
import { SecurityAlerts, validateSecurityAlertsArgs } from "../../components/alerts/securityAlerts";
import {
    PrometheusRuleSpec,
    SECURITY_ALERTS_GROUP,
    securityAlertRules,
    SecurityAlertRulesOptions,
} from "../../components/alerts/alertRules";
import { setupMocks, urnOf, valueOf } from "../support/mocks";

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read the mocks' recorded inputs as JSON */
const REPO = path.resolve(__dirname, "../..");
const ALERTS = [
    "FalcoCriticalEvent",
    "ImageCriticalVulnerabilities",
    "PodSecurityAdmissionDenials",
    "RbacChangeBurst",
    "ApiServerUnauthorizedBurst",
    "ApiServerForbiddenBurst",
];

let checker = "";
/** Run promql-check (the Prometheus PromQL parser, built from its pinned Go module) on a document. */
function promqlCheck(doc: unknown): { status: number | null; out: string } {
    const r = spawnSync(checker, [], { input: JSON.stringify(doc), encoding: "utf8" });
    return { status: r.status, out: r.stdout + r.stderr };
}

const rules = (o: SecurityAlertRulesOptions = {}) => securityAlertRules(o).groups[0].rules;
const rule = (name: string, o: SecurityAlertRulesOptions = {}) => rules(o).find(r => r.alert === name)!;

const CUSTOM: SecurityAlertRulesOptions = {
    falco: { minPriority: "Warning", window: "15m", threshold: 3, for: "1m", severity: "warning" },
    vulnerabilities: { threshold: 5, for: "1h" },
    podSecurityDenials: { window: "1h", threshold: 10 },
    rbacChanges: { window: "30m", threshold: 100, severity: "critical" },
    unauthorized: { window: "2m", threshold: 0.5 },
    forbidden: { window: "1h30m", threshold: 1000 },
    apiServerJob: "kube-apiserver.prod",
    runbookBaseUrl: "https://runbooks.example.com/security",
};

describe("security alerts", () => {
    before(function () {
        this.timeout(300_000); // a cold run builds the checker from Go modules; warm it is instant
        const bin = execFileSync("bash", ["scripts/toolchain/build-promql-check.sh"], { cwd: REPO, encoding: "utf8" })
            .trim()
            .split("\n")
            .pop()!;
        checker = path.join(bin, "promql-check");
    });

    describe("PromQL, judged by the Prometheus parser", () => {
        it("every generated expression parses (defaults, custom options, as a PrometheusRule object)", () => {
            for (const spec of [securityAlertRules(), securityAlertRules(CUSTOM)]) {
                const r = promqlCheck(spec);
                assert.equal(r.status, 0, r.out);
                assert.match(r.out, new RegExp(`${spec.groups[0].rules.length} expressions parsed`));
            }
            const object = {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: "x" },
                spec: securityAlertRules(),
            };
            assert.equal(promqlCheck(object).status, 0);
        });
        it("a broken expression is rejected, naming the rule and the parser's error", () => {
            const spec: PrometheusRuleSpec = securityAlertRules();
            spec.groups[0].rules.push({
                ...spec.groups[0].rules[0],
                alert: "BrokenOnPurpose",
                expr: "sum(increase(up[5m])",
            });
            const r = promqlCheck(spec);
            assert.equal(r.status, 1);
            assert.match(r.out, /rule "BrokenOnPurpose": .*unclosed left parenthesis/);
        });
        it("a well-formed but mistyped expression is rejected too (a parser, not a pattern)", () => {
            const r = promqlCheck({
                groups: [{ name: "g", rules: [{ alert: "InstantIntoIncrease", expr: "increase(up) > 0" }] }],
            });
            assert.equal(r.status, 1);
            assert.match(r.out, /rule "InstantIntoIncrease": .*expected type range vector/);
        });
        it("an invalid `for` is rejected", () => {
            const r = promqlCheck({
                groups: [{ name: "g", rules: [{ alert: "BadFor", expr: "up == 0", for: "5 minutes" }] }],
            });
            assert.equal(r.status, 1);
            assert.match(r.out, /rule "BadFor": for:/);
        });
    });

    describe("rules", () => {
        it("one alert per signal, in one group, each with severity, summary and description", () => {
            const spec = securityAlertRules();
            assert.deepEqual(
                spec.groups.map(g => g.name),
                [SECURITY_ALERTS_GROUP],
            );
            assert.deepEqual(
                spec.groups[0].rules.map(r => r.alert),
                ALERTS,
            );
            for (const r of spec.groups[0].rules) {
                assert.ok(["critical", "warning", "info"].includes(r.labels.severity), r.alert);
                assert.equal(r.labels.category, "security");
                assert.ok(r.annotations.summary && r.annotations.description, r.alert);
                assert.match(r.for, /^\d+[smhdwy]$/);
            }
        });
        it("Falco: Critical or worse by default, on the numeric priority label Falco exports", () => {
            const f = rule("FalcoCriticalEvent");
            assert.equal(f.labels.severity, "critical");
            assert.equal(f.for, "0s");
            assert.match(
                f.expr,
                new RegExp(
                    "^sum by \\(rule_name, priority, instance\\) " +
                        '\\(.*falcosecurity_falco_rules_matches_total\\{priority=~"0\\|1\\|2"\\}.*' +
                        "\\) > 0$",
                ),
            );
            assert.match(rule("FalcoCriticalEvent", { falco: { minPriority: "Emergency" } }).expr, /\{priority=~"0"\}/);
            assert.match(
                rule("FalcoCriticalEvent", { falco: { minPriority: "Warning" } }).expr,
                /\{priority=~"0\|1\|2\|3\|4"\}/,
            );
        });
        it("counters: a series new inside the window counts whole, only if Prometheus scraped the job before", () => {
            const sel = 'falcosecurity_falco_rules_matches_total{priority=~"0|1|2"}';
            assert.ok(
                rule("FalcoCriticalEvent").expr.includes(
                    `((${sel} unless ${sel} offset 5m) and on (job) (up offset 5m)) or increase(${sel}[5m])`,
                ),
            );
        });
        it("Trivy: images with Critical vulnerabilities, per workload", () => {
            assert.equal(
                rule("ImageCriticalVulnerabilities").expr,
                "max by (namespace, resource_kind, resource_name, image_registry, image_repository, " +
                    'image_tag) (trivy_image_vulnerabilities{severity="Critical"}) > 0',
            );
        });
        it("Pod Security: enforce-mode denials from the API server", () => {
            assert.match(
                rule("PodSecurityAdmissionDenials").expr,
                /pod_security_evaluations_total\{job="apiserver",decision="deny",mode="enforce"\}/,
            );
        });
        it(
            "RBAC: successful, non-dry-run writes to rbac.authorization.k8s.io, with the verbs the API " +
                "server reports",
            () => {
                assert.match(
                    rule("RbacChangeBurst").expr,
                    new RegExp(
                        'apiserver_request_total\\{job="apiserver",' +
                            'group="rbac.authorization.k8s.io",verb=~"POST\\|PUT\\|PATCH\\|APPLY\\|DEL' +
                            'ETE\\|DELETECOLLECTION",code=~"2..",dry_run=""\\}.*\\[10m\\]\\)\\) > ' +
                            "20$",
                    ),
                );
            },
        );
        it("401 and 403: the authentication and authorization filters' counters", () => {
            assert.match(
                rule("ApiServerUnauthorizedBurst").expr,
                /authentication_attempts\{job="apiserver",result=~"failure\|error"\}.*\[5m\]\)\) > 50$/,
            );
            assert.match(
                rule("ApiServerForbiddenBurst").expr,
                /authorization_attempts_total\{job="apiserver",result=~"denied\|no-opinion"\}.*\[5m\]\)\) > 50$/,
            );
        });
        it("options override windows, thresholds, for, severity and the API server job; runbook links", () => {
            const r = (n: string) => rule(n, CUSTOM);
            assert.match(r("FalcoCriticalEvent").expr, /offset 15m.*\[15m\]\)\) > 3$/);
            assert.equal(r("FalcoCriticalEvent").for, "1m");
            assert.equal(r("FalcoCriticalEvent").labels.severity, "warning");
            assert.match(r("ImageCriticalVulnerabilities").expr, / > 5$/);
            assert.equal(r("ImageCriticalVulnerabilities").for, "1h");
            assert.equal(r("RbacChangeBurst").labels.severity, "critical");
            assert.match(r("ApiServerUnauthorizedBurst").expr, /job="kube-apiserver.prod".*\[2m\]\)\) > 0.5$/);
            assert.match(r("ApiServerForbiddenBurst").expr, /\[1h30m\]\)\) > 1000$/);
            assert.equal(
                r("RbacChangeBurst").annotations.runbook_url,
                "https://runbooks.example.com/security#rbacchangeburst",
            );
            assert.equal(rule("RbacChangeBurst").annotations.runbook_url, undefined);
            assert.equal(
                rule("RbacChangeBurst", { rbacChanges: { window: undefined } }).expr,
                rule("RbacChangeBurst").expr,
            );
        });
        it("disabled alerts are left out", () => {
            const names = rules({ falco: { enabled: false }, forbidden: { enabled: false } }).map(r => r.alert);
            assert.deepEqual(
                names,
                ALERTS.filter(a => a !== "FalcoCriticalEvent" && a !== "ApiServerForbiddenBurst"),
            );
        });
        it("bad options are rejected with the key named", () => {
            const bad: [any, RegExp][] = [
                [
                    { falco: { window: "5 minutes" } },
                    /^ConfigError: a\.falco\.window: '5 minutes' is not a Prometheus duration/,
                ],
                [{ rbacChanges: { window: "0m" } }, /a\.rbacChanges\.window: must be longer than zero/],
                [
                    { podSecurityDenials: { for: "soon" } },
                    /a\.podSecurityDenials\.for: 'soon' is not a Prometheus duration/,
                ],
                [{ unauthorized: { threshold: -1 } }, /a\.unauthorized\.threshold: '-1' is not allowed/],
                [{ vulnerabilities: { threshold: "5" } }, /a\.vulnerabilities\.threshold: '5' is not allowed/],
                [
                    { forbidden: { severity: "page" } },
                    /a\.forbidden\.severity: 'page' is not allowed; allowed values: critical, warning, info/,
                ],
                [
                    { falco: { minPriority: "CRITICAL" } },
                    /a\.falco\.minPriority: 'CRITICAL' is not allowed; allowed values: Emergency, Alert, Critical/,
                ],
                [{ falco: { enabled: "yes" } }, /a\.falco\.enabled: must be true or false/],
                [{ vulnerabilities: { window: "5m" } }, /a\.vulnerabilities\.window: unknown key/],
                [{ falco: { treshold: 1 } }, /a\.falco\.treshold: unknown key/],
                [{ rbac: {} }, /a\.rbac: unknown key/],
                [{ apiServerJob: 'x"} or vector(1) #' }, /a\.apiServerJob: .* is not a scrape job name/],
                [{ runbookBaseUrl: "http://runbooks" }, /a\.runbookBaseUrl: 'http:\/\/runbooks' is not an https URL/],
                [
                    Object.fromEntries(
                        [
                            "falco",
                            "vulnerabilities",
                            "podSecurityDenials",
                            "rbacChanges",
                            "unauthorized",
                            "forbidden",
                        ].map(k => [k, { enabled: false }]),
                    ),
                    /^ConfigError: a: every alert is disabled/,
                ],
            ];
            for (const [o, re] of bad)
                assert.throws(
                    () => securityAlertRules(o, "a"),
                    (e: Error) => re.test(`${e.name}: ${e.message}`),
                    JSON.stringify(o),
                );
        });
    });

    describe("component (mocks)", () => {
        it(
            "registers one PrometheusRule under itself, in the namespace, selected by kube-prometheus-" + "stack",
            async () => {
                const rec = setupMocks();
                const c = new SecurityAlerts("security-alerts", { namespace: "monitoring" });
                assert.match(
                    await urnOf(c.rule),
                    new RegExp(
                        "hardened:k8s:SecurityAlerts\\$kubernetes:monitoring.coreos.com\\/v1:Promethe" +
                            "usRule::security-alerts-rules$",
                    ),
                );
                const [r] = rec.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
                assert.equal(rec.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").length, 1);
                assert.equal(r.inputs.apiVersion, "monitoring.coreos.com/v1");
                assert.deepEqual(r.inputs.metadata, {
                    name: "security-alerts",
                    namespace: "monitoring",
                    labels: { release: "kube-prometheus-stack", "app.kubernetes.io/part-of": "hardened-cluster" },
                });
                assert.deepEqual(r.inputs.spec, securityAlertRules());
            },
        );
        it("passes rule options through and uses the configured selector labels", async () => {
            const rec = setupMocks();
            const c = new SecurityAlerts("alerts", {
                namespace: "obs",
                ruleSelectorLabels: { prometheus: "platform" },
                enabled: true,
                ...CUSTOM,
            } as any);
            await valueOf(c.rule.urn);
            const [r] = rec.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
            assert.deepEqual(r.inputs.metadata.labels, {
                prometheus: "platform",
                "app.kubernetes.io/part-of": "hardened-cluster",
            });
            assert.deepEqual(r.inputs.spec, securityAlertRules(CUSTOM));
        });
        it("bad args are rejected, naming the key, before any PrometheusRule is created", () => {
            const rec = setupMocks();
            assert.throws(
                () => new SecurityAlerts("alerts", { namespace: "obs", falco: { window: "5" } }),
                /alerts\.falco\.window: '5' is not a Prometheus duration/,
            );
            assert.throws(() => new SecurityAlerts("alerts", {} as any), /alerts\.namespace: is required/);
            assert.throws(
                () => validateSecurityAlertsArgs({ namespace: "Monitoring" }, "hc:alerts"),
                /hc:alerts\.namespace: 'Monitoring' is not a valid name/,
            );
            assert.throws(
                () =>
                    validateSecurityAlertsArgs(
                        { namespace: "m", ruleSelectorLabels: { release: "kube prometheus" } },
                        "hc:alerts",
                    ),
                /hc:alerts\.ruleSelectorLabels\.release: 'kube prometheus' is not a valid label value/,
            );
            assert.throws(
                () =>
                    validateSecurityAlertsArgs(
                        { namespace: "m", ruleSelectorLabels: { "bad key!": "x" } },
                        "hc:alerts",
                    ),
                /hc:alerts\.ruleSelectorLabels\.bad key!: is not a valid label name/,
            );
            assert.throws(
                () => validateSecurityAlertsArgs({ namespace: "m", enabled: "on" } as any, "hc:alerts"),
                /hc:alerts\.enabled: must be true or false/,
            );
            assert.equal(rec.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").length, 0);
        });
    });
});
