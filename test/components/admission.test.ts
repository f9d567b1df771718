import { strict as assert } from "assert";
import { ClusterAdmission, validateClusterAdmissionArgs } from "../../components/admission/clusterAdmission";
import {
    ADMISSION_CONTROLS,
    admissionPolicies,
    DEFAULT_EXEMPT_NAMESPACES,
    NOT_GARBAGE_COLLECTOR,
} from "../../admission/policies";
import { validateClusterBaselineArgs } from "../../components/clusterBaseline";
import { loadStackPolicyConfig } from "../../config";
import { RULES } from "../../rules";
import { checkPackConfig, isCheckedPackConfig } from "../../rules/packConfig";
import { setupMocks, valueOf } from "../support/mocks";

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read the mocks' recorded inputs as JSON */
const REGISTRIES = { "allowed-image-registries": { allowedRegistries: ["registry.example.com", "ghcr.io/acme/"] } };
const find = (objs: any[], kind: string, id: string) =>
    objs.find(o => o.kind === kind && o.metadata.labels["hardened-cluster/control"] === id);

describe("in-cluster admission policies", () => {
    const objs = admissionPolicies({
        prefix: "hardened-",
        exemptNamespaces: DEFAULT_EXEMPT_NAMESPACES,
        packConfig: REGISTRIES,
    });
    const binding = (id: string) => find(objs, "ValidatingAdmissionPolicyBinding", id)!;
    const policy = (id: string) => find(objs, "ValidatingAdmissionPolicy", id)!;

    it("one policy and one binding per control", () => {
        assert.equal(objs.length, ADMISSION_CONTROLS.length * 2);
        for (const c of ADMISSION_CONTROLS) assert.equal(binding(c.id).spec.policyName, policy(c.id).metadata.name);
    });
    it("every control carries the pack's policy name", () => {
        for (const c of ADMISSION_CONTROLS) {
            assert.equal(c.name, RULES.find(r => r.id === c.id)!.name);
            assert.ok(policy(c.id).metadata.name.endsWith(c.name));
        }
    });
    it("mandatory controls Deny, advisory ones Warn and Audit (the pack's levels)", () => {
        assert.deepEqual(binding("RBAC-01").spec.validationActions, ["Deny"]);
        assert.deepEqual(binding("NET-03").spec.validationActions, ["Deny"]);
        assert.deepEqual(binding("IMG-01").spec.validationActions, ["Warn", "Audit"]);
        assert.deepEqual(binding("NET-01").spec.validationActions, ["Warn", "Audit"]);
    });
    it("actions can be overridden per control (Warn before Deny)", () => {
        const o = admissionPolicies({ prefix: "x-", exemptNamespaces: [], actions: { "RBAC-01": ["Warn"] } });
        assert.deepEqual(
            o.find(
                x =>
                    x.kind === "ValidatingAdmissionPolicyBinding" &&
                    x.metadata.labels["hardened-cluster/control"] === "RBAC-01",
            )!.spec.validationActions,
            ["Warn"],
        );
    });
    it("system namespaces and the add-ons are exempted explicitly", () => {
        const sel = binding("IMG-01").spec.matchResources.namespaceSelector.matchExpressions[0];
        assert.deepEqual(sel, {
            key: "kubernetes.io/metadata.name",
            operator: "NotIn",
            values: ["kube-system", "kube-public", "kube-node-lease", "falco", "trivy-system", "kube-bench"],
        });
    });
    it("break-glass: system:masters requests are never matched", () => {
        for (const c of ADMISSION_CONTROLS) {
            assert.deepEqual(policy(c.id).spec.matchConditions[0], {
                name: "not-break-glass",
                expression: "!('system:masters' in request.userInfo.groups)",
            });
        }
    });
    it(
        "no policy blocks the garbage collector's finalizer removal (an object refused today must still " +
            "be deletable)",
        () => {
            for (const c of ADMISSION_CONTROLS) {
                assert.deepEqual(policy(c.id).spec.matchConditions[1], NOT_GARBAGE_COLLECTOR, c.id);
            }
            assert.match(
                NOT_GARBAGE_COLLECTOR.expression,
                /system:serviceaccount:kube-system:generic-garbage-collector/,
            );
        },
    );
    it("SA-03 never blocks the controller that creates default ServiceAccounts", () => {
        assert.match(
            policy("SA-03").spec.matchConditions.find(
                (m: { name: string }) => m.name === "not-serviceaccount-controller",
            ).expression,
            /service-account-controller/,
        );
    });
    it("exemptions by name (prefix) and label become matchConditions after break-glass", () => {
        const o = admissionPolicies({
            prefix: "x-",
            exemptNamespaces: [],
            exemptNames: ["legacy-*", "one"],
            exemptLabels: { team: "sre" },
        });
        const mc = o.find(x => x.kind === "ValidatingAdmissionPolicy")!.spec.matchConditions;
        assert.deepEqual(
            mc.map((m: any) => m.name),
            ["not-break-glass", "not-garbage-collector", "not-exempt-name", "not-exempt-labels"],
        );
        assert.equal(
            mc[2].expression,
            "!(object.metadata.name.startsWith('legacy-') || object.metadata.name == 'one')",
        );
        assert.equal(
            mc[3].expression,
            "!(has(object.metadata.labels) && ('team' in object.metadata.labels && " +
                "object.metadata.labels['team'] == 'sre'))",
        );
    });
    it("quotes in exempt names cannot break out of the CEL string", () => {
        const mc = admissionPolicies({ prefix: "x-", exemptNamespaces: [], exemptNames: ["a') || true || ('"] })[0].spec
            .matchConditions;
        assert.equal(mc[2].expression, "!(object.metadata.name == 'a\\') || true || (\\'')");
    });
    it("every policy fails closed and names its control in the message", () => {
        for (const c of ADMISSION_CONTROLS) {
            assert.equal(policy(c.id).spec.failurePolicy, "Fail");
            assert.ok(policy(c.id).spec.validations[0].message.startsWith(`[${c.id}] `));
        }
    });
    it("workload policies read containers, init and ephemeral containers of every pod-bearing kind", () => {
        const p = policy("IMG-01").spec;
        assert.ok(
            p.variables.some(
                (v: any) => v.expression.includes("ephemeralContainers") && v.expression.includes("initContainers"),
            ),
        );
        assert.ok(p.variables.some((v: any) => v.expression.includes("jobTemplate")));
        assert.deepEqual(p.matchConstraints.resourceRules.flatMap((r: any) => r.resources).sort(), [
            "cronjobs",
            "daemonsets",
            "deployments",
            "jobs",
            "pods",
            "podtemplates",
            "replicasets",
            "replicationcontrollers",
            "statefulsets",
        ]);
    });
    it("validates its config with the key named", () => {
        assert.throws(
            () => validateClusterAdmissionArgs({ actions: { "PS-12": ["Deny"] } }, "hardened-cluster:admission"),
            /hardened-cluster:admission\.actions\.PS-12: not a control enforced in the API server/,
        );
        assert.throws(
            () => validateClusterAdmissionArgs({ actions: { "RBAC-01": ["Block" as never] } }, "a"),
            /a\.actions\.RBAC-01\[0\]: 'Block' is not allowed; allowed values: Deny, Warn, Audit/,
        );
        assert.throws(
            () => validateClusterAdmissionArgs({ actions: { "RBAC-01": ["Deny", "Warn"] } }, "a"),
            /Deny and Warn together/,
        );
    });
    it("the component registers every policy and binding under itself", async () => {
        const rec = setupMocks();
        const a = new ClusterAdmission("adm", { policyConfig: REGISTRIES });
        await Promise.all(a.policies.map(p => valueOf(p.urn)));
        assert.equal(
            rec.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").length,
            ADMISSION_CONTROLS.length,
        );
        assert.equal(
            rec.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").length,
            ADMISSION_CONTROLS.length,
        );
        assert.match(
            await valueOf(a.policies[0].urn),
            /hardened:k8s:ClusterAdmission\$kubernetes:admissionregistration/,
        );
    });

    describe("the stack's policy config (the file the pack and the scanner read)", () => {
        const with_ = (packConfig: any, extra: any = {}) =>
            admissionPolicies({ prefix: "x-", exemptNamespaces: ["kube-system"], packConfig, ...extra });
        it("levels follow it: advisory → Warn + Audit, mandatory → Deny, disabled → not installed, `all` too", () => {
            const o = with_({
                "no-rbac-wildcards": "advisory",
                "no-nodeport-services": { enforcementLevel: "mandatory" },
                "no-service-external-ips": "disabled",
            });
            assert.deepEqual(find(o, "ValidatingAdmissionPolicyBinding", "RBAC-01").spec.validationActions, [
                "Warn",
                "Audit",
            ]);
            assert.deepEqual(find(o, "ValidatingAdmissionPolicyBinding", "NET-01").spec.validationActions, ["Deny"]);
            assert.equal(find(o, "ValidatingAdmissionPolicy", "NET-03"), undefined);
            assert.equal(find(o, "ValidatingAdmissionPolicyBinding", "NET-03"), undefined);
            const adv = with_({ all: "advisory", "no-rbac-wildcards": "mandatory" });
            assert.deepEqual(find(adv, "ValidatingAdmissionPolicyBinding", "NET-03").spec.validationActions, [
                "Warn",
                "Audit",
            ]);
            assert.deepEqual(find(adv, "ValidatingAdmissionPolicyBinding", "RBAC-01").spec.validationActions, ["Deny"]);
        });
        it("an explicit action override still wins (Warn-first rollout)", () => {
            const o = with_({ "no-rbac-wildcards": "mandatory" }, { actions: { "RBAC-01": ["Warn"] } });
            assert.deepEqual(find(o, "ValidatingAdmissionPolicyBinding", "RBAC-01").spec.validationActions, ["Warn"]);
        });
        it("per-control exemptions: namespaces join the global list, names and labels become matchConditions", () => {
            const o = with_(
                {
                    "no-host-network": {
                        exemptNamespaces: ["ingress"],
                        exemptNames: ["edge-*"],
                        exemptLabels: { role: "edge" },
                    },
                },
                { exemptNames: ["legacy"], exemptLabels: { team: "sre" } },
            );
            const b = find(o, "ValidatingAdmissionPolicyBinding", "PS-04");
            assert.deepEqual(b.spec.matchResources.namespaceSelector.matchExpressions[0].values, [
                "kube-system",
                "ingress",
            ]);
            const mc = find(o, "ValidatingAdmissionPolicy", "PS-04").spec.matchConditions;
            assert.deepEqual(
                mc.map((m: any) => m.name),
                [
                    "not-break-glass",
                    "not-garbage-collector",
                    "not-exempt-name",
                    "not-exempt-labels",
                    "not-exempt-labels-2",
                ],
            );
            assert.equal(
                mc[2].expression,
                "!(object.metadata.name == 'legacy' || object.metadata.name.startsWith('edge-'))",
            );
            assert.match(mc[3].expression, /'team'/);
            assert.match(mc[4].expression, /'role'.*'edge'/);
            // Other controls keep only the global exemptions.
            assert.deepEqual(
                find(o, "ValidatingAdmissionPolicyBinding", "PS-03").spec.matchResources.namespaceSelector
                    .matchExpressions[0].values,
                ["kube-system"],
            );
        });
        it("the pack's default exemptions of a control apply too (PS-01 skips falco)", () => {
            const b = find(with_({}), "ValidatingAdmissionPolicyBinding", "PS-01");
            assert.ok(b.spec.matchResources.namespaceSelector.matchExpressions[0].values.includes("falco"));
        });
        it("IMG-03 is installed only with a registry list, and the list is in its CEL, quoted", () => {
            assert.equal(find(with_({}), "ValidatingAdmissionPolicy", "IMG-03"), undefined);
            const allow = find(with_(REGISTRIES), "ValidatingAdmissionPolicy", "IMG-03").spec;
            assert.equal(
                allow.validations[0].expression,
                "variables.refs.all(r, ['registry.example.com', 'ghcr.io/acme'].exists(p, r == p || " +
                    "r.startsWith(p + '/')))",
            );
            assert.match(allow.validations[0].message, /^\[IMG-03\] .*registry\.example\.com, ghcr\.io\/acme/);
            assert.ok(
                allow.variables.some((v: any) => v.name === "refs" && v.expression.includes("docker.io/library/")),
            );
            const deny = find(
                with_({ "allowed-image-registries": { deniedRegistries: ["docker.io", "evil.io/x'y"] } }),
                "ValidatingAdmissionPolicy",
                "IMG-03",
            ).spec;
            assert.equal(
                deny.validations[0].expression,
                "variables.refs.all(r, !['docker.io', 'evil.io/x\\'y'].exists(p, r == p || r.startsWith(p + '/')))",
            );
        });
        it(
            "privileged and host settings bind only namespaces that Pod Security does not hold at " +
                "baseline or restricted",
            () => {
                const pss = {
                    key: "pod-security.kubernetes.io/enforce",
                    operator: "NotIn",
                    values: ["baseline", "restricted"],
                };
                for (const id of ["PS-01", "PS-02", "PS-03", "PS-04", "PS-05", "PS-09", "PS-10"]) {
                    assert.deepEqual(binding(id).spec.matchResources.namespaceSelector.matchExpressions[1], pss, id);
                    assert.deepEqual(binding(id).spec.validationActions, ["Deny"], `${id} is mandatory in the pack`);
                }
                for (const id of ["IMG-01", "RBAC-01", "NET-03"])
                    assert.equal(binding(id).spec.matchResources.namespaceSelector.matchExpressions.length, 1, id);
            },
        );
        it("a policy config that is not valid is refused naming the key and the policy", () => {
            assert.throws(
                () =>
                    validateClusterAdmissionArgs(
                        { policyConfig: { "no-such-policy": "mandatory" } as any },
                        "hardened-cluster:admission",
                    ),
                /hardened-cluster:admission\.policyConfig: invalid policy config:[\s\S]*no-such-policy/,
            );
            assert.throws(
                () =>
                    validateClusterAdmissionArgs(
                        {
                            policyConfig: {
                                "allowed-image-registries": { allowedRegistries: "registry.example.com" },
                            } as any,
                        },
                        "a",
                    ),
                new RegExp(
                    "a\\.policyConfig: invalid policy config:[\\s\\S]*allowed-image-" +
                        "registries\\.allowedRegistries: must be array",
                ),
            );
            assert.throws(
                () =>
                    admissionPolicies({
                        prefix: "x-",
                        exemptNamespaces: [],
                        packConfig: { "no-such-policy": "mandatory" } as any,
                    }),
                /packConfig: invalid policy config:[\s\S]*no-such-policy/,
                "the face checks a config nobody checked",
            );
        });
        it("is checked once where it enters and passed on as the checked value", () => {
            const checked = loadStackPolicyConfig("prod", undefined)!;
            assert.ok(isCheckedPackConfig(checked, RULES));
            assert.equal(checkPackConfig(checked, RULES, "again"), checked, "a checked config is not checked again");
            assert.throws(
                () => {
                    (checked as any)["allowed-image-registries"] = "disabled";
                },
                TypeError,
                "frozen: it stays what was checked",
            );
            assert.throws(() => {
                (checked as any)["allowed-image-registries"].allowedRegistries.push("evil.example");
            }, TypeError);
            // The baseline passes the very value on to ClusterAdmission, which passes it to the face.
            const args = { admission: { enabled: true, policyConfig: checked } };
            assert.equal(validateClusterBaselineArgs(args, "hc").admission!.policyConfig, checked);
            assert.equal(validateClusterAdmissionArgs({ policyConfig: checked }, "a").policyConfig, checked);
            // A raw config (a library user's) is checked once and replaced by its checked copy.
            const raw = structuredClone(REGISTRIES);
            const once = validateClusterBaselineArgs({ admission: { enabled: true, policyConfig: raw } }, "hc")
                .admission!.policyConfig;
            assert.notEqual(once, raw);
            assert.ok(isCheckedPackConfig(once, RULES));
            assert.deepEqual(once, raw);
        });
    });
});
