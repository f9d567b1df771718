import { strict as assert } from "assert";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaOf, toPolicies, toPolicy } from "../../policy-packs/crossguard/policies";
import { kubernetesObject, plain } from "../../policy-packs/crossguard/objects";
import proxy from "../../policy-packs/crossguard/sdk";
import { RULES } from "../../rules";
import { UNKNOWN } from "../../rules/unknown";
import { k8sResource, ruleNamed, runPolicies } from "../../scripts/policy-harness";
import { mutated, workload } from "../../rules/cases";

const policies = toPolicies(RULES);
const only = (id: string) => policies.filter(p => p.name === ruleNamed(id));

describe("CrossGuard face", () => {
    describe("objects from engine args", () => {
        it("maps core and grouped type tokens to apiVersion and kind", () => {
            assert.deepEqual(kubernetesObject("kubernetes:core/v1:Pod", { metadata: { name: "p" } }), {
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: "p" },
            });
            assert.equal(kubernetesObject("kubernetes:apps/v1:Deployment", {})!.apiVersion, "apps/v1");
            assert.equal(
                kubernetesObject("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", {})!.apiVersion,
                "rbac.authorization.k8s.io/v1",
            );
        });
        it("turns Patch resources into their object kind", () =>
            assert.equal(kubernetesObject("kubernetes:core/v1:ServiceAccountPatch", {})!.kind, "ServiceAccount"));
        it("skips non-Kubernetes resources and Helm/YAML components", () => {
            assert.equal(kubernetesObject("random:index/randomBytes:RandomBytes", {}), undefined);
            assert.equal(kubernetesObject("kubernetes:helm.sh/v4:Chart", {}), undefined);
            assert.equal(kubernetesObject("kubernetes:yaml/v2:ConfigGroup", {}), undefined);
        });
        it("unwraps the SDK proxy and turns every unknown sentinel into UNKNOWN", () => {
            const p = proxy.unknownCheckingProxy({
                a: { b: proxy.unknownBooleanValue, c: [proxy.unknownStringValue, 1] },
            });
            assert.deepEqual(plain(p), { a: { b: UNKNOWN, c: [UNKNOWN, 1] } });
        });
    });

    describe("resource policies", () => {
        const privileged = k8sResource(mutated("Deployment", s => (s.containers[0].securityContext.privileged = true)));
        it("a privileged Deployment is a mandatory violation naming the container and field", async () => {
            const v = await runPolicies(only("PS-01"), [privileged]);
            assert.equal(v.length, 1);
            assert.equal(v[0].enforcementLevel, "mandatory");
            assert.match(v[0].message, /\[PS-01\] The container "app" runs privileged/);
            assert.match(v[0].message, /field: spec\.template\.spec\.containers\[0\]\.securityContext\.privileged/);
        });
        it("the hardened Deployment passes every policy", async () => {
            const v = await runPolicies(
                policies.filter(p => "validateResource" in p),
                [k8sResource(workload("Deployment"))],
            );
            assert.deepEqual(
                v.map(x => `${x.policy}: ${x.message}`),
                [],
            );
        });
        it("an unknown deciding value yields an advisory 'can't run' diagnostic, not a crash or a pass", async () => {
            const r = k8sResource(
                mutated("Deployment", s => (s.containers[0].securityContext.privileged = "UNKNOWN_BOOL")),
            );
            const v = await runPolicies(only("PS-01"), [r]);
            assert.equal(v.length, 1);
            assert.equal(v[0].enforcementLevel, "advisory");
            assert.match(
                v[0].message,
                /can't run policy 'no-privileged-containers' during preview: .*securityContext\.privileged/,
            );
        });
        it("a known violation is still reported beside an unknown one", async () => {
            const r = k8sResource(
                mutated("Deployment", s => {
                    s.containers[0].securityContext.privileged = true;
                    s.initContainers[0].securityContext.privileged = "UNKNOWN_BOOL";
                }),
            );
            const v = await runPolicies(only("PS-01"), [r]);
            assert.deepEqual(v.map(x => x.enforcementLevel).sort(), ["advisory", "mandatory"]);
        });
        it("policy config exempts by namespace; engine defaults are not needed", async () => {
            assert.equal(
                (
                    await runPolicies(only("PS-01"), [privileged], {
                        "no-privileged-containers": { exemptNamespaces: ["team-a"] },
                    })
                ).length,
                0,
            );
        });
        it("enforcement can be lowered per policy or disabled", async () => {
            assert.equal(
                (await runPolicies(only("PS-01"), [privileged], { "no-privileged-containers": "advisory" }))[0]
                    .enforcementLevel,
                "advisory",
            );
            assert.equal((await runPolicies(only("PS-01"), [privileged], { all: "disabled" })).length, 0);
        });
        it("ignores resources of other kinds", async () => {
            assert.equal(
                (
                    await runPolicies(only("PS-01"), [
                        { type: "random:index/randomBytes:RandomBytes", name: "k", props: { length: 32 } },
                    ])
                ).length,
                0,
            );
        });
    });

    describe("stack policies", () => {
        const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } };
        const deny = {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "default-deny", namespace: "team-a" },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        };
        it("NET-08 flags a namespace without default-deny, with the namespace's URN", async () => {
            const r = k8sResource(ns);
            r.urn = "urn:pulumi:s::p::kubernetes:core/v1:Namespace::team-a";
            const v = await runPolicies(only("NET-08"), [r]);
            assert.equal(v.length, 1);
            assert.equal(v[0].urn, r.urn);
        });
        it("NET-08 passes with the default-deny policy", async () =>
            assert.equal((await runPolicies(only("NET-08"), [k8sResource(ns), k8sResource(deny)])).length, 0));
        it("NET-08 with a policy whose namespace is unknown: advisory, not a false pass", async () => {
            const v = await runPolicies(only("NET-08"), [
                k8sResource(ns),
                k8sResource({ ...deny, metadata: { name: "default-deny", namespace: "UNKNOWN_STRING" } }),
            ]);
            assert.equal(v.length, 1);
            assert.equal(v[0].enforcementLevel, "advisory");
        });
        it("RBAC-06 follows a binding to a wildcard role in the same stack", async () => {
            const role = {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "ClusterRole",
                metadata: { name: "all" },
                rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
            };
            const binding = {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "ClusterRoleBinding",
                metadata: { name: "b" },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "all" },
                subjects: [{ kind: "Group", name: "devs" }],
            };
            const v = await runPolicies(only("RBAC-06"), [k8sResource(role), k8sResource(binding)]);
            assert.equal(v.length, 1);
            assert.equal(v[0].enforcementLevel, "mandatory");
        });
    });

    describe("metadata", () => {
        it("every policy has the rule's name, a description with its control ID, remediation, url and severity", () => {
            for (const [i, p] of policies.entries()) {
                assert.equal(p.name, RULES[i].name);
                assert.ok(p.description.startsWith(`[${RULES[i].id}] `));
                assert.ok(p.remediationSteps && p.url && p.severity, p.name);
            }
        });
        it("critical/high are mandatory, the rest advisory", () => {
            for (const p of policies) {
                assert.equal(
                    p.enforcementLevel,
                    p.severity === "critical" || p.severity === "high" ? "mandatory" : "advisory",
                    p.name,
                );
            }
        });
        it("the falco, trivy and kube-bench exemptions are visible as schema defaults", () => {
            const s = configSchemaOf(RULES.find(r => r.id === "PS-02")!);
            assert.deepEqual(s.properties.exemptNamespaces.default, ["falco", "trivy-system", "kube-bench"]);
        });
        it("every config property has a type, a description and a default", () => {
            for (const r of RULES) {
                for (const [k, v] of Object.entries(configSchemaOf(r).properties)) {
                    assert.ok(v.type && typeof v.description === "string" && "default" in v, `${r.name}.${k}`);
                }
            }
        });
        it("a single policy can be built on its own", () =>
            assert.equal((toPolicy(RULES[0]) as ResourceValidationPolicy).name, RULES[0].name));
    });
});
