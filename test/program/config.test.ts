/** Bad stack config fails with the config key named, and nothing is created. */
import { strict as assert } from "assert";
import { ClusterBaseline, ClusterBaselineArgs, validateClusterBaselineArgs } from "../../components/clusterBaseline";
import { mkdtempSync, mkdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { checkUnknownKeys, loadStackPolicyConfig } from "../../config";
import { validateSecureNamespaceArgs } from "../../components/namespace/defaults";
import { setupMocks, valueOf } from "../support/mocks";

const ok = { name: "team-a" };

function rejects(args: ClusterBaselineArgs, re: RegExp): void {
    const rec = setupMocks();
    assert.throws(() => new ClusterBaseline("baseline", args, {}, "hardened-cluster"), re);
    const created = rec.resources.filter(r => r.type !== "hardened:k8s:ClusterBaseline");
    assert.deepEqual(
        created.map(r => r.type),
        [],
        "nothing may be created on bad input",
    );
}

describe("stack config validation", () => {
    it("unknown PSS level names the key and the allowed values", () =>
        rejects(
            { namespaces: [ok, { name: "b", podSecurity: { enforce: "strict" as never } }] },
            new RegExp(
                "^ConfigError|hardened-cluster:namespaces\\[1\\]\\.podSecurity\\.enforce: " +
                    "'strict' is not allowed; allowed values: privileged, baseline, restricted",
            ),
        ));
    it("malformed quantity", () =>
        rejects(
            { namespaces: [{ name: "a", quota: { limitsMemory: "ten" } }] },
            /hardened-cluster:namespaces\[0\]\.quota\.limitsMemory: 'ten' is not a Kubernetes quantity/,
        ));
    it("duplicate namespace, pointing at both entries", () =>
        rejects(
            { namespaces: [ok, { name: "x" }, ok] },
            new RegExp(
                "hardened-cluster:namespaces\\[2\\]\\.name: duplicate namespace 'team-a' \\(also " +
                    "at hardened-cluster:namespaces\\[0\\]\\)",
            ),
        ));
    it("NetworkPolicy port out of range", () =>
        rejects(
            {
                namespaces: [
                    {
                        name: "a",
                        network: {
                            ingress: [{ name: "web", peers: [{ podLabels: { a: "b" } }], ports: [{ port: 0 }] }],
                        },
                    },
                ],
            },
            /namespaces\[0\]\.network\.ingress\[0\]\.ports\[0\]\.port: '0' is not a port/,
        ));
    it("key rotation without a key", () =>
        rejects(
            { namespaces: [ok], controlPlane: { enabled: true, encryption: { keys: [] } } },
            /hardened-cluster:controlPlane\.encryption\.keys: must name at least one key/,
        ));
    it("a namespace without a name", () =>
        rejects({ namespaces: [{} as never] }, /namespaces\[0\]\.name: every namespace needs a name/));
    it("an unknown add-on", () =>
        rejects(
            { addons: { kyverno: {} } as never },
            /hardened-cluster:addons\.kyverno: unknown key; allowed keys: falco, trivy/,
        ));
    it("an add-on namespace that is also a team namespace", () =>
        rejects(
            { namespaces: [{ name: "falco" }], addons: { falco: { enabled: true } } },
            /namespaces\[0\]\.name: 'falco' is an add-on namespace the blueprint manages itself/,
        ));
    it("a bad add-on egress CIDR", () =>
        rejects({ addons: { trivy: { enabled: true, egressCidrs: ["nope"] } } }, /addons\.trivy/));
    it("a non-boolean enabled flag", () =>
        rejects({ controlPlane: { enabled: "yes" as never } }, /controlPlane\.enabled: must be true or false/));
    it("unknown top-level config keys are rejected (typos)", () => {
        assert.throws(
            () => checkUnknownKeys({ "hardened-cluster:namespace": "[]" }),
            /hardened-cluster:namespace: unknown config key; known keys: hardened-cluster:namespaces/,
        );
        checkUnknownKeys({ "hardened-cluster:namespaces": "[]", "kubernetes:context": "x" });
    });
    it("a bad admission policy config is refused and nothing is created", () =>
        rejects(
            { admission: { enabled: true, policyConfig: { "no-rbac-wildcards": "block" } as never } },
            /hardened-cluster:admission\.policyConfig: invalid policy config:[\s\S]*no-rbac-wildcards/,
        ));
    it("a valid baseline passes validation", () =>
        validateClusterBaselineArgs(
            { namespaces: [ok], addons: { falco: { enabled: true } }, controlPlane: { enabled: true } },
            "hardened-cluster",
        ));
});

describe("stack config validation: hostile and careless values", () => {
    const K = "hardened-cluster";
    const oidc = { issuerUrl: "https://issuer.example.com", clientId: "kubernetes" };
    const cp = (apiServer: object) => ({ controlPlane: { enabled: true, apiServer } });
    const esoNs = (
        provider: Record<string, unknown>,
        data = { secretKey: "password", remoteKey: "payments/db" },
    ): ClusterBaselineArgs => ({
        namespaces: [{ name: "team-a", externalSecrets: { provider, secrets: [{ name: "db", data: [data] }] } }],
    });

    describe("reserved namespaces are never team namespaces", () => {
        for (const name of ["kube-system", "default", "kube-public", "kube-node-lease"]) {
            it(`${name}`, () =>
                rejects(
                    { namespaces: [ok, { name }] },
                    new RegExp(`^ConfigError: ${K}:namespaces\\[1\\]\\.name: '${name}' belongs to Kubernetes itself`),
                ));
        }
        for (const [name, addons] of [
            ["falco", {}],
            ["trivy-system", {}],
            ["kube-bench", {}],
            ["runtime-sec", { falco: { namespace: "runtime-sec" } }],
            ["vuln-scan", { trivy: { enabled: true, namespace: "vuln-scan" } }],
        ] as const) {
            it(`the add-on namespace ${name}, enabled or not`, () =>
                rejects(
                    { namespaces: [{ name }], addons } as ClusterBaselineArgs,
                    new RegExp(
                        `^ConfigError: ${K}:namespaces\\[0\\]\\.name: '${name}' is an add-on ` +
                            `namespace the blueprint manages itself`,
                    ),
                ));
        }
        it("nor through SecureNamespace directly", () =>
            assert.throws(
                () => validateSecureNamespaceArgs({ namespaceName: "kube-system" }, "ns"),
                /^ConfigError: ns\.namespaceName: 'kube-system' belongs to Kubernetes itself/,
            ));
        it("names close to them are fine", () =>
            validateClusterBaselineArgs(
                { namespaces: [{ name: "kube-systems" }, { name: "defaults" }, { name: "team-kube-system" }] },
                K,
            ));
    });

    describe("OIDC prefixes that could form system: are refused", () => {
        for (const prefix of ["s", "sys", "syst", "system", "system:", "system:oidc:", "", "-", "oidc: ", "oidc:\n"]) {
            it(`groupsPrefix ${JSON.stringify(prefix)}`, () =>
                rejects(
                    { controlPlane: { enabled: true, oidc: { ...oidc, groupsPrefix: prefix } } },
                    new RegExp(`^ConfigError: ${K}:controlPlane\\.oidc\\.groupsPrefix: `),
                ));
        }
        it("usernamePrefix 'sys'", () =>
            rejects(
                { controlPlane: { enabled: true, oidc: { ...oidc, usernamePrefix: "sys" } } },
                /controlPlane\.oidc\.usernamePrefix: 'sys' .*could form system:masters/,
            ));
        it("a namespace's oidcGroupsPrefix 'syste'", () =>
            rejects(
                { namespaces: [{ name: "team-a", oidcGroupsPrefix: "syste" }] },
                /namespaces\[0\]\.oidcGroupsPrefix: 'syste'/,
            ));
        it("prefixes that cannot form system: pass", () => {
            for (const p of ["oidc:", "corp-", "sso:", "s-", "systems:", "System:"])
                validateClusterBaselineArgs(
                    { controlPlane: { enabled: true, oidc: { ...oidc, groupsPrefix: p, usernamePrefix: p } } },
                    K,
                );
        });
    });

    describe("CIDRs are parsed as IP networks", () => {
        for (const cidr of [
            ":/0",
            "::::/0",
            "1.2.3/8",
            "010.0.0.0/8",
            "10.0.0.0/33",
            "10.0.0.0/08",
            "fe80::1%eth0/64",
            "fd00::/129",
            "10.0.0.0",
            "10.0.0.0/8 ",
        ]) {
            it(`refuses ${JSON.stringify(cidr)}`, () =>
                rejects(
                    { namespaces: [{ name: "team-a", network: { egress: [{ name: "out", peers: [{ cidr }] }] } }] },
                    new RegExp(
                        "^ConfigError: hardened-cluster:namespaces\\[0\\]\\.network\\.egress\\[0" +
                            "\\]\\.peers\\[0\\]\\.cidr: .* is not a CIDR block",
                    ),
                ));
        }
        it("refuses ':/0' as an add-on egress CIDR and as the service range", () => {
            rejects(
                { addons: { falco: { enabled: true, egressCidrs: [":/0"] } } },
                /addons\.falco.*cidr: ':\/0' is not a CIDR block/,
            );
            rejects(
                cp({ serviceClusterIpRange: ":/0" }),
                /controlPlane\.apiServer\.serviceClusterIpRange: ':\/0' is not a CIDR block/,
            );
        });
        it("an except block must lie strictly inside its cidr (as the API server requires)", () => {
            const peer = (cidr: string, except: string[]) => ({
                namespaces: [{ name: "team-a", network: { egress: [{ name: "out", peers: [{ cidr, except }] }] } }],
            });
            for (const [cidr, ex] of [
                ["10.0.0.0/8", "11.0.0.0/16"],
                ["10.0.0.0/8", "10.0.0.0/8"],
                ["10.0.0.0/16", "10.0.0.0/8"],
                ["10.0.0.0/8", "fd00::/16"],
                ["fd00::/8", "fe00::/16"],
            ]) {
                rejects(
                    peer(cidr, [ex]),
                    new RegExp(
                        `^ConfigError: hardened-cluster:namespaces\\[0\\]\\.network\\.egress\\[0\\]\\` +
                            `.peers\\[0\\]\\.except\\[0\\]: '${ex.replace(/[./]/g, "\\$&")}' is not ` +
                            `strictly inside the peer's cidr`,
                    ),
                );
            }
            validateClusterBaselineArgs(peer("0.0.0.0/0", ["169.254.169.254/32", "10.0.0.0/8"]), K);
            validateClusterBaselineArgs(peer("fd00::/8", ["fd00:1::/32"]), K);
        });
        it("accepts IPv4 and IPv6 networks", () => {
            const peers = [
                "0.0.0.0/0",
                "10.0.0.0/8",
                "192.168.1.7/32",
                "::/0",
                "fd00::/8",
                "2001:db8::/32",
                "::ffff:10.0.0.0/104",
            ].map(cidr => ({ cidr }));
            validateClusterBaselineArgs(
                {
                    namespaces: [{ name: "team-a", network: { egress: [{ name: "out", peers }] } }],
                    ...cp({ podSubnet: "fd00:10:244::/56" }),
                },
                K,
            );
        });
    });

    describe("quantities: max >= default limit >= default request, quota limits >= requests", () => {
        it("maxCpu below the default limit (default 500m)", () =>
            rejects(
                { namespaces: [{ name: "team-a", limits: { maxCpu: "250m" } }] },
                new RegExp(
                    "^ConfigError: hardened-cluster:namespaces\\[0\\]\\.limits\\.maxCpu: " +
                        "hardened-cluster:namespaces\\[0\\]\\.limits\\.defaultLimitCpu '500m' " +
                        "\\(default\\) is above hardened-cluster:namespaces\\[0\\]\\.limits\\.maxCpu " +
                        "'250m'",
                ),
            ));
        it("maxMemory below a set default limit, across units", () =>
            rejects(
                { namespaces: [{ name: "team-a", limits: { defaultLimitMemory: "1Gi", maxMemory: "1000Mi" } }] },
                /limits\.maxMemory: .*defaultLimitMemory '1Gi' is above .*maxMemory '1000Mi'/,
            ));
        it("a default request above the default limit names the request that was set", () =>
            rejects(
                { namespaces: [{ name: "team-a", limits: { defaultRequestCpu: "1" } }] },
                new RegExp(
                    "^ConfigError: hardened-cluster:namespaces\\[0\\]\\.limits\\.defaultRequestCp" +
                        "u: .*defaultRequestCpu '1' is above .*defaultLimitCpu '500m' \\(default\\)",
                ),
            ));
        it("quota requests above quota limits", () => {
            rejects(
                { namespaces: [{ name: "team-a", quota: { requestsCpu: "10" } }] },
                /quota\.requestsCpu: .*requestsCpu '10' is above .*limitsCpu '8' \(default\)/,
            );
            rejects(
                { namespaces: [{ name: "team-a", quota: { limitsMemory: "4Gi" } }] },
                /quota\.limitsMemory: .*requestsMemory '8Gi' \(default\) is above .*limitsMemory '4Gi'/,
            );
        });
        it("equal values and mixed notations in the right order pass", () =>
            validateClusterBaselineArgs(
                {
                    namespaces: [
                        {
                            name: "team-a",
                            limits: {
                                defaultRequestCpu: "0.5",
                                defaultLimitCpu: "500m",
                                maxCpu: "1e0",
                                defaultRequestMemory: "1G",
                                defaultLimitMemory: "1Gi",
                                maxMemory: "1Gi",
                            },
                            quota: { requestsCpu: "2", limitsCpu: "2000m" },
                        },
                    ],
                },
                K,
            ));
    });

    describe("URLs of remote services must be https", () => {
        it("plain-http etcd on another host", () =>
            rejects(
                cp({ etcdServers: ["https://10.0.0.5:2379", "http://10.0.0.6:2379"] }),
                new RegExp(
                    "^ConfigError: hardened-cluster:controlPlane\\.apiServer\\.etcdServers\\[1\\]" +
                        ": 'http:\\/\\/10\\.0\\.0\\.6:2379' must use https:\\/\\/",
                ),
            ));
        it("plain-http etcd by name", () =>
            rejects(cp({ etcdServers: ["http://etcd.internal:2379"] }), /etcdServers\[0\]: .* must use https/));
        it("etcd with credentials in the URL", () =>
            rejects(
                cp({ etcdServers: ["https://root:pw@10.0.0.5:2379"] }),
                /etcdServers\[0\]: .* must not carry credentials/,
            ));
        it("plain http on loopback is accepted (nothing crosses a network)", () =>
            validateClusterBaselineArgs(
                cp({ etcdServers: ["http://127.0.0.1:2379", "http://[::1]:2379", "http://localhost:2379"] }),
                K,
            ));
        it("an http:// Vault", () =>
            rejects(
                esoNs({ vault: { server: "http://vault.example.com:8200", path: "secret" } }),
                new RegExp(
                    "^ConfigError: hardened-cluster:namespaces\\[0\\]\\.externalSecrets\\.provide" +
                        "r\\.vault\\.server: 'http:\\/\\/vault\\.example\\.com:8200' must use " +
                        "https:\\/\\/",
                ),
            ));
        it("any URL of any provider block, however deep", () =>
            rejects(
                esoNs({ gitlab: { auth: { endpoints: ["http://gitlab.example.com"] } } }),
                /externalSecrets\.provider\.gitlab\.auth\.endpoints\[0\]: .* must use https/,
            ));
        it("an https Vault passes", () =>
            validateClusterBaselineArgs(
                esoNs({ vault: { server: "https://vault.example.com:8200", path: "secret" } }),
                K,
            ));
        it("an http OIDC issuer (already refused)", () =>
            rejects(
                { controlPlane: { enabled: true, oidc: { ...oidc, issuerUrl: "http://issuer.example.com" } } },
                /controlPlane\.oidc\.issuerUrl: .* must be an https:\/\/ URL/,
            ));
    });

    describe("strings that reach flags, files or object names are single lines", () => {
        it("an OIDC clientId with a newline", () =>
            rejects(
                {
                    controlPlane: {
                        enabled: true,
                        oidc: { ...oidc, clientId: "kubernetes\n- --oidc-username-prefix=-" },
                    },
                },
                new RegExp(
                    "^ConfigError: hardened-cluster:controlPlane\\.oidc\\.clientId: " +
                        '"kubernetes\\\\n- --oidc-username-prefix=-" must be a single line',
                ),
            ));
        it("an OIDC issuer with a newline (the URL parser would drop it silently)", () =>
            rejects(
                { controlPlane: { enabled: true, oidc: { ...oidc, issuerUrl: "https://issuer.example.com\n--x" } } },
                /controlPlane\.oidc\.issuerUrl: .* must be a single line/,
            ));
        it("an access group with a carriage return", () =>
            rejects(
                { namespaces: [{ name: "team-a", access: { viewer: { groups: ["devs\r"] } } }] },
                /namespaces\[0\]\.access\.viewer\.groups\[0\]: "devs\\r" must be a single line/,
            ));
        it("a remote key with an escape character", () =>
            rejects(
                esoNs(
                    { vault: { server: "https://vault.example.com" } },
                    { secretKey: "password", remoteKey: "db\u001b[2J" },
                ),
                /externalSecrets\.secrets\[0\]\.data\[0\]\.remoteKey: .* must be a single line/,
            ));
        it("a provider setting with a newline", () =>
            rejects(
                esoNs({ vault: { server: "https://vault.example.com", path: "secret\nx" } }),
                /externalSecrets\.provider\.vault\.path: .* must be a single line/,
            ));
        it("labels and selector labels are Kubernetes labels (names and values)", () => {
            rejects(
                {
                    namespaces: [
                        {
                            name: "team-a",
                            network: {
                                ingress: [{ name: "in", podLabels: { app: "web\nx" }, peers: [{ namespaces: ["b"] }] }],
                            },
                        },
                    ],
                },
                new RegExp(
                    "^ConfigError: hardened-cluster:namespaces\\[0\\]\\.network\\.ingress\\[0\\]" +
                        '\\.podLabels\\.app: "web\\\\nx" is not a valid label value',
                ),
            );
            rejects(
                {
                    namespaces: [
                        {
                            name: "team-a",
                            network: {
                                egress: [
                                    { name: "out", peers: [{ namespaces: ["b"], podLabels: { "bad key": "x" } }] },
                                ],
                            },
                        },
                    ],
                },
                /network\.egress\[0\]\.peers\[0\]\.podLabels\."bad key": is not a valid label name/,
            );
            rejects(
                {
                    addons: {
                        kubeBench: {
                            enabled: true,
                            nodeSelector: { "node-role.kubernetes.io/control-plane": "a\u001b[2J" },
                        },
                    },
                },
                new RegExp(
                    "^ConfigError: hardened-cluster:addons\\.kubeBench\\.nodeSelector\\.node-" +
                        "role\\.kubernetes\\.io\\/control-plane: .* is not a valid label value",
                ),
            );
            rejects(
                { admission: { enabled: true, exemptLabels: { team: 'x" || true' } } },
                /^ConfigError: hardened-cluster:admission\.exemptLabels\.team: .* is not a valid label value/,
            );
            rejects(
                {
                    namespaces: [ok],
                    ingresses: [
                        {
                            name: "web",
                            namespace: "team-a",
                            hosts: ["web.example.com"],
                            service: { name: "web", port: 80 },
                            podLabels: { app: "web" },
                            issuer: "letsencrypt",
                            controllerPodLabels: { app: "" + "x".repeat(64) },
                        },
                    ],
                },
                new RegExp(
                    "^ConfigError: hardened-cluster:ingresses\\[0\\]\\.controllerPodLabels\\.app:" +
                        " .* is not a valid label value",
                ),
            );
            validateClusterBaselineArgs(
                {
                    namespaces: [
                        {
                            name: "team-a",
                            network: {
                                ingress: [
                                    {
                                        name: "in",
                                        podLabels: { "app.kubernetes.io/name": "web", tier: "" },
                                        peers: [{ namespaces: ["b"] }],
                                    },
                                ],
                            },
                        },
                    ],
                    addons: { kubeBench: { enabled: true, nodeSelector: { "kubernetes.io/os": "linux" } } },
                },
                K,
            );
        });
        it("a kube-bench schedule or image with a newline", () => {
            rejects(
                { addons: { kubeBench: { enabled: true, schedule: "17\n3 * * *" } } },
                /^ConfigError: hardened-cluster:addons\.kubeBench\.schedule: .* must be a single line/,
            );
            rejects(
                { addons: { kubeBench: { enabled: true, image: "aquasec/kube-bench:v0.10.1\u0000" } } },
                /^ConfigError: hardened-cluster:addons\.kubeBench\.image: .* must be a single line/,
            );
        });
        it("an ingress path with a newline", () =>
            rejects(
                {
                    namespaces: [ok],
                    ingresses: [
                        {
                            name: "web",
                            namespace: "team-a",
                            hosts: ["web.example.com"],
                            service: { name: "web", port: 80 },
                            podLabels: { app: "web" },
                            issuer: "letsencrypt",
                            path: "/app\n",
                        },
                    ],
                },
                /^ConfigError: hardened-cluster:ingresses\[0\]\.path: .* must be a single line/,
            ));
        it("a service-account issuer with a control character", () =>
            rejects(
                cp({ serviceAccountIssuer: "https://k8s.example.com\u0007" }),
                /controlPlane\.apiServer\.serviceAccountIssuer: .* must be a single line/,
            ));
    });
});

describe("ClusterBaseline wiring", () => {
    it("creates namespaces, add-ons and control plane under the baseline", async () => {
        const rec = setupMocks();
        const b = new ClusterBaseline("baseline", {
            namespaces: [ok],
            addons: { falco: { enabled: true }, trivy: { enabled: false } },
            controlPlane: { enabled: true },
        });
        assert.ok(b.falco && !b.trivy && b.controlPlane);
        await valueOf(b.falco.chart.urn);
        await valueOf(b.namespaces[0].namespaceName);
        assert.equal(rec.ofType("hardened:k8s:SecureNamespace").length, 2);
        assert.equal(rec.ofType("kubernetes:helm.sh/v4:Chart").length, 1);
    });
    it("two baselines with different names do not collide", () => {
        const rec = setupMocks();
        new ClusterBaseline("a", {
            controlPlane: { enabled: true },
            addons: { falco: { enabled: true, namespace: "falco-a" } },
        });
        new ClusterBaseline("b", {
            controlPlane: { enabled: true },
            addons: { falco: { enabled: true, namespace: "falco-b" } },
        });
        const keys = rec.resources.map(r => `${r.type}::${r.name}`);
        assert.equal(new Set(keys).size, keys.length);
    });
    const ingress = {
        name: "web",
        namespace: "team-a",
        hosts: ["web.example.com"],
        service: { name: "web", port: 80 },
        podLabels: { app: "web" },
        issuer: "letsencrypt",
    };
    const all = (b: ClusterBaseline) => [
        b,
        ...b.namespaces,
        ...b.namespaces.flatMap(n => [n.namespace, n.quota, ...n.networkPolicies]),
        ...b.ingresses.flatMap(i => [i, i.ingress, i.networkPolicy]),
    ];
    it("two baselines with the same team namespace and ingress (two clusters) have distinct URNs", async () => {
        setupMocks();
        const [a, b] = ["east", "west"].map(n => new ClusterBaseline(n, { namespaces: [ok], ingresses: [ingress] }));
        const urns = await Promise.all([...all(a), ...all(b)].map(r => valueOf(r.urn)));
        assert.equal(new Set(urns).size, urns.length, urns.join("\n"));
        assert.ok(
            urns.includes(
                "urn:pulumi:test::hardened-cluster::hardened:k8s:ClusterBaseline$hardened:k8s:SecureN" +
                    "amespace::east-team-a",
            ),
        );
        // The objects in the cluster keep their names: only the Pulumi names carry the prefix.
        assert.equal(await valueOf(a.namespaces[0].namespaceName), "team-a");
        assert.equal(await valueOf(b.ingresses[0].ingress.metadata.name), "web");
        assert.equal(await valueOf(b.ingresses[0].networkPolicy.metadata.name), "allow-ingress-controller-web");
    });
    it("keeps the resources of stacks created before the prefix: aliases from the old names", async () => {
        setupMocks();
        const b = new ClusterBaseline("baseline", { namespaces: [ok], ingresses: [ingress] });
        const aliases = async (r: object) =>
            Promise.all(((r as { __aliases?: unknown[] }).__aliases ?? []).map(a => valueOf(a as string)));
        const parent = "urn:pulumi:test::hardened-cluster::hardened:k8s:ClusterBaseline";
        assert.deepEqual(await aliases(b.namespaces[0]), [`${parent}$hardened:k8s:SecureNamespace::team-a`]);
        assert.deepEqual(await aliases(b.ingresses[0]), [`${parent}$hardened:k8s:SecureIngress::web`]);
        assert.equal(await valueOf(b.ingresses[0].urn), `${parent}$hardened:k8s:SecureIngress::baseline-team-a-web`);
    });
    it("an ingress entry names its Ingress with `name` only", () =>
        assert.throws(
            () =>
                validateClusterBaselineArgs({ namespaces: [ok], ingresses: [{ ...ingress, ingressName: "x" }] }, "hc"),
            /hc:ingresses\[0\]\.ingressName: is not a key/,
        ));
});

describe("the stack's policy config file (shared by the pack, the scanner and admission)", () => {
    const root = mkdtempSync(path.join(tmpdir(), "hc-policy-config-"));
    mkdirSync(path.join(root, "stacks"));
    writeFileSync(
        path.join(root, "stacks", "policy-config.s1.json"),
        JSON.stringify({ "allowed-image-registries": { allowedRegistries: ["r.example.com"] } }),
    );
    writeFileSync(
        path.join(root, "bad.json"),
        JSON.stringify({ "allowed-image-registries": { allowedRegistry: ["r.example.com"] } }),
    );
    writeFileSync(path.join(root, "broken.json"), "{ not json");
    it("defaults to stacks/policy-config.<stack>.json", () =>
        assert.deepEqual(loadStackPolicyConfig("s1", undefined, root), {
            "allowed-image-registries": { allowedRegistries: ["r.example.com"] },
        }));
    it("no file for the stack means the pack's defaults", () =>
        assert.equal(loadStackPolicyConfig("s2", undefined, root), undefined));
    it("an explicit file that does not exist is an error naming the key", () =>
        assert.throws(
            () => loadStackPolicyConfig("s1", "nope.json", root),
            /hardened-cluster:admission\.policyConfigFile: file .*nope\.json does not exist/,
        ));
    it("a file with an unknown setting names the key, the file and the setting", () =>
        assert.throws(
            () => loadStackPolicyConfig("s1", "bad.json", root),
            new RegExp(
                "hardened-cluster:admission\\.policyConfigFile: .*bad\\.json: invalid policy " +
                    "config:[\\s\\S]*allowed-image-registries: must NOT have additional properties " +
                    "'allowedRegistry'",
            ),
        ));
    it("a file that is not JSON names the file", () =>
        assert.throws(() => loadStackPolicyConfig("s1", "broken.json", root), /policyConfigFile: .*broken\.json: /));
    it("a policyConfigFile that is not a string is refused", () =>
        assert.throws(() => loadStackPolicyConfig("s1", 3, root), /policyConfigFile: must be a path/));
});
