import { strict as assert } from "assert";
import { Falco, TrivyOperator } from "../../components/addons/runtimeSecurity";
import { FALCO_CHART, falcoValues, PLATFORM_RULES, TRIVY_CHART, trivyValues } from "../../components/addons/values";
import { MockRecorder, setupMocks, urnOf, valueOf } from "../support/mocks";

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read the mocks' recorded inputs as JSON */
describe("runtime-security add-ons", () => {
    describe("values", () => {
        const f: any = falcoValues();
        const t: any = trivyValues();
        it("Falco uses the modern eBPF driver (no kernel module)", () => assert.equal(f.driver.kind, "modern_ebpf"));
        it("Falco emits JSON", () => assert.equal(f.falco.json_output, true));
        it(
            "Falco carries the platform rules (shell in container, sensitive mounts, writes below /etc, " +
                "sensitive reads)",
            () => {
                const rules = f.customRules["hardened-cluster-rules.yaml"];
                for (const r of [
                    "Shell spawned in a container",
                    "Sensitive host path mounted",
                    "Write below /etc",
                    "Read of service-account token",
                ])
                    assert.ok(rules.includes(r), r);
                assert.equal(rules, PLATFORM_RULES);
            },
        );
        it("Falco requests and limits resources", () => assert.ok(f.resources.limits.memory));
        it("Trivy reports HIGH and CRITICAL", () => assert.equal(t.trivy.severity, "HIGH,CRITICAL"));
        it("Trivy produces CIS compliance reports", () => {
            assert.equal(t.operator.clusterComplianceEnabled, true);
            assert.ok(t.compliance.specs.some((s: string) => s.startsWith("k8s-cis")));
        });
        it("Trivy severities are configurable", () =>
            assert.equal((trivyValues({ severities: ["CRITICAL"] }) as any).trivy.severity, "CRITICAL"));
        it("charts are pinned to exact versions", () => {
            for (const c of [FALCO_CHART, TRIVY_CHART]) assert.match(c.version, /^\d+\.\d+\.\d+$/);
        });
    });

    describe("components (mocks)", () => {
        let rec: MockRecorder;
        let falco: Falco;
        let trivy: TrivyOperator;
        before(async () => {
            rec = setupMocks();
            falco = new Falco("falco");
            trivy = new TrivyOperator("trivy", { egressCidrs: ["10.0.0.0/8"] });
            await Promise.all([
                valueOf(falco.chart.urn),
                valueOf(trivy.chart.urn),
                valueOf(trivy.namespace.namespaceName),
            ]);
        });
        it("installs each chart with helm v4 Chart, pinned, into our namespace", () => {
            const charts = rec.ofType("kubernetes:helm.sh/v4:Chart");
            const fc = charts.find(c => c.inputs.chart === "falco")!;
            assert.equal(fc.inputs.version, FALCO_CHART.version);
            assert.equal(fc.inputs.repositoryOpts.repo, FALCO_CHART.repo);
            assert.equal(fc.inputs.namespace, "falco");
            assert.equal(charts.find(c => c.inputs.chart === "trivy-operator")!.inputs.namespace, "trivy-system");
        });
        it("creates the add-on namespaces itself: privileged enforce, restricted audit/warn", () => {
            const ns = rec.ofType("kubernetes:core/v1:Namespace").find(n => n.inputs.metadata.name === "falco")!;
            assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
            assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/warn"], "restricted");
        });
        it("gives add-on namespaces default-deny plus only DNS and API/registry egress", () => {
            const pols = rec
                .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                .filter(p => p.inputs.metadata.namespace === "trivy-system");
            assert.deepEqual(pols.map(p => p.inputs.metadata.name).sort(), [
                "allow-dns-egress",
                "allow-egress-api-and-registries",
                "default-deny",
                "quarantine",
            ]);
            const egress = pols.find(p => p.inputs.metadata.name === "allow-egress-api-and-registries")!.inputs.spec;
            assert.deepEqual(egress.egress[0].to, [{ ipBlock: { cidr: "10.0.0.0/8" } }]);
            assert.deepEqual(
                egress.egress[0].ports.map((p: any) => p.port),
                [443, 6443],
            );
        });
        it("charts are children of their add-on component", async () => {
            assert.match(await urnOf(falco.chart), /hardened:addons:Falco\$kubernetes:helm.sh\/v4:Chart::falco$/);
        });
    });
});
