import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import { SecureNamespace, validateSecureNamespaceArgs } from "../../components/secureNamespace";
import { MockRecorder, setupMocks, urnOf, valueOf } from "../support/mocks";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("SecureNamespace (mocks)", () => {
    let rec: MockRecorder;
    let ns: SecureNamespace;
    before(async () => {
        rec = setupMocks();
        ns = new SecureNamespace("team-a", {
            workloadServiceAccounts: ["api", "worker"],
            network: {
                allowSameNamespace: true,
                ingress: [{ name: "web", peers: [{ namespaces: ["ingress-nginx"] }], ports: [{ port: 8080 }] }],
            },
            access: {
                developer: { groups: ["oidc:team-a-dev"] },
                viewer: { groups: ["oidc:team-a-view"], users: ["auditor@example.com"] },
            },
        });
        await valueOf(ns.namespaceName);
        await valueOf(ns.roleBindings[1].metadata.name);
    });

    it("creates the namespace with restricted PSS labels pinned to a version", () => {
        const r = rec.named("kubernetes:core/v1:Namespace", "team-a");
        assert.equal(r.inputs.metadata.name, "team-a");
        assert.equal(r.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.equal(r.inputs.metadata.labels["pod-security.kubernetes.io/enforce-version"], "v1.34");
    });
    it("registers a ResourceQuota and a LimitRange in the namespace", () => {
        assert.equal(rec.named("kubernetes:core/v1:ResourceQuota", "team-a-quota").inputs.metadata.namespace, "team-a");
        assert.equal(rec.named("kubernetes:core/v1:LimitRange", "team-a-limits").inputs.metadata.namespace, "team-a");
    });
    it("registers default-deny, DNS, same-namespace and the declared policy", () => {
        const names = rec
            .ofType(NP)
            .map(r => r.inputs.metadata.name)
            .sort();
        assert.deepEqual(names, [
            "allow-dns-egress",
            "allow-ingress-web",
            "allow-same-namespace",
            "default-deny",
            "quarantine",
        ]);
    });
    it("default-deny policy has the exact spec", () => {
        assert.deepEqual(rec.named(NP, "team-a-default-deny").inputs.spec, {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
        });
    });
    it("patches the default ServiceAccount to not automount its token", () => {
        const r = rec.named("kubernetes:core/v1:ServiceAccountPatch", "team-a-default-sa");
        assert.equal(r.inputs.metadata.name, "default");
        assert.equal(r.inputs.automountServiceAccountToken, false);
    });
    it("workload ServiceAccounts do not automount tokens", () => {
        const sas = rec.ofType("kubernetes:core/v1:ServiceAccount");
        assert.deepEqual(sas.map(s => s.inputs.metadata.name).sort(), ["api", "worker"]);
        assert.ok(sas.every(s => s.inputs.automountServiceAccountToken === false));
    });
    it("binds each access level's Role to its subjects", () => {
        const rb = rec.named("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "team-a-viewer");
        assert.equal(rb.inputs.roleRef.name, "team-viewer");
        assert.equal(rb.inputs.roleRef.kind, "Role");
        assert.deepEqual(
            rb.inputs.subjects.map((s: { name: string }) => s.name),
            ["oidc:team-a-view", "auditor@example.com"],
        );
        assert.equal(rec.ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").length, 2);
    });
    it("children are parented to the component (URN type chain)", async () => {
        assert.match(await urnOf(ns.namespace), /hardened:k8s:SecureNamespace\$kubernetes:core\/v1:Namespace::team-a$/);
        assert.match(
            await urnOf(ns.networkPolicies[0]),
            /hardened:k8s:SecureNamespace\$kubernetes:networking.k8s.io\/v1:NetworkPolicy/,
        );
    });
    it("exposes the namespace and ServiceAccount names", async () => {
        assert.equal(await valueOf(ns.namespaceName), "team-a");
        assert.deepEqual(await valueOf(ns.serviceAccountNames), ["api", "worker"]);
    });
});

describe("SecureNamespace: two instances and providers", () => {
    it("two instances register no colliding names", async () => {
        const rec = setupMocks();
        const a = new SecureNamespace("team-a", {
            workloadServiceAccounts: ["api"],
            access: { admin: { groups: ["g"] } },
        });
        const b = new SecureNamespace("team-b", {
            workloadServiceAccounts: ["api"],
            access: { admin: { groups: ["g"] } },
        });
        await Promise.all([
            valueOf(a.namespaceName),
            valueOf(b.namespaceName),
            valueOf(b.roleBindings[0].metadata.name),
        ]);
        const keys = rec.resources.map(r => `${r.type}::${r.name}`);
        assert.equal(new Set(keys).size, keys.length);
    });
    it("passes an explicit provider to every child", async () => {
        setupMocks();
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const ns = new SecureNamespace("team-p", {}, { provider });
        const urn = await valueOf(provider.urn);
        // @ts-expect-error reading the provider a resource was registered with
        const childProvider = ns.namespace.__prov ?? ns.namespace.getProvider("kubernetes::");
        assert.equal(await valueOf((childProvider as k8s.Provider).urn), urn);
    });
});

describe("validateSecureNamespaceArgs", () => {
    const bad = (args: object, re: RegExp) =>
        assert.throws(() => validateSecureNamespaceArgs(args, "hardened-cluster:namespaces[0]"), re);
    it("rejects an unknown PSS level, naming key and allowed values", () =>
        bad(
            { podSecurity: { enforce: "strict" } },
            new RegExp(
                "hardened-cluster:namespaces\\[0\\]\\.podSecurity\\.enforce: 'strict' is not " +
                    "allowed; allowed values: privileged, baseline, restricted",
            ),
        ));
    it("rejects a malformed quantity", () =>
        bad(
            { quota: { requestsCpu: "ten" } },
            /namespaces\[0\]\.quota\.requestsCpu: 'ten' is not a Kubernetes quantity/,
        ));
    it("rejects a malformed limit", () => bad({ limits: { maxMemory: "4 GB" } }, /limits\.maxMemory/));
    it("rejects a negative object count", () => bad({ quota: { pods: -1 } }, /quota\.pods/));
    it("rejects a port out of range", () =>
        bad(
            { network: { egress: [{ name: "db", peers: [{ cidr: "10.0.0.0/8" }], ports: [{ port: 70000 }] }] } },
            /network\.egress\[0\]\.ports\[0\]\.port: '70000' is not a port/,
        ));
    it("rejects a bad CIDR", () =>
        bad({ network: { egress: [{ name: "db", peers: [{ cidr: "10.0.0.0/33" }] }] } }, /peers\[0\]\.cidr/));
    it("rejects a peer mixing cidr and namespaces", () =>
        bad(
            { network: { ingress: [{ name: "x", peers: [{ cidr: "10.0.0.0/8", namespaces: ["a"] }] }] } },
            /cannot be combined/,
        ));
    it("rejects an invalid namespace name", () =>
        bad({ namespaceName: "Team_A" }, /namespaceName: 'Team_A' is not a valid name/));
    it("rejects an unknown key (typo)", () => bad({ podSecurty: {} }, /namespaces\[0\]\.podSecurty: unknown key/));
    it("rejects an unknown access level", () =>
        bad(
            { access: { owner: { groups: ["g"] } } },
            /access\.owner: unknown key; allowed keys: admin, developer, viewer/,
        ));
    it("rejects an access level binding nobody", () =>
        bad({ access: { viewer: { groups: [] } } }, /access\.viewer: binds nobody/));
    it("rejects a non-boolean opt-in", () =>
        bad({ access: { viewer: { groups: ["g"], allowExec: "yes" } } }, /allowExec: 'yes' must be true or false/));
    it("rejects 'default' as a workload ServiceAccount", () =>
        bad({ workloadServiceAccounts: ["default"] }, /workloadServiceAccounts\[0\]/));
    it("rejects duplicate workload ServiceAccounts", () =>
        bad({ workloadServiceAccounts: ["a", "a"] }, /duplicate ServiceAccount 'a'/));
    it("accepts the defaults", () => validateSecureNamespaceArgs({}, "x"));
    it("the constructor validates before creating anything", () => {
        const rec = setupMocks();
        assert.throws(
            () => new SecureNamespace("bad", { podSecurity: { enforce: "strict" as never } }),
            /bad\.podSecurity\.enforce/,
        );
        assert.equal(rec.resources.filter(r => r.type !== "hardened:k8s:SecureNamespace").length, 0);
    });
});
