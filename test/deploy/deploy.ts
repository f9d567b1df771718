/**
 * `npm run test:deploy`: the program, an app team's program and CI previews run in the real
 * Pulumi engine with the real Kubernetes provider, on a local control plane started by
 * `npm run cluster:up` — through the commands the README gives (`npm run deploy -- ...`,
 * `npm pack`, `npm install`, `npx hardened-deploy ...`). Each check prints PASS/FAIL; the run
 * ends with `deploy: N passed, M failed`.
 *
 * Oracles: the API server (kubectl reads every object back), the engine's own change summary, and
 * the program under mocks (scripts/gather), which names every object the stack must create.
 */
import { spawnSync, SpawnSyncReturns } from "child_process";
import {
    cpSync,
    existsSync,
    mkdirSync,
    mkdtempSync,
    readdirSync,
    readFileSync,
    rmSync,
    symlinkSync,
    writeFileSync,
} from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { gatherStack, kubernetesObjects, REPO } from "../../scripts/gather";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects read from kubectl's JSON output
type Obj = Record<string, any>;
const results: Array<{ name: string; ok: boolean; detail?: string }> = [];
const work = mkdtempSync(path.join(os.tmpdir(), "hc-deploy-"));
const logFile = path.join(work, "deploy.log");
let kubeconfig = "";
let toolsBin = "";

function assert(cond: unknown, msg: string): asserts cond {
    if (!cond) throw new Error(msg);
}

/** Runs a command as a user would type it (cwd, env), logs everything, returns code and output. */
function sh(
    cmd: string,
    args: string[],
    opts: { cwd?: string; env?: Record<string, string>; input?: string; timeoutS?: number } = {},
) {
    const r: SpawnSyncReturns<string> = spawnSync(cmd, args, {
        cwd: opts.cwd ?? REPO,
        encoding: "utf8",
        input: opts.input ?? "",
        timeout: (opts.timeoutS ?? 900) * 1000,
        env: { ...process.env, ...opts.env },
        maxBuffer: 256 * 1024 * 1024,
    });
    const text =
        `$ (cd ${opts.cwd ?? REPO} && ${cmd} ${args.join(" ")})\n${r.stdout ?? ""}${r.stderr ?? ""}\n[exi` +
        `t ${r.status}${r.signal ? ` signal ${r.signal}` : ""}]\n`;
    writeFileSync(logFile, text, { flag: "a" });
    return { code: r.status ?? 1, out: r.stdout ?? "", err: r.stderr ?? "", all: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}
const tail = (s: string, n = 30) => s.trim().split("\n").slice(-n).join("\n      ");

/** `npm run deploy -- ARGS` as the README writes it (KUBECONFIG from the environment, as after `eval`). */
const ran = new Set<string>();
const deploy = (args: string[], env: Record<string, string> = {}) => {
    ran.add(`npm run deploy -- ${args.join(" ")}`);
    return sh("npm", ["run", "--silent", "deploy", "--", ...args], { env });
};
const kubectl = (args: string[], input?: string) =>
    sh(path.join(toolsBin, "kubectl"), ["--kubeconfig", kubeconfig, ...args], { input });
const getJson = (args: string[]): Obj | undefined => {
    const r = kubectl([...args, "-o", "json"]);
    return r.code === 0 ? JSON.parse(r.out) : undefined;
};
/** The change summary line the runner prints, as { create: 3, same: 10, ... }. */
function changes(output: string, operation: string): Record<string, number> {
    const line = output
        .split("\n")
        .reverse()
        .find(l => l.startsWith(`${operation}: `));
    const out: Record<string, number> = {};
    for (const m of (line ?? "").matchAll(/(\d+) (\w+)/g)) out[m[2]] = Number(m[1]);
    return out;
}
const nonSame = (c: Record<string, number>) => Object.entries(c).filter(([k, n]) => k !== "same" && n > 0);

/** Every object the stack's program declares, from the program under mocks. */
function declared(stack: string): Obj[] {
    return kubernetesObjects(gatherStack(stack).resources);
}
const ref = (o: Obj) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
function liveOf(o: Obj): Obj | undefined {
    const kind =
        o.kind === "ServiceAccount" || o.kind === "Namespace"
            ? o.kind.toLowerCase()
            : (
                  `${o.kind.toLowerCase()}.` +
                  `${(o.apiVersion as string).includes("/") ? o.apiVersion.split("/")[0] : ""}`
              ).replace(/\.$/, "");
    return getJson(["get", kind, o.metadata.name, ...(o.metadata.namespace ? ["-n", o.metadata.namespace] : [])]);
}
/** True when every field of `want` is in `got` with the same value (lists element by element). */
function contains(got: unknown, want: unknown): boolean {
    if (want === null || typeof want !== "object")
        return got === want || (typeof want === "number" && String(got) === String(want));
    if (Array.isArray(want))
        return Array.isArray(got) && want.length === got.length && want.every((w, i) => contains(got[i], w));
    if (!got || typeof got !== "object") return false;
    return Object.entries(want as Obj).every(([k, v]) => contains((got as Obj)[k], v));
}

const checks: Array<{ name: string; run: () => void }> = [];
const check = (name: string, run: () => void) => checks.push({ name, run });

let devObjects: Obj[] = [];

check(
    "1. `deploy up --stack dev` on a cluster fresh from `npm run cluster:up` creates every declared " +
        "object (kubectl reads each back)",
    () => {
        const p = deploy(["preview", "--stack", "dev"]);
        assert(
            p.code === 0 && (changes(p.err, "preview").create ?? 0) > 0,
            `preview of a new stack (${p.code}): ${JSON.stringify(changes(p.err, "preview"))}\n      ${tail(p.all)}`,
        );
        const r = deploy(["up", "--stack", "dev", "--yes"]);
        assert(r.code === 0, `deploy up failed (${r.code}):\n      ${tail(r.all)}`);
        const c = changes(r.err, "up");
        assert((c.create ?? 0) > 0, `up reported no creations: ${JSON.stringify(c)}`);
        devObjects = declared("dev");
        assert(devObjects.length > 20, `the dev stack declares only ${devObjects.length} objects`);
        const missing: string[] = [];
        const differs: string[] = [];
        for (const o of devObjects) {
            const live = liveOf(o);
            if (!live) {
                missing.push(ref(o));
                continue;
            }
            const { metadata, apiVersion: _a, kind: _k, ...rest } = o;
            void _a;
            void _k;
            const meta: Obj = {};
            if (metadata.labels) meta.labels = metadata.labels;
            if (metadata.annotations) meta.annotations = metadata.annotations;
            const want = { metadata: meta, ...rest };
            if (!contains(live, want)) differs.push(ref(o));
        }
        assert(missing.length === 0, `not in the cluster: ${missing.join(", ")}`);
        assert(differs.length === 0, `differs from what the program declares: ${differs.join(", ")}`);
    },
);

check(
    "2. the security properties are live: Pod Security labels, quota, LimitRange, default-deny + DNS " +
        "+ quarantine policies, no token automount, RoleBindings to the teams' groups",
    () => {
        for (const ns of ["payments-dev", "web-dev"]) {
            const labels = getJson(["get", "namespace", ns])?.metadata?.labels ?? {};
            for (const mode of ["enforce", "audit", "warn"])
                assert(
                    labels[`pod-security.kubernetes.io/${mode}`] === "restricted",
                    `${ns}: ${mode} label is ${labels[`pod-security.kubernetes.io/${mode}`]}`,
                );
            const quota = getJson(["get", "resourcequota", "-n", ns])?.items ?? [];
            assert(
                quota.length === 1 && quota[0].spec.hard.pods,
                `${ns}: quota ${JSON.stringify(quota.map((q: Obj) => q.spec))}`,
            );
            const limits = getJson(["get", "limitrange", "-n", ns])?.items ?? [];
            assert(
                limits.length === 1 &&
                    limits[0].spec.limits.some((l: Obj) => l.type === "Container" && l.default?.memory),
                `${ns}: LimitRange ${JSON.stringify(limits.map((l: Obj) => l.spec))}`,
            );
            const pols = (getJson(["get", "networkpolicy", "-n", ns])?.items ?? []) as Obj[];
            const byName = new Map(pols.map(p => [p.metadata.name, p.spec]));
            const deny = byName.get("default-deny");
            assert(
                deny &&
                    Object.keys(deny.podSelector ?? {}).length === 0 &&
                    ["Ingress", "Egress"].every(t => deny.policyTypes.includes(t)) &&
                    !deny.ingress &&
                    !deny.egress,
                `${ns}: default-deny is ${JSON.stringify(deny)}`,
            );
            const dns = [...byName.values()].find(s =>
                (s.egress ?? []).some((e: Obj) => (e.ports ?? []).some((p: Obj) => p.port === 53)),
            );
            assert(dns, `${ns}: no DNS egress policy among ${[...byName.keys()].join(", ")}`);
            const q = byName.get("quarantine");
            assert(
                q && q.policyTypes.length === 2 && !q.ingress && !q.egress,
                `${ns}: quarantine policy is ${JSON.stringify(q)}`,
            );
            const sas = (getJson(["get", "serviceaccount", "-n", ns])?.items ?? []) as Obj[];
            const declaredSas = devObjects
                .filter(o => o.kind === "ServiceAccount" && o.metadata.namespace === ns)
                .map(o => o.metadata.name);
            for (const name of [...declaredSas, "default"]) {
                const sa = sas.find(s => s.metadata.name === name);
                assert(
                    sa && sa.automountServiceAccountToken === false,
                    `${ns}: ServiceAccount ${name} automounts its token ` +
                        `(${JSON.stringify(sa?.automountServiceAccountToken)})`,
                );
            }
            const bindings = (getJson(["get", "rolebinding", "-n", ns])?.items ?? []) as Obj[];
            assert(
                bindings.length > 0 &&
                    bindings.every(b => b.roleRef.kind === "Role" && b.subjects.every((s: Obj) => s.kind === "Group")),
                `${ns}: RoleBindings ${JSON.stringify(bindings.map(b => [b.roleRef, b.subjects]))}`,
            );
        }
        const devs = (getJson(["get", "rolebinding", "-n", "payments-dev"])?.items ?? []) as Obj[];
        assert(
            devs.some(b => b.subjects.some((s: Obj) => s.name === "oidc:payments-devs")),
            "payments-dev: the developer level is not bound to oidc:payments-devs",
        );
        // The API server's authorizer agrees: the developer group may not read Secrets, the workload SA nothing.
        const can = (as: string[], verb: string, res: string) =>
            kubectl(["auth", "can-i", verb, res, "-n", "payments-dev", ...as]).out.trim();
        assert(
            can(["--as=alice", "--as-group=oidc:payments-devs"], "create", "deployments.apps") === "yes",
            "developers cannot create Deployments",
        );
        assert(
            can(["--as=alice", "--as-group=oidc:payments-devs"], "get", "secrets") === "no",
            "developers can read Secrets",
        );
        assert(
            can(["--as=system:serviceaccount:payments-dev:payments-api"], "list", "pods") === "no",
            "the workload ServiceAccount can list pods",
        );
    },
);

check("3. idempotent: a second `preview --expect-no-changes` passes and `refresh` finds no drift", () => {
    const p = deploy(["preview", "--stack", "dev", "--expect-no-changes"]);
    assert(p.code === 0, `preview found changes right after up (${p.code}):\n      ${tail(p.all)}`);
    assert(nonSame(changes(p.err, "preview")).length === 0, `preview: ${JSON.stringify(changes(p.err, "preview"))}`);
    const r = deploy(["refresh", "--stack", "dev", "--yes", "--expect-no-changes"]);
    assert(r.code === 0, `refresh found drift right after up (${r.code}):\n      ${tail(r.all)}`);
});

check("4. drift: a Pod Security label removed with kubectl is found by refresh and restored by up", () => {
    const label = "pod-security.kubernetes.io/enforce";
    assert(kubectl(["label", "namespace", "payments-dev", `${label}-`]).code === 0, "could not remove the label");
    assert(
        getJson(["get", "namespace", "payments-dev"])?.metadata?.labels?.[label] === undefined,
        "the label is still there",
    );
    // refresh records the drift (it writes the live object into the state; with --expect-no-changes
    // it would do the same and then fail, so the plain form is what shows the count).
    const r = deploy(["refresh", "--stack", "dev", "--yes"]);
    assert(
        r.code === 0 && (changes(r.err, "refresh").update ?? 0) >= 1,
        `refresh did not record the drift: ${JSON.stringify(changes(r.err, "refresh"))}\n      ${tail(r.all)}`,
    );
    const p = deploy(["preview", "--stack", "dev", "--expect-no-changes"]);
    assert(p.code !== 0, "after the refresh, preview --expect-no-changes passed although the label is missing");
    const u = deploy(["up", "--stack", "dev", "--yes"]);
    assert(
        u.code === 0 && (changes(u.err, "up").update ?? 0) >= 1,
        `up did not update: ${JSON.stringify(changes(u.err, "up"))}\n      ${tail(u.all)}`,
    );
    assert(
        getJson(["get", "namespace", "payments-dev"])?.metadata?.labels?.[label] === "restricted",
        "up did not restore the label",
    );
    const again = deploy(["preview", "--stack", "dev", "--expect-no-changes"]);
    assert(again.code === 0, `not converged after the repair:\n      ${tail(again.all)}`);
});

check(
    "5. a config change (web-dev's pod quota) is an in-place update of that one ResourceQuota, not a replacement",
    () => {
        const doc = parse(readFileSync(path.join(REPO, "stacks", "Pulumi.dev.yaml"), "utf8"));
        const web = doc.config["hardened-cluster:namespaces"].find((n: Obj) => n.name === "web-dev");
        web.quota.pods = web.quota.pods + 5;
        const file = path.join(work, "Pulumi.dev.quota.yaml");
        writeFileSync(file, stringify(doc));
        const uid = () => getJson(["get", "resourcequota", "-n", "web-dev"])?.items?.[0]?.metadata?.uid;
        const before = uid();
        const p = deploy(["preview", "--stack", "dev", "--config-file", file]);
        const c = changes(p.err, "preview");
        assert(
            p.code === 0 && c.update === 1 && !c.replace && !c.create && !c.delete,
            `preview of the quota change: ${JSON.stringify(c)}\n      ${tail(p.all)}`,
        );
        const u = deploy(["up", "--stack", "dev", "--yes", "--config-file", file]);
        assert(
            u.code === 0 && changes(u.err, "up").update === 1,
            `up of the quota change: ${JSON.stringify(changes(u.err, "up"))}\n      ${tail(u.all)}`,
        );
        const quota = getJson(["get", "resourcequota", "-n", "web-dev"])?.items?.[0];
        assert(
            String(quota?.spec?.hard?.pods) === String(web.quota.pods),
            `quota is ${quota?.spec?.hard?.pods}, expected ${web.quota.pods}`,
        );
        assert(quota?.metadata?.uid === before, "the ResourceQuota was replaced (new uid)");
        assert(deploy(["up", "--stack", "dev", "--yes"]).code === 0, "could not go back to the stack's own config");
    },
);

check(
    "6. no secret in plaintext in the state: secret outputs encrypted, no kubeconfig key material, no passphrase",
    () => {
        const stateDir = path.join(work, "state", ".pulumi", "stacks", "hardened-cluster");
        const files = existsSync(stateDir) ? readdirSync(stateDir).filter(f => f.startsWith("dev.json")) : [];
        assert(files.length > 0, `no state file for the dev stack under ${stateDir}`);
        const state = readFileSync(path.join(stateDir, "dev.json"), "utf8");
        const deployment = JSON.parse(state).checkpoint.latest;
        const stack = deployment.resources.find((r: Obj) => r.type === "pulumi:pulumi:Stack");
        const files_ = stack.outputs.controlPlaneFiles;
        assert(
            files_ &&
                files_["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270" &&
                typeof files_.ciphertext === "string",
            `the controlPlaneFiles output is not stored as an encrypted secret: ${JSON.stringify(files_)}`,
        );
        const kc = readFileSync(kubeconfig, "utf8");
        const material = [...kc.matchAll(/client-key: (\S+)/g)].map(m => readFileSync(m[1], "utf8"));
        for (const m of material) {
            const body = m
                .split("\n")
                .filter(l => l && !l.startsWith("-----"))
                .join("");
            assert(
                body.length > 100 && !state.includes(body.slice(0, 64)),
                "the kubeconfig's client key is in the state",
            );
        }
        assert(!/PRIVATE KEY/.test(state), "a PEM private key is in the state");
        assert(!state.includes(process.env.PULUMI_CONFIG_PASSPHRASE!), "the passphrase is in the state");
    },
);

check(
    "7. CI gate: an insecure namespace (enforce: privileged) fails `preview` with the pack's " +
        "mandatory violation, and `up` creates nothing",
    () => {
        const doc = parse(readFileSync(path.join(REPO, "stacks", "Pulumi.dev.yaml"), "utf8"));
        doc.config["hardened-cluster:namespaces"].push({
            name: "insecure-dev",
            podSecurity: { enforce: "privileged" },
        });
        const file = path.join(work, "Pulumi.dev.insecure.yaml");
        writeFileSync(file, stringify(doc));
        const p = deploy(["preview", "--stack", "dev", "--config-file", file]);
        assert(p.code === 1, `preview exited ${p.code}, expected 1:\n      ${tail(p.all)}`);
        assert(
            /MANDATORY \[NS-03\]/.test(p.err) && /insecure-dev/.test(p.err),
            `no mandatory NS-03 violation naming insecure-dev:\n      ${tail(p.err)}`,
        );
        const u = deploy(["up", "--stack", "dev", "--yes", "--config-file", file]);
        assert(u.code === 1 && /MANDATORY \[NS-03\]/.test(u.err), `up exited ${u.code}:\n      ${tail(u.all)}`);
        assert(kubectl(["get", "namespace", "insecure-dev"]).code !== 0, "up created the insecure namespace");
        assert(
            deploy(["preview", "--stack", "dev", "--expect-no-changes"]).code === 0,
            "the refused up changed the stack",
        );
    },
);

// --- An app team's program on the library -------------------------------------------------------
const appDir = path.join(REPO, "examples", "app-team");
const npx = (args: string[], cwd: string) =>
    sh("npx", ["--no-install", "hardened-deploy", ...args, "--kubeconfig", kubeconfig], { cwd });

/** The README's "For app teams" commands, verbatim: the first bash block of that section. */
export function appTeamCommands(readme = readFileSync(path.join(REPO, "README.md"), "utf8")): string {
    const section = readme.split(/^## /m).find(s => s.startsWith("For app teams"));
    const block = section && /```bash\n([\s\S]*?)```/.exec(section);
    if (!block) throw new Error("README.md has no bash block under '## For app teams'");
    return block[1];
}

check(
    "8. app team: the README's commands (verbatim) pack the library, install it in examples/app-team," +
        " typecheck and deploy the program",
    () => {
        // As on a fresh checkout: no installed copy of an older tarball.
        for (const f of ["node_modules", "package-lock.json", ...readdirSync(appDir).filter(x => x.endsWith(".tgz"))])
            rmSync(path.join(appDir, f), { recursive: true, force: true });
        const r = sh("bash", ["-euo", "pipefail", "-c", appTeamCommands()], { timeoutS: 1200 });
        assert(r.code === 0, `the README's app-team commands failed (${r.code}):\n      ${tail(r.all)}`);
        // Only compiled code and declarations ship: no TypeScript sources, no tests.
        const shipped = path.join(appDir, "node_modules", "hardened-cluster");
        assert(existsSync(path.join(shipped, "dist", "components", "index.d.ts")), "the package has no declarations");
        assert(
            !existsSync(path.join(shipped, "components")) &&
                !existsSync(path.join(shipped, "test")) &&
                !existsSync(path.join(shipped, "rules")),
            `the package ships sources or tests: ${readdirSync(shipped).join(", ")}`,
        );
    },
);

check(
    "9. app team: the SecureNamespace and the hardened Deployment are in the cluster, Pod Security " +
        "admits its pods, a second preview is empty",
    () => {
        const ns = getJson(["get", "namespace", "payments-app-dev"]);
        assert(
            ns?.metadata?.labels?.["pod-security.kubernetes.io/enforce"] === "restricted",
            `namespace labels: ${JSON.stringify(ns?.metadata?.labels)}`,
        );
        const pols = ((getJson(["get", "networkpolicy", "-n", "payments-app-dev"])?.items ?? []) as Obj[]).map(
            p => p.metadata.name,
        );
        assert(pols.includes("default-deny") && pols.includes("quarantine"), `NetworkPolicies: ${pols.join(", ")}`);
        const d = getJson(["get", "deployment", "payments-api", "-n", "payments-app-dev"]);
        assert(
            d?.spec?.template?.spec?.containers?.[0]?.securityContext?.allowPrivilegeEscalation === false,
            `Deployment: ${JSON.stringify(d?.spec?.template?.spec)}`,
        );
        // Pod Security admits its pods: a server-side dry run of a pod from its template.
        const pod = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "probe", namespace: "payments-app-dev" },
            spec: d!.spec.template.spec,
        };
        const dry = kubectl(["create", "--dry-run=server", "-f", "-"], JSON.stringify(pod));
        assert(dry.code === 0, `Pod Security refuses the Deployment's pods: ${dry.err}`);
        const p = npx(["preview", "--dir", ".", "--stack", "dev", "--expect-no-changes"], appDir);
        assert(p.code === 0, `second preview not empty:\n      ${tail(p.all)}`);
    },
);

check(
    "10. CI gate on the app team's program: a privileged container fails `preview` with mandatory " +
        "violations, `up` changes nothing",
    () => {
        // The same project and stack, with one line of its code changed (in a copy: the checkout stays clean).
        const copy = path.join(work, "app-team-privileged");
        cpSync(appDir, copy, { recursive: true, filter: src => !src.startsWith(path.join(appDir, "node_modules")) });
        symlinkSync(path.join(appDir, "node_modules"), path.join(copy, "node_modules"));
        const file = path.join(copy, "index.ts");
        const good = readFileSync(file, "utf8");
        const bad = good.replace(
            "allowPrivilegeEscalation: false,",
            "privileged: true, allowPrivilegeEscalation: true,",
        );
        assert(bad !== good, "could not make the container privileged");
        writeFileSync(file, bad);
        {
            const p = npx(["preview", "--dir", ".", "--stack", "dev"], copy);
            assert(
                p.code === 1 && /MANDATORY \[PS-01\]/.test(p.err),
                `preview exited ${p.code} without a mandatory PS-01:\n      ${tail(p.all)}`,
            );
            const gen = () =>
                getJson(["get", "deployment", "payments-api", "-n", "payments-app-dev"])?.metadata?.generation;
            const before = gen();
            const u = npx(["up", "--dir", ".", "--stack", "dev", "--yes"], copy);
            assert(u.code === 1 && /MANDATORY \[PS-01\]/.test(u.err), `up exited ${u.code}:\n      ${tail(u.all)}`);
            const after = getJson(["get", "deployment", "payments-api", "-n", "payments-app-dev"]);
            assert(
                after?.metadata?.generation === before &&
                    !after?.spec?.template?.spec?.containers?.[0]?.securityContext?.privileged,
                "up changed the Deployment",
            );
        }
    },
);

check("11. `destroy` removes every object of both stacks (kubectl confirms)", () => {
    const a = npx(["destroy", "--dir", ".", "--stack", "dev", "--yes"], appDir);
    assert(a.code === 0, `app destroy failed:\n      ${tail(a.all)}`);
    assert(
        kubectl(["get", "namespace", "payments-app-dev"]).code !== 0 ||
            getJson(["get", "namespace", "payments-app-dev"])?.status?.phase === "Terminating",
        "the app's namespace is still there",
    );
    const r = deploy(["destroy", "--stack", "dev", "--yes"]);
    assert(r.code === 0, `destroy failed:\n      ${tail(r.all)}`);
    const left = devObjects
        .filter(o => o.kind !== "Namespace" && o.metadata.name !== "default")
        .filter(o => liveOf(o) !== undefined)
        .map(ref);
    const nsLeft = devObjects
        .filter(o => o.kind === "Namespace")
        .filter(o => {
            const live = liveOf(o);
            return live !== undefined && live.status?.phase !== "Terminating";
        })
        .map(ref);
    assert(left.length === 0 && nsLeft.length === 0, `still in the cluster: ${[...left, ...nsLeft].join(", ")}`);
});

check("12. the README's quickstart deploy commands are the ones this suite ran", () => {
    const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
    const section = readme.split(/^## /m).find(x => x.startsWith("Quickstart: deploy a stack")) ?? "";
    const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const commands = block
        .split("\n")
        .map(l => l.replace(/\s+#.*$/, "").trim())
        .filter(l => l.startsWith("npm run deploy -- "));
    assert(commands.length >= 4, `the quickstart block lists ${commands.length} deploy commands`);
    const notRun = commands.filter(c => !ran.has(c));
    assert(notRun.length === 0, `README commands this suite did not run: ${notRun.join("; ")}`);
});

async function main(): Promise<number> {
    const t0 = Date.now();
    process.env.PULUMI_BACKEND_URL = `file://${path.join(work, "state")}`;
    process.env.PULUMI_CONFIG_PASSPHRASE = `hc-deploy-${process.pid}-${Date.now()}`;
    mkdirSync(path.join(work, "state"), { recursive: true });
    // The README's quickstart: start the local control plane, eval its exports.
    const upR = sh("npm", ["run", "--silent", "cluster:up"], { timeoutS: 1800 });
    if (upR.code !== 0) {
        console.log(`FAIL  cluster:up\n      ${tail(upR.all)}`);
        return 1;
    }
    const exports = Object.fromEntries(
        [...upR.out.matchAll(/^export (\w+)=['"]?([^'"\n]*)['"]?$/gm)].map(m => [m[1], m[2]]),
    );
    kubeconfig = exports.KUBECONFIG;
    toolsBin = exports.HC_TOOLS_BIN;
    // As after the README's `eval "$(npm run --silent cluster:up)"`: the README's commands use it.
    process.env.KUBECONFIG = kubeconfig;
    console.log(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)}s (log: ${logFile})`);
    try {
        for (const c of checks) {
            const t = Date.now();
            try {
                c.run();
                results.push({ name: c.name, ok: true });
            } catch (e) {
                results.push({ name: c.name, ok: false, detail: (e as Error).message });
            }
            const r = results[results.length - 1];
            console.log(
                `${r.ok ? "PASS" : "FAIL"}  ${r.name} (${((Date.now() - t) / 1000).toFixed(0)}s)` +
                    `${r.detail ? `\n      ${r.detail}` : ""}`,
            );
        }
    } finally {
        const down = sh("npm", ["run", "--silent", "cluster:down"]);
        if (down.code !== 0) console.log(`cluster:down failed:\n      ${tail(down.all)}`);
    }
    const failed = results.filter(r => !r.ok).length;
    console.log(`\ntotal time ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    console.log(`deploy: ${results.length - failed} passed, ${failed} failed`);
    if (!failed) rmSync(work, { recursive: true, force: true });
    return failed ? 1 : 0;
}

main().then(
    code => process.exit(code),
    e => {
        console.error(e);
        process.exit(1);
    },
);
