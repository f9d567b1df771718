/**
 * What every e2e check shares: the cluster it runs on, kubectl bound to it, assertions, bounded
 * waiting on a condition, and the manifests several checks build.
 *
 * A check is one module under `test/e2e/checks/` exporting `check: Check`; `test/e2e/e2e.ts`
 * brings the cluster up, runs the checks in the order of their numbers and brings it down.
 */
import { spawnSync } from "child_process";
import { readdirSync } from "fs";
import { stringify } from "yaml";
import * as path from "path";
import { kubectl, UpResult } from "../../cluster/local";
import { REPO } from "../../scripts/gather";

export type KubectlResult = { code: number; out: string; err: string };
export type Kubectl = (args: string[], input?: string) => KubectlResult;

/** What a check is given: the running cluster, kubectl on it, and the stack's team namespace. */
export interface E2e {
    c: UpResult;
    k: Kubectl;
    ns: string;
}

export interface Check {
    /** "<number>. <what the check shows>", printed with PASS or FAIL. */
    name: string;
    run: (e: E2e) => Promise<void> | void;
}

export function e2eContext(c: UpResult): E2e {
    return { c, k: (args, input) => kubectl(c, args, input), ns: c.namespace };
}

export function assert(cond: unknown, msg: string): asserts cond {
    if (!cond) throw new Error(msg);
}

export const pause = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Poll `probe` until it returns a value other than `undefined` and `false` (the API server applies
 * policies, keys and controllers' writes asynchronously), at most `timeoutMs`. Returns the last
 * value either way: the caller asserts on it, so a time-out fails with the caller's message.
 */
export async function waitFor<T>(probe: () => T, timeoutMs: number, intervalMs = 500): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = probe();
        if ((v !== undefined && v !== false) || Date.now() >= deadline) return v;
        await pause(intervalMs);
    }
}

/** `waitFor` for the synchronous checks: the same contract, blocking. */
export function waitForSync<T>(probe: () => T, timeoutMs: number, intervalMs = 500): T {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = probe();
        if ((v !== undefined && v !== false) || Date.now() >= deadline) return v;
        spawnSync("sleep", [String(intervalMs / 1000)]);
    }
}

export const yamlOf = (objs: object[]) => objs.map(o => stringify(o)).join("---\n");

/** A Pod that the stack's restricted namespace admits; `mutate` makes it something else. */
/* eslint-disable @typescript-eslint/no-explicit-any -- a pod manifest mutated freely */
export function podYaml(e: E2e, name: string, mutate: (pod: any) => void = () => undefined): string {
    /* eslint-enable @typescript-eslint/no-explicit-any */
    const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: e.ns, labels: { "app.kubernetes.io/name": name } },
        spec: {
            serviceAccountName: e.c.workloadServiceAccount,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: "app",
                    image: "registry.example.com/app:1.0",
                    securityContext: {
                        allowPrivilegeEscalation: false,
                        readOnlyRootFilesystem: true,
                        capabilities: { drop: ["ALL"] },
                    },
                },
            ],
        },
    };
    mutate(pod);
    return stringify(pod);
}

/** `kubectl auth can-i` in the team namespace, as the identity `as` names: "yes" or "no". */
export const canI = (e: E2e, as: string[], verb: string, resource: string) =>
    e.k(["auth", "can-i", verb, resource, "-n", e.ns, ...as]).out.trim();

/** `npm run isolate` / `npm run release` as a user runs them, with the cluster's kubectl and kubeconfig. */
export const isolateCli = (e: E2e, args: string[]) =>
    spawnSync(
        process.execPath,
        [
            "-r",
            "ts-node/register/transpile-only",
            path.join(REPO, "ops", "isolate.ts"),
            ...args,
            "--kubeconfig",
            e.c.kubeconfig,
            "--kubectl",
            path.join(e.c.toolsBin, "kubectl"),
        ],
        { cwd: REPO, encoding: "utf8", timeout: 120_000 },
    );

/** Every module under checks/, in the order of its number; a file that is not a check is an error. */
export function loadChecks(dir = path.join(__dirname, "checks")): Check[] {
    const files = readdirSync(dir)
        .filter(f => /\.ts$/.test(f))
        .sort();
    const checks = files.map(f => {
        if (!/^\d{2}-[a-z0-9-]+\.ts$/.test(f))
            throw new Error(`${path.join(dir, f)}: a check's file name is <two-digit number>-<name>.ts`);
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- checks are found by file name
        const check = (require(path.join(dir, f)) as { check?: Check }).check;
        if (!check || !check.name.startsWith(`${Number(f.slice(0, 2))}. `))
            throw new Error(`${path.join(dir, f)} does not export check: Check named "${Number(f.slice(0, 2))}. ..."`);
        return check;
    });
    const numbers = checks.map(x => x.name.split(".")[0]);
    const twice = numbers.filter((n, i) => numbers.indexOf(n) !== i);
    if (twice.length > 0) throw new Error(`test/e2e/checks: check number ${twice.join(", ")} is used twice`);
    return checks;
}
