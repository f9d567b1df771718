/**
 * e2e check 12: OIDC through the loopback provider: a provider token signs in as oidc:<email> with
 * prefixed groups and gets its access level; forged, foreign-audience, foreign-issuer and expired
 * tokens get 401; a provider group named system:masters grants nothing.
 */
import { generateKeyPairSync } from "crypto";
import { writeFileSync } from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { kubectl } from "../../../cluster/local";
import { signJwt } from "../../../cluster/oidc";
import { assert, Check, waitForSync } from "../harness";

export const check: Check = {
    name:
        "12. OIDC: a provider token signs in as oidc:<email> with prefixed groups and gets its access " +
        "level; forged, foreign or expired tokens get 401; a provider group system:masters grants nothing",
    run: ({ c, ns }) => {
        assert(
            c.oidc,
            "the local stack configures OIDC (hardened-cluster:controlPlane.oidc), so the cluster must run a provider",
        );
        const o = c.oidc;
        const kubeconfigFor = (token: string) => {
            const file = path.join(c.stateDir, "oidc-user.kubeconfig");
            writeFileSync(
                file,
                stringify({
                    apiVersion: "v1",
                    kind: "Config",
                    "current-context": "oidc",
                    clusters: [{ name: "local", cluster: { server: c.server, "certificate-authority": c.pki.caCert } }],
                    users: [{ name: "oidc", user: { token } }],
                    contexts: [{ name: "oidc", context: { cluster: "local", user: "oidc" } }],
                }),
                { mode: 0o600 },
            );
            return file;
        };
        const asToken = (token: string, args: string[]) =>
            kubectl({ toolsBin: c.toolsBin, kubeconfig: kubeconfigFor(token) }, args);
        const claims = {
            iss: o.issuer,
            aud: "kubernetes",
            sub: "alice-123",
            email: "alice@example.com",
            email_verified: true,
            groups: [`${ns}-auditors`, "system:masters"],
        };
        const good = signJwt(o.signingKey, o.kid, claims);
        // The API server loads the provider's keys asynchronously after start: wait up to 30 s.
        const who =
            waitForSync(() => {
                const r = asToken(good, ["auth", "whoami", "-o", "json"]);
                return r.code === 0 ? r : undefined;
            }, 30_000) ?? asToken(good, ["auth", "whoami", "-o", "json"]);
        assert(who.code === 0, `a valid provider token was not accepted: ${who.err}`);
        const user = JSON.parse(who.out).status.userInfo;
        assert(user.username === "oidc:alice@example.com", `username is ${user.username}, expected the prefixed email`);
        assert(
            user.groups.includes(`oidc:${ns}-auditors`) && user.groups.includes("oidc:system:masters"),
            `groups not prefixed: ${user.groups}`,
        );
        assert(!user.groups.includes("system:masters"), "a provider group became system:masters");
        const can = (verb: string, res: string, extra: string[] = ["-n", ns]) =>
            asToken(good, ["auth", "can-i", verb, res, ...extra]).out.trim();
        assert(can("list", "pods") === "yes", "the OIDC group's viewer level does not apply");
        assert(
            can("get", "secrets") === "no" && can("create", "deployments.apps") === "no",
            "the viewer level grants too much",
        );
        assert(
            can("create", "clusterrolebindings.rbac.authorization.k8s.io", []) === "no",
            "a provider group 'system:masters' grants cluster rights",
        );
        const refused = (token: string, what: string) => {
            const r = asToken(token, ["get", "pods", "-n", ns]);
            assert(
                r.code !== 0 && /Unauthorized|must be logged in/i.test(r.err),
                `${what} was not refused with 401: ${r.err || r.out}`,
            );
        };
        const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
        refused(
            signJwt(privateKey.export({ type: "pkcs8", format: "pem" }) as string, o.kid, claims),
            "a token signed by another key",
        );
        refused(signJwt(o.signingKey, o.kid, { ...claims, aud: "another-client" }), "a token for another client ID");
        refused(
            signJwt(o.signingKey, o.kid, { ...claims, iss: "https://127.0.0.1:1/other" }),
            "a token from another issuer",
        );
        refused(signJwt(o.signingKey, o.kid, claims, -3600), "an expired token");
    },
};
