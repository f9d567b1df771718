/**
 * SecureIngress: HTTPS only, a cert-manager certificate, and the backend reachable from the ingress controller only.
 */
import { strict as assert } from "assert";
import { validateClusterBaselineArgs } from "../../components/clusterBaseline";
import {
    ingressControllerPolicySpec,
    SecureIngress,
    secureIngressObject,
    SecureIngressArgs,
} from "../../components/ingress/secureIngress";
import { RULES } from "../../rules";
import { evaluate, resolveRules } from "../../rules/evaluate";
import { matchSelector } from "../../rules/selectors";
import { setupMocks, valueOf } from "../support/mocks";

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read the mocks' recorded inputs as JSON */
const ARGS: SecureIngressArgs = {
    namespace: "payments",
    hosts: ["pay.example.com", "api.pay.example.com"],
    service: { name: "payments-api", port: 80 },
    targetPort: 8080,
    podLabels: { app: "payments-api" },
    issuer: "letsencrypt-prod",
};

describe("SecureIngress", () => {
    const ing = secureIngressObject("pay", ARGS);
    it("requires TLS for every host, with the certificate in a Secret cert-manager fills", () => {
        assert.deepEqual(ing.spec.tls, [{ hosts: ["pay.example.com", "api.pay.example.com"], secretName: "pay-tls" }]);
        assert.deepEqual(
            ing.spec.rules.map((r: any) => r.host),
            ARGS.hosts,
        );
        assert.equal(ing.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-prod");
        assert.equal(
            secureIngressObject("x", { ...ARGS, issuerKind: "Issuer" }).metadata.annotations["cert-manager.io/issuer"],
            "letsencrypt-prod",
        );
    });
    it("redirects plain HTTP to HTTPS", () => {
        assert.equal(ing.metadata.annotations["nginx.ingress.kubernetes.io/ssl-redirect"], "true");
        assert.equal(ing.metadata.annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"], "true");
    });
    it("passes the pack's Ingress controls (NET-04 TLS, NET-05 specific hosts, NET-06 no snippets)", () => {
        const obj = { apiVersion: "networking.k8s.io/v1", kind: "Ingress", ...ing };
        assert.deepEqual(
            evaluate(resolveRules(RULES.filter(r => ["NET-04", "NET-05", "NET-06"].includes(r.id))), [obj]).map(
                f => f.message,
            ),
            [],
        );
        const noRedirect = {
            ...obj,
            metadata: {
                ...obj.metadata,
                annotations: { ...obj.metadata.annotations, "nginx.ingress.kubernetes.io/ssl-redirect": "false" },
            },
        };
        assert.equal(
            evaluate(resolveRules(RULES.filter(r => r.id === "NET-04")), [noRedirect]).length,
            1,
            "the pack would catch a removed redirect",
        );
    });
    it("lets only the controller's pods in its namespace reach the backend pods, on the backend port", () => {
        const np = ingressControllerPolicySpec(ARGS) as any;
        assert.deepEqual(np.policyTypes, ["Ingress"]);
        assert.deepEqual(np.ingress, [
            {
                from: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
                        podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } },
                    },
                ],
                ports: [{ protocol: "TCP", port: 8080 }],
            },
        ]);
        assert.equal(matchSelector(np.podSelector, { app: "payments-api" }), true);
        assert.equal(matchSelector(np.podSelector, { app: "other" }), false);
        assert.equal(
            matchSelector(np.podSelector, { app: "payments-api", "hardened-cluster/quarantine": "true" }),
            false,
            "a quarantined pod is not let in",
        );
    });
    it("registers the Ingress and the NetworkPolicy under the component", async () => {
        const rec = setupMocks();
        const c = new SecureIngress("pay", ARGS);
        await valueOf(c.networkPolicy.urn);
        assert.equal(rec.ofType("kubernetes:networking.k8s.io/v1:Ingress").length, 1);
        assert.equal(
            rec.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")[0].inputs.metadata.name,
            "allow-ingress-controller-pay",
        );
    });
    const bad: Array<[string, any, RegExp]> = [
        [
            "a wildcard host",
            { hosts: ["*.example.com"] },
            /ing\.hosts\[0\]: '\*\.example\.com' must be a specific DNS name/,
        ],
        ["no host", { hosts: [] }, /ing\.hosts: must list at least one host name/],
        ["an IP host", { hosts: ["10.0.0.1"] }, /ing\.hosts\[0\]/],
        ["no pod labels", { podLabels: {} }, /ing\.podLabels: must name the backend pods' labels/],
        ["a port out of range", { service: { name: "s", port: 70000 } }, /ing\.service\.port: '70000' is not a port/],
        [
            "a named service port",
            { service: { name: "s", port: "http" } },
            /ing\.service\.port: 'http' must be a port number/,
        ],
        ["no issuer", { issuer: undefined }, /ing\.issuer: 'undefined' must name the cert-manager issuer/],
        ["an unknown issuer kind", { issuerKind: "Vault" }, /ing\.issuerKind: 'Vault' is not allowed/],
        ["an unknown key", { allowHttp: true }, /ing\.allowHttp: unknown key/],
    ];
    for (const [what, patch, re] of bad) {
        it(`rejects ${what} before creating anything`, () => {
            const rec = setupMocks();
            assert.throws(() => new SecureIngress("ing", { ...ARGS, ...patch }), re);
            assert.deepEqual(
                rec.resources.filter(r => r.type !== "hardened:k8s:SecureIngress").map(r => r.type),
                [],
            );
        });
    }
    it("the baseline only puts ingresses into its own team namespaces", () => {
        assert.throws(
            () =>
                validateClusterBaselineArgs(
                    { namespaces: [{ name: "web" }], ingresses: [{ name: "pay", ...ARGS }] },
                    "hc",
                ),
            /hc:ingresses\[0\]\.namespace: 'payments' is not one of the team namespaces of hc:namespaces/,
        );
        assert.throws(
            () =>
                validateClusterBaselineArgs(
                    {
                        namespaces: [{ name: "payments" }],
                        ingresses: [
                            { name: "pay", ...ARGS },
                            { name: "pay", ...ARGS },
                        ],
                    },
                    "hc",
                ),
            /hc:ingresses\[1\]\.name: duplicate ingress 'payments\/pay'/,
        );
    });
});
