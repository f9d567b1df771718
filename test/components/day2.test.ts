/** Day-2 options of the components: OIDC sign-in, OIDC groups in access levels, External Secrets, Secret file modes. */
import { strict as assert } from "assert";
import { ClusterBaseline, validateClusterBaselineArgs } from "../../components/clusterBaseline";
import {
    apiServerFlags,
    artefactPaths,
    resolveControlPlaneArgs,
    validateControlPlaneArgs,
} from "../../components/controlPlaneHardening";
import { accessSubjects, externalSecretSpec, secretVolume } from "../../components/namespace/builders";
import { SecureNamespace, validateSecureNamespaceArgs } from "../../components/secureNamespace";
import { setupMocks, valueOf } from "../support/mocks";

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read the mocks' recorded inputs as JSON */
const ISSUER = "https://login.example.com/realms/platform";

describe("OIDC for the API server", () => {
    const flags = (oidc: any) => {
        const a = resolveControlPlaneArgs({ oidc });
        return apiServerFlags({
            paths: artefactPaths("/etc/kubernetes"),
            etcdServers: ["https://127.0.0.1:2379"],
            etcdTls: true,
            serviceAccountIssuer: "https://k",
            serviceClusterIpRange: "10.96.0.0/12",
            tlsMinVersion: "VersionTLS12",
            auditLogMaxAge: 30,
            auditLogMaxBackup: 10,
            auditLogMaxSize: 100,
            allowPrivileged: true,
            oidc: a.oidc,
        });
    };
    it("puts issuer, client, claims and prefixes into the flags, with prefixed defaults", () => {
        const f = flags({ issuerUrl: ISSUER, clientId: "kubernetes" });
        assert.equal(f["oidc-issuer-url"], ISSUER);
        assert.equal(f["oidc-client-id"], "kubernetes");
        assert.equal(f["oidc-username-claim"], "email");
        assert.equal(f["oidc-username-prefix"], "oidc:");
        assert.equal(f["oidc-groups-claim"], "groups");
        assert.equal(f["oidc-groups-prefix"], "oidc:");
        assert.equal(f["oidc-signing-algs"], "RS256");
        assert.equal(f["oidc-ca-file"], undefined);
    });
    it("takes custom claims, prefixes, algorithms and a CA file", () => {
        const f = flags({
            issuerUrl: ISSUER,
            clientId: "k",
            usernameClaim: "sub",
            usernamePrefix: "sso:",
            groupsClaim: "roles",
            groupsPrefix: "sso-group:",
            signingAlgs: ["ES256", "RS256"],
            caFile: "/etc/kubernetes/pki/oidc-ca.crt",
        });
        assert.deepEqual(
            [
                f["oidc-username-claim"],
                f["oidc-username-prefix"],
                f["oidc-groups-claim"],
                f["oidc-groups-prefix"],
                f["oidc-signing-algs"],
                f["oidc-ca-file"],
            ],
            ["sub", "sso:", "roles", "sso-group:", "ES256,RS256", "/etc/kubernetes/pki/oidc-ca.crt"],
        );
    });
    it("no OIDC flags unless configured", () =>
        assert.ok(!Object.keys(flags(undefined)).some(k => k.startsWith("oidc-"))));
    const bad: Array<[string, any, RegExp]> = [
        [
            "http issuer",
            { issuerUrl: "http://login.example.com", clientId: "k" },
            /cp\.oidc\.issuerUrl: 'http:\/\/login\.example\.com' must be an https:\/\/ URL/,
        ],
        [
            "issuer that is no URL",
            { issuerUrl: "login.example.com", clientId: "k" },
            /cp\.oidc\.issuerUrl: .* must be an https:\/\/ URL/,
        ],
        ["issuer with a query", { issuerUrl: `${ISSUER}?x=1`, clientId: "k" }, /cp\.oidc\.issuerUrl/],
        [
            "issuer with credentials",
            { issuerUrl: "https://u:p@login.example.com", clientId: "k" },
            /cp\.oidc\.issuerUrl/,
        ],
        ["missing client ID", { issuerUrl: ISSUER }, /cp\.oidc\.clientId: must be the client ID/],
        [
            "empty groups prefix",
            { issuerUrl: ISSUER, clientId: "k", groupsPrefix: "" },
            /cp\.oidc\.groupsPrefix: '' must be a non-empty prefix/,
        ],
        ["no username prefix", { issuerUrl: ISSUER, clientId: "k", usernamePrefix: "-" }, /cp\.oidc\.usernamePrefix/],
        [
            "a system: prefix",
            { issuerUrl: ISSUER, clientId: "k", groupsPrefix: "system:" },
            /neither starts with 'system:' nor is the start of it/,
        ],
        [
            "an unknown algorithm",
            { issuerUrl: ISSUER, clientId: "k", signingAlgs: ["none"] },
            /cp\.oidc\.signingAlgs\[0\]: 'none' is not allowed/,
        ],
        [
            "a relative CA file",
            { issuerUrl: ISSUER, clientId: "k", caFile: "ca.crt" },
            /cp\.oidc\.caFile: 'ca\.crt' must be an absolute path/,
        ],
        ["an unknown key", { issuerUrl: ISSUER, clientId: "k", audience: "x" }, /cp\.oidc\.audience: unknown key/],
    ];
    for (const [what, oidc, re] of bad)
        it(`rejects ${what}`, () => assert.throws(() => validateControlPlaneArgs({ oidc }, "cp"), re));
});

describe("access levels bind OIDC groups with the prefix", () => {
    it("oidcGroups get the prefix, groups are taken as written", () => {
        assert.deepEqual(
            accessSubjects({ groups: ["platform"], oidcGroups: ["payments-devs"] }, "sso:").map(s => s.name),
            ["platform", "sso:payments-devs"],
        );
        assert.deepEqual(
            accessSubjects({ oidcGroups: ["a"] }).map(s => s.name),
            ["oidc:a"],
        );
    });
    it("a level with only oidcGroups binds somebody; the namespace prefix is validated", () => {
        validateSecureNamespaceArgs({ access: { viewer: { oidcGroups: ["auditors"] } } }, "ns");
        assert.throws(
            () => validateSecureNamespaceArgs({ oidcGroupsPrefix: "system:" }, "ns"),
            /ns\.oidcGroupsPrefix: 'system:' must be a non-empty prefix/,
        );
        assert.throws(
            () => validateSecureNamespaceArgs({ access: { viewer: { oidcGroups: [""] } } }, "ns"),
            /ns\.access\.viewer\.oidcGroups: must be a list of non-empty strings/,
        );
    });
    it("the baseline hands the API server's groups prefix to every namespace", async () => {
        const rec = setupMocks();
        new ClusterBaseline("b", {
            namespaces: [{ name: "team-a", access: { viewer: { oidcGroups: ["auditors"] } } }],
            controlPlane: { enabled: true, oidc: { issuerUrl: ISSUER, clientId: "k", groupsPrefix: "sso:" } },
        });
        await new Promise(r => setTimeout(r, 50));
        const binding = rec.ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")[0];
        assert.deepEqual(
            binding.inputs.subjects.map((s: any) => s.name),
            ["sso:auditors"],
        );
    });
    it("a namespace prefix that differs from the API server's is refused, naming both keys", () =>
        assert.throws(
            () =>
                validateClusterBaselineArgs(
                    {
                        namespaces: [
                            { name: "a", oidcGroupsPrefix: "other:", access: { viewer: { oidcGroups: ["x"] } } },
                        ],
                        controlPlane: { enabled: true, oidc: { issuerUrl: ISSUER, clientId: "k" } },
                    },
                    "hc",
                ),
            new RegExp(
                "hc:namespaces\\[0\\]\\.oidcGroupsPrefix: 'other:' differs from the API server's " +
                    "hc:controlPlane\\.oidc\\.groupsPrefix 'oidc:'",
            ),
        ));
});

describe("External Secrets Operator integration", () => {
    const provider = {
        vault: {
            server: "https://vault.example.com",
            path: "kv",
            version: "v2",
            auth: { kubernetes: { mountPath: "kubernetes", role: "payments" } },
        },
    };
    it("declares a SecretStore and one ExternalSecret per secret, with the refresh interval", async () => {
        const rec = setupMocks();
        const ns = new SecureNamespace("payments", {
            externalSecrets: {
                provider,
                secrets: [
                    {
                        name: "db",
                        refreshInterval: "15m",
                        data: [{ secretKey: "password", remoteKey: "payments/db", property: "password" }],
                    },
                    { name: "api", data: [{ secretKey: "token", remoteKey: "payments/api" }] },
                ],
            },
        });
        await Promise.all(ns.externalSecrets.map(r => valueOf(r.urn)));
        const crs = rec.ofType("kubernetes:external-secrets.io/v1:SecretStore");
        assert.equal(crs.length, 1);
        assert.deepEqual(crs[0].inputs.spec, { provider });
        assert.equal(crs[0].inputs.metadata.namespace, "payments");
        const es = rec
            .ofType("kubernetes:external-secrets.io/v1:ExternalSecret")
            .sort((x, y) => (x.inputs.metadata.name === "db" ? -1 : y.inputs.metadata.name === "db" ? 1 : 0));
        assert.deepEqual(
            es.map(e => [e.inputs.metadata.name, e.inputs.spec.refreshInterval]),
            [
                ["db", "15m"],
                ["api", "1h"],
            ],
        );
        assert.deepEqual(es[0].inputs.spec.secretStoreRef, { kind: "SecretStore", name: "secret-store" });
        assert.deepEqual(es[0].inputs.spec.data, [
            { secretKey: "password", remoteRef: { key: "payments/db", property: "password" } },
        ]);
        assert.deepEqual(es[0].inputs.spec.target, { name: "db", creationPolicy: "Owner", deletionPolicy: "Retain" });
    });
    it("the spec builder names the store and keeps optional remote fields out unless set", () =>
        assert.deepEqual(
            externalSecretSpec("s", {
                name: "x",
                refreshInterval: "1h",
                data: [{ secretKey: "k", remoteKey: "r", version: "3" }],
            }).data,
            [{ secretKey: "k", remoteRef: { key: "r", version: "3" } }],
        ));
    const bad: Array<[string, any, RegExp]> = [
        [
            "two providers",
            { provider: { vault: {}, aws: {} }, secrets: [{ name: "a", data: [{ secretKey: "k", remoteKey: "r" }] }] },
            /ns\.externalSecrets\.provider: must hold exactly one provider block/,
        ],
        ["no secrets", { provider, secrets: [] }, /ns\.externalSecrets\.secrets: must list at least one secret/],
        [
            "a zero refresh interval",
            { provider, secrets: [{ name: "a", refreshInterval: "0s", data: [{ secretKey: "k", remoteKey: "r" }] }] },
            /ns\.externalSecrets\.secrets\[0\]\.refreshInterval: '0s' must be a duration above zero/,
        ],
        [
            "a refresh interval in days",
            { provider, secrets: [{ name: "a", refreshInterval: "1d", data: [{ secretKey: "k", remoteKey: "r" }] }] },
            /refreshInterval: '1d'/,
        ],
        [
            "a bad Secret name",
            { provider, secrets: [{ name: "Bad_Name", data: [{ secretKey: "k", remoteKey: "r" }] }] },
            /ns\.externalSecrets\.secrets\[0\]\.name: 'Bad_Name' is not a valid name/,
        ],
        [
            "a duplicate secret",
            {
                provider,
                secrets: [
                    { name: "a", data: [{ secretKey: "k", remoteKey: "r" }] },
                    { name: "a", data: [{ secretKey: "k", remoteKey: "r" }] },
                ],
            },
            /secrets\[1\]\.name: duplicate secret 'a'/,
        ],
        [
            "a bad Secret key",
            { provider, secrets: [{ name: "a", data: [{ secretKey: "a/b", remoteKey: "r" }] }] },
            /secrets\[0\]\.data\[0\]\.secretKey: 'a\/b' is not a valid Secret key/,
        ],
        [
            "a missing remote key",
            { provider, secrets: [{ name: "a", data: [{ secretKey: "k" }] }] },
            /secrets\[0\]\.data\[0\]\.remoteKey: must name the key/,
        ],
    ];
    for (const [what, externalSecrets, re] of bad) {
        it(`rejects ${what} before creating anything`, () => {
            const rec = setupMocks();
            assert.throws(() => new SecureNamespace("ns", { externalSecrets }), re);
            assert.deepEqual(
                rec.resources.filter(r => r.type !== "hardened:k8s:SecureNamespace").map(r => r.type),
                [],
            );
        });
    }
});

describe("Secret volumes", () => {
    it("mount files readable by their owner only (defaultMode 0400)", () => {
        assert.deepEqual(secretVolume("creds", "db"), {
            name: "creds",
            secret: { secretName: "db", defaultMode: 0o400 },
        });
        assert.equal(secretVolume("c", "s").secret.defaultMode, 256);
        assert.deepEqual(secretVolume("c", "s", [{ key: "password", path: "db-password" }]).secret.items, [
            { key: "password", path: "db-password" },
        ]);
    });
});

describe("security alerting in the baseline", () => {
    it(
        "creates the PrometheusRule and add-on scraping only when the Prometheus Operator is declared " + "present",
        async () => {
            let rec = setupMocks();
            new ClusterBaseline("b", { addons: { falco: { enabled: true } }, alerts: { namespace: "monitoring" } });
            await new Promise(r => setTimeout(r, 50));
            assert.equal(
                rec.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").length,
                0,
                "no CRDs declared: no PrometheusRule",
            );
            rec = setupMocks();
            new ClusterBaseline("b", {
                addons: { falco: { enabled: true }, trivy: { enabled: true } },
                alerts: {
                    prometheusOperator: true,
                    namespace: "observability",
                    ruleSelectorLabels: { prometheus: "main" },
                },
            });
            await new Promise(r => setTimeout(r, 50));
            const rule = rec.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
            assert.equal(rule.length, 1);
            assert.equal(rule[0].inputs.metadata.namespace, "observability");
            assert.deepEqual(rule[0].inputs.metadata.labels.prometheus, "main");
            const charts = rec.ofType("kubernetes:helm.sh/v4:Chart");
            const falco = charts.find(c => c.inputs.chart === "falco")!.inputs.values;
            assert.deepEqual(falco.metrics, { enabled: true, rulesCountersEnabled: true, service: { create: true } });
            assert.deepEqual(falco.serviceMonitor, { create: true, labels: { prometheus: "main" } });
            assert.deepEqual(charts.find(c => c.inputs.chart === "trivy-operator")!.inputs.values.serviceMonitor, {
                enabled: true,
                labels: { prometheus: "main" },
            });
            // Scraping is let in from the monitoring namespace only, on the metrics port only.
            const scrape = rec
                .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                .filter(p => p.inputs.metadata.name === "allow-ingress-metrics-scrape");
            assert.deepEqual(
                scrape.map(p => [p.inputs.metadata.namespace, p.inputs.spec.ingress[0].ports[0].port]).sort(),
                [
                    ["falco", 8765],
                    ["trivy-system", 8080],
                ],
            );
            assert.deepEqual(scrape[0].inputs.spec.ingress[0].from, [
                { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } },
            ]);
        },
    );
    it("without alerts the add-ons expose no metrics and admit no scraping", async () => {
        const rec = setupMocks();
        new ClusterBaseline("b", { addons: { falco: { enabled: true } } });
        await new Promise(r => setTimeout(r, 50));
        const falco = rec.ofType("kubernetes:helm.sh/v4:Chart")[0].inputs.values;
        assert.equal(falco.metrics, undefined);
        assert.equal(falco.serviceMonitor, undefined);
        assert.equal(
            rec
                .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                .filter(p => p.inputs.metadata.name === "allow-ingress-metrics-scrape").length,
            0,
        );
    });
    it("bad alert config names the key", () => {
        assert.throws(
            () => validateClusterBaselineArgs({ alerts: { prometheusOperator: "yes" as never } }, "hc"),
            /hc:alerts\.prometheusOperator: must be true or false/,
        );
        assert.throws(
            () => validateClusterBaselineArgs({ alerts: "on" as never }, "hc"),
            /hc:alerts: must be an object/,
        );
        assert.throws(
            () => validateClusterBaselineArgs({ alerts: { prometheusOperator: true, namespace: "Monitoring" } }, "hc"),
            /hc:alerts\.namespace: 'Monitoring' is not a valid name/,
        );
    });
});
