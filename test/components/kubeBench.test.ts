/** kube-bench CronJob: only the host access the benchmark needs, no API access, no network, bounded history. */
import { strict as assert } from "assert";
import {
    KUBE_BENCH_HOST_PATHS,
    KubeBench,
    kubeBenchCronJobSpec,
    validateKubeBenchArgs,
} from "../../components/addons/kubeBench";
import { validateClusterBaselineArgs } from "../../components/clusterBaseline";
import { RULES } from "../../rules";
import { evaluate, resolveRules } from "../../rules/evaluate";
import { setupMocks, valueOf } from "../support/mocks";

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read the mocks' recorded inputs as JSON */
describe("kube-bench CronJob", () => {
    const spec = kubeBenchCronJobSpec({}, "kube-bench") as any;
    const pod = spec.jobTemplate.spec.template.spec;
    const c = pod.containers[0];

    it("runs on a schedule, one run at a time, keeping a bounded history of runs", () => {
        assert.equal(spec.schedule, "17 3 * * *");
        assert.equal(spec.concurrencyPolicy, "Forbid");
        assert.equal(spec.successfulJobsHistoryLimit, 5);
        assert.equal(spec.failedJobsHistoryLimit, 5);
        const custom = kubeBenchCronJobSpec(
            { historyLimit: 2, schedule: "0 */6 * * *", targets: ["node", "policies"] },
            "kube-bench",
        ) as any;
        assert.deepEqual(
            [custom.successfulJobsHistoryLimit, custom.failedJobsHistoryLimit, custom.schedule],
            [2, 2, "0 */6 * * *"],
        );
        assert.deepEqual(custom.jobTemplate.spec.template.spec.containers[0].command, [
            "kube-bench",
            "run",
            "--targets",
            "node,policies",
            "--json",
        ]);
    });
    it("has no API access: no token, and the component creates no Role or binding", async () => {
        assert.equal(pod.automountServiceAccountToken, false);
        const rec = setupMocks();
        const b = new KubeBench("kb");
        await valueOf(b.cronJob.urn);
        assert.equal(rec.ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").length, 0);
        assert.equal(rec.ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").length, 0);
        assert.equal(rec.ofType("kubernetes:core/v1:ServiceAccount")[0].inputs.automountServiceAccountToken, false);
    });
    it("has no network at all: default-deny and quarantine only, not even DNS", async () => {
        const rec = setupMocks();
        await valueOf(new KubeBench("kb").cronJob.urn);
        const pols = rec
            .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .map(p => p.inputs.metadata.name)
            .sort();
        assert.deepEqual(pols, ["default-deny", "quarantine"]);
        const ns = rec.ofType("kubernetes:core/v1:Namespace")[0].inputs.metadata;
        assert.equal(ns.name, "kube-bench");
        assert.equal(ns.labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.equal(ns.labels["pod-security.kubernetes.io/audit"], "restricted");
    });
    it("host PID and read-only host paths only; never privileged, no capability, no host network", () => {
        assert.equal(pod.hostPID, true);
        assert.ok(!pod.hostNetwork && !pod.hostIPC);
        assert.deepEqual(c.securityContext, {
            runAsUser: 0,
            runAsNonRoot: false,
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        });
        const hostVols = pod.volumes.filter((v: any) => v.hostPath).map((v: any) => v.name);
        assert.equal(hostVols.length, KUBE_BENCH_HOST_PATHS.length);
        for (const name of hostVols)
            assert.equal(c.volumeMounts.find((m: any) => m.name === name).readOnly, true, name);
        assert.ok(
            !pod.volumes.some((v: any) => /sock|docker|containerd/.test(v.hostPath?.path ?? "")),
            "no container runtime socket",
        );
    });
    it("is refused by the pack outside its namespace, and passes it inside (visible default exemptions)", () => {
        const job = (namespace: string) => ({
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: { name: "kube-bench", namespace },
            spec,
        });
        const mandatory = (ns: string) =>
            evaluate(resolveRules(RULES), [job(ns)])
                .filter(f => f.enforcementLevel === "mandatory")
                .map(f => f.controlId);
        assert.deepEqual([...new Set(mandatory("team-a"))].sort(), ["PS-02", "PS-05", "PS-06", "PS-18", "PS-19"]);
        assert.deepEqual(mandatory("kube-bench"), []);
    });
    const bad: Array<[string, any, RegExp]> = [
        [
            "a four-field schedule",
            { schedule: "0 3 * *" },
            /kb\.schedule: '0 3 \* \*' must be a five-field cron schedule/,
        ],
        [
            "an unknown target",
            { targets: ["worker"] },
            /kb\.targets\[0\]: 'worker' is not allowed; allowed values: master, controlplane, node, etcd, policies/,
        ],
        ["a history of 0", { historyLimit: 0 }, /kb\.historyLimit: '0' must be a whole number from 1 to 30/],
        ["an unbounded history", { historyLimit: 1000 }, /kb\.historyLimit/],
        [
            "a latest image",
            { image: "aquasec/kube-bench:latest" },
            /kb\.image: 'aquasec\/kube-bench:latest' must name a tag other than latest or a digest/,
        ],
        ["an untagged image", { image: "aquasec/kube-bench" }, /kb\.image/],
        ["an unknown key", { privileged: true }, /kb\.privileged: unknown key/],
    ];
    for (const [what, args, re] of bad) {
        it(`rejects ${what} before creating anything`, () => {
            const rec = setupMocks();
            assert.throws(() => new KubeBench("kb", args), re);
            assert.deepEqual(
                rec.resources.filter(r => r.type !== "hardened:addons:KubeBench").map(r => r.type),
                [],
            );
        });
    }
    it("accepts a digest-pinned image", () =>
        validateKubeBenchArgs({ image: `registry.example.com/kube-bench:v0.15.6@sha256:${"a".repeat(64)}` }, "kb"));
    it("the baseline refuses a team namespace called kube-bench when the add-on is on", () =>
        assert.throws(
            () =>
                validateClusterBaselineArgs(
                    { namespaces: [{ name: "kube-bench" }], addons: { kubeBench: { enabled: true } } },
                    "hc",
                ),
            /hc:namespaces\[0\]\.name: 'kube-bench' is an add-on namespace the blueprint manages itself/,
        ));
});
