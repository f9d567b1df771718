/** Each stack's config produces the expected resources; outputs leak no secret. */
import { strict as assert } from "assert";
import { ADMISSION_CONTROLS } from "../../admission/policies";
import { Gathered, gatherStack, kubernetesObjects } from "../../scripts/gather";

const count = (g: Gathered, type: string) => g.resources.filter(r => r.type === type).length;
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("stacks (program under mocks)", function () {
    // Three child processes each compile and run the program: with other suites sharing the two
    // cores, this hook was seen taking over 60 s.
    this.timeout(180_000);
    const g: Record<string, Gathered> = {};
    before(() => {
        for (const s of ["dev", "prod", "local"]) g[s] = gatherStack(s);
    });

    it("dev: two team namespaces and kube-bench, no runtime add-ons, no control-plane artefacts", () => {
        const names = kubernetesObjects(g.dev.resources)
            .filter(o => o.kind === "Namespace")
            .map(o => o.metadata.name)
            .sort();
        assert.deepEqual(names, ["kube-bench", "payments-dev", "web-dev"]);
        assert.equal(count(g.dev, "kubernetes:helm.sh/v4:Chart"), 0);
        assert.equal(count(g.dev, "hardened:k8s:ControlPlaneHardening"), 0);
        assert.equal(g.dev.outputs.controlPlane, "disabled");
    });
    it("dev: default-deny, DNS, same-namespace and declared policies", () => {
        const names = g.dev.resources
            .filter(r => r.type === NP && r.inputs.metadata.namespace === "payments-dev")
            .map(r => r.inputs.metadata.name)
            .sort();
        assert.deepEqual(names, [
            "allow-dns-egress",
            "allow-egress-to-postgres",
            "allow-ingress-from-ingress",
            "allow-same-namespace",
            "default-deny",
            "quarantine",
        ]);
    });
    it("prod: team namespaces plus falco, trivy-system and kube-bench, all with default-deny", () => {
        const objs = kubernetesObjects(g.prod.resources);
        const nss = objs
            .filter(o => o.kind === "Namespace")
            .map(o => o.metadata.name)
            .sort();
        assert.deepEqual(nss, ["falco", "kube-bench", "payments", "trivy-system", "web"]);
        for (const ns of nss) {
            assert.ok(
                objs.some(
                    o =>
                        o.kind === "NetworkPolicy" && o.metadata.namespace === ns && o.metadata.name === "default-deny",
                ),
                ns,
            );
            assert.ok(
                objs.some(o => o.kind === "ResourceQuota" && o.metadata.namespace === ns),
                ns,
            );
        }
    });
    it("prod: team namespaces enforce restricted; add-on namespaces are privileged but audited at restricted", () => {
        const labels = (n: string) =>
            kubernetesObjects(g.prod.resources).find(o => o.kind === "Namespace" && o.metadata.name === n)!.metadata
                .labels;
        assert.equal(labels("payments")["pod-security.kubernetes.io/enforce"], "restricted");
        assert.equal(labels("web")["pod-security.kubernetes.io/enforce"], "restricted");
        assert.equal(labels("falco")["pod-security.kubernetes.io/enforce"], "privileged");
        assert.equal(labels("falco")["pod-security.kubernetes.io/audit"], "restricted");
    });
    it("prod: Falco and Trivy charts are installed with pinned versions", () => {
        const charts = g.prod.resources.filter(r => r.type === "kubernetes:helm.sh/v4:Chart");
        assert.deepEqual(charts.map(c => c.inputs.chart).sort(), ["falco", "trivy-operator"]);
        for (const c of charts) assert.match(c.inputs.version, /^\d+\.\d+\.\d+$/);
    });
    it("prod: control-plane artefacts are generated", () => {
        assert.equal(count(g.prod, "hardened:k8s:ControlPlaneHardening"), 1);
        assert.equal(count(g.prod, "random:index/randomBytes:RandomBytes"), 1);
        const cp = g.prod.outputs.controlPlane as { apiServerArgs: string[] };
        assert.ok(cp.apiServerArgs.includes("--anonymous-auth=false"));
    });
    it("prod and local install the in-cluster admission policies; dev does not", () => {
        const vap = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
        // prod's policy config sets allowedRegistries, so IMG-03 is enforced in the API server too.
        assert.equal(count(g.prod, vap), ADMISSION_CONTROLS.length);
        assert.equal(count(g.local, vap), ADMISSION_CONTROLS.length - 1);
        const img03 = g.prod.resources.find(
            r => r.type === vap && r.inputs.metadata.labels["hardened-cluster/control"] === "IMG-03",
        )!;
        assert.match(img03.inputs.spec.validations[0].expression, /'registry\.example\.com'/);
        assert.equal(count(g.dev, vap), 0);
        assert.equal(g.prod.outputs.admission, "enabled");
    });
    it(
        "prod: day-2 options on — OIDC flags, OIDC groups bound with the prefix, alerts, HTTPS ingress, " +
            "External Secrets, kube-bench",
        () => {
            const cp = g.prod.outputs.controlPlane as { apiServerArgs: string[] };
            assert.ok(cp.apiServerArgs.includes("--oidc-issuer-url=https://login.prod.example.com/realms/platform"));
            assert.ok(cp.apiServerArgs.includes("--oidc-groups-prefix=oidc:"));
            const objs = kubernetesObjects(g.prod.resources);
            const viewer = objs.find(
                o =>
                    o.kind === "RoleBinding" &&
                    o.metadata.namespace === "payments" &&
                    o.metadata.name === "team-viewer",
            )!;
            assert.deepEqual(
                viewer.subjects.map((s: { name: string }) => s.name),
                ["oidc:payments-support", "oidc:auditors"],
            );
            assert.equal(objs.filter(o => o.kind === "PrometheusRule").length, 1);
            const ing = objs.find(o => o.kind === "Ingress")!;
            assert.equal(ing.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-prod");
            assert.equal(
                objs.filter(o => o.kind === "ExternalSecret" && o.metadata.namespace === "payments").length,
                1,
            );
            assert.equal(objs.filter(o => o.kind === "CronJob" && o.metadata.namespace === "kube-bench").length, 1);
        },
    );
    it("local: add-ons off, control plane on with loopback etcd over TLS with a client certificate", () => {
        assert.equal(count(g.local, "kubernetes:helm.sh/v4:Chart"), 0);
        const cp = g.local.outputs.controlPlane as { apiServerArgs: string[] };
        assert.ok(cp.apiServerArgs.includes("--etcd-servers=https://127.0.0.1:2379"));
        for (const f of ["--etcd-cafile=", "--etcd-certfile=", "--etcd-keyfile="])
            assert.ok(
                cp.apiServerArgs.some(a => a.startsWith(f)),
                f,
            );
        assert.ok(
            cp.apiServerArgs.includes("--allow-privileged=true"),
            "privileged pods are left to Pod Security admission, as in prod",
        );
    });
    it("local: one SecureNamespace with a workload ServiceAccount and three access levels", () => {
        const objs = kubernetesObjects(g.local.resources);
        assert.deepEqual(
            objs
                .filter(o => o.kind === "RoleBinding")
                .map(o => o.metadata.name)
                .sort(),
            ["team-admin", "team-developer", "team-viewer"],
        );
        assert.deepEqual(g.local.outputs.workloadServiceAccounts, { "team-a": ["app"] });
    });
    for (const s of ["dev", "prod", "local"]) {
        it(`${s}: the only secret output is controlPlaneFiles, and no other output holds key material`, () => {
            assert.deepEqual(g[s].secretOutputs, ["controlPlaneFiles"]);
            const others = Object.entries(g[s].outputs).filter(([k]) => k !== "controlPlaneFiles");
            assert.ok(!JSON.stringify(others).includes("PRIVATE KEY"));
            assert.ok(!JSON.stringify(others).includes("EncryptionConfiguration"));
        });
        it(`${s}: every child resource has a parent and a unique URN`, () => {
            const urns = g[s].resources.map(r => r.urn);
            assert.equal(new Set(urns).size, urns.length);
            assert.ok(g[s].resources.every(r => r.parent));
        });
    }
});
