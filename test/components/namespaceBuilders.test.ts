import { strict as assert } from "assert";
import {
    accessRoleRules,
    accessSubjects,
    allowRuleSpec,
    defaultDenySpec,
    dnsEgressSpec,
    limitRangeSpec,
    peerSpec,
    pssLabels,
    quarantineSpec,
    quotaSpec,
    sameNamespaceSpec,
} from "../../components/namespace/builders";
import { matchSelector } from "../../rules/selectors";
import { DEFAULT_LIMITS, DEFAULT_QUOTA, resolveSecureNamespaceArgs } from "../../components/namespace/defaults";
import { ACCESS_LEVELS } from "../../components/namespace/types";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Pulumi inputs read as JSON
const j = (o: unknown): any => o;

const DANGEROUS_VERBS = ["escalate", "bind", "impersonate", "*"];

function grants(rules: ReturnType<typeof accessRoleRules>, resource: string, verb: string): boolean {
    return rules.some(r => (r.resources as string[]).includes(resource) && (r.verbs as string[]).includes(verb));
}

describe("SecureNamespace builders", () => {
    describe("pssLabels", () => {
        const labels = pssLabels({ enforce: "restricted", audit: "restricted", warn: "baseline" }, "v1.34");
        for (const mode of ["enforce", "audit", "warn"]) {
            it(`sets ${mode} and pins ${mode}-version`, () => {
                assert.ok(labels[`pod-security.kubernetes.io/${mode}`]);
                assert.equal(labels[`pod-security.kubernetes.io/${mode}-version`], "v1.34");
            });
        }
        it("uses the level given per mode", () => {
            assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
            assert.equal(labels["pod-security.kubernetes.io/warn"], "baseline");
        });
        it("has exactly six labels", () => assert.equal(Object.keys(labels).length, 6));
    });

    describe("defaults", () => {
        const a = resolveSecureNamespaceArgs("team-a", {});
        it("enforce, audit and warn default to restricted", () =>
            assert.deepEqual(
                [a.podSecurity.enforce, a.podSecurity.audit, a.podSecurity.warn],
                ["restricted", "restricted", "restricted"],
            ));
        it("audit and warn follow a lowered enforce level", () => {
            const b = resolveSecureNamespaceArgs("x", { podSecurity: { enforce: "baseline" } });
            assert.equal(b.podSecurity.audit, "baseline");
        });
        it("pins the PSS version to v1.34", () => assert.equal(a.podSecurity.version, "v1.34"));
        it("namespace name defaults to the component name", () => assert.equal(a.namespaceName, "team-a"));
        it("same-namespace traffic is off and DNS is on by default", () => {
            assert.equal(a.network.allowSameNamespace, false);
            assert.equal(a.network.allowDns, true);
        });
    });

    describe("quotaSpec", () => {
        const hard = quotaSpec(DEFAULT_QUOTA).hard as Record<string, string>;
        for (const key of [
            "requests.cpu",
            "requests.memory",
            "limits.cpu",
            "limits.memory",
            "pods",
            "services",
            "secrets",
            "configmaps",
            "persistentvolumeclaims",
            "services.loadbalancers",
            "services.nodeports",
        ]) {
            it(`sets ${key}`, () => assert.ok(hard[key] !== undefined && hard[key] !== ""));
        }
        it("forbids LoadBalancer and NodePort Services by default", () => {
            assert.equal(hard["services.loadbalancers"], "0");
            assert.equal(hard["services.nodeports"], "0");
        });
        it("counts are strings as the API expects", () => assert.equal(typeof hard.pods, "string"));
    });

    describe("limitRangeSpec", () => {
        const [l] = j(limitRangeSpec(DEFAULT_LIMITS)).limits;
        it("applies to containers", () => assert.equal(l.type, "Container"));
        it("sets default requests, default limits and max", () => {
            assert.deepEqual(l.defaultRequest, { cpu: "100m", memory: "128Mi" });
            assert.deepEqual(l.default, { cpu: "500m", memory: "512Mi" });
            assert.deepEqual(l.max, { cpu: "2", memory: "4Gi" });
        });
    });

    describe("NetworkPolicies", () => {
        it("default-deny selects every pod and denies ingress and egress", () => {
            assert.deepEqual(defaultDenySpec(), { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        });
        it("DNS egress goes to kube-dns in kube-system only, namespace and pod selector in one peer", () => {
            const spec = j(dnsEgressSpec());
            assert.deepEqual(spec.policyTypes, ["Egress"]);
            assert.equal(spec.egress.length, 1);
            assert.deepEqual(spec.egress[0].to, [
                {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                },
            ]);
            assert.deepEqual(spec.egress[0].ports, [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
            ]);
            assert.equal(spec.ingress, undefined);
        });
        it("quarantine denies all traffic of pods labelled for isolation, and no allow policy selects them", () => {
            assert.deepEqual(quarantineSpec(), {
                podSelector: { matchLabels: { "hardened-cluster/quarantine": "true" } },
                policyTypes: ["Ingress", "Egress"],
            });
            const isolated = { "hardened-cluster/quarantine": "true", app: "web" };
            const allows = [
                dnsEgressSpec(),
                sameNamespaceSpec(),
                allowRuleSpec("ingress", { name: "w", podLabels: { app: "web" }, peers: [{ namespaces: ["x"] }] }),
                allowRuleSpec("egress", { name: "e", peers: [{ cidr: "10.0.0.0/8" }] }),
            ];
            assert.equal(matchSelector(quarantineSpec().podSelector, isolated), true);
            for (const a of allows) {
                assert.equal(matchSelector(a.podSelector, isolated), false, JSON.stringify(a.podSelector));
                assert.equal(
                    matchSelector(a.podSelector, { app: "web" }),
                    true,
                    "the same pod without the label is still selected",
                );
            }
        });
        it("same-namespace allows only pods of the namespace", () => {
            const spec = j(sameNamespaceSpec());
            assert.deepEqual(spec.ingress, [{ from: [{ podSelector: {} }] }]);
            assert.deepEqual(spec.egress, [{ to: [{ podSelector: {} }] }]);
        });
        it("an ingress rule from a namespace's pods on a port", () => {
            const spec = j(
                allowRuleSpec("ingress", {
                    name: "web",
                    podLabels: { app: "web" },
                    peers: [{ namespaces: ["ingress-nginx"], podLabels: { app: "controller" } }],
                    ports: [{ port: 8080 }],
                }),
            );
            assert.deepEqual(spec.podSelector, {
                matchLabels: { app: "web" },
                matchExpressions: [{ key: "hardened-cluster/quarantine", operator: "DoesNotExist" }],
            });
            assert.deepEqual(spec.policyTypes, ["Ingress"]);
            assert.deepEqual(spec.ingress[0], {
                from: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
                        podSelector: { matchLabels: { app: "controller" } },
                    },
                ],
                ports: [{ protocol: "TCP", port: 8080 }],
            });
        });
        it("an egress rule to a CIDR with exceptions", () => {
            const spec = j(
                allowRuleSpec("egress", {
                    name: "db",
                    peers: [{ cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] }],
                    ports: [{ port: 5432 }],
                }),
            );
            assert.deepEqual(spec.egress[0].to, [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }]);
            assert.deepEqual(spec.policyTypes, ["Egress"]);
        });
        it("several namespaces become an In expression on the metadata name label", () => {
            assert.deepEqual(peerSpec({ namespaces: ["a", "b"] }), {
                namespaceSelector: {
                    matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["a", "b"] }],
                },
            });
        });
        it("a pods-only peer stays in the policy's namespace", () => {
            assert.deepEqual(peerSpec({ podLabels: { app: "x" } }), { podSelector: { matchLabels: { app: "x" } } });
        });
    });

    describe("accessRoleRules", () => {
        for (const level of ACCESS_LEVELS) {
            const rules = accessRoleRules(level);
            it(`${level}: no wildcard in apiGroups, resources or verbs`, () => {
                for (const r of rules) {
                    for (const field of ["apiGroups", "resources", "verbs"] as const) {
                        assert.ok(!(r[field] as string[]).includes("*"), `${field} has *`);
                    }
                }
            });
            it(`${level}: cannot read Secrets`, () => {
                for (const v of ["get", "list", "watch"]) assert.ok(!grants(rules, "secrets", v));
            });
            it(`${level}: no exec, attach or port-forward`, () => {
                for (const r of ["pods/exec", "pods/attach", "pods/portforward"])
                    assert.ok(!rules.some(x => (x.resources as string[]).includes(r)));
            });
            it(`${level}: no escalate, bind or impersonate`, () => {
                for (const r of rules)
                    for (const v of DANGEROUS_VERBS) assert.ok(!(r.verbs as string[]).includes(v), v);
            });
            it(`${level}: cannot change NetworkPolicies, quotas or limits`, () => {
                for (const res of ["networkpolicies", "resourcequotas", "limitranges"]) {
                    for (const v of ["create", "update", "patch", "delete"])
                        assert.ok(!grants(rules, res, v), `${res} ${v}`);
                }
            });
        }
        it("viewer is read-only", () => {
            for (const r of accessRoleRules("viewer")) {
                assert.ok((r.verbs as string[]).every(v => ["get", "list", "watch"].includes(v)));
            }
        });
        it("developer manages deployments", () =>
            assert.ok(grants(accessRoleRules("developer"), "deployments", "create")));
        it("admin may write but not read Secrets", () => {
            const rules = accessRoleRules("admin");
            assert.ok(grants(rules, "secrets", "create"));
            assert.ok(!grants(rules, "secrets", "get"));
        });
        it("opt-ins add exactly the permission asked for", () => {
            assert.ok(grants(accessRoleRules("developer", { allowExec: true }), "pods/exec", "create"));
            assert.ok(grants(accessRoleRules("developer", { allowPortForward: true }), "pods/portforward", "create"));
            assert.ok(grants(accessRoleRules("viewer", { allowSecretsRead: true }), "secrets", "get"));
            assert.ok(grants(accessRoleRules("admin", { allowRoleManagement: true }), "roles", "bind"));
            assert.ok(grants(accessRoleRules("admin", { allowImpersonate: true }), "serviceaccounts", "impersonate"));
            assert.ok(!grants(accessRoleRules("developer", { allowExec: true }), "pods/portforward", "create"));
        });
        it("subjects are groups and users of the RBAC API group", () => {
            assert.deepEqual(accessSubjects({ groups: ["g"], users: ["u"] }), [
                { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "g" },
                { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "u" },
            ]);
        });
    });
});
