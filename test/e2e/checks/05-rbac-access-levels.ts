/** e2e check 5: the workload ServiceAccount and each access level get what they should, and nothing more. */
import { assert, canI, Check } from "../harness";

export const check: Check = {
    name:
        "5. RBAC: the workload ServiceAccount and each access level (incl. an OIDC group, prefixed) can " +
        "do what they should and nothing more",
    run: e => {
        const { c, ns } = e;
        const sa = [`--as=system:serviceaccount:${ns}:${c.workloadServiceAccount}`];
        for (const [verb, res] of [
            ["get", "secrets"],
            ["list", "secrets"],
            ["create", "pods/exec"],
            ["list", "pods"],
        ])
            assert(canI(e, sa, verb, res) === "no", `workload SA can ${verb} ${res}`);
        const as = (g: string) => ["--as=alice@example.com", `--as-group=${g}`];
        const expect: Array<[string, string, string, string]> = [
            ["team-a-viewers", "list", "pods", "yes"],
            ["team-a-viewers", "get", "secrets", "no"],
            ["team-a-viewers", "create", "deployments.apps", "no"],
            ["team-a-viewers", "create", "pods/exec", "no"],
            ["team-a-devs", "create", "deployments.apps", "yes"],
            ["team-a-devs", "get", "secrets", "no"],
            ["team-a-devs", "create", "pods/exec", "no"],
            ["team-a-devs", "delete", "networkpolicies.networking.k8s.io", "no"],
            ["team-a-admins", "create", "secrets", "yes"],
            ["team-a-admins", "get", "secrets", "no"],
            ["team-a-admins", "delete", "pods", "yes"],
            ["team-a-admins", "create", "rolebindings.rbac.authorization.k8s.io", "no"],
            ["team-a-admins", "impersonate", "serviceaccounts", "no"],
            ["team-a-admins", "patch", "resourcequotas", "no"],
            // oidcGroups are bound with the API server's --oidc-groups-prefix; the bare name from the provider gets
            // nothing.
            ["oidc:team-a-auditors", "list", "pods", "yes"],
            ["oidc:team-a-auditors", "get", "secrets", "no"],
            ["team-a-auditors", "list", "pods", "no"],
        ];
        for (const [g, verb, res, want] of expect)
            assert(canI(e, as(g), verb, res) === want, `${g} ${verb} ${res}: expected ${want}`);
    },
};
