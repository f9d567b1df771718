/**
 * e2e check 14: the kubelet runs the component's KubeletConfiguration (only the local overrides
 * differ, file and /configz); a compliant pod runs with the securityContext the blueprint demands,
 * seen in /proc/<pid>/status, and the LimitRange default memory limit in its cgroup.
 */
import { readFileSync } from "fs";
import * as https from "https";
import { parse } from "yaml";
import { localPath } from "../../../cluster/local";
import { LOCAL_KUBELET_OVERRIDES } from "../../../cluster/node";
import { assert, Check } from "../harness";
import { containerPid, getPath, nodePod, procStatus, runPods } from "../node-kit";

/* eslint-disable @typescript-eslint/no-explicit-any -- kubectl's JSON and the kubelet's configuration, read by path */
export const check: Check = {
    name:
        "14. node: the kubelet runs the component's KubeletConfiguration (local overrides only); a " +
        "compliant pod runs with uid, no capabilities, NoNewPrivs, seccomp and the LimitRange memory " +
        "limit observed in /proc and its cgroup",
    run: async e => {
        const { c, k, ns } = e;
        assert(c.nodeResult && c.node && c.testImage, "the e2e cluster has no node (up({ node: true }))");
        // The configuration file and the running kubelet's (configz) are the component's, field for field.
        const component = c.nodeResult.kubeletConfigComponent as any;
        const file = parse(readFileSync(c.nodeResult.kubeletConfig, "utf8"));
        const differs = (a: any, b: any, prefix = ""): string[] => {
            const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
            return [...keys].flatMap(key => {
                const p = prefix ? `${prefix}.${key}` : key;
                const [x, y] = [a?.[key], b?.[key]];
                if (x && y && typeof x === "object" && typeof y === "object" && !Array.isArray(x))
                    return differs(x, y, p);
                return JSON.stringify(x) === JSON.stringify(y) ? [] : [p];
            });
        };
        const changed = differs(component, file).sort();
        assert(
            JSON.stringify(changed) === JSON.stringify(Object.keys(LOCAL_KUBELET_OVERRIDES).sort()),
            `the node's kubelet config differs from the component's in ${changed.join(", ")}; the ` +
                `documented overrides are ${Object.keys(LOCAL_KUBELET_OVERRIDES).join(", ")}`,
        );
        // The API server refuses to proxy to a loopback node address, so ask the kubelet itself, as
        // the API server would: its kubelet-client certificate, the kubelet's serving certificate
        // (issued through the approved CSR) verified against the cluster CA for the name localhost.
        const kubeletClient = (f: string) =>
            readFileSync(localPath(c.stateDir, `/etc/kubernetes/pki/apiserver-kubelet-client.${f}`));
        const configzBody = await new Promise<string>((resolve, reject) => {
            https
                .get(
                    `https://${c.node}:` +
                        `${getPath(parse(readFileSync(c.nodeResult!.kubeletConfig, "utf8")), "port") ?? 10250}` +
                        `/configz`,
                    {
                        ca: readFileSync(c.pki.caCert),
                        cert: kubeletClient("crt"),
                        key: kubeletClient("key"),
                        timeout: 10_000,
                    },
                    res => {
                        let body = "";
                        res.on("data", d => (body += d));
                        res.on("end", () =>
                            res.statusCode === 200
                                ? resolve(body)
                                : reject(new Error(`configz: HTTP ${res.statusCode}: ${body}`)),
                        );
                    },
                )
                .on("error", reject);
        });
        const configz = JSON.parse(configzBody).kubeletconfig;
        assert(configz, "the kubelet's /configz has no kubeletconfig");
        const leaves = (o: any, prefix = ""): string[] =>
            Object.entries(o).flatMap(([key, v]) =>
                v && typeof v === "object" && !Array.isArray(v) ? leaves(v, `${prefix}${key}.`) : [`${prefix}${key}`],
            );
        // configz omits the type fields and zero values (omitempty): an absent field reads as its zero value.
        const same = (want: unknown, got: unknown) =>
            JSON.stringify(want) === JSON.stringify(got) ||
            (got === undefined && [0, false, "", null].includes(want as never));
        const running = leaves(file).filter(
            p => !["apiVersion", "kind"].includes(p) && !same(getPath(file, p), getPath(configz, p)),
        );
        assert(
            running.length === 0,
            `the running kubelet's configuration differs from its file in: ` +
                `${running.map(p => `${p}=${JSON.stringify(getPath(configz, p))}`).join(", ")}`,
        );
        for (const [f, v] of [
            ["readOnlyPort", 0],
            ["authentication.anonymous.enabled", false],
            ["authorization.mode", "Webhook"],
            ["protectKernelDefaults", true],
            ["seccompDefault", true],
        ] as const) {
            assert(same(v, getPath(configz, f)), `running kubelet: ${f} is ${JSON.stringify(getPath(configz, f))}`);
        }
        // A compliant pod in the team namespace, resources from the LimitRange defaults.
        await runPods(e, [
            nodePod(e, "runs", ns, { "app.kubernetes.io/name": "runs" }, "sleep 3600", {
                sa: c.workloadServiceAccount,
                resources: undefined,
            }),
        ]);
        const spec = JSON.parse(k(["get", "pod", "runs", "-n", ns, "-o", "json"]).out).spec.containers[0].resources;
        const pid = containerPid(e, ns, "runs");
        const s = procStatus(pid);
        assert(
            s.Uid.split(/\s+/).every((u: string) => u === "65534") &&
                s.Gid.split(/\s+/).every((g: string) => g === "65534"),
            `uid/gid: ${s.Uid} / ${s.Gid}`,
        );
        for (const cap of ["CapInh", "CapPrm", "CapEff", "CapAmb"])
            assert(/^0+$/.test(s[cap]), `${cap} is ${s[cap]}, expected none`);
        assert(s.NoNewPrivs === "1", `NoNewPrivs is ${s.NoNewPrivs}`);
        assert(s.Seccomp === "2", `Seccomp is ${s.Seccomp}, expected 2 (filter)`);
        const memLine = readFileSync(`/proc/${pid}/cgroup`, "utf8")
            .split("\n")
            .find(l => /(^|:)memory(,|:)/.test(l) || l.startsWith("0::"));
        assert(memLine, "no memory cgroup for the container");
        const rel = memLine.split(":").slice(2).join(":");
        const v2 = memLine.startsWith("0::");
        const limit = readFileSync(
            v2 ? `/sys/fs/cgroup${rel}/memory.max` : `/sys/fs/cgroup/memory${rel}/memory.limit_in_bytes`,
            "utf8",
        ).trim();
        assert(
            spec.limits?.memory === "512Mi" && limit === String(512 * 1024 * 1024),
            `memory limit: pod spec ${spec.limits?.memory}, cgroup ${limit} (expected the LimitRange ` +
                `default 512Mi = 536870912)`,
        );
        assert(rel.includes("/hc-node/kubepods"), `the container's cgroup ${rel} is not under the node's cgroup root`);
    },
};
