import { strict as assert } from "assert";
import { run } from "../../access/cli";
import { parseRequest } from "../../access/request";
import { AccessReview, canAllows, identity, parseSubject, subjectKey } from "../../access/review";
import { risky } from "../../access/risky";
import { RbacSnapshot } from "../../rules/rbac/authorize";
import { K8sObject } from "../../rules/types";
import { generate, questions } from "../../scripts/rbac-generate";

const RBAC = "rbac.authorization.k8s.io/v1";
const REF = "rbac.authorization.k8s.io";
const OBJECTS: K8sObject[] = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "app", namespace: "team" } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ci", namespace: "team" } },
    {
        apiVersion: RBAC,
        kind: "ClusterRole",
        metadata: { name: "secret-reader" },
        rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }],
    },
    {
        apiVersion: RBAC,
        kind: "ClusterRole",
        metadata: { name: "named-secret" },
        rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["tls"] }],
    },
    {
        apiVersion: RBAC,
        kind: "ClusterRole",
        metadata: { name: "agg", labels: {} },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "team/agg": "true" } }] },
    },
    {
        apiVersion: RBAC,
        kind: "ClusterRole",
        metadata: { name: "exec", labels: { "team/agg": "true" } },
        rules: [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }],
    },
    {
        apiVersion: RBAC,
        kind: "RoleBinding",
        metadata: { name: "devs-read", namespace: "team" },
        roleRef: { apiGroup: REF, kind: "ClusterRole", name: "secret-reader" },
        subjects: [{ kind: "Group", apiGroup: REF, name: "oidc:devs" }],
    },
    {
        apiVersion: RBAC,
        kind: "RoleBinding",
        metadata: { name: "sas-exec", namespace: "team" },
        roleRef: { apiGroup: REF, kind: "ClusterRole", name: "agg" },
        subjects: [{ kind: "Group", apiGroup: REF, name: "system:serviceaccounts:team" }],
    },
    {
        apiVersion: RBAC,
        kind: "ClusterRoleBinding",
        metadata: { name: "alice-tls" },
        roleRef: { apiGroup: REF, kind: "ClusterRole", name: "named-secret" },
        subjects: [{ kind: "User", apiGroup: REF, name: "alice" }],
    },
];

describe("access review", () => {
    const review = new AccessReview(OBJECTS);
    const keys = (req: string, ns = "", name = "") =>
        review.whoCan(parseRequest(req.split(" ")[0], req.split(" ")[1], name, ns)).map(g => subjectKey(g.subject));

    it("who-can lists each ServiceAccount that gets a power through its namespace's group", () => {
        assert.deepEqual(keys("create pods/exec", "team", "p"), [
            "Group:/system:serviceaccounts:team",
            "ServiceAccount:team/app",
            "ServiceAccount:team/ci",
        ]);
        assert.deepEqual(keys("create pods/exec", "other", "p"), []);
    });
    it("a question without a name is not granted by a resourceNames grant", () => {
        assert.deepEqual(keys("get secrets", "team", "tls"), ["User:/alice", "Group:/oidc:devs"]);
        assert.deepEqual(keys("get secrets", "team"), ["Group:/oidc:devs"]);
        assert.deepEqual(keys("list secrets"), []);
    });
    it("answers carry the binding chain", () => {
        const [g] = review.whoCan(parseRequest("list", "secrets", "", "team"));
        assert.deepEqual(
            { b: g.chains[0].binding, r: g.chains[0].role, v: g.chains[0].via },
            {
                b: { kind: "RoleBinding", name: "devs-read", namespace: "team" },
                r: { kind: "ClusterRole", name: "secret-reader" },
                v: { kind: "Group", name: "oidc:devs" },
            },
        );
    });
    it("can lists effective rules per namespace and agrees with who-can", () => {
        const sa = parseSubject("ServiceAccount:team/app");
        const res = review.can(sa);
        assert.deepEqual(res.clusterWide, []);
        assert.deepEqual(Object.keys(res.namespaces), ["team"]);
        assert.equal(canAllows(res, parseRequest("create", "pods/exec", "p", "team")), true);
        assert.equal(canAllows(res, parseRequest("create", "pods/exec", "p", "other")), false);
    });
    it("risky names power, control, scope and chain; default bindings are left out unless asked", () => {
        const r = risky(review).map(e => `${subjectKey(e.subject)} ${e.power} ${e.controlId} ${e.scope}`);
        assert.deepEqual(r, [
            "Group:/oidc:devs secrets-read RBAC-02 team",
            "Group:/system:serviceaccounts:team exec RBAC-03 team",
            "ServiceAccount:team/app exec RBAC-03 team",
            "ServiceAccount:team/ci exec RBAC-03 team",
        ]);
    });
    it("subjects parse in all written forms", () => {
        assert.deepEqual(parseSubject("system:serviceaccount:a:b"), {
            kind: "ServiceAccount",
            namespace: "a",
            name: "b",
        });
        assert.deepEqual(parseSubject("User:system:serviceaccount:a:b"), {
            kind: "ServiceAccount",
            namespace: "a",
            name: "b",
        });
        assert.deepEqual(parseSubject("group:oidc:devs"), { kind: "Group", name: "oidc:devs" });
        assert.throws(() => parseSubject("alice"), /invalid subject 'alice'/);
        assert.throws(() => parseSubject("sa:onlyname"), /NAMESPACE\/NAME/);
    });
    it("requests parse like kubectl's arguments", () => {
        assert.deepEqual(parseRequest("update", "deployments/scale", "web", "t"), {
            verb: "update",
            apiGroup: "apps",
            resource: "deployments",
            subresource: "scale",
            name: "web",
            namespace: "t",
        });
        assert.deepEqual(parseRequest("get", "widgets.example.com"), {
            verb: "get",
            apiGroup: "example.com",
            resource: "widgets",
        });
        assert.deepEqual(parseRequest("get", "/healthz"), { verb: "get", path: "/healthz" });
        assert.throws(() => parseRequest("get", "Pods!"), /invalid resource 'Pods!'/);
    });

    it("property: who-can (indexed), can and the authorizer's rule walk agree on generated RBAC", () => {
        const gen = generate({ seed: 3, prefix: "p" });
        const rv = new AccessReview(gen.objects);
        const snap = new RbacSnapshot(gen.objects);
        const qs = questions(gen.namespaces, 400, 5);
        let allowed = 0;
        for (const q of qs) {
            const who = new Set(rv.whoCan(q).map(g => subjectKey(g.subject)));
            for (const s of rv.subjects) {
                const want = snap.allows(identity(s), q);
                if (want) allowed++;
                assert.equal(who.has(subjectKey(s)), want, `${subjectKey(s)} ${JSON.stringify(q)}`);
                assert.equal(canAllows(rv.can(s), q), want, `can: ${subjectKey(s)} ${JSON.stringify(q)}`);
            }
        }
        assert.ok(allowed > 100 && allowed < qs.length * rv.subjects.length - 100, `degenerate: ${allowed} allowed`);
    });
});

describe("access CLI", () => {
    const yaml = OBJECTS.map(o => JSON.stringify(o)).join("\n---\n");
    const cli = async (args: string[], stdin = yaml) => {
        let out = "";
        let err = "";
        const code = await run(args, { stdout: s => (out += s), stderr: s => (err += s), readStdin: () => stdin });
        return { code, out, err };
    };
    it("who-can JSON: the documented schema", async () => {
        const r = await cli(["who-can", "list", "secrets", "-n", "team", "--format", "json", "--no-defaults", "-"]);
        assert.equal(r.code, 0, r.err);
        const j = JSON.parse(r.out);
        assert.equal(j.schema, "hardened-cluster.access/v1");
        assert.equal(j.kind, "WhoCan");
        assert.deepEqual(j.request, {
            verb: "list",
            apiGroup: "",
            resource: "secrets",
            subresource: "",
            name: "",
            namespace: "team",
        });
        assert.deepEqual(
            j.subjects.map((s: { kind: string; name: string }) => [s.kind, s.name]),
            [["Group", "oidc:devs"]],
        );
        assert.deepEqual(Object.keys(j.subjects[0].grantedBy[0]).sort(), [
            "binding",
            "role",
            "rule",
            "ruleIndex",
            "subject",
        ]);
    });
    it("text and Markdown outputs name the subject and the chain", async () => {
        const t = await cli(["who-can", "create", "pods/exec", "-n", "team", "--name", "p", "--no-defaults", "-"]);
        assert.match(
            t.out,
            new RegExp(
                "ServiceAccount team\\/app +RoleBinding team\\/sas-exec → ClusterRole agg " +
                    "rules\\[0\\] \\(via Group system:serviceaccounts:team\\)",
            ),
        );
        const m = await cli(["risky", "--format", "markdown", "--no-defaults", "-"]);
        assert.match(m.out, /### Namespace team/);
        assert.match(m.out, /\| ServiceAccount team\/app \| {2}\| ✔ \|/);
    });
    it(
        "the default RBAC snapshot is included offline: every authenticated user may create " +
            "SelfSubjectAccessReviews",
        async () => {
            const r = await cli(["who-can", "create", "selfsubjectaccessreviews", "--format", "json", "-"]);
            assert.equal(r.code, 0, r.err);
            const names = JSON.parse(r.out).subjects.map((s: { name: string }) => s.name);
            assert.ok(names.includes("alice") && names.includes("app"), names.join(", "));
            const without = await cli([
                "who-can",
                "create",
                "selfsubjectaccessreviews",
                "--format",
                "json",
                "--no-defaults",
                "-",
            ]);
            assert.deepEqual(JSON.parse(without.out).subjects, []);
        },
    );
    it("bad input: a clear error with file and line, exit 2, the rest still answered", async () => {
        const r = await cli(
            ["who-can", "list", "secrets", "-n", "team", "--no-defaults", "-"],
            `${yaml}\n---\nkind: [unclosed\n`,
        );
        assert.equal(r.code, 2);
        assert.match(r.err, /<stdin>:\d+: error:/);
        assert.match(r.out, /Group oidc:devs/);
        const u = await cli(["who-can", "get", "Pods!", "-"]);
        assert.equal(u.code, 2);
        assert.match(u.err, /invalid resource 'Pods!'/);
        const s = await cli(["can", "nobody", "-"]);
        assert.equal(s.code, 2);
        assert.match(s.err, /invalid subject 'nobody'/);
        const k = await cli(["risky", "--kubeconfig", "/nonexistent/kubeconfig"]);
        assert.equal(k.code, 2);
        assert.match(k.err, /\/nonexistent\/kubeconfig/);
    });
});
