import { strict as assert } from "assert";
import { parse } from "yaml";
import {
    ADMISSION_PLUGINS,
    apiServerFlags,
    artefactPaths,
    auditPolicy,
    ControlPlaneHardening,
    encryptionConfiguration,
    flagArgs,
    kubeletConfiguration,
    resolveControlPlaneArgs,
    STRONG_CIPHER_SUITES,
    validateControlPlaneArgs,
} from "../../components/controlPlaneHardening";
import { isSecret, MockRecorder, setupMocks, urnOf, valueOf } from "../support/mocks";

type Rule = {
    level: string;
    resources?: { group: string; resources: string[] }[];
    verbs?: string[];
    nonResourceURLs?: string[];
    users?: string[];
    userGroups?: string[];
};

/** First rule of the policy matching a resource request (as the API server evaluates it). */
function firstMatch(
    rules: Rule[],
    req: { group: string; resource: string; verb: string; user?: string },
): Rule | undefined {
    return rules.find(r => {
        if (r.nonResourceURLs) return false;
        if (r.users && !r.users.includes(req.user ?? "alice")) return false;
        if (r.userGroups) return false;
        if (r.verbs && !r.verbs.includes(req.verb)) return false;
        if (r.resources && !r.resources.some(g => g.group === req.group && g.resources.includes(req.resource)))
            return false;
        return true;
    });
}

const opts = () => ({
    paths: artefactPaths(),
    etcdServers: ["https://127.0.0.1:2379"],
    etcdTls: true,
    serviceAccountIssuer: "https://kubernetes.default.svc.cluster.local",
    serviceClusterIpRange: "10.96.0.0/12",
    tlsMinVersion: "VersionTLS12" as const,
    auditLogMaxAge: 30,
    auditLogMaxBackup: 10,
    auditLogMaxSize: 100,
    allowPrivileged: false,
});

describe("control-plane builders", () => {
    describe("encryptionConfiguration", () => {
        const cfg = encryptionConfiguration({
            provider: "aescbc",
            keys: [
                { name: "k2", secret: "bmV3" },
                { name: "k1", secret: "b2xk" },
            ],
            resources: ["secrets", "configmaps"],
        });
        const providers = cfg.resources[0].providers;
        it("covers secrets", () => assert.ok(cfg.resources[0].resources.includes("secrets")));
        it("puts the real provider first and identity last", () => {
            assert.deepEqual(Object.keys(providers[0]), ["aescbc"]);
            assert.deepEqual(providers[providers.length - 1], { identity: {} });
            assert.equal(providers.filter((p: object) => "identity" in p).length, 1);
        });
        it("writes with the newest key and keeps the previous one for reads", () => {
            assert.deepEqual(
                providers[0].aescbc.keys.map((k: { name: string }) => k.name),
                ["k2", "k1"],
            );
        });
        it("supports secretbox", () => {
            const sb = encryptionConfiguration({
                provider: "secretbox",
                keys: [{ name: "a", secret: "x" }],
                resources: ["secrets"],
            });
            assert.ok("secretbox" in sb.resources[0].providers[0]);
        });
        it("is an apiserver.config.k8s.io/v1 EncryptionConfiguration", () => {
            assert.equal(cfg.apiVersion, "apiserver.config.k8s.io/v1");
            assert.equal(cfg.kind, "EncryptionConfiguration");
        });
    });

    describe("auditPolicy", () => {
        const p = auditPolicy();
        const rules: Rule[] = p.rules;
        it("is an audit.k8s.io/v1 Policy omitting RequestReceived", () => {
            assert.equal(p.apiVersion, "audit.k8s.io/v1");
            assert.deepEqual(p.omitStages, ["RequestReceived"]);
        });
        for (const [group, resource] of [
            ["", "secrets"],
            ["", "configmaps"],
            ["authentication.k8s.io", "tokenreviews"],
        ]) {
            for (const verb of ["get", "create", "update", "delete"]) {
                it(`${resource} ${verb} is logged at Metadata only (no values)`, () => {
                    assert.equal(firstMatch(rules, { group, resource, verb })?.level, "Metadata");
                });
            }
        }
        for (const sub of ["pods/exec", "pods/attach", "pods/portforward"]) {
            it(`${sub} is logged at Request`, () =>
                assert.equal(firstMatch(rules, { group: "", resource: sub, verb: "create" })?.level, "Request"));
        }
        for (const res of ["roles", "rolebindings", "clusterroles", "clusterrolebindings"]) {
            it(`changes to ${res} are logged at RequestResponse`, () =>
                assert.equal(
                    firstMatch(rules, { group: "rbac.authorization.k8s.io", resource: res, verb: "create" })?.level,
                    "RequestResponse",
                ));
        }
        it("health endpoints are not logged", () => assert.equal(rules[0].level, "None"));
        it("kube-proxy watches are dropped", () =>
            assert.equal(
                firstMatch(rules, { group: "", resource: "endpoints", verb: "watch", user: "system:kube-proxy" })
                    ?.level,
                "None",
            ));
        it("ends with a Metadata catch-all", () => assert.deepEqual(rules[rules.length - 1], { level: "Metadata" }));
        it("no rule logs secrets at Request or RequestResponse", () => {
            for (const r of rules) {
                if (r.level === "Request" || r.level === "RequestResponse") {
                    assert.ok(!(r.resources ?? []).some(g => g.resources.includes("secrets")), JSON.stringify(r));
                }
            }
        });
    });

    describe("apiServerFlags", () => {
        const f = apiServerFlags(opts());
        const expect: Record<string, string> = {
            "anonymous-auth": "false",
            "authorization-mode": "Node,RBAC",
            profiling: "false",
            "tls-min-version": "VersionTLS12",
            "service-account-lookup": "true",
            "audit-log-maxage": "30",
            "audit-log-maxbackup": "10",
            "audit-log-maxsize": "100",
            "audit-policy-file": "/etc/kubernetes/audit/audit-policy.yaml",
            "audit-log-path": "/var/log/kubernetes/audit/audit.log",
            "encryption-provider-config": "/etc/kubernetes/enc/encryption-config.yaml",
            "allow-privileged": "false",
            "service-account-issuer": "https://kubernetes.default.svc.cluster.local",
            "kubelet-certificate-authority": "/etc/kubernetes/pki/ca.crt",
        };
        for (const [k, v] of Object.entries(expect)) {
            it(`--${k}=${v}`, () => assert.equal(f[k], v));
        }
        it("enables NodeRestriction and the other hardened admission plugins", () => {
            const plugins = f["enable-admission-plugins"].split(",");
            for (const p of ADMISSION_PLUGINS) assert.ok(plugins.includes(p), p);
            assert.ok(plugins.includes("NodeRestriction"));
        });
        it("allows only forward-secret AEAD cipher suites", () => {
            const suites = f["tls-cipher-suites"].split(",");
            assert.deepEqual(suites, [...STRONG_CIPHER_SUITES]);
            assert.ok(suites.every(s => s.startsWith("TLS_ECDHE_") && /GCM|CHACHA20/.test(s)));
        });
        it("uses TLS to etcd when asked", () =>
            assert.equal(f["etcd-certfile"], "/etc/kubernetes/pki/apiserver-etcd-client.crt"));
        it("has no etcd TLS flags on plain http", () =>
            assert.equal(apiServerFlags({ ...opts(), etcdTls: false })["etcd-certfile"], undefined));
        it("takes file paths as a parameter", () =>
            assert.equal(
                apiServerFlags({ ...opts(), paths: artefactPaths("/tmp/x", "/tmp/log") })["audit-log-path"],
                "/tmp/log/audit/audit.log",
            ));
        it("never uses removed or insecure flags", () => {
            for (const bad of [
                "insecure-port",
                "insecure-bind-address",
                "kubelet-https",
                "basic-auth-file",
                "token-auth-file",
                "enable-swagger-ui",
            ]) {
                assert.ok(!(bad in f), bad);
            }
        });
        it("renders sorted --name=value arguments", () => {
            const argv = flagArgs(f);
            assert.ok(argv.includes("--anonymous-auth=false"));
            const names = argv.map(a => a.slice(2, a.indexOf("=")));
            assert.deepEqual([...names].sort(), names);
            assert.equal(argv.length, Object.keys(f).length);
        });
    });

    describe("kubeletConfiguration", () => {
        const k = kubeletConfiguration({
            caFile: "/etc/kubernetes/pki/ca.crt",
            tlsMinVersion: "VersionTLS12",
            clusterDns: ["10.96.0.10"],
        });
        it("disables anonymous auth and uses webhook authn/authz", () => {
            assert.equal(k.authentication.anonymous.enabled, false);
            assert.equal(k.authentication.webhook.enabled, true);
            assert.equal(k.authorization.mode, "Webhook");
        });
        it("closes the read-only port", () => assert.equal(k.readOnlyPort, 0));
        it("protects kernel defaults and rotates certificates", () => {
            assert.equal(k.protectKernelDefaults, true);
            assert.equal(k.rotateCertificates, true);
            assert.equal(k.serverTLSBootstrap, true);
        });
        it("sets TLS minimum and strong suites", () => {
            assert.equal(k.tlsMinVersion, "VersionTLS12");
            assert.deepEqual(k.tlsCipherSuites, [...STRONG_CIPHER_SUITES]);
        });
        it("defaults seccomp to RuntimeDefault", () => assert.equal(k.seccompDefault, true));
    });
});

describe("ControlPlaneHardening (mocks)", () => {
    let rec: MockRecorder;
    let cp: ControlPlaneHardening;
    before(() => {
        rec = setupMocks();
        cp = new ControlPlaneHardening("cp", {
            encryption: { keys: ["k2", "k1"] },
            apiServer: { certSANs: ["api.example.com", "10.0.0.5"] },
        });
    });
    it("generates one 32-byte RandomBytes per key", async () => {
        const keys = rec.ofType("random:index/randomBytes:RandomBytes");
        assert.deepEqual(
            keys.map(k => k.name),
            ["cp-enc-k2", "cp-enc-k1"],
        );
        assert.ok(keys.every(k => k.inputs.length === 32));
        const cfg = parse(await valueOf(cp.encryptionConfiguration));
        for (const k of cfg.resources[0].providers[0].aescbc.keys) {
            assert.equal(Buffer.from(k.secret, "base64").length, 32);
        }
    });
    it("the EncryptionConfiguration and the files map are secrets", async () => {
        assert.equal(await isSecret(cp.encryptionConfiguration), true);
        assert.equal(await isSecret(cp.files), true);
    });
    it("the audit policy and flags are not secret (no key material)", async () => {
        assert.equal(await isSecret(cp.auditPolicy), false);
        assert.ok(!JSON.stringify(await valueOf(cp.apiServerArgs)).includes("BEGIN"));
    });
    it("files holds every artefact at its node path", async () => {
        const files = await valueOf(cp.files);
        for (const p of [
            "/etc/kubernetes/enc/encryption-config.yaml",
            "/etc/kubernetes/audit/audit-policy.yaml",
            "/etc/kubernetes/kubelet-config.yaml",
            "/etc/kubernetes/kubeadm-config.yaml",
            "/etc/kubernetes/pki/ca.crt",
            "/etc/kubernetes/pki/sa.key",
            "/etc/kubernetes/pki/sa.pub",
            "/etc/kubernetes/pki/apiserver.crt",
            "/etc/kubernetes/pki/apiserver.key",
        ]) {
            assert.ok(files[p], p);
        }
        assert.match(files["/etc/kubernetes/pki/sa.key"], /BEGIN PRIVATE KEY/);
    });
    it("the kubeadm configuration carries the hardened flags as v1beta4 name/value pairs", async () => {
        const k = parse(await valueOf(cp.kubeadmConfiguration));
        assert.equal(k.apiVersion, "kubeadm.k8s.io/v1beta4");
        const args = Object.fromEntries(
            k.apiServer.extraArgs.map((e: { name: string; value: string }) => [e.name, e.value]),
        );
        assert.equal(args["anonymous-auth"], "false");
        assert.equal(args["encryption-provider-config"], "/etc/kubernetes/enc/encryption-config.yaml");
        assert.ok(k.apiServer.certSANs.includes("api.example.com"));
        assert.ok(k.apiServer.extraVolumes.some((v: { mountPath: string }) => v.mountPath === "/etc/kubernetes/enc"));
    });
    it("the API server certificate request carries the configured SANs", () => {
        const csr = rec.named("tls:index/certRequest:CertRequest", "cp-apiserver");
        assert.ok(csr.inputs.dnsNames.includes("api.example.com"));
        assert.ok(csr.inputs.ipAddresses.includes("10.0.0.5"));
        assert.ok(csr.inputs.ipAddresses.includes("10.96.0.1"));
    });
    it("the CA is a CA and signs the serving certificate", () => {
        assert.equal(rec.named("tls:index/selfSignedCert:SelfSignedCert", "cp-ca").inputs.isCaCertificate, true);
        assert.ok(
            rec
                .named("tls:index/locallySignedCert:LocallySignedCert", "cp-apiserver")
                .inputs.allowedUses.includes("server_auth"),
        );
    });
    it("creates the service-account signing key", () =>
        assert.ok(rec.named("tls:index/privateKey:PrivateKey", "cp-sa")));
    it("children are parented to the component", async () => {
        assert.match(
            await urnOf(cp.serviceAccountKey),
            /hardened:k8s:ControlPlaneHardening\$tls:index\/privateKey:PrivateKey::cp-sa$/,
        );
    });
    it("two instances do not collide", () => {
        const r = setupMocks();
        new ControlPlaneHardening("a");
        new ControlPlaneHardening("b");
        const keys = r.resources.map(x => `${x.type}::${x.name}`);
        assert.equal(new Set(keys).size, keys.length);
    });
});

describe("validateControlPlaneArgs", () => {
    const bad = (args: object, re: RegExp) =>
        assert.throws(() => validateControlPlaneArgs(args, "hardened-cluster:controlPlane"), re);
    it("rejects an unknown provider", () =>
        bad(
            { encryption: { provider: "aesgcm2" } },
            /controlPlane\.encryption\.provider: 'aesgcm2' is not allowed; allowed values: aescbc, secretbox/,
        ));
    it("rejects a key rotation without a key", () =>
        bad({ encryption: { keys: [] } }, /controlPlane\.encryption\.keys: must name at least one key/));
    it("rejects duplicate key names", () =>
        bad({ encryption: { keys: ["a", "a"] } }, /keys\[1\]: duplicate key name 'a'/));
    it("rejects encryption that leaves out secrets", () =>
        bad({ encryption: { resources: ["configmaps"] } }, /must include 'secrets'/));
    it("rejects TLS below 1.2", () =>
        bad(
            { apiServer: { tlsMinVersion: "VersionTLS11" } },
            /tlsMinVersion: 'VersionTLS11' is not allowed; allowed values: VersionTLS12, VersionTLS13/,
        ));
    it("rejects a bad SAN", () => bad({ apiServer: { certSANs: ["not a host"] } }, /certSANs\[0\]/));
    it("rejects a bad service CIDR", () =>
        bad({ apiServer: { serviceClusterIpRange: "10.96.0.0" } }, /serviceClusterIpRange/));
    it("rejects a non-https issuer", () =>
        bad({ apiServer: { serviceAccountIssuer: "http://x" } }, /must be an https:\/\/ URL/));
    it("rejects an unknown key", () => bad({ encrypton: {} }, /controlPlane\.encrypton: unknown key/));
    it("defaults: aescbc, one key, secrets, TLS 1.2", () => {
        const a = resolveControlPlaneArgs();
        assert.deepEqual(
            [a.encryption.provider, a.encryption.keys, a.encryption.resources, a.apiServer.tlsMinVersion],
            ["aescbc", ["key1"], ["secrets"], "VersionTLS12"],
        );
    });
    it("the constructor creates nothing on bad input", () => {
        const rec = setupMocks();
        assert.throws(() => new ControlPlaneHardening("cp", { encryption: { keys: [] } }), /cp\.encryption\.keys/);
        assert.equal(rec.resources.filter(r => r.type !== "hardened:k8s:ControlPlaneHardening").length, 0);
    });
});
