/**
 * What the node checks (14–17) share: pods that run on the local worker node (restricted, tolerating
 * its taint), TCP listeners, connection probes polled until policies are programmed, and reading a
 * container's process state on the host.
 */
import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { NODE_TAINT } from "../../cluster/node";
import { assert, E2e } from "./harness";

/* eslint-disable @typescript-eslint/no-explicit-any -- kubectl's JSON output is read by path, untyped */
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const RESTRICTED_CONTAINER = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
};
const SMALL = { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } };

/** A pod on the node (it tolerates the node's taint) running `script` as uid 65534, restricted. */
export function nodePod(
    e: E2e,
    name: string,
    namespace: string,
    labels: Record<string, string>,
    script: string,
    opts: { sa?: string; resources?: object } = {},
): object {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels },
        spec: {
            ...(opts.sa ? { serviceAccountName: opts.sa } : {}),
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 1,
            tolerations: [{ key: NODE_TAINT.key, operator: "Exists", effect: NODE_TAINT.effect }],
            securityContext: {
                runAsNonRoot: true,
                runAsUser: 65534,
                runAsGroup: 65534,
                seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
                {
                    name: "main",
                    image: e.c.testImage,
                    imagePullPolicy: "IfNotPresent",
                    command: ["/bin/sh", "-c", script],
                    securityContext: RESTRICTED_CONTAINER,
                    ...("resources" in opts
                        ? opts.resources
                            ? { resources: opts.resources }
                            : {}
                        : { resources: SMALL }),
                },
            ],
        },
    };
}

/** A shell line serving `<name>:<port>` to every TCP connection on each port. */
export const serve = (name: string, ports: number[]) =>
    `${ports.map(p => `nc -ll -p ${p} -e /bin/echo ${name}:${p} &`).join(" ")} wait`;

export async function runPods(e: E2e, pods: object[]): Promise<Record<string, { ip: string; ns: string }>> {
    const r = e.k(
        ["apply", "--server-side", "--field-manager=e2e-node", "-f", "-"],
        pods.map(p => stringify(p)).join("---\n"),
    );
    assert(r.code === 0, `pods did not apply: ${r.err}`);
    const out: Record<string, { ip: string; ns: string }> = {};
    for (const p of pods as any[]) {
        const ns = p.metadata.namespace,
            name = p.metadata.name;
        const deadline = Date.now() + 120_000;
        let st: any;
        for (;;) {
            st = JSON.parse(e.k(["get", "pod", name, "-n", ns, "-o", "json"]).out || "{}").status ?? {};
            if (st.phase === "Running" && st.podIP && st.containerStatuses?.every((x: any) => x.ready)) break;
            if (Date.now() > deadline)
                throw new Error(`pod ${ns}/${name} is not Running: ${JSON.stringify(st).slice(0, 600)}`);
            await sleep(500);
        }
        out[`${ns}/${name}`] = { ip: st.podIP, ns };
    }
    return out;
}

/** Does a TCP connection from pod `from` to `ip:port` get the server's answer? */
function connects(e: E2e, from: string, ip: string, port: number, expect: string): boolean {
    const [ns, name] = from.split("/");
    const r = e.k(["exec", "-n", ns, name, "--", "nc", "-w", "3", ip, String(port)], "");
    return r.out.includes(expect);
}

/**
 * Poll until the connection's outcome is `want` (policies are programmed asynchronously), then confirm it once more.
 */
export async function expectFlow(
    e: E2e,
    from: string,
    to: { ip: string; name: string },
    port: number,
    want: boolean,
    what: string,
    timeoutMs = 45_000,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (
            connects(e, from, to.ip, port, `${to.name}:${port}`) === want &&
            connects(e, from, to.ip, port, `${to.name}:${port}`) === want
        )
            return;
        if (Date.now() > deadline)
            throw new Error(
                `${what}: ${from} -> ${to.name}:${port} ` +
                    `${want ? "does not connect" : "still connects"} after ${timeoutMs / 1000}s`,
            );
        await sleep(1000);
    }
}

/** The pid (on the host) of a pod's first container, from containerd. */
export function containerPid(e: E2e, ns: string, name: string): number {
    const id = JSON.parse(
        e.k(["get", "pod", name, "-n", ns, "-o", "json"]).out,
    ).status.containerStatuses[0].containerID.replace(/^containerd:\/\//, "");
    const r = spawnSync(
        path.join(e.c.nodeResult!.bin, "ctr"),
        ["--address", e.c.nodeResult!.record.containerdSocket, "-n", "k8s.io", "tasks", "ls"],
        { encoding: "utf8" },
    );
    const line = r.stdout.split("\n").find(l => l.startsWith(id));
    assert(line, `container ${id} of ${ns}/${name} has no task in containerd`);
    return Number(line.split(/\s+/)[1]);
}

export const procStatus = (pid: number) =>
    Object.fromEntries(
        readFileSync(`/proc/${pid}/status`, "utf8")
            .split("\n")
            .filter(Boolean)
            .map(l => {
                const i = l.indexOf(":");
                return [l.slice(0, i), l.slice(i + 1).trim()];
            }),
    );

export const getPath = (o: any, dotted: string) => dotted.split(".").reduce((v, key) => v?.[key], o);

export function ensureNamespace(e: E2e, name: string): void {
    if (e.k(["get", "namespace", name]).code !== 0)
        assert(e.k(["create", "namespace", name]).code === 0, `could not create namespace ${name}`);
}

/** Where a pod started by `runPods` answers: its IP (read from the API server) and its name. */
export function podAddress(e: E2e, key: string): { ip: string; name: string } {
    const [ns, name] = key.split("/");
    const ip = JSON.parse(e.k(["get", "pod", name, "-n", ns, "-o", "json"]).out || "{}").status?.podIP;
    assert(ip, `pod ${key} has no IP (check 15 starts it)`);
    return { ip, name };
}
