/** Compliant and one-field-mutated fixtures per control outside pod security, unknowns and edge cases. */
import { strict as assert } from "assert";
import { parseImage } from "../../rules/images/images";
import { looksLikeCredential } from "../../rules/secrets/secrets";
import { UNKNOWN } from "../../rules/unknown";
import {
    binding,
    CASES,
    clone,
    d,
    deny,
    group,
    Json,
    ns,
    quota,
    role,
    rule,
    run,
    sa,
    svc,
    withContainer,
} from "../../rules/cases";

describe("rules outside pod security", () => {
    for (const c of CASES) {
        describe(`${c.id} ${rule(c.id).name}: ${c.what}`, () => {
            it("passes the compliant fixture", () =>
                assert.deepEqual(
                    run(c.id, c.good(), c.cfg).map(f => f.message),
                    [],
                ));
            it("flags the mutated fixture", () => {
                const f = run(c.id, c.bad(), c.cfg);
                assert.ok(
                    f.length >= 1 && f.every(x => x.controlId === c.id && !x.unknown),
                    JSON.stringify(f.map(x => x.message)),
                );
                assert.ok(f.every(x => x.message.length > 10));
            });
        });
    }

    describe("unknown values are reported as unknown", () => {
        const cases: Array<[string, () => Json[]]> = [
            ["IMG-01", () => [withContainer(c => (c.image = UNKNOWN))]],
            ["SA-01", () => [sa("app", { automountServiceAccountToken: UNKNOWN })]],
            ["NS-03", () => [ns("team-a", UNKNOWN)]],
            ["RBAC-02", () => [role(UNKNOWN as never)]],
            ["RBAC-07", () => [binding(UNKNOWN as never)]],
            ["RBAC-06", () => [role(UNKNOWN as never), binding([group("devs")])]],
            ["NET-03", () => [svc({ externalIPs: UNKNOWN })]],
            ["NET-07", () => [d(), { ...clone(deny), metadata: { name: "x", namespace: UNKNOWN } }]],
            ["NET-08", () => [ns(), { ...clone(deny), spec: UNKNOWN }]],
            ["RES-06", () => [ns(), { ...quota, metadata: { name: "q", namespace: UNKNOWN } }]],
            [
                "CFG-01",
                () => [
                    { apiVersion: "apiserver.config.k8s.io/v1", kind: "EncryptionConfiguration", resources: UNKNOWN },
                ],
            ],
        ];
        for (const [id, objs] of cases) {
            it(`${id}`, () => {
                const f = run(id, objs());
                assert.ok(f.length > 0 && f.some(x => x.unknown), JSON.stringify(f));
            });
        }
    });

    describe("edge cases", () => {
        it("parseImage: implicit Docker Hub, ports, digests", () => {
            assert.deepEqual(parseImage("nginx"), {
                registry: "docker.io",
                repository: "library/nginx",
                tag: undefined,
                digest: undefined,
            });
            assert.deepEqual(parseImage("localhost:5000/a/b:1@sha256:ab"), {
                registry: "localhost:5000",
                repository: "a/b",
                tag: "1",
                digest: "sha256:ab",
            });
            assert.equal(parseImage("ghcr.io/org/app:v2").tag, "v2");
        });
        it("credential detection avoids paths, booleans, references and URLs without passwords", () => {
            for (const [k, v] of [
                ["TOKEN_PATH", "/var/run/secrets/token"],
                ["ENABLE_AUTH_TOKEN", "true"],
                ["API_KEY", "$(API_KEY)"],
                ["SECRET_NAME", "db-secret"],
                ["AUTH_URL", "https://idp.example.com/auth"],
            ]) {
                assert.equal(looksLikeCredential(k, v), false, `${k}=${v}`);
            }
            assert.equal(looksLikeCredential("DATABASE_URL", "postgres://app:s3cr3t@db:5432/app"), true);
        });
        it("NET-07: a policy selecting other pods does not count", () => {
            const np = {
                ...clone(deny),
                spec: { podSelector: { matchLabels: { app: "other" } }, policyTypes: ["Ingress"] },
            };
            assert.equal(run("NET-07", [d(), np]).length, 1);
        });
        it("NET-07: matchExpressions selectors are honoured", () => {
            const np = {
                ...clone(deny),
                spec: {
                    podSelector: {
                        matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["app"] }],
                    },
                    policyTypes: ["Ingress"],
                },
            };
            assert.equal(run("NET-07", [d(), np]).length, 0);
        });
        it("NET-07: a selected pod on the host network is not isolated (NetworkPolicy does not apply to it)", () => {
            const host = d() as Json;
            host.spec.template.spec.hostNetwork = true;
            const f = run("NET-07", [host, clone(deny)]);
            assert.equal(f.length, 1);
            assert.equal(f[0].path, "spec.template.spec.hostNetwork");
            assert.match(f[0].message, /uses the host network/);
            assert.equal(run("NET-07", [d(), clone(deny)]).length, 0);
        });
        it("NET-01/02 allow opted-in Service types", () =>
            assert.equal(
                run("NET-02", [svc({ type: "LoadBalancer" })], {
                    "no-loadbalancer-services": { allowedServiceTypes: ["ClusterIP", "LoadBalancer"] },
                }).length,
                0,
            ));
        it("NS-03 minimumLevel restricted rejects baseline", () =>
            assert.equal(
                run("NS-03", [ns("team-a", { "pod-security.kubernetes.io/enforce": "baseline" })], {
                    "namespace-pod-security-enforced": { minimumLevel: "restricted" },
                }).length,
                1,
            ));
        it("RBAC rules ignore built-in system: roles", () =>
            assert.equal(
                run("RBAC-01", [
                    {
                        ...role([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], "ClusterRole"),
                        metadata: {
                            name: "system:controller:foo",
                            labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
                        },
                    },
                ]).length,
                0,
            ));
        it("RBAC rules judge a project's own role named system: (no bootstrap label)", () =>
            assert.equal(
                run("RBAC-01", [
                    {
                        ...role([{ apiGroups: ["*"], resources: ["*/scale"], verbs: ["get"] }], "ClusterRole"),
                        metadata: { name: "system:vpa-target-reader" },
                    },
                ]).length,
                1,
            ));
        it("a stray namespace on a cluster-scoped object neither names it nor exempts it (kube-router)", () => {
            const cr = {
                ...role([{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }], "ClusterRole"),
                metadata: { name: "reader", namespace: "kube-system" },
            };
            const exempt = { "no-secret-read-access": { exemptNamespaces: ["kube-system"] } };
            const f = run("RBAC-02", [cr], exempt);
            assert.equal(f.length, 1, "a ClusterRole is in no namespace, kube-system included");
            assert.match(f[0].message, /^ClusterRole "reader" /);
            // a namespaced Role in that namespace is still exempt
            const r = { ...cr, kind: "Role" };
            assert.equal(run("RBAC-02", [r], exempt).length, 0);
        });
        it("a binding of cluster-admin named system: is judged unless it carries the bootstrap label", () => {
            const crb = (labels?: Record<string, string>) => ({
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "ClusterRoleBinding",
                metadata: { name: "system:totally-legit", ...(labels ? { labels } : {}) },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
                subjects: [{ kind: "ServiceAccount", name: "app", namespace: "team-a" }],
            });
            assert.equal(run("RBAC-06", [crb()]).length, 1);
            assert.equal(run("RBAC-06", [crb({ "kubernetes.io/bootstrapping": "rbac-defaults" })]).length, 0);
        });
        it("NET-08 judges each namespace by its own policies (2,000 namespaces, one without)", () => {
            const objs: Json[] = [];
            for (let i = 0; i < 2000; i++)
                objs.push(
                    ns(`n${i}`),
                    ...(i === 1234 ? [] : [{ ...clone(deny), metadata: { name: "d", namespace: `n${i}` } }]),
                );
            const f = run("NET-08", objs);
            assert.deepEqual(
                f.map(x => x.object.metadata!.name),
                ["n1234"],
            );
        });
    });
});
