import { strict as assert } from "assert";
import { evaluate, PackConfig, resolveRules } from "../../rules/engine";
import { POD_RULES } from "../../rules/pod";
import { K8sObject, Rule } from "../../rules/types";
import { UNKNOWN } from "../../rules/unknown";
import { Json, mutated, workload, WORKLOAD_KIND_LIST, WorkloadKind } from "./fixtures";

const byId = (id: string): Rule => {
    const r = POD_RULES.find(x => x.id === id);
    assert.ok(r, id);
    return r;
};
const run = (id: string, obj: K8sObject, cfg: PackConfig = {}) => evaluate(resolveRules([byId(id)], cfg), [obj]);
const sc = (s: Json, i = 0, field = "containers") => (s[field][i].securityContext ??= {});

interface Case { id: string; what: string; mutate: (s: Json) => void; path?: RegExp; meta?: Json }

/** Each case breaks exactly one field of the hardened pod spec. */
const CASES: Case[] = [
    { id: "PS-01", what: "privileged: true", mutate: s => (sc(s).privileged = true), path: /containers\[0\]\.securityContext\.privileged/ },
    { id: "PS-01", what: "privileged init container", mutate: s => (sc(s, 0, "initContainers").privileged = true), path: /initContainers\[0\]/ },
    { id: "PS-02", what: "hostPID", mutate: s => (s.hostPID = true), path: /hostPID$/ },
    { id: "PS-03", what: "hostIPC", mutate: s => (s.hostIPC = true), path: /hostIPC$/ },
    { id: "PS-04", what: "hostNetwork", mutate: s => (s.hostNetwork = true), path: /hostNetwork$/ },
    { id: "PS-05", what: "hostPath volume", mutate: s => s.volumes.push({ name: "data", hostPath: { path: "/data" } }), path: /volumes\[1\]\.hostPath/ },
    { id: "PS-06", what: "hostPath /etc", mutate: s => s.volumes.push({ name: "etc", hostPath: { path: "/etc" } }), path: /volumes\[1\]/ },
    { id: "PS-06", what: "hostPath below /var/lib/kubelet", mutate: s => s.volumes.push({ name: "k", hostPath: { path: "/var/lib/kubelet/pods/" } }) },
    { id: "PS-06", what: "hostPath /", mutate: s => s.volumes.push({ name: "root", hostPath: { path: "/" } }) },
    { id: "PS-07", what: "docker.sock", mutate: s => s.volumes.push({ name: "sock", hostPath: { path: "/var/run/docker.sock" } }) },
    { id: "PS-07", what: "containerd.sock", mutate: s => s.volumes.push({ name: "sock", hostPath: { path: "/run/containerd/containerd.sock" } }) },
    { id: "PS-07", what: "the /var/run directory", mutate: s => s.volumes.push({ name: "run", hostPath: { path: "/var/run" } }) },
    { id: "PS-08", what: "writable hostPath mount", mutate: s => { s.volumes.push({ name: "h", hostPath: { path: "/data" } }); s.containers[0].volumeMounts.push({ name: "h", mountPath: "/h" }); }, path: /volumeMounts\[1\]\.readOnly/ },
    { id: "PS-09", what: "hostPort", mutate: s => (s.containers[0].ports[0].hostPort = 8080), path: /ports\[0\]\.hostPort/ },
    { id: "PS-10", what: "hostProcess on a container", mutate: s => (sc(s).windowsOptions = { hostProcess: true }) },
    { id: "PS-10", what: "hostProcess on the pod", mutate: s => (s.securityContext.windowsOptions = { hostProcess: true }) },
    { id: "PS-11", what: "liveness probe host", mutate: s => (s.containers[0].livenessProbe.httpGet.host = "10.0.0.1"), path: /livenessProbe\.httpGet\.host/ },
    { id: "PS-11", what: "preStop tcpSocket host", mutate: s => (s.containers[0].lifecycle = { preStop: { tcpSocket: { port: 80, host: "169.254.169.254" } } }) },
    { id: "PS-12", what: "adding SYS_TIME", mutate: s => (sc(s).capabilities.add = ["SYS_TIME"]) },
    { id: "PS-13", what: "adding SYS_ADMIN", mutate: s => (sc(s).capabilities.add = ["SYS_ADMIN"]) },
    { id: "PS-13", what: "adding CAP_SYS_PTRACE (prefixed, lower case)", mutate: s => (sc(s).capabilities.add = ["cap_sys_ptrace"]) },
    { id: "PS-13", what: "adding ALL", mutate: s => (sc(s).capabilities.add = ["ALL"]) },
    { id: "PS-14", what: "NET_RAW not dropped", mutate: s => (sc(s).capabilities.drop = ["CHOWN"]) },
    { id: "PS-14", what: "NET_RAW added back", mutate: s => (sc(s).capabilities.add = ["NET_RAW"]) },
    { id: "PS-15", what: "drop without ALL", mutate: s => (sc(s).capabilities.drop = ["NET_RAW"]) },
    { id: "PS-15", what: "no capabilities at all", mutate: s => delete sc(s).capabilities },
    { id: "PS-16", what: "adding CHOWN", mutate: s => (sc(s).capabilities.add = ["CHOWN"]) },
    { id: "PS-17", what: "allowPrivilegeEscalation unset", mutate: s => delete sc(s).allowPrivilegeEscalation },
    { id: "PS-17", what: "allowPrivilegeEscalation true", mutate: s => (sc(s).allowPrivilegeEscalation = true) },
    { id: "PS-17", what: "ephemeral container without it", mutate: s => (s.ephemeralContainers = [{ name: "debug", image: "busybox:1.36" }]), path: /ephemeralContainers\[0\]/ },
    { id: "PS-18", what: "container runAsNonRoot false overriding the pod", mutate: s => (sc(s).runAsNonRoot = false) },
    { id: "PS-18", what: "runAsNonRoot unset on pod and container", mutate: s => { delete s.securityContext.runAsNonRoot; delete sc(s).runAsNonRoot; delete sc(s, 0, "initContainers").runAsNonRoot; } },
    { id: "PS-19", what: "pod runAsUser 0", mutate: s => (s.securityContext.runAsUser = 0), path: /spec\.securityContext\.runAsUser|securityContext\.runAsUser/ },
    { id: "PS-19", what: "container runAsUser 0", mutate: s => (sc(s).runAsUser = 0) },
    { id: "PS-20", what: "fsGroup 0", mutate: s => (s.securityContext.fsGroup = 0) },
    { id: "PS-20", what: "supplementalGroups with 0", mutate: s => (s.securityContext.supplementalGroups = [10001, 0]) },
    { id: "PS-20", what: "container runAsGroup 0", mutate: s => (sc(s).runAsGroup = 0) },
    { id: "PS-21", what: "runAsUser 1000", mutate: s => (sc(s).runAsUser = 1000) },
    { id: "PS-22", what: "readOnlyRootFilesystem unset", mutate: s => delete sc(s).readOnlyRootFilesystem },
    { id: "PS-22", what: "readOnlyRootFilesystem false", mutate: s => (sc(s).readOnlyRootFilesystem = false) },
    { id: "PS-23", what: "container seccomp Unconfined", mutate: s => (sc(s).seccompProfile = { type: "Unconfined" }) },
    { id: "PS-23", what: "legacy unconfined annotation", mutate: () => undefined, meta: { annotations: { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" } } },
    { id: "PS-24", what: "seccomp unset everywhere", mutate: s => { delete s.securityContext.seccompProfile; delete sc(s).seccompProfile; delete sc(s, 0, "initContainers").seccompProfile; } },
    { id: "PS-24", what: "seccomp Unconfined", mutate: s => (sc(s).seccompProfile = { type: "Unconfined" }) },
    { id: "PS-25", what: "appArmorProfile Unconfined", mutate: s => (sc(s).appArmorProfile = { type: "Unconfined" }) },
    { id: "PS-25", what: "pod-level appArmorProfile Unconfined", mutate: s => (s.securityContext.appArmorProfile = { type: "Unconfined" }) },
    { id: "PS-25", what: "legacy AppArmor annotation unconfined", mutate: () => undefined, meta: { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" } } },
    { id: "PS-26", what: "custom SELinux type", mutate: s => (sc(s).seLinuxOptions = { type: "spc_t" }) },
    { id: "PS-26", what: "custom SELinux user on the pod", mutate: s => (s.securityContext.seLinuxOptions = { user: "system_u" }) },
    { id: "PS-27", what: "procMount Unmasked", mutate: s => (sc(s).procMount = "Unmasked") },
    { id: "PS-28", what: "unsafe sysctl", mutate: s => (s.securityContext.sysctls = [{ name: "kernel.msgmax", value: "65536" }]) },
    { id: "PS-28", what: "cr8escape value", mutate: s => (s.securityContext.sysctls = [{ name: "kernel.shm_rmid_forced", value: "1+kernel.core_pattern=|/x" }]) },
    { id: "PS-29", what: "hostPath volume type", mutate: s => s.volumes.push({ name: "h", hostPath: { path: "/data" } }) },
    { id: "PS-29", what: "nfs volume type", mutate: s => s.volumes.push({ name: "n", nfs: { server: "nfs", path: "/" } }) },
    { id: "PS-30", what: "no hardening at all", mutate: s => { delete s.securityContext.seccompProfile; delete sc(s).seccompProfile; delete sc(s).capabilities; } },
    { id: "PS-31", what: "containerPort 80", mutate: s => (s.containers[0].ports[0].containerPort = 80) },
];

describe("pod security rules (PS-xx)", () => {
    it("cover every PS control of the catalog, in order", () => {
        assert.deepEqual(POD_RULES.map(r => r.id), Array.from({ length: 31 }, (_, i) => `PS-${String(i + 1).padStart(2, "0")}`));
    });

    describe("no false positives on the hardened fixture", () => {
        for (const kind of WORKLOAD_KIND_LIST) {
            it(`${kind}: zero findings from all PS rules`, () => {
                const f = evaluate(resolveRules(POD_RULES, {}), [workload(kind)]);
                assert.deepEqual(f.map(x => `${x.controlId}: ${x.message}`), []);
            });
        }
    });

    for (const c of CASES) {
        describe(`${c.id}: ${c.what}`, () => {
            for (const kind of ["Pod", "Deployment", "CronJob"] as WorkloadKind[]) {
                it(`fires on a ${kind}`, () => {
                    const f = run(c.id, mutated(kind, c.mutate, c.meta));
                    assert.ok(f.length >= 1, "expected a finding");
                    assert.ok(f.every(x => x.controlId === c.id && !x.unknown));
                    if (c.path) assert.ok(f.some(x => c.path!.test(x.path ?? "")), f.map(x => x.path).join(", "));
                });
            }
            it("and the unmutated fixture passes the same rule", () => assert.equal(run(c.id, workload("Deployment")).length, 0));
        });
    }

    describe("messages and levels", () => {
        it("names the container and the field path", () => {
            const [f] = run("PS-17", mutated("Deployment", s => delete s.containers[0].securityContext.allowPrivilegeEscalation));
            assert.match(f.message, /container "app"/);
            assert.equal(f.path, "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation");
        });
        it("critical/high rules are mandatory, medium/low advisory", () => {
            assert.equal(run("PS-01", mutated("Pod", s => (s.containers[0].securityContext.privileged = true)))[0].enforcementLevel, "mandatory");
            assert.equal(run("PS-22", mutated("Pod", s => delete s.containers[0].securityContext.readOnlyRootFilesystem))[0].enforcementLevel, "advisory");
        });
        it("CronJob paths go through jobTemplate", () => {
            const [f] = run("PS-02", mutated("CronJob", s => (s.hostPID = true)));
            assert.equal(f.path, "spec.jobTemplate.spec.template.spec.hostPID");
        });
    });

    describe("precedence", () => {
        it("pod-level runAsNonRoot covers containers that do not set it", () =>
            assert.equal(run("PS-18", mutated("Pod", s => { delete s.containers[0].securityContext.runAsNonRoot; delete s.initContainers[0].securityContext.runAsNonRoot; })).length, 0));
        it("container seccomp RuntimeDefault covers an unset pod profile", () =>
            assert.equal(run("PS-24", mutated("Pod", s => delete s.securityContext.seccompProfile)).length, 0));
        it("pod seccomp RuntimeDefault covers containers without one", () =>
            assert.equal(run("PS-24", mutated("Pod", s => { delete s.containers[0].securityContext.seccompProfile; delete s.initContainers[0].securityContext.seccompProfile; })).length, 0));
        it("a read-only hostPath mount passes PS-08", () =>
            assert.equal(run("PS-08", mutated("Pod", s => { s.volumes.push({ name: "h", hostPath: { path: "/data" } }); s.containers[0].volumeMounts.push({ name: "h", mountPath: "/h", readOnly: true }); })).length, 0));
        it("NET_BIND_SERVICE may be added under PS-12 and PS-16", () => {
            const obj = mutated("Pod", s => (s.containers[0].securityContext.capabilities.add = ["NET_BIND_SERVICE"]));
            assert.equal(run("PS-12", obj).length + run("PS-16", obj).length, 0);
        });
        it("a safe sysctl passes PS-28", () => assert.equal(run("PS-28", mutated("Pod", s => (s.securityContext.sysctls = [{ name: "net.ipv4.tcp_syncookies", value: "1" }]))).length, 0));
        it("a non-sensitive hostPath passes PS-06 but not PS-05", () => {
            const obj = mutated("Pod", s => s.volumes.push({ name: "d", hostPath: { path: "/data/app" } }));
            assert.equal(run("PS-06", obj).length, 0);
            assert.equal(run("PS-05", obj).length, 1);
        });
        it("/etcd-backup is not /etc", () => assert.equal(run("PS-06", mutated("Pod", s => s.volumes.push({ name: "d", hostPath: { path: "/etcd-backup" } }))).length, 0));
    });

    describe("unknown values never pass silently", () => {
        const unknownCases: Array<[string, (s: Json) => void]> = [
            ["PS-01", s => (s.containers[0].securityContext.privileged = UNKNOWN)],
            ["PS-02", s => (s.hostPID = UNKNOWN)],
            ["PS-05", s => (s.volumes = UNKNOWN)],
            ["PS-06", s => s.volumes.push({ name: "x", hostPath: { path: UNKNOWN } })],
            ["PS-13", s => (s.containers[0].securityContext.capabilities.add = UNKNOWN)],
            ["PS-15", s => (s.containers[0].securityContext.capabilities = UNKNOWN)],
            ["PS-17", s => (s.containers[0].securityContext.allowPrivilegeEscalation = UNKNOWN)],
            ["PS-18", s => (s.containers[0].securityContext.runAsNonRoot = UNKNOWN)],
            ["PS-19", s => (s.securityContext.runAsUser = UNKNOWN)],
            ["PS-22", s => (s.containers[0].securityContext = UNKNOWN)],
            ["PS-24", s => (s.containers[0].securityContext.seccompProfile = UNKNOWN)],
            ["PS-28", s => (s.securityContext.sysctls = UNKNOWN)],
            ["PS-29", s => (s.volumes = UNKNOWN)],
            ["PS-17", s => (s.containers = UNKNOWN)],
        ];
        for (const [id, mutate] of unknownCases) {
            it(`${id}: an unknown deciding value gives an unknown finding`, () => {
                const f = run(id, mutated("Deployment", mutate));
                assert.ok(f.length >= 1 && f.some(x => x.unknown === true), JSON.stringify(f.map(x => x.message)));
            });
        }
    });

    describe("exemptions", () => {
        const priv = () => mutated("Deployment", s => (s.containers[0].securityContext.privileged = true));
        it("the falco namespace is exempt from PS-01 by default", () => {
            const o = priv();
            o.metadata!.namespace = "falco";
            assert.equal(run("PS-01", o).length, 0);
        });
        it("exemptNamespaces set in config replaces the default", () => {
            const o = priv();
            o.metadata!.namespace = "falco";
            assert.equal(run("PS-01", o, { "no-privileged-containers": { exemptNamespaces: [] } }).length, 1);
            assert.equal(run("PS-01", priv(), { "no-privileged-containers": { exemptNamespaces: ["team-a"] } }).length, 0);
        });
        it("exemptNames matches names and prefixes", () => {
            assert.equal(run("PS-01", priv(), { "no-privileged-containers": { exemptNames: ["app"] } }).length, 0);
            assert.equal(run("PS-01", priv(), { "no-privileged-containers": { exemptNames: ["ap*"] } }).length, 0);
            assert.equal(run("PS-01", priv(), { "no-privileged-containers": { exemptNames: ["other"] } }).length, 1);
        });
        it("exemptLabels needs every label to match", () => {
            assert.equal(run("PS-01", priv(), { "no-privileged-containers": { exemptLabels: { "app.kubernetes.io/name": "app" } } }).length, 0);
            assert.equal(run("PS-01", priv(), { "no-privileged-containers": { exemptLabels: { "app.kubernetes.io/name": "app", tier: "x" } } }).length, 1);
        });
        it("a rule's own config changes its verdict (PS-06 sensitivePaths)", () => {
            const o = mutated("Pod", s => s.volumes.push({ name: "d", hostPath: { path: "/data" } }));
            assert.equal(run("PS-06", o, { "no-sensitive-host-paths": { sensitivePaths: ["/data"] } }).length, 1);
        });
        it("enforcementLevel can be overridden per policy and with `all`", () => {
            assert.equal(run("PS-01", priv(), { "no-privileged-containers": "advisory" })[0].enforcementLevel, "advisory");
            assert.equal(run("PS-01", priv(), { all: "disabled" }).length, 0);
            assert.equal(run("PS-01", priv(), { all: "advisory", "no-privileged-containers": "mandatory" })[0].enforcementLevel, "mandatory");
        });
    });
});
