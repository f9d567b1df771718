import { strict as assert } from "assert";
import { ClusterAdmission, validateClusterAdmissionArgs } from "../../components/admission/clusterAdmission";
import { ADMISSION_CONTROLS, admissionPolicies, DEFAULT_EXEMPT_NAMESPACES } from "../../components/admission/policies";
import { setupMocks, valueOf } from "../support/mocks";

/* eslint-disable @typescript-eslint/no-explicit-any */
describe("in-cluster admission policies", () => {
    const objs = admissionPolicies({ prefix: "hardened-", exemptNamespaces: DEFAULT_EXEMPT_NAMESPACES });
    const binding = (id: string) => objs.find(o => o.kind === "ValidatingAdmissionPolicyBinding" && o.metadata.labels["hardened-cluster/control"] === id)!;
    const policy = (id: string) => objs.find(o => o.kind === "ValidatingAdmissionPolicy" && o.metadata.labels["hardened-cluster/control"] === id)!;

    it("one policy and one binding per control", () => {
        assert.equal(objs.length, ADMISSION_CONTROLS.length * 2);
        for (const c of ADMISSION_CONTROLS) assert.equal(binding(c.id).spec.policyName, policy(c.id).metadata.name);
    });
    it("mandatory controls Deny, advisory ones Warn and Audit (the pack's levels)", () => {
        assert.deepEqual(binding("RBAC-01").spec.validationActions, ["Deny"]);
        assert.deepEqual(binding("NET-03").spec.validationActions, ["Deny"]);
        assert.deepEqual(binding("IMG-01").spec.validationActions, ["Warn", "Audit"]);
        assert.deepEqual(binding("NET-01").spec.validationActions, ["Warn", "Audit"]);
    });
    it("actions can be overridden per control (Warn before Deny)", () => {
        const o = admissionPolicies({ prefix: "x-", exemptNamespaces: [], actions: { "RBAC-01": ["Warn"] } });
        assert.deepEqual(o.find(x => x.kind === "ValidatingAdmissionPolicyBinding" && x.metadata.labels["hardened-cluster/control"] === "RBAC-01")!.spec.validationActions, ["Warn"]);
    });
    it("system namespaces and the add-ons are exempted explicitly", () => {
        const sel = binding("IMG-01").spec.matchResources.namespaceSelector.matchExpressions[0];
        assert.deepEqual(sel, { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system", "kube-public", "kube-node-lease", "falco", "trivy-system"] });
    });
    it("break-glass: system:masters requests are never matched", () => {
        for (const c of ADMISSION_CONTROLS) {
            assert.deepEqual(policy(c.id).spec.matchConditions[0], { name: "not-break-glass", expression: "!('system:masters' in request.userInfo.groups)" });
        }
    });
    it("SA-03 never blocks the controller that creates default ServiceAccounts", () => {
        assert.match(policy("SA-03").spec.matchConditions[1].expression, /service-account-controller/);
    });
    it("exemptions by name (prefix) and label become matchConditions after break-glass", () => {
        const o = admissionPolicies({ prefix: "x-", exemptNamespaces: [], exemptNames: ["legacy-*", "one"], exemptLabels: { team: "sre" } });
        const mc = o.find(x => x.kind === "ValidatingAdmissionPolicy")!.spec.matchConditions;
        assert.deepEqual(mc.map((m: any) => m.name), ["not-break-glass", "not-exempt-name", "not-exempt-labels"]);
        assert.equal(mc[1].expression, "!(object.metadata.name.startsWith('legacy-') || object.metadata.name == 'one')");
        assert.equal(mc[2].expression, "!(has(object.metadata.labels) && ('team' in object.metadata.labels && object.metadata.labels['team'] == 'sre'))");
    });
    it("quotes in exempt names cannot break out of the CEL string", () => {
        const mc = admissionPolicies({ prefix: "x-", exemptNamespaces: [], exemptNames: ["a') || true || ('"] })[0].spec.matchConditions;
        assert.equal(mc[1].expression, "!(object.metadata.name == 'a\\') || true || (\\'')");
    });
    it("every policy fails closed and names its control in the message", () => {
        for (const c of ADMISSION_CONTROLS) {
            assert.equal(policy(c.id).spec.failurePolicy, "Fail");
            assert.ok(policy(c.id).spec.validations[0].message.startsWith(`[${c.id}] `));
        }
    });
    it("workload policies read containers, init and ephemeral containers of every pod-bearing kind", () => {
        const p = policy("IMG-01").spec;
        assert.ok(p.variables.some((v: any) => v.expression.includes("ephemeralContainers") && v.expression.includes("initContainers")));
        assert.ok(p.variables.some((v: any) => v.expression.includes("jobTemplate")));
        assert.deepEqual(p.matchConstraints.resourceRules.flatMap((r: any) => r.resources).sort(),
            ["cronjobs", "daemonsets", "deployments", "jobs", "pods", "podtemplates", "replicasets", "replicationcontrollers", "statefulsets"]);
    });
    it("validates its config with the key named", () => {
        assert.throws(() => validateClusterAdmissionArgs({ actions: { "PS-01": ["Deny"] } }, "hardened-cluster:admission"), /hardened-cluster:admission\.actions\.PS-01: not a control enforced in the API server/);
        assert.throws(() => validateClusterAdmissionArgs({ actions: { "RBAC-01": ["Block" as never] } }, "a"), /a\.actions\.RBAC-01\[0\]: 'Block' is not allowed; allowed values: Deny, Warn, Audit/);
        assert.throws(() => validateClusterAdmissionArgs({ actions: { "RBAC-01": ["Deny", "Warn"] } }, "a"), /Deny and Warn together/);
    });
    it("the component registers every policy and binding under itself", async () => {
        const rec = setupMocks();
        const a = new ClusterAdmission("adm");
        await Promise.all(a.policies.map(p => valueOf(p.urn)));
        assert.equal(rec.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").length, ADMISSION_CONTROLS.length);
        assert.equal(rec.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").length, ADMISSION_CONTROLS.length);
        assert.match(await valueOf(a.policies[0].urn), /hardened:k8s:ClusterAdmission\$kubernetes:admissionregistration/);
    });
});
