/** Bad stack config fails with the config key named, and nothing is created. */
import { strict as assert } from "assert";
import { ClusterBaseline, ClusterBaselineArgs, validateClusterBaselineArgs } from "../../components/clusterBaseline";
import { mkdtempSync, mkdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { checkUnknownKeys, loadStackPolicyConfig } from "../../config";
import { setupMocks, valueOf } from "../support/mocks";

const ok = { name: "team-a" };

function rejects(args: ClusterBaselineArgs, re: RegExp): void {
    const rec = setupMocks();
    assert.throws(() => new ClusterBaseline("baseline", args, {}, "hardened-cluster"), re);
    const created = rec.resources.filter(r => r.type !== "hardened:k8s:ClusterBaseline");
    assert.deepEqual(created.map(r => r.type), [], "nothing may be created on bad input");
}

describe("stack config validation", () => {
    it("unknown PSS level names the key and the allowed values", () =>
        rejects({ namespaces: [ok, { name: "b", podSecurity: { enforce: "strict" as never } }] },
            /^ConfigError|hardened-cluster:namespaces\[1\]\.podSecurity\.enforce: 'strict' is not allowed; allowed values: privileged, baseline, restricted/));
    it("malformed quantity", () => rejects({ namespaces: [{ name: "a", quota: { limitsMemory: "ten" } }] }, /hardened-cluster:namespaces\[0\]\.quota\.limitsMemory: 'ten' is not a Kubernetes quantity/));
    it("duplicate namespace, pointing at both entries", () => rejects({ namespaces: [ok, { name: "x" }, ok] }, /hardened-cluster:namespaces\[2\]\.name: duplicate namespace 'team-a' \(also at hardened-cluster:namespaces\[0\]\)/));
    it("NetworkPolicy port out of range", () =>
        rejects({ namespaces: [{ name: "a", network: { ingress: [{ name: "web", peers: [{ podLabels: { a: "b" } }], ports: [{ port: 0 }] }] } }] }, /namespaces\[0\]\.network\.ingress\[0\]\.ports\[0\]\.port: '0' is not a port/));
    it("key rotation without a key", () => rejects({ namespaces: [ok], controlPlane: { enabled: true, encryption: { keys: [] } } }, /hardened-cluster:controlPlane\.encryption\.keys: must name at least one key/));
    it("a namespace without a name", () => rejects({ namespaces: [{} as never] }, /namespaces\[0\]\.name: every namespace needs a name/));
    it("an unknown add-on", () => rejects({ addons: { kyverno: {} } as never }, /hardened-cluster:addons\.kyverno: unknown key; allowed keys: falco, trivy/));
    it("an add-on namespace that is also a team namespace", () => rejects({ namespaces: [{ name: "falco" }], addons: { falco: { enabled: true } } }, /addons\.falco\.namespace: 'falco' is also a team namespace/));
    it("a bad add-on egress CIDR", () => rejects({ addons: { trivy: { enabled: true, egressCidrs: ["nope"] } } }, /addons\.trivy/));
    it("a non-boolean enabled flag", () => rejects({ controlPlane: { enabled: "yes" as never } }, /controlPlane\.enabled: must be true or false/));
    it("unknown top-level config keys are rejected (typos)", () => {
        assert.throws(() => checkUnknownKeys({ "hardened-cluster:namespace": "[]" }), /hardened-cluster:namespace: unknown config key; known keys: hardened-cluster:namespaces/);
        checkUnknownKeys({ "hardened-cluster:namespaces": "[]", "kubernetes:context": "x" });
    });
    it("a bad admission policy config is refused and nothing is created", () =>
        rejects({ admission: { enabled: true, policyConfig: { "no-rbac-wildcards": "block" } as never } }, /hardened-cluster:admission\.policyConfig: invalid policy config:[\s\S]*no-rbac-wildcards/));
    it("a valid baseline passes validation", () => validateClusterBaselineArgs({ namespaces: [ok], addons: { falco: { enabled: true } }, controlPlane: { enabled: true } }, "hardened-cluster"));
});

describe("ClusterBaseline wiring", () => {
    it("creates namespaces, add-ons and control plane under the baseline", async () => {
        const rec = setupMocks();
        const b = new ClusterBaseline("baseline", { namespaces: [ok], addons: { falco: { enabled: true }, trivy: { enabled: false } }, controlPlane: { enabled: true } });
        assert.ok(b.falco && !b.trivy && b.controlPlane);
        await valueOf(b.falco.chart.urn);
        await valueOf(b.namespaces[0].namespaceName);
        assert.equal(rec.ofType("hardened:k8s:SecureNamespace").length, 2);
        assert.equal(rec.ofType("kubernetes:helm.sh/v4:Chart").length, 1);
    });
    it("two baselines with different names do not collide", () => {
        const rec = setupMocks();
        new ClusterBaseline("a", { controlPlane: { enabled: true }, addons: { falco: { enabled: true, namespace: "falco-a" } } });
        new ClusterBaseline("b", { controlPlane: { enabled: true }, addons: { falco: { enabled: true, namespace: "falco-b" } } });
        const keys = rec.resources.map(r => `${r.type}::${r.name}`);
        assert.equal(new Set(keys).size, keys.length);
    });
});

describe("the stack's policy config file (shared by the pack, the scanner and admission)", () => {
    const root = mkdtempSync(path.join(tmpdir(), "hc-policy-config-"));
    mkdirSync(path.join(root, "stacks"));
    writeFileSync(path.join(root, "stacks", "policy-config.s1.json"), JSON.stringify({ "allowed-image-registries": { allowedRegistries: ["r.example.com"] } }));
    writeFileSync(path.join(root, "bad.json"), JSON.stringify({ "allowed-image-registries": { allowedRegistry: ["r.example.com"] } }));
    writeFileSync(path.join(root, "broken.json"), "{ not json");
    it("defaults to stacks/policy-config.<stack>.json", () =>
        assert.deepEqual(loadStackPolicyConfig("s1", undefined, root), { "allowed-image-registries": { allowedRegistries: ["r.example.com"] } }));
    it("no file for the stack means the pack's defaults", () => assert.equal(loadStackPolicyConfig("s2", undefined, root), undefined));
    it("an explicit file that does not exist is an error naming the key", () =>
        assert.throws(() => loadStackPolicyConfig("s1", "nope.json", root), /hardened-cluster:admission\.policyConfigFile: file .*nope\.json does not exist/));
    it("a file with an unknown setting names the key, the file and the setting", () =>
        assert.throws(() => loadStackPolicyConfig("s1", "bad.json", root), /hardened-cluster:admission\.policyConfigFile: .*bad\.json: invalid policy config:[\s\S]*allowed-image-registries: must NOT have additional properties 'allowedRegistry'/));
    it("a file that is not JSON names the file", () =>
        assert.throws(() => loadStackPolicyConfig("s1", "broken.json", root), /policyConfigFile: .*broken\.json: /));
    it("a policyConfigFile that is not a string is refused", () =>
        assert.throws(() => loadStackPolicyConfig("s1", 3, root), /policyConfigFile: must be a path/));
});
