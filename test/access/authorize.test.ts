import { strict as assert } from "assert";
import {
    aggregateClusterRoles,
    Decision,
    PolicyRule,
    RbacSnapshot,
    Request,
    ruleAllows,
    ruleDecides,
    rulesAllow,
    serviceAccountGroups,
    serviceAccountUser,
    splitResource,
    subjectApplies,
    UserInfo,
} from "../../rules/rbac/authorize";
import { UNKNOWN } from "../../rules/unknown";

const res = (verb: string, apiGroup: string, resource: string, extra: Partial<Request> = {}): Request => {
    const { resource: r, subresource } = splitResource(resource);
    return { verb, apiGroup, resource: r, subresource, ...extra } as Request;
};
const url = (verb: string, path: string): Request => ({ verb, path });

/** [what, rule, request, granted] — each row decided as kube-apiserver's RBAC authorizer decides. */
const TABLE: Array<[string, PolicyRule, Request, boolean]> = [
    // verbs
    ["exact verb", { verbs: ["get"], apiGroups: [""], resources: ["pods"] }, res("get", "", "pods"), true],
    ["other verb", { verbs: ["get"], apiGroups: [""], resources: ["pods"] }, res("list", "", "pods"), false],
    ["verb *", { verbs: ["*"], apiGroups: [""], resources: ["pods"] }, res("escalate", "", "pods"), true],
    [
        "verbs are case-sensitive",
        { verbs: ["GET"], apiGroups: [""], resources: ["pods"] },
        res("get", "", "pods"),
        false,
    ],
    ["no verbs grant nothing", { verbs: [], apiGroups: ["*"], resources: ["*"] }, res("get", "", "pods"), false],
    // api groups
    [
        "core group is the empty string",
        { verbs: ["get"], apiGroups: [""], resources: ["deployments"] },
        res("get", "apps", "deployments"),
        false,
    ],
    [
        "named group",
        { verbs: ["get"], apiGroups: ["apps"], resources: ["deployments"] },
        res("get", "apps", "deployments"),
        true,
    ],
    [
        "group *",
        { verbs: ["get"], apiGroups: ["*"], resources: ["deployments"] },
        res("get", "apps", "deployments"),
        true,
    ],
    ["group * includes core", { verbs: ["get"], apiGroups: ["*"], resources: ["pods"] }, res("get", "", "pods"), true],
    ["missing apiGroups grant no resource", { verbs: ["get"], resources: ["pods"] }, res("get", "", "pods"), false],
    [
        "group prefix is not a match",
        { verbs: ["get"], apiGroups: ["apps"], resources: ["deployments"] },
        res("get", "apps.example.com", "deployments"),
        false,
    ],
    // resources and subresources
    [
        "resource does not grant its subresource",
        { verbs: ["create"], apiGroups: [""], resources: ["pods"] },
        res("create", "", "pods/exec", { name: "p" }),
        false,
    ],
    [
        "exact subresource",
        { verbs: ["create"], apiGroups: [""], resources: ["pods/exec"] },
        res("create", "", "pods/exec", { name: "p" }),
        true,
    ],
    [
        "subresource does not grant the resource",
        { verbs: ["get"], apiGroups: [""], resources: ["pods/log"] },
        res("get", "", "pods"),
        false,
    ],
    [
        "resource * grants subresources",
        { verbs: ["create"], apiGroups: [""], resources: ["*"] },
        res("create", "", "pods/exec", { name: "p" }),
        true,
    ],
    [
        "*/scale grants any scale",
        { verbs: ["update"], apiGroups: ["apps"], resources: ["*/scale"] },
        res("update", "apps", "deployments/scale", { name: "d" }),
        true,
    ],
    [
        "*/scale does not grant status",
        { verbs: ["update"], apiGroups: ["apps"], resources: ["*/scale"] },
        res("update", "apps", "deployments/status", { name: "d" }),
        false,
    ],
    [
        "*/scale does not grant the resource",
        { verbs: ["get"], apiGroups: ["apps"], resources: ["*/scale"] },
        res("get", "apps", "deployments"),
        false,
    ],
    [
        "pods/* is literal, not a subresource wildcard",
        { verbs: ["create"], apiGroups: [""], resources: ["pods/*"] },
        res("create", "", "pods/exec", { name: "p" }),
        false,
    ],
    [
        "*/* is literal too",
        { verbs: ["get"], apiGroups: [""], resources: ["*/*"] },
        res("get", "", "pods/log", { name: "p" }),
        false,
    ],
    [
        "resources are case-sensitive",
        { verbs: ["get"], apiGroups: [""], resources: ["Pods"] },
        res("get", "", "pods"),
        false,
    ],
    [
        "*/exec suffix must be the whole subresource",
        { verbs: ["get"], apiGroups: [""], resources: ["*/xec"] },
        res("get", "", "pods/exec", { name: "p" }),
        false,
    ],
    // resource names
    [
        "named get",
        { verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["tls"] },
        res("get", "", "secrets", { name: "tls" }),
        true,
    ],
    [
        "other name",
        { verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["tls"] },
        res("get", "", "secrets", { name: "db" }),
        false,
    ],
    [
        "list has no name: not granted by names",
        { verbs: ["list"], apiGroups: [""], resources: ["secrets"], resourceNames: ["tls"] },
        res("list", "", "secrets"),
        false,
    ],
    [
        "create has no name: not granted by names",
        { verbs: ["create"], apiGroups: [""], resources: ["pods"], resourceNames: ["p"] },
        res("create", "", "pods"),
        false,
    ],
    [
        "empty resourceNames allow every name",
        { verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: [] },
        res("get", "", "secrets", { name: "x" }),
        true,
    ],
    [
        "names with a subresource",
        { verbs: ["create"], apiGroups: [""], resources: ["pods/exec"], resourceNames: ["p"] },
        res("create", "", "pods/exec", { name: "p" }),
        true,
    ],
    [
        "a name * is literal",
        { verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["*"] },
        res("get", "", "secrets", { name: "x" }),
        false,
    ],
    // non-resource URLs
    ["exact URL", { verbs: ["get"], nonResourceURLs: ["/healthz"] }, url("get", "/healthz"), true],
    [
        "URL is not a prefix without *",
        { verbs: ["get"], nonResourceURLs: ["/healthz"] },
        url("get", "/healthz/ping"),
        false,
    ],
    ["trailing * is a prefix", { verbs: ["get"], nonResourceURLs: ["/healthz*"] }, url("get", "/healthz/ping"), true],
    [
        "trailing /* is a prefix with the slash",
        { verbs: ["get"], nonResourceURLs: ["/healthz/*"] },
        url("get", "/healthz"),
        false,
    ],
    ["URL *", { verbs: ["get"], nonResourceURLs: ["*"] }, url("get", "/anything"), true],
    ["URL verb", { verbs: ["get"], nonResourceURLs: ["/metrics"] }, url("post", "/metrics"), false],
    [
        "a resource rule grants no URL",
        { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
        url("get", "/metrics"),
        false,
    ],
    ["a URL rule grants no resource", { verbs: ["*"], nonResourceURLs: ["*"] }, res("get", "", "pods"), false],
    ["a * inside a URL is literal", { verbs: ["get"], nonResourceURLs: ["/a*/b"] }, url("get", "/ax/b"), false],
];

describe("rbac/authorize: PolicyRule matching as the RBAC authorizer", () => {
    for (const [what, rule, req, want] of TABLE) {
        it(`${what}: ${want ? "granted" : "not granted"}`, () => assert.equal(ruleAllows(rule, req), want));
    }

    it("any rule of a list grants", () => {
        const rules = [
            { verbs: ["get"], apiGroups: [""], resources: ["pods"] },
            { verbs: ["list"], apiGroups: [""], resources: ["pods"] },
        ];
        assert.equal(rulesAllow(rules, res("list", "", "pods")), true);
        assert.equal(rulesAllow(rules, res("watch", "", "pods")), false);
        assert.equal(rulesAllow(undefined, res("get", "", "pods")), false);
    });

    describe("unknown values (preview outputs)", () => {
        const cases: Array<[string, unknown, Request, Decision]> = [
            [
                "unknown verbs",
                { verbs: UNKNOWN, apiGroups: [""], resources: ["pods"] },
                res("get", "", "pods"),
                "unknown",
            ],
            [
                "unknown verb element, others miss",
                { verbs: [UNKNOWN, "list"], apiGroups: [""], resources: ["pods"] },
                res("get", "", "pods"),
                "unknown",
            ],
            [
                "unknown element but a known match",
                { verbs: [UNKNOWN, "get"], apiGroups: [""], resources: ["pods"] },
                res("get", "", "pods"),
                true,
            ],
            [
                "known miss elsewhere wins",
                { verbs: UNKNOWN, apiGroups: ["apps"], resources: ["pods"] },
                res("get", "", "pods"),
                false,
            ],
            [
                "unknown resourceNames",
                { verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: UNKNOWN },
                res("get", "", "pods"),
                "unknown",
            ],
            ["unknown rule", UNKNOWN, res("get", "", "pods"), "unknown"],
        ];
        for (const [what, rule, req, want] of cases) it(what, () => assert.equal(ruleDecides(rule, req), want));
        it("ruleAllows is ruleDecides === true, on every table row and unknown case, and on random rules", () => {
            const reqs = [...TABLE.map(t => t[2]), ...cases.map(c => c[2])];
            const rules: unknown[] = [...TABLE.map(t => t[1]), ...cases.map(c => c[1])];
            const pool = [
                "*",
                "get",
                "create",
                "",
                "apps",
                "pods",
                "pods/exec",
                "*/exec",
                "secrets",
                "tls",
                "/healthz",
                "/healthz*",
                UNKNOWN,
            ];
            let seed = 11;
            const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
            const list = () =>
                rand() < 0.1
                    ? UNKNOWN
                    : rand() < 0.1
                      ? undefined
                      : Array.from({ length: Math.floor(rand() * 3) }, () => pool[Math.floor(rand() * pool.length)]);
            for (let i = 0; i < 3000; i++)
                rules.push({
                    verbs: list(),
                    apiGroups: list(),
                    resources: list(),
                    resourceNames: list(),
                    nonResourceURLs: list(),
                });
            for (const rule of rules)
                for (const req of reqs)
                    assert.equal(
                        ruleAllows(rule, req),
                        ruleDecides(rule, req) === true,
                        `${JSON.stringify(rule)} ${JSON.stringify(req)}`,
                    );
        });
    });
});

describe("rbac/authorize: subjects", () => {
    const sa: UserInfo = {
        name: serviceAccountUser("team", "app"),
        groups: [...serviceAccountGroups("team"), "system:authenticated"],
    };
    it("a ServiceAccount subject without namespace means the RoleBinding's", () => {
        assert.equal(subjectApplies({ kind: "ServiceAccount", name: "app" }, sa, "team"), true);
        assert.equal(subjectApplies({ kind: "ServiceAccount", name: "app" }, sa, "other"), false);
        assert.equal(subjectApplies({ kind: "ServiceAccount", name: "app" }, sa, ""), false);
        assert.equal(subjectApplies({ kind: "ServiceAccount", name: "app", namespace: "team" }, sa, ""), true);
    });
    it("groups and users", () => {
        assert.equal(subjectApplies({ kind: "Group", name: "system:serviceaccounts:team" }, sa), true);
        assert.equal(subjectApplies({ kind: "User", name: "system:serviceaccount:team:app" }, sa), true);
        assert.equal(subjectApplies({ kind: "User", name: "system:serviceaccounts:team" }, sa), false);
        assert.equal(subjectApplies({ kind: "Other", name: "app" }, sa, "team"), false);
    });
});

const cr = (name: string, labels: Record<string, string>, rules: PolicyRule[], aggregationRule?: unknown) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name, labels },
    rules,
    ...(aggregationRule ? { aggregationRule } : {}),
});

describe("rbac/authorize: ClusterRole aggregation", () => {
    const a = { verbs: ["get"], apiGroups: [""], resources: ["pods"] };
    const b = { verbs: ["list"], apiGroups: [""], resources: ["pods"] };
    const c = { verbs: ["get"], apiGroups: [""], resources: ["secrets"] };
    it("the union of the selected roles replaces the written rules, deduplicated", () => {
        const m = aggregateClusterRoles([
            cr("agg", {}, [c], {
                clusterRoleSelectors: [
                    { matchLabels: { x: "1" } },
                    { matchExpressions: [{ key: "y", operator: "Exists" }] },
                ],
            }),
            cr("r2", { x: "1", y: "" }, [b, a]),
            cr("r1", { x: "1" }, [a]),
            cr("r3", { x: "2" }, [c]),
        ]);
        assert.deepEqual(m.get("agg"), [a, b]);
        assert.deepEqual(m.get("r3"), [c]);
    });
    it("nested aggregation reaches the fixed point; a role never selects itself", () => {
        const m = aggregateClusterRoles([
            cr("top", { l: "top" }, [], { clusterRoleSelectors: [{ matchLabels: { to: "top" } }] }),
            cr("mid", { to: "top" }, [], {
                clusterRoleSelectors: [{ matchLabels: { to: "mid" } }, { matchLabels: { l: "top" } }],
            }),
            cr("leaf", { to: "mid" }, [a]),
        ]);
        assert.deepEqual(m.get("top"), [a]);
        assert.deepEqual(m.get("mid"), [a]);
    });
    it("NotIn / DoesNotExist selectors; an empty selector selects every other role", () => {
        const m = aggregateClusterRoles([
            cr("n", {}, [], {
                clusterRoleSelectors: [
                    {
                        matchExpressions: [
                            { key: "x", operator: "NotIn", values: ["1"] },
                            { key: "z", operator: "DoesNotExist" },
                        ],
                    },
                ],
            }),
            cr("r1", { x: "1" }, [a]),
            cr("r2", { x: "2" }, [b]),
            cr("r3", { z: "" }, [c]),
            cr("all", { z: "all" }, [], { clusterRoleSelectors: [{}] }),
        ]);
        assert.deepEqual(m.get("n"), [b]);
        assert.deepEqual(new Set(m.get("all")), new Set([a, b, c]));
    });
});

describe("rbac/authorize: RbacSnapshot resolves bindings like the authorizer", () => {
    const objects = [
        cr("reader", {}, [{ verbs: ["get", "list"], apiGroups: [""], resources: ["secrets"] }]),
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: { name: "exec", namespace: "team" },
            rules: [{ verbs: ["create"], apiGroups: [""], resources: ["pods/exec"] }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "rb", namespace: "team" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "reader" },
            subjects: [{ kind: "Group", name: "devs" }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "rb2", namespace: "team" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "exec" },
            subjects: [{ kind: "ServiceAccount", name: "ci" }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "dangling", namespace: "team" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "missing" },
            subjects: [{ kind: "User", name: "bob" }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: "crb" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "reader" },
            subjects: [{ kind: "User", name: "alice" }],
        },
    ];
    const snap = new RbacSnapshot(objects);
    const dev: UserInfo = { name: "carol", groups: ["devs", "system:authenticated"] };
    const ci: UserInfo = {
        name: serviceAccountUser("team", "ci"),
        groups: [...serviceAccountGroups("team"), "system:authenticated"],
    };
    it("a RoleBinding to a ClusterRole grants only in its namespace", () => {
        assert.equal(snap.allows(dev, res("list", "", "secrets", { namespace: "team" })), true);
        assert.equal(snap.allows(dev, res("list", "", "secrets", { namespace: "other" })), false);
        assert.equal(snap.allows(dev, res("list", "", "secrets")), false);
    });
    it("a ClusterRoleBinding grants everywhere and cluster-wide", () => {
        const alice = { name: "alice", groups: [] };
        assert.equal(snap.allows(alice, res("list", "", "secrets")), true);
        assert.equal(snap.allows(alice, res("list", "", "secrets", { namespace: "x" })), true);
    });
    it("the ServiceAccount subject of a RoleBinding, with the grant's source", () => {
        const src = snap.authorize(ci, res("create", "", "pods/exec", { namespace: "team", name: "p" }));
        assert.deepEqual(src && { b: src.binding, s: src.subject, r: src.role }, {
            b: { kind: "RoleBinding", name: "rb2", namespace: "team" },
            s: { kind: "ServiceAccount", name: "ci", namespace: "team" },
            r: { kind: "Role", name: "exec", namespace: "team" },
        });
    });
    it("a binding to a missing role grants nothing", () => {
        assert.equal(snap.allows({ name: "bob", groups: [] }, res("get", "", "pods", { namespace: "team" })), false);
    });
});
