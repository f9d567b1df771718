import { strict as assert } from "assert";
import { RULES } from "../../rules";
import { evaluate, PackConfig, resolveRules } from "../../rules/evaluate";
import { POD_RULES } from "../../rules/pod";
import { K8sObject, Rule } from "../../rules/types";
import { UNKNOWN } from "../../rules/unknown";
import { Json, mutated, workload, WORKLOAD_KIND_LIST, WorkloadKind, POD_CASES as CASES } from "../../rules/cases";

const byId = (id: string): Rule => {
    const r = POD_RULES.find(x => x.id === id);
    assert.ok(r, id);
    return r;
};
const run = (id: string, obj: K8sObject, cfg: PackConfig = {}) => evaluate(resolveRules([byId(id)], cfg), [obj]);

describe("pod security rules (PS-xx)", () => {
    it("cover every PS control of the catalog, in order", () => {
        assert.deepEqual(
            POD_RULES.map(r => r.id),
            Array.from({ length: 31 }, (_, i) => `PS-${String(i + 1).padStart(2, "0")}`),
        );
    });

    describe("no false positives on the hardened fixture", () => {
        for (const kind of WORKLOAD_KIND_LIST) {
            it(`${kind}: zero findings from all PS rules`, () => {
                const f = evaluate(resolveRules(POD_RULES, {}), [workload(kind)]);
                assert.deepEqual(
                    f.map(x => `${x.controlId}: ${x.message}`),
                    [],
                );
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
                    if (c.path)
                        assert.ok(
                            f.some(x => c.path!.test(x.path ?? "")),
                            f.map(x => x.path).join(", "),
                        );
                });
            }
            it("and the unmutated fixture passes the same rule", () =>
                assert.equal(run(c.id, workload("Deployment")).length, 0));
        });
    }

    describe("messages and levels", () => {
        it("names the container and the field path", () => {
            const [f] = run(
                "PS-17",
                mutated("Deployment", s => delete s.containers[0].securityContext.allowPrivilegeEscalation),
            );
            assert.match(f.message, /container "app"/);
            assert.equal(f.path, "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation");
        });
        it("critical/high rules are mandatory, medium/low advisory", () => {
            assert.equal(
                run(
                    "PS-01",
                    mutated("Pod", s => (s.containers[0].securityContext.privileged = true)),
                )[0].enforcementLevel,
                "mandatory",
            );
            assert.equal(
                run(
                    "PS-22",
                    mutated("Pod", s => delete s.containers[0].securityContext.readOnlyRootFilesystem),
                )[0].enforcementLevel,
                "advisory",
            );
        });
        it("CronJob paths go through jobTemplate", () => {
            const [f] = run(
                "PS-02",
                mutated("CronJob", s => (s.hostPID = true)),
            );
            assert.equal(f.path, "spec.jobTemplate.spec.template.spec.hostPID");
        });
    });

    describe("precedence", () => {
        it("PS-15 takes only the literal ALL, as Pod Security admission does (bank-of-anthos drops `all`)", () => {
            const drop = (d: unknown[]) =>
                run(
                    "PS-15",
                    mutated("Pod", s => {
                        s.containers[0].securityContext.capabilities = { drop: d };
                    }),
                ).filter(f => f.path === "spec.containers[0].securityContext.capabilities.drop");
            assert.equal(drop(["ALL"]).length, 0);
            assert.equal(drop(["NET_RAW", "ALL"]).length, 0);
            for (const d of [["all"], ["All"], ["CAP_ALL"]])
                assert.match(drop(d)[0]?.message ?? "", /spelt otherwise; .* accepts only "ALL"/, JSON.stringify(d));
            assert.match(drop(["NET_RAW"])[0].message, /does not drop ALL capabilities/);
        });
        it("PS-16 takes only the literal NET_BIND_SERVICE, as Pod Security admission does", () => {
            const add = (a: unknown[]) =>
                run(
                    "PS-16",
                    mutated("Pod", s => {
                        s.containers[0].securityContext.capabilities = { drop: ["ALL"], add: a };
                    }),
                ).filter(f => f.path === "spec.containers[0].securityContext.capabilities.add");
            assert.equal(add(["NET_BIND_SERVICE"]).length, 0);
            assert.equal(add([]).length, 0);
            for (const a of [["net_bind_service"], ["CAP_NET_BIND_SERVICE"], ["NET_BIND_SERVICE", "Net_Bind_Service"]])
                assert.match(
                    add(a)[0]?.message ?? "",
                    /spelt otherwise .* accepts only "NET_BIND_SERVICE"/,
                    JSON.stringify(a),
                );
            assert.match(add(["NET_RAW"])[0].message, /adds capabilities other than NET_BIND_SERVICE: NET_RAW/);
        });
        it("PS-18 without runAsNonRoot says whether a container may run as root (a user ID of 1+ cannot)", () => {
            const at = (uid: unknown, nonRoot?: boolean) =>
                run(
                    "PS-18",
                    mutated("Pod", s => {
                        for (const sc of [s.securityContext, ...s.containers.map((c: Json) => c.securityContext)]) {
                            delete sc.runAsNonRoot;
                            delete sc.runAsUser;
                        }
                        delete s.initContainers[0].securityContext.runAsNonRoot;
                        s.initContainers = [];
                        if (uid !== undefined) s.securityContext.runAsUser = uid;
                        if (nonRoot !== undefined) s.containers[0].securityContext.runAsNonRoot = nonRoot;
                    }),
                ).map(f => f.message);
            assert.match(at(10001)[0], /runs as user 10001, not root, but runAsNonRoot is not set/);
            assert.match(at(undefined)[0], /may run as root: runAsNonRoot is not set/);
            assert.match(at(0)[0], /may run as root/);
            assert.match(at("10001")[0], /may run as root/, "a string is not a user ID");
            assert.match(at(10001, false)[0], /may run as root: runAsNonRoot is false/);
        });
        it("pod-level runAsNonRoot covers containers that do not set it", () =>
            assert.equal(
                run(
                    "PS-18",
                    mutated("Pod", s => {
                        delete s.containers[0].securityContext.runAsNonRoot;
                        delete s.initContainers[0].securityContext.runAsNonRoot;
                    }),
                ).length,
                0,
            ));
        it("container seccomp RuntimeDefault covers an unset pod profile", () =>
            assert.equal(
                run(
                    "PS-24",
                    mutated("Pod", s => delete s.securityContext.seccompProfile),
                ).length,
                0,
            ));
        it("pod seccomp RuntimeDefault covers containers without one", () =>
            assert.equal(
                run(
                    "PS-24",
                    mutated("Pod", s => {
                        delete s.containers[0].securityContext.seccompProfile;
                        delete s.initContainers[0].securityContext.seccompProfile;
                    }),
                ).length,
                0,
            ));
        it("a read-only hostPath mount passes PS-08", () =>
            assert.equal(
                run(
                    "PS-08",
                    mutated("Pod", s => {
                        s.volumes.push({ name: "h", hostPath: { path: "/data" } });
                        s.containers[0].volumeMounts.push({ name: "h", mountPath: "/h", readOnly: true });
                    }),
                ).length,
                0,
            ));
        it("NET_BIND_SERVICE may be added under PS-12 and PS-16", () => {
            const obj = mutated("Pod", s => (s.containers[0].securityContext.capabilities.add = ["NET_BIND_SERVICE"]));
            assert.equal(run("PS-12", obj).length + run("PS-16", obj).length, 0);
        });
        it("a safe sysctl passes PS-28", () =>
            assert.equal(
                run(
                    "PS-28",
                    mutated(
                        "Pod",
                        s => (s.securityContext.sysctls = [{ name: "net.ipv4.tcp_syncookies", value: "1" }]),
                    ),
                ).length,
                0,
            ));
        it("a non-sensitive hostPath passes PS-06 but not PS-05", () => {
            const obj = mutated("Pod", s => s.volumes.push({ name: "d", hostPath: { path: "/data/app" } }));
            assert.equal(run("PS-06", obj).length, 0);
            assert.equal(run("PS-05", obj).length, 1);
        });
        it("/etcd-backup is not /etc", () =>
            assert.equal(
                run(
                    "PS-06",
                    mutated("Pod", s => s.volumes.push({ name: "d", hostPath: { path: "/etcd-backup" } })),
                ).length,
                0,
            ));
        it("PS-06 and PS-07 judge the path the node mounts: repeated slashes and `.` segments change nothing", () => {
            // the API server refuses only `..` segments: these are admitted, and mount /etc, the kubelet's state, the
            // runtime's socket
            const hostPath = (path: string) => mutated("Pod", s => s.volumes.push({ name: "d", hostPath: { path } }));
            for (const p of ["//etc", "/./etc/kubernetes", "/var//lib/kubelet/", "/var/lib/./kubelet/pods", "///"])
                assert.equal(run("PS-06", hostPath(p)).length, 1, p);
            for (const p of ["//var/run", "/run/./containerd/", "/var//run/docker.sock"])
                assert.equal(run("PS-07", hostPath(p)).length, 1, p);
            assert.equal(run("PS-06", hostPath("/data//app/./x")).length, 0);
            // a runtime's socket directory under /run, any *.sock; not a runtime's state or configuration directory
            for (const p of ["/run/podman", "/run/k3s/containerd", "/var/run/docker", "/var/snap/x/docker.sock"])
                assert.equal(run("PS-07", hostPath(p)).length, 1, p);
            for (const p of ["/var/lib/docker", "/var/lib/containerd", "/etc/containerd", "/home/docker"])
                assert.equal(run("PS-07", hostPath(p)).length, 0, p);
        });
        it("PS-06 covers control-plane credential directories outside /etc/kubernetes", () => {
            for (const p of [
                "/srv/kubernetes",
                "/var/lib/kube-scheduler/kubeconfig",
                "/var/lib/kube-controller-manager",
            ])
                assert.equal(
                    run(
                        "PS-06",
                        mutated("Pod", s => s.volumes.push({ name: "d", hostPath: { path: p } })),
                    ).length,
                    1,
                    p,
                );
        });
        it("a public file below a sensitive directory passes PS-06 only if every container mounts it read-only", () => {
            const pod = (path: string, ...readOnly: Array<boolean | undefined | typeof UNKNOWN>) =>
                mutated("Pod", s => {
                    s.volumes.push({ name: "tz", hostPath: { path } });
                    readOnly.forEach((r, i) => {
                        if (i > 0) s.containers.push({ ...JSON.parse(JSON.stringify(s.containers[0])), name: `c${i}` });
                        s.containers[i].volumeMounts = [
                            { name: "tz", mountPath: "/etc/localtime", ...(r === undefined ? {} : { readOnly: r }) },
                        ];
                    });
                });
            assert.equal(run("PS-06", pod("/etc/localtime", true)).length, 0);
            assert.equal(run("PS-06", pod("/etc/localtime/", true, true)).length, 0);
            assert.equal(run("PS-06", pod("/etc/localtime", true, false)).length, 1, "one writable mount");
            assert.equal(run("PS-06", pod("/etc/localtime", true, undefined)).length, 1, "readOnly unset");
            assert.equal(run("PS-06", pod("/etc/localtime", true, UNKNOWN)).length, 1, "readOnly unknown");
            assert.equal(run("PS-06", pod("/etc/shadow", true)).length, 1, "not a public file");
            // root daemons' runtime state (OpenEBS NDM mounts /run/udev writable)
            assert.equal(run("PS-06", pod("/run/udev", false)).length, 1, "udev rules directory");
            assert.equal(run("PS-06", pod("/var/run/dbus/system_bus_socket", true)).length, 1, "D-Bus, read-only");
            assert.equal(run("PS-06", pod("/run/flannel", false)).length, 0, "a CNI's own state is not listed");
            // directories of public CA-trust material pass read-only; the directories around them hold private keys
            assert.equal(run("PS-06", pod("/etc/ssl/certs", true)).length, 0, "CA certificates, read-only");
            assert.equal(run("PS-06", pod("/etc/ca-certificates", true, true)).length, 0, "CA trust, read-only");
            assert.equal(run("PS-06", pod("/etc/ssl/certs", false)).length, 1, "CA certificates, writable");
            assert.equal(run("PS-06", pod("/etc/ssl", true)).length, 1, "holds /etc/ssl/private");
            assert.equal(run("PS-06", pod("/etc/pki/tls/private", true)).length, 1, "private keys");
            // node-feature-discovery's worker reads /proc/swaps read-only
            assert.equal(run("PS-06", pod("/proc/swaps", true)).length, 0, "the swap list, read-only");
            assert.equal(run("PS-06", pod("/proc/swaps", true, false)).length, 1, "the swap list, one writable mount");
            assert.equal(run("PS-06", pod("/proc/1/environ", true)).length, 1, "another /proc file");
            // the list is the rule's config: an empty one makes every file below /etc sensitive again
            const noPublic = { "no-sensitive-host-paths": { publicFiles: [] } };
            assert.equal(run("PS-06", pod("/etc/localtime", true), noPublic).length, 1);
        });
        it("device nodes the device cgroup will not open pass read-only in a pod with nothing privileged", () => {
            const pod = (path: string, readOnly: boolean | undefined, privileged?: boolean) =>
                mutated("Pod", s => {
                    s.volumes.push({ name: "dev", hostPath: { path } });
                    s.containers[0].volumeMounts = [
                        { name: "dev", mountPath: path, ...(readOnly === undefined ? {} : { readOnly }) },
                    ];
                    if (privileged !== undefined) s.containers[0].securityContext.privileged = privileged;
                });
            // intel-device-plugins: the GPU, QAT and SGX plugins list their devices read-only
            for (const p of [
                "/dev/dri",
                "/dev/vfio",
                "/dev/sgx_enclave",
                "/dev/sgx_provision",
                "/dev/dri/card0",
                "/dev/disk",
            ])
                assert.equal(run("PS-06", pod(p, true)).length, 0, p);
            assert.equal(run("PS-06", pod("/dev/dri", false)).length, 1, "writable");
            assert.equal(run("PS-06", pod("/dev/dri", undefined)).length, 1, "readOnly unset");
            assert.equal(
                run("PS-06", pod("/dev/dri", true, true)).length,
                1,
                "a privileged container opens any device",
            );
            assert.equal(run("PS-06", pod("/dev", true)).length, 1, "all of /dev (block devices, the memory)");
            assert.equal(run("PS-06", pod("/dev/mem", true)).length, 1, "not a listed device");
            // sysfs a container's own read-only /sys already shows
            assert.equal(run("PS-06", pod("/sys/class/drm", true)).length, 0);
            assert.equal(run("PS-06", pod("/sys/class/drm", false)).length, 1, "writable");
            assert.equal(run("PS-06", pod("/sys/kernel/debug", true)).length, 1, "another sysfs path");
            // Container Device Interface specs: the runtime applies their mounts and hooks on the host
            for (const p of ["/run/cdi", "/var/run/cdi", "/var//run/cdi/"])
                assert.equal(run("PS-06", pod(p, false)).length, 1, p);
            // a directory above a sensitive path exposes it (/var holds /var/lib/kubelet, /run the runtime socket)
            for (const p of ["/var", "/var/lib", "/run", "/srv", "/var/run/"])
                assert.equal(run("PS-06", pod(p, true)).length, 1, p);
            assert.equal(run("PS-06", pod("/opt/data", false)).length, 0, "a directory beside them");
            // the CNI binaries the runtime runs as root: sensitive when written (or /opt, above them), not when read
            for (const p of ["/opt/cni/bin", "/opt", "/opt/cni"])
                assert.equal(run("PS-06", pod(p, false)).length, 1, p);
            assert.equal(run("PS-06", pod("/opt/cni/bin", true)).length, 0, "read-only: public binaries");
            assert.equal(
                run("PS-06", pod("/var/run/secrets-store-csi-providers", false)).length,
                1,
                "provider sockets",
            );
            assert.equal(run("PS-06", pod("/opt/cni/bin", undefined)).length, 1, "readOnly unset is writable");
            // both lists are the rule's config: emptied, the device nodes are sensitive again
            const none = { "no-sensitive-host-paths": { unopenableDevices: [], containerVisibleSysfs: [] } };
            assert.equal(run("PS-06", pod("/dev/dri", true), none).length, 1);
            assert.equal(run("PS-06", pod("/sys/class/drm", true), none).length, 1);
        });
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
            ["PS-19", s => (s.containers = UNKNOWN)],
            ["PS-20", s => (s.securityContext.runAsGroup = UNKNOWN)],
            ["PS-20", s => (s.initContainers = UNKNOWN)],
            ["PS-22", s => (s.containers[0].securityContext.readOnlyRootFilesystem = UNKNOWN)],
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
        it("what an exemption keeps out is told to the caller, resource and stack rules alike", () => {
            const o = priv();
            o.metadata!.namespace = "falco";
            const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "falco" } } as K8sObject;
            const rules = resolveRules(
                [byId("PS-01"), RULES.find(r => r.id === "NET-08")!],
                // NET-08 (a stack rule) exempts falco here; PS-01 by default
                { "namespace-default-deny": { exemptNamespaces: ["falco"] } },
            );
            const told: string[] = [];
            const found = evaluate(rules, [o, ns], f => told.push(`${f.controlId} ${f.policy} ${f.enforcementLevel}`));
            assert.deepEqual(found, []);
            assert.deepEqual(told, [
                "PS-01 no-privileged-containers mandatory",
                `NET-08 namespace-default-deny ${rules[1].enforcementLevel}`,
            ]);
            // without an exemption nothing is told, and the findings are the same with or without a listener
            const plain = priv();
            const none: string[] = [];
            assert.deepEqual(
                evaluate(rules, [plain], f => none.push(f.controlId)).map(f => f.message),
                evaluate(rules, [plain]).map(f => f.message),
            );
            assert.deepEqual(none, []);
        });
        it("exemptNamespaces set in config replaces the default", () => {
            const o = priv();
            o.metadata!.namespace = "falco";
            assert.equal(run("PS-01", o, { "no-privileged-containers": { exemptNamespaces: [] } }).length, 1);
            assert.equal(
                run("PS-01", priv(), { "no-privileged-containers": { exemptNamespaces: ["team-a"] } }).length,
                0,
            );
        });
        it("exemptNames matches names and prefixes", () => {
            assert.equal(run("PS-01", priv(), { "no-privileged-containers": { exemptNames: ["app"] } }).length, 0);
            assert.equal(run("PS-01", priv(), { "no-privileged-containers": { exemptNames: ["ap*"] } }).length, 0);
            assert.equal(run("PS-01", priv(), { "no-privileged-containers": { exemptNames: ["other"] } }).length, 1);
        });
        it("exemptLabels needs every label to match", () => {
            assert.equal(
                run("PS-01", priv(), {
                    "no-privileged-containers": { exemptLabels: { "app.kubernetes.io/name": "app" } },
                }).length,
                0,
            );
            assert.equal(
                run("PS-01", priv(), {
                    "no-privileged-containers": { exemptLabels: { "app.kubernetes.io/name": "app", tier: "x" } },
                }).length,
                1,
            );
        });
        it("a rule's own config changes its verdict (PS-06 sensitivePaths)", () => {
            const o = mutated("Pod", s => s.volumes.push({ name: "d", hostPath: { path: "/data" } }));
            assert.equal(run("PS-06", o, { "no-sensitive-host-paths": { sensitivePaths: ["/data"] } }).length, 1);
        });
        it("enforcementLevel can be overridden per policy and with `all`", () => {
            assert.equal(
                run("PS-01", priv(), { "no-privileged-containers": "advisory" })[0].enforcementLevel,
                "advisory",
            );
            assert.equal(run("PS-01", priv(), { all: "disabled" }).length, 0);
            assert.equal(
                run("PS-01", priv(), { all: "advisory", "no-privileged-containers": "mandatory" })[0].enforcementLevel,
                "mandatory",
            );
        });
    });
});
