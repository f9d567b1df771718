/**
 * e2e checks on the local worker node (`up({ node: true })`), each observing process state or
 * traffic rather than inferring it from applied objects:
 *   14. the kubelet runs the component's KubeletConfiguration (only the local overrides differ);
 *       a compliant pod runs with the securityContext the blueprint demands visible in
 *       /proc/<pid>/status and the LimitRange default memory limit in its cgroup;
 *   15. default-deny, DNS egress to kube-dns only, the stack's declared flows, SecureIngress's policy:
 *       TCP connections between pods (busybox nc), each denial paired with a connection to the same
 *       port from a peer that is allowed (so a denial is the policy, not a missing listener);
 *   16. quarantine: `npm run isolate` cuts the pod off from flows that passed a moment before (both
 *       directions), reports a team policy that forgets the quarantine label (as the pack's NET-09 does; and that policy's
 *       flow indeed still passes), `release` restores the flows;
 *   17. kube-bench's CronJob as a Job on the node: host PID, read-only host paths, no capability,
 *       no token, observed from inside the container; its pods are refused in a team namespace.
 */
import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import * as https from "https";
import { kubectl, localPath, UpResult } from "../../cluster/local";
import { LOCAL_KUBELET_OVERRIDES, NODE_TAINT } from "../../cluster/node";
import { QUARANTINE_LABEL } from "../../ops/isolate";
import { RULES } from "../../rules";
import { evaluate, resolveRules } from "../../rules/engine";
import { REPO } from "../../scripts/gather";

/* eslint-disable @typescript-eslint/no-explicit-any */
function assert(cond: unknown, msg: string): asserts cond {
    if (!cond) throw new Error(msg);
}

let c: UpResult;
const k = (args: string[], input?: string) => kubectl(c, args, input);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
const SMALL = { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } };

/** A pod on the node (it tolerates the node's taint) running `script` as uid 65534, restricted. */
function pod(name: string, namespace: string, labels: Record<string, string>, script: string, opts: { sa?: string; resources?: object } = {}): object {
    return {
        apiVersion: "v1", kind: "Pod", metadata: { name, namespace, labels },
        spec: {
            ...(opts.sa ? { serviceAccountName: opts.sa } : {}),
            automountServiceAccountToken: false, terminationGracePeriodSeconds: 1,
            tolerations: [{ key: NODE_TAINT.key, operator: "Exists", effect: NODE_TAINT.effect }],
            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{ name: "main", image: c.testImage, imagePullPolicy: "IfNotPresent", command: ["/bin/sh", "-c", script], securityContext: RESTRICTED_CONTAINER, ...("resources" in opts ? (opts.resources ? { resources: opts.resources } : {}) : { resources: SMALL }) }],
        },
    };
}

/** A shell line serving `<name>:<port>` to every TCP connection on each port. */
const serve = (name: string, ports: number[]) => `${ports.map(p => `nc -ll -p ${p} -e /bin/echo ${name}:${p} &`).join(" ")} wait`;

async function runPods(pods: object[]): Promise<Record<string, { ip: string; ns: string }>> {
    const r = k(["apply", "--server-side", "--field-manager=e2e-node", "-f", "-"], pods.map(p => stringify(p)).join("---\n"));
    assert(r.code === 0, `pods did not apply: ${r.err}`);
    const out: Record<string, { ip: string; ns: string }> = {};
    for (const p of pods as any[]) {
        const ns = p.metadata.namespace, name = p.metadata.name;
        const deadline = Date.now() + 120_000;
        let st: any;
        for (;;) {
            st = JSON.parse(k(["get", "pod", name, "-n", ns, "-o", "json"]).out || "{}").status ?? {};
            if (st.phase === "Running" && st.podIP && st.containerStatuses?.every((x: any) => x.ready)) break;
            if (Date.now() > deadline) throw new Error(`pod ${ns}/${name} is not Running: ${JSON.stringify(st).slice(0, 600)}`);
            await sleep(500);
        }
        out[`${ns}/${name}`] = { ip: st.podIP, ns };
    }
    return out;
}

/** Does a TCP connection from pod `from` to `ip:port` get the server's answer? */
function connects(from: string, ip: string, port: number, expect: string): boolean {
    const [ns, name] = from.split("/");
    const r = k(["exec", "-n", ns, name, "--", "nc", "-w", "3", ip, String(port)], "");
    return r.out.includes(expect);
}

/** Poll until the connection's outcome is `want` (policies are programmed asynchronously), then confirm it once more. */
async function expectFlow(from: string, to: { ip: string; name: string }, port: number, want: boolean, what: string, timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (connects(from, to.ip, port, `${to.name}:${port}`) === want && connects(from, to.ip, port, `${to.name}:${port}`) === want) return;
        if (Date.now() > deadline) throw new Error(`${what}: ${from} -> ${to.name}:${port} ${want ? "does not connect" : "still connects"} after ${timeoutMs / 1000}s`);
        await sleep(1000);
    }
}

/** The pid (on the host) of a pod's first container, from containerd. */
function containerPid(ns: string, name: string): number {
    const id = JSON.parse(k(["get", "pod", name, "-n", ns, "-o", "json"]).out).status.containerStatuses[0].containerID.replace(/^containerd:\/\//, "");
    const r = spawnSync(path.join(c.nodeResult!.bin, "ctr"), ["--address", c.nodeResult!.record.containerdSocket, "-n", "k8s.io", "tasks", "ls"], { encoding: "utf8" });
    const line = r.stdout.split("\n").find(l => l.startsWith(id));
    assert(line, `container ${id} of ${ns}/${name} has no task in containerd`);
    return Number(line.split(/\s+/)[1]);
}

const status = (pid: number) => Object.fromEntries(readFileSync(`/proc/${pid}/status`, "utf8").split("\n").filter(Boolean).map(l => { const i = l.indexOf(":"); return [l.slice(0, i), l.slice(i + 1).trim()]; }));

const getPath = (o: any, dotted: string) => dotted.split(".").reduce((v, key) => v?.[key], o);

function ensureNamespace(name: string): void {
    if (k(["get", "namespace", name]).code !== 0) assert(k(["create", "namespace", name]).code === 0, `could not create namespace ${name}`);
}

export function nodeChecks(get: () => UpResult): Array<{ name: string; run: () => Promise<void> }> {
    const ns = () => c.namespace;
    let pods: Record<string, { ip: string; ns: string }> = {};
    const at = (key: string) => ({ ip: pods[key].ip, name: key.split("/")[1] });
    return [
        { name: "14. node: the kubelet runs the component's KubeletConfiguration (local overrides only); a compliant pod runs with uid, no capabilities, NoNewPrivs, seccomp and the LimitRange memory limit observed in /proc and its cgroup", run: async () => {
            c = get();
            assert(c.nodeResult && c.node && c.testImage, "the e2e cluster has no node (up({ node: true }))");
            // The configuration file and the running kubelet's (configz) are the component's, field for field.
            const component = c.nodeResult.kubeletConfigComponent as any;
            const file = parse(readFileSync(c.nodeResult.kubeletConfig, "utf8"));
            const differs = (a: any, b: any, prefix = ""): string[] => {
                const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
                return [...keys].flatMap(key => {
                    const p = prefix ? `${prefix}.${key}` : key;
                    const [x, y] = [a?.[key], b?.[key]];
                    if (x && y && typeof x === "object" && typeof y === "object" && !Array.isArray(x)) return differs(x, y, p);
                    return JSON.stringify(x) === JSON.stringify(y) ? [] : [p];
                });
            };
            const changed = differs(component, file).sort();
            assert(JSON.stringify(changed) === JSON.stringify(Object.keys(LOCAL_KUBELET_OVERRIDES).sort()), `the node's kubelet config differs from the component's in ${changed.join(", ")}; the documented overrides are ${Object.keys(LOCAL_KUBELET_OVERRIDES).join(", ")}`);
            // The API server refuses to proxy to a loopback node address, so ask the kubelet itself, as
            // the API server would: its kubelet-client certificate, the kubelet's serving certificate
            // (issued through the approved CSR) verified against the cluster CA for the name localhost.
            const kubeletClient = (f: string) => readFileSync(localPath(c.stateDir, `/etc/kubernetes/pki/apiserver-kubelet-client.${f}`));
            const configzBody = await new Promise<string>((resolve, reject) => {
                https.get(`https://${c.node}:${getPath(parse(readFileSync(c.nodeResult!.kubeletConfig, "utf8")), "port") ?? 10250}/configz`,
                    { ca: readFileSync(c.pki.caCert), cert: kubeletClient("crt"), key: kubeletClient("key"), timeout: 10_000 }, res => {
                        let body = "";
                        res.on("data", d => (body += d));
                        res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`configz: HTTP ${res.statusCode}: ${body}`))));
                    }).on("error", reject);
            });
            const configz = JSON.parse(configzBody).kubeletconfig;
            assert(configz, "the kubelet's /configz has no kubeletconfig");
            const leaves = (o: any, prefix = ""): string[] => Object.entries(o).flatMap(([key, v]) => v && typeof v === "object" && !Array.isArray(v) ? leaves(v, `${prefix}${key}.`) : [`${prefix}${key}`]);
            // configz omits the type fields and zero values (omitempty): an absent field reads as its zero value.
            const same = (want: unknown, got: unknown) => JSON.stringify(want) === JSON.stringify(got) || (got === undefined && [0, false, "", null].includes(want as never));
            const running = leaves(file).filter(p => !["apiVersion", "kind"].includes(p) && !same(getPath(file, p), getPath(configz, p)));
            assert(running.length === 0, `the running kubelet's configuration differs from its file in: ${running.map(p => `${p}=${JSON.stringify(getPath(configz, p))}`).join(", ")}`);
            for (const [f, v] of [["readOnlyPort", 0], ["authentication.anonymous.enabled", false], ["authorization.mode", "Webhook"], ["protectKernelDefaults", true], ["seccompDefault", true]] as const) {
                assert(same(v, getPath(configz, f)), `running kubelet: ${f} is ${JSON.stringify(getPath(configz, f))}`);
            }
            // A compliant pod in the team namespace, resources from the LimitRange defaults.
            pods = await runPods([pod("runs", ns(), { "app.kubernetes.io/name": "runs" }, "sleep 3600", { sa: c.workloadServiceAccount, resources: undefined })]);
            const spec = JSON.parse(k(["get", "pod", "runs", "-n", ns(), "-o", "json"]).out).spec.containers[0].resources;
            const pid = containerPid(ns(), "runs");
            const s = status(pid);
            assert(s.Uid.split(/\s+/).every((u: string) => u === "65534") && s.Gid.split(/\s+/).every((g: string) => g === "65534"), `uid/gid: ${s.Uid} / ${s.Gid}`);
            for (const cap of ["CapInh", "CapPrm", "CapEff", "CapAmb"]) assert(/^0+$/.test(s[cap]), `${cap} is ${s[cap]}, expected none`);
            assert(s.NoNewPrivs === "1", `NoNewPrivs is ${s.NoNewPrivs}`);
            assert(s.Seccomp === "2", `Seccomp is ${s.Seccomp}, expected 2 (filter)`);
            const memLine = readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n").find(l => /(^|:)memory(,|:)/.test(l) || l.startsWith("0::"));
            assert(memLine, "no memory cgroup for the container");
            const rel = memLine.split(":").slice(2).join(":");
            const v2 = memLine.startsWith("0::");
            const limit = readFileSync(v2 ? `/sys/fs/cgroup${rel}/memory.max` : `/sys/fs/cgroup/memory${rel}/memory.limit_in_bytes`, "utf8").trim();
            assert(spec.limits?.memory === "512Mi" && limit === String(512 * 1024 * 1024), `memory limit: pod spec ${spec.limits?.memory}, cgroup ${limit} (expected the LimitRange default 512Mi = 536870912)`);
            assert(rel.includes("/hc-node/kubepods"), `the container's cgroup ${rel} is not under the node's cgroup root`);
        } },
        { name: "15. node traffic: default-deny inside and across namespaces; DNS egress to kube-dns only; the stack's declared ingress/egress flows and SecureIngress's backend port pass, nothing else", run: async () => {
            for (const n of ["monitoring", "db", "ingress-nginx"]) ensureNamespace(n);
            const app = { "app.kubernetes.io/name": "app" };
            pods = {
                ...pods, ...await runPods([
                    pod("app", ns(), app, `${serve("app", [8080, 9090, 9091])}`, { sa: c.workloadServiceAccount }),
                    pod("peer", ns(), { "app.kubernetes.io/name": "peer" }, `${serve("peer", [8080])}`, { sa: c.workloadServiceAccount }),
                    pod("db", "db", { "app.kubernetes.io/name": "db" }, serve("db", [5432, 5433])),
                    pod("cache", "db", { "app.kubernetes.io/name": "cache" }, serve("cache", [5432])),
                    pod("prometheus", "monitoring", { "app.kubernetes.io/name": "prometheus" }, serve("prometheus", [8080])),
                    pod("fake-controller", "monitoring", { "app.kubernetes.io/name": "ingress-nginx" }, "sleep 3600"),
                    pod("controller", "ingress-nginx", { "app.kubernetes.io/name": "ingress-nginx" }, "sleep 3600"),
                    pod("other", "ingress-nginx", { "app.kubernetes.io/name": "other" }, "sleep 3600"),
                    pod("kube-dns", "kube-system", { "k8s-app": "kube-dns" }, serve("kube-dns", [53, 5353])),
                    pod("not-dns", "kube-system", { "k8s-app": "not-dns" }, serve("not-dns", [53])),
                ]),
            };
            const T = (s: string) => `${ns()}/${s}`;
            // Positive controls first: each listener a denial below is about answers a peer that is
            // allowed to reach it (the ingress controller's namespace has no policy of its own).
            for (const [to, port] of [[T("app"), 8080], ["db/db", 5432], ["db/db", 5433], ["db/cache", 5432], ["kube-system/kube-dns", 5353], ["kube-system/not-dns", 53], ["monitoring/prometheus", 8080]] as const) {
                await expectFlow("ingress-nginx/controller", at(to), port, true, "positive control (from the ingress controller's namespace, which has no policy)");
            }
            // Default-deny inside the namespace and across namespaces, both directions.
            await expectFlow(T("peer"), at(T("app")), 8080, false, "same-namespace traffic (allowSameNamespace is false)");
            await expectFlow("ingress-nginx/other", at(T("app")), 8080, false, "ingress from another namespace");
            await expectFlow(T("app"), at("monitoring/prometheus"), 8080, false, "egress to another namespace");
            // DNS: egress to the kube-dns pods on 53 only.
            await expectFlow(T("app"), at("kube-system/kube-dns"), 53, true, "DNS egress to kube-dns");
            await expectFlow(T("app"), at("kube-system/kube-dns"), 5353, false, "egress to kube-dns on another port");
            await expectFlow(T("app"), at("kube-system/not-dns"), 53, false, "port 53 on a pod that is not kube-dns");
            // Declared flows (stack network.ingress / network.egress) pass; their neighbours do not.
            await expectFlow("monitoring/prometheus", at(T("app")), 9090, true, "declared ingress from-monitoring");
            await expectFlow("monitoring/prometheus", at(T("app")), 8080, false, "from-monitoring on an undeclared port");
            await expectFlow(T("app"), at("db/db"), 5432, true, "declared egress to-db");
            await expectFlow(T("app"), at("db/db"), 5433, false, "to-db on an undeclared port");
            await expectFlow(T("app"), at("db/cache"), 5432, false, "to-db towards a pod without the declared labels");
            await expectFlow(T("peer"), at("db/db"), 5432, false, "to-db from a pod the rule does not select");
            // SecureIngress: only the controller's pods (its namespace and labels) reach the backend port.
            await expectFlow("ingress-nginx/controller", at(T("app")), 8080, true, "ingress controller to the backend port");
            await expectFlow("ingress-nginx/controller", at(T("app")), 9090, false, "ingress controller to another port (9090 answers monitoring, above)");
            await expectFlow("monitoring/fake-controller", at(T("app")), 8080, false, "controller labels in another namespace");
        } },
        { name: "16. node quarantine: isolate cuts the pod off from flows that passed a moment before (both directions) and names a team policy that forgets the quarantine label, whose flow indeed still passes; release restores the flows", run: async () => {
            assert(pods[`${ns()}/app`], "check 15 did not start the pods");
            const T = (s: string) => `${ns()}/${s}`;
            // A team's own allow policy that does not exclude quarantined pods.
            const leaky = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "team-own-metrics", namespace: ns() },
                spec: { podSelector: { matchLabels: { "app.kubernetes.io/name": "app" } }, policyTypes: ["Ingress"],
                    ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ port: 9091 }] }] } };
            assert(k(["apply", "--server-side", "--field-manager=e2e-node", "-f", "-"], stringify(leaky)).code === 0, "the team policy did not apply");
            await expectFlow("monitoring/prometheus", at(T("app")), 9091, true, "the team's own flow before isolation");
            await expectFlow("monitoring/prometheus", at(T("app")), 9090, true, "ingress before isolation");
            await expectFlow(T("app"), at("db/db"), 5432, true, "egress before isolation");
            const cli = (args: string[]) => spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO, "ops", "isolate.ts"), ...args,
                "--kubeconfig", c.kubeconfig, "--kubectl", path.join(c.toolsBin, "kubectl")], { cwd: REPO, encoding: "utf8", timeout: 120_000 });
            const iso = cli(["isolate", ns(), "app", "--evidence-dir", path.join(c.stateDir, "node-evidence"), "--reason", "e2e node quarantine"]);
            assert(iso.status === 0, `isolate failed (${iso.status}): ${iso.stderr}`);
            assert(/team-own-metrics/.test(iso.stderr), `isolate did not report the team policy that still admits traffic: ${iso.stderr}`);
            assert(JSON.parse(k(["get", "pod", "app", "-n", ns(), "-o", "json"]).out).metadata.labels[QUARANTINE_LABEL] === "true", "the pod is not labelled");
            await expectFlow("monitoring/prometheus", at(T("app")), 9090, false, "ingress after isolation");
            await expectFlow(T("app"), at("db/db"), 5432, false, "egress after isolation");
            await expectFlow(T("app"), at("kube-system/kube-dns"), 53, false, "DNS egress after isolation");
            await expectFlow("monitoring/prometheus", at(T("app")), 9091, true, "the team policy's flow (policies add up: that is why isolate names it)");
            // The pack's NET-09, on the namespace's policies as the API server holds them, flags exactly the one whose flow passed.
            const live = JSON.parse(k(["get", "networkpolicies", "-n", ns(), "-o", "json"]).out).items;
            const net09 = evaluate(resolveRules(RULES.filter(r => r.id === "NET-09")), live).map(f => `${f.object.metadata?.name}${f.unknown ? " (unknown)" : ""}`);
            assert(JSON.stringify(net09) === JSON.stringify(["team-own-metrics"]), `NET-09 flags ${JSON.stringify(net09)} among ${live.length} policies, expected only team-own-metrics`);
            const rel = cli(["release", ns(), "app"]);
            assert(rel.status === 0, `release failed (${rel.status}): ${rel.stderr}`);
            await expectFlow("monitoring/prometheus", at(T("app")), 9090, true, "ingress after release");
            await expectFlow(T("app"), at("db/db"), 5432, true, "egress after release");
            k(["delete", "networkpolicy", "team-own-metrics", "-n", ns()]);
        } },
        { name: "17. node kube-bench: a Job from the stack's CronJob runs with host PID, read-only host paths, no capability and no token (seen inside the container); its pods are refused in a team namespace", run: async () => {
            const cj = JSON.parse(k(["get", "cronjob", "kube-bench", "-n", "kube-bench", "-o", "json"]).out);
            const tpl = cj.spec.jobTemplate.spec.template.spec;
            const ctr0 = tpl.containers[0];
            const mounts = ctr0.volumeMounts.filter((m: any) => m.readOnly).map((m: any) => m.mountPath);
            assert(tpl.hostPID === true && tpl.automountServiceAccountToken === false && mounts.length >= 5, "the CronJob does not declare what this check observes");
            // The kube-bench module is not served here: the stand-in is the test image printing what it sees.
            const script = [
                "echo uid=$(id -u)",
                "grep -E '^(CapInh|CapPrm|CapEff|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status | tr -d ' \\t' | sed 's/:/=/'",
                "echo pid1=$(tr '\\0' ' ' </proc/1/cmdline)",
                `for m in ${mounts.join(" ")}; do echo mount=$m=$(awk -v m=$m '$5==m {split($6,o,","); print o[1]}' /proc/self/mountinfo); done`,
                "if [ -e /var/run/secrets/kubernetes.io/serviceaccount/token ]; then echo token=present; else echo token=absent; fi",
                "echo end=1",
            ].join("; ");
            const job = (namespace: string) => {
                const spec = JSON.parse(JSON.stringify(cj.spec.jobTemplate.spec));
                const t = spec.template.spec;
                // Elsewhere it runs under that namespace's workload ServiceAccount (kube-bench's exists only in its own).
                if (namespace !== "kube-bench") t.serviceAccountName = c.workloadServiceAccount;
                t.tolerations = [...(t.tolerations ?? []), { key: NODE_TAINT.key, operator: "Exists", effect: NODE_TAINT.effect }];
                Object.assign(t.containers[0], { image: c.testImage, imagePullPolicy: "IfNotPresent", command: ["/bin/sh", "-c", script] });
                return stringify({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "e2e-kube-bench", namespace }, spec });
            };
            assert(k(["create", "-f", "-"], job("kube-bench")).code === 0, "the kube-bench Job was not created in its namespace");
            let logs = "";
            for (let t = 0; t < 240 && !/end=1/.test(logs); t++) { await sleep(500); logs = k(["logs", "-n", "kube-bench", "job/e2e-kube-bench"]).out; }
            assert(/end=1/.test(logs), `the kube-bench Job did not run to the end: ${logs}${k(["describe", "job", "e2e-kube-bench", "-n", "kube-bench"]).out.slice(-800)}`);
            const seen = new Map(logs.split("\n").filter(l => l.includes("=")).map(l => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as [string, string]));
            assert(seen.get("uid") === "0", `uid ${seen.get("uid")}, the CronJob declares root`);
            for (const cap of ["CapInh", "CapPrm", "CapEff", "CapAmb"]) assert(/^0+$/.test(seen.get(cap) ?? "x"), `${cap}=${seen.get(cap)}: capabilities remain`);
            assert(seen.get("NoNewPrivs") === "1" && seen.get("Seccomp") === "2", `NoNewPrivs=${seen.get("NoNewPrivs")} Seccomp=${seen.get("Seccomp")}`);
            const hostPid1 = readFileSync("/proc/1/cmdline", "utf8").split("\0").join(" ").trim();
            assert(seen.get("pid1")?.trim() === hostPid1, `pid 1 in the container is '${seen.get("pid1")}', not the host's '${hostPid1}': no host PID namespace`);
            const mountLines = logs.split("\n").filter(l => l.startsWith("mount="));
            assert(mountLines.length === mounts.length && mountLines.every(l => l.endsWith("=ro")), `host paths not all mounted read-only:\n${mountLines.join("\n")}`);
            assert(seen.get("token") === "absent", "a ServiceAccount token is mounted");
            // In a restricted team namespace, Pod Security refuses the Job's pods.
            // (Pod Security warns on a Job and enforces on its pods; an admission policy may refuse the Job itself.)
            const created = k(["create", "-f", "-"], job(ns()));
            if (created.code !== 0) {
                assert(/denied|violates|forbidden/i.test(created.err), `creating the Job in ${ns()} failed for another reason: ${created.err}`);
            } else {
                let events = "";
                for (let t = 0; t < 60 && !/violates PodSecurity/.test(events); t++) { await sleep(500); events = k(["get", "events", "-n", ns(), "--field-selector", "involvedObject.name=e2e-kube-bench", "-o", "jsonpath={.items[*].message}"]).out; }
                assert(/violates PodSecurity "restricted/.test(events), `the Job's pods were not refused in ${ns()}: ${events}`);
            }
            assert(k(["get", "pods", "-n", ns(), "-l", "job-name=e2e-kube-bench", "-o", "name"]).out.trim() === "", "a kube-bench pod exists in the team namespace");
        } },
    ];
}
