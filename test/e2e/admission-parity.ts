/**
 * Admission parity (part of e2e check 9): every CEL twin (admission/policies.ts) against its rule
 * on the shared fixtures, on the real kube-apiserver. One control at a time in Deny (so a denial is
 * attributable to it), evaluated by server-side dry-run as a cluster-admin who is not in
 * system:masters; the table must show 100 % agreement, and every twin needs fixtures.
 */
import { spawnSync } from "child_process";
import { stringify } from "yaml";
import { ADMISSION_CONTROLS, AdmissionControl, admissionPolicies, WITHOUT_TWIN } from "../../admission/policies";
import { Case, CASES, run as packRun, mutated, workload, POD_CASES } from "../../rules/cases";

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures and API objects are free-form Kubernetes JSON */
type Kubectl = (args: string[], input?: string) => { code: number; out: string; err: string };

/**
 * Makes a one-field mutation valid for the API server, which checks some combinations before
 * admission: a privileged container cannot also set allowPrivilegeEscalation: false, and a
 * Windows HostProcess pod must use the host network with every container a HostProcess one.
 */
export function apiValid(s: any): void {
    const all = [...s.containers, ...(s.initContainers ?? [])];
    for (const x of all) if (x.securityContext?.privileged) delete x.securityContext.allowPrivilegeEscalation;
    if (
        s.securityContext?.windowsOptions?.hostProcess ||
        all.some(x => x.securityContext?.windowsOptions?.hostProcess)
    ) {
        s.hostNetwork = true;
        for (const x of all) x.securityContext = { ...x.securityContext, windowsOptions: { hostProcess: true } };
    }
}

/**
 * The policy-pack fixtures of one control: the single-object cases of the rule tests, and for the
 * pod-security controls each one-field mutation of the hardened Deployment (made valid for the API).
 */
export function parityCases(id: string): Case[] {
    const pod = POD_CASES.filter(x => x.id === id).map(x => ({
        id,
        what: x.what,
        good: () => [workload("Deployment")],
        bad: () => [
            mutated(
                "Deployment",
                s => {
                    x.mutate(s);
                    apiValid(s);
                },
                x.meta,
            ),
        ],
    }));
    return [...CASES.filter(x => x.id === id && x.good().length === 1 && x.bad().length === 1), ...pod];
}

/** The admission policy and binding of one control, as generated for `opts`. */
export const controlPolicies = (id: string, opts: Parameters<typeof admissionPolicies>[0]) =>
    admissionPolicies(opts).filter(o => o.metadata.labels["hardened-cluster/control"] === id);
const yamlOf = (objs: object[]) => objs.map(o => stringify(o)).join("---\n");
const sleep = () => spawnSync("sleep", ["0.5"]);

/** Controls whose object name decides: sent as an update of the namespace's own object. */
const NAME_DECIDES = ["SA-03"];
/** What the fixtures' Pods refer to, so the API server's own admission plugins admit them. */
const PRIORITY_CLASS = {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name: "standard" },
    value: 1000,
};

/**
 * Runs the parity table on the cluster behind `k` (the stack's own bindings already removed, the
 * parity user bound to cluster-admin, namespace e2e-parity present). Returns the table; throws on
 * any disagreement or on a twin without fixtures.
 */
export function admissionParity(k: Kubectl): string {
    const pc = k(["get", "priorityclass", "standard"]).code === 0 ? undefined : stringify(PRIORITY_CLASS);
    if (pc && k(["create", "-f", "-"], pc).code !== 0) throw new Error("could not create the fixtures' PriorityClass");
    try {
        return runParity(k);
    } finally {
        if (pc) k(["delete", "-f", "-", "--wait=false"], pc);
    }
}

function runParity(k: Kubectl): string {
    for (let t = 0; t < 40 && k(["get", "serviceaccount", "default", "-n", "e2e-parity"]).code !== 0; t++) sleep();
    const table: string[] = ["| control | fixtures | agreements |", "|---|---:|---:|"];
    const disagreements: string[] = [];
    const send = (ctl: AdmissionControl, obj: any) => {
        const sent = JSON.parse(JSON.stringify(obj));
        if (NAME_DECIDES.includes(ctl.id)) {
            // The name decides (the namespace's own `default` ServiceAccount): apply it as an
            // update in a namespace of its own, where nothing else manages it.
            sent.metadata.namespace = "e2e-parity";
            return k(
                [
                    "apply",
                    "--server-side",
                    "--dry-run=server",
                    "--force-conflicts",
                    "--field-manager=parity",
                    "--as=parity@example.com",
                    "-f",
                    "-",
                ],
                JSON.stringify(sent),
            );
        }
        // Sent under a fresh name so it never collides with the stack's own objects (names do not decide these
        // controls).
        sent.metadata.name = `parity-${sent.metadata.name}`;
        if (ctl.outsidePodSecurity) sent.metadata.namespace = "e2e-parity";
        // JSON, not YAML: kubectl reads YAML 1.1, where an unquoted `y` or `on` would be a boolean.
        return k(["create", "--dry-run=server", "--as=parity@example.com", "-f", "-"], JSON.stringify(sent));
    };
    let total = 0;
    let agreed = 0;
    for (const ctl of ADMISSION_CONTROLS) {
        const cases = parityCases(ctl.id);
        let n = 0;
        let agree = 0;
        // One policy per distinct policy config (IMG-03's registry lists differ between fixtures).
        for (const cfgKey of [...new Set(cases.map(x => JSON.stringify(x.cfg ?? {})))]) {
            const cfg = JSON.parse(cfgKey);
            const objs = controlPolicies(ctl.id, {
                prefix: "parity-",
                exemptNamespaces: ["kube-system"],
                packConfig: cfg,
                actions: { [ctl.id]: ["Deny"] },
            });
            if (objs.length !== 2) throw new Error(`no parity policy for ${ctl.id} with ${cfgKey}`);
            const manifest = yamlOf(objs);
            const ap = k(["apply", "--server-side", "--field-manager=e2e", "-f", "-"], manifest);
            if (ap.code !== 0) throw new Error(`parity policy for ${ctl.id} did not apply: ${ap.err}`);
            const group = cases.filter(x => JSON.stringify(x.cfg ?? {}) === cfgKey);
            // A policy becomes active a moment after creation: wait until its first bad fixture is refused (max 20 s).
            const probeBad = () => send(ctl, group[0].bad()[0]);
            for (let t = 0; t < 40 && !probeBad().err.includes(`[${ctl.id}]`); t++) sleep();
            for (const cs of group) {
                for (const [label, obj] of [
                    ["good", cs.good()[0]],
                    ["bad", cs.bad()[0]],
                ] as const) {
                    const packDenies = packRun(ctl.id, [obj], cs.cfg).length > 0;
                    const r = send(ctl, obj);
                    const serverDenies = r.code !== 0 && r.err.includes(`[${ctl.id}]`);
                    n++;
                    if (serverDenies === packDenies && (serverDenies || r.code === 0)) agree++;
                    else
                        disagreements.push(
                            `${ctl.id} ${cs.what} (${label}): pack ${packDenies ? "deny" : "allow"}, ` +
                                `API server ` +
                                `${r.code === 0 ? "allow" : `deny: ${r.err.trim().split("\n").pop()}`}`,
                        );
                }
            }
            k(["delete", "-f", "-"], manifest);
            // Removal also reaches the admission cache a moment later: wait until the control no longer denies.
            for (let t = 0; t < 40 && probeBad().err.includes(`[${ctl.id}]`); t++) sleep();
        }
        if (n < 2) disagreements.push(`${ctl.id} has no parity fixtures`);
        total += n;
        agreed += agree;
        table.push(`| ${ctl.id} ${ctl.name} | ${n} | ${agree} |`);
    }
    table.push(`| all ${ADMISSION_CONTROLS.length} twins | ${total} | ${agreed} |`);
    const out =
        `${table.join("\n")}\n      without a twin (reason in docs/admission.md): ` +
        `${WITHOUT_TWIN.map(w => w.id).join(", ")}`;
    if (disagreements.length > 0) throw new Error(`${out}\nparity failures:\n      ${disagreements.join("\n      ")}`);
    return out;
}
