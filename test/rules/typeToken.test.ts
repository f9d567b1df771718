/** One type-token ↔ object mapping for the pack, gather and the engine's deployment files. */
import { strict as assert } from "assert";
import { kindOf, kubernetesObject } from "../../policy-packs/crossguard/objects";
import { apiOfType, kubernetesTypeToken } from "../../rules/typeToken";
import { manifestResource } from "../../scripts/engine/deployment";
import { GatheredResource, kubernetesObjects } from "../../scripts/gather";

const OBJECT_TOKENS: Array<[string, string, string]> = [
    ["kubernetes:core/v1:Pod", "v1", "Pod"],
    ["kubernetes:apps/v1:Deployment", "apps/v1", "Deployment"],
    ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "rbac.authorization.k8s.io/v1", "ClusterRole"],
    [
        "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
        "admissionregistration.k8s.io/v1",
        "ValidatingAdmissionPolicy",
    ],
    ["kubernetes:monitoring.coreos.com/v1:PrometheusRule", "monitoring.coreos.com/v1", "PrometheusRule"],
];
/** The provider's component resources and releases (their props are arguments, not an object), and other providers. */
const NOT_OBJECTS = [
    "kubernetes:helm.sh/v4:Chart",
    "kubernetes:helm.sh/v3:Release",
    "kubernetes:yaml/v2:ConfigGroup",
    "kubernetes:yaml/v2:ConfigFile",
    "kubernetes:kustomize/v2:Directory",
    "kubernetes:yaml:ConfigFile",
    "pulumi:providers:kubernetes",
    "random:index/randomBytes:RandomBytes",
    "hardened:k8s:SecureNamespace",
    "pulumi:pulumi:Stack",
];

describe("type tokens", () => {
    it("maps a Kubernetes token to its apiVersion and kind, and back", () => {
        for (const [token, apiVersion, kind] of OBJECT_TOKENS) {
            assert.deepEqual(apiOfType(token), { apiVersion, kind }, token);
            assert.equal(kubernetesTypeToken(apiVersion, kind), token);
        }
    });

    it("turns a Patch resource into its object kind", () => {
        assert.deepEqual(apiOfType("kubernetes:core/v1:ServiceAccountPatch"), {
            apiVersion: "v1",
            kind: "ServiceAccount",
        });
    });

    it("has no object for components, releases and other providers' resources", () => {
        for (const t of NOT_OBJECTS) assert.equal(apiOfType(t), undefined, t);
    });

    it("gives the pack, gather and the deployment writer the same answer", () => {
        const props = { metadata: { name: "x", namespace: "team-a" } };
        const resources: GatheredResource[] = [
            ...OBJECT_TOKENS.map(([t]) => t),
            "kubernetes:core/v1:ServiceAccountPatch",
            ...NOT_OBJECTS,
        ].map(type => ({ urn: `urn:${type}`, type, name: "x", custom: true, inputs: props }));
        const gathered = kubernetesObjects(resources);
        const packed = resources.map(r => kubernetesObject(r.type, r.inputs)).filter(o => o !== undefined);
        assert.deepEqual(gathered, packed);
        assert.equal(gathered.length, OBJECT_TOKENS.length + 1);
        for (const r of resources) assert.equal(kindOf(r.type), apiOfType(r.type)?.kind);
        for (const o of gathered) {
            const back = manifestResource(o, "dev", "hardened-cluster");
            assert.deepEqual(apiOfType(back.type), { apiVersion: o.apiVersion, kind: o.kind });
        }
    });

    it("gather skips component resources even under an object's token", () => {
        const component: GatheredResource = {
            urn: "u",
            type: "kubernetes:core/v1:Namespace",
            name: "n",
            custom: false,
            inputs: {},
        };
        assert.deepEqual(kubernetesObjects([component]), []);
    });
});
