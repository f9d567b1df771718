/**
 * `npm run e2e`: the local stack on a real control plane. cluster up, the named checks, cluster
 * down (always). Each check prints PASS/FAIL with its name; the run fails on any failure.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "fs";
import * as https from "https";
import * as path from "path";
import * as tls from "tls";
import { parse, stringify } from "yaml";
import { encryptionConfiguration } from "../../components/controlPlane/builders";
import { down } from "../../cluster/down";
import { kubectl, localPath, LOCAL_OIDC_OVERRIDES, LOCAL_OVERRIDES, startApiServer, up, UpResult } from "../../cluster/local";
import { signJwt } from "../../cluster/oidc";
import { recordedPids, startTimeOf, stopProcess } from "../../cluster/procs";
import { ANNOTATION_AT, ANNOTATION_REASON, QUARANTINE_LABEL } from "../../ops/isolate";
import { ADMISSION_CONTROLS, admissionPolicies, DEFAULT_EXEMPT_NAMESPACES } from "../../admission/policies";
import { loadStackPolicyConfig } from "../../config";
import { REPO } from "../../scripts/gather";
import { RULES } from "../../rules";
import { KUBE_BENCH_NS } from "../../rules/vocabulary";
import { CASES } from "../rules/area-cases";
import { mutated } from "../rules/fixtures";
import { accessOracleCheck } from "./access-oracle";
import { admissionParity, apiValid, controlPolicies } from "./admission-parity";
import { localControlPlaneCheck } from "./local-control-plane";
import { nodeChecks } from "./node";
import { rbacParityCheck } from "./rbac-parity";
import { nodeLeftovers } from "../../cluster/node";

const yamlOf = (objs: object[]) => objs.map(o => stringify(o)).join("---\n");

type Check = { name: string; run: () => Promise<void> | void };
const results: Array<{ name: string; ok: boolean; detail?: string }> = [];

function assert(cond: unknown, msg: string): asserts cond {
    if (!cond) throw new Error(msg);
}

let c: UpResult;
const k = (args: string[], input?: string) => kubectl(c, args, input);
const ns = () => c.namespace;

function podYaml(name: string, mutate: (pod: any) => void = () => undefined): string { // eslint-disable-line @typescript-eslint/no-explicit-any
    const pod = {
        apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns(), labels: { "app.kubernetes.io/name": name } },
        spec: {
            serviceAccountName: c.workloadServiceAccount, automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{ name: "app", image: "registry.example.com/app:1.0", securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } } }],
        },
    };
    mutate(pod);
    return stringify(pod);
}

function etcdGet(key: string): Buffer {
    // etcd requires a client certificate: the e2e's reads use the one HC_ETCD_CERT_DIR names.
    const r = spawnSync(path.join(c.toolsBin, "etcdctl"), [`--endpoints=${c.etcdEndpoint}`, `--cacert=${c.etcdCertDir}/ca.crt`, `--cert=${c.etcdCertDir}/client.crt`,
        `--key=${c.etcdCertDir}/client.key`, "get", key, "--print-value-only"], { encoding: "buffer" });
    assert(r.status === 0, `etcdctl failed: ${r.stderr.toString()}`);
    return r.stdout;
}

function auditEvents(): any[] { // eslint-disable-line @typescript-eslint/no-explicit-any
    return readFileSync(c.auditLog, "utf8").split("\n").filter(Boolean).map(l => JSON.parse(l));
}

function httpsStatus(pathname: string, withClientCert: boolean): Promise<number> {
    return new Promise((resolve, reject) => {
        const opts: https.RequestOptions = { ca: readFileSync(c.pki.caCert), timeout: 5000 };
        if (withClientCert) Object.assign(opts, { cert: readFileSync(c.pki.adminCert), key: readFileSync(c.pki.adminKey) });
        https.get(`${c.server}${pathname}`, opts, res => { res.resume(); resolve(res.statusCode ?? 0); }).on("error", reject);
    });
}

const canI = (as: string[], verb: string, resource: string) => k(["auth", "can-i", verb, resource, "-n", ns(), ...as]).out.trim();

const checks: Check[] = [
    { name: "1. apiserver runs with exactly the generated flags, encryption config and audit policy", run: () => {
        const cmdline = readFileSync(`/proc/${c.apiserverPid}/cmdline`, "utf8").split("\0").filter(Boolean).slice(1);
        assert(JSON.stringify(cmdline) === JSON.stringify(c.apiserverArgs), "running kube-apiserver's arguments differ from the generated ones");
        // Only the listen addresses (and, with OIDC, the issuer moved to the loopback provider and its CA) differ.
        const overrides = [...LOCAL_OVERRIDES, ...(c.oidc ? LOCAL_OIDC_OVERRIDES : [])];
        const overridden = cmdline.filter(a => [...LOCAL_OVERRIDES, ...LOCAL_OIDC_OVERRIDES].some(o => a.startsWith(`--${o}=`)));
        assert(overridden.length === overrides.length && overrides.every(o => overridden.some(a => a.startsWith(`--${o}=`))), `unexpected local overrides: ${overridden.join(" ")}`);
        for (const f of ["--anonymous-auth=false", "--authorization-mode=Node,RBAC", "--profiling=false", "--tls-min-version=VersionTLS12"]) assert(cmdline.includes(f), `missing ${f}`);
        const enc = cmdline.find(a => a.startsWith("--encryption-provider-config="))!.split("=")[1];
        assert(readFileSync(enc, "utf8").includes(`name: ${c.encryptionKeyName}`), "encryption config is not the generated one");
        const bad = spawnSync(path.join(c.toolsBin, "kube-apiserver"), [...c.apiserverArgs.filter(a => !a.startsWith("--secure-port")), "--secure-port=0", "--no-such-hardening-flag=true"], { encoding: "utf8", timeout: 30_000 });
        assert(bad.status !== 0 && /unknown flag/.test(bad.stderr), "a bad flag must make kube-apiserver refuse to start");
    } },
    { name: "2. anonymous requests get 401; TLS below 1.2 is refused", run: async () => {
        assert((await httpsStatus("/api", false)) === 401, "anonymous request was not refused with 401");
        assert((await httpsStatus("/api", true)) === 200, "authenticated request failed");
        const url = new URL(c.server);
        const handshake = (maxVersion: tls.SecureVersion) => new Promise<boolean>(resolve => {
            const s = tls.connect({ host: url.hostname, port: Number(url.port), maxVersion, minVersion: "TLSv1", ca: readFileSync(c.pki.caCert), ciphers: "DEFAULT@SECLEVEL=0" }, () => { s.end(); resolve(true); });
            s.on("error", () => resolve(false));
        });
        assert(!(await handshake("TLSv1.1")), "a TLS 1.1 handshake was accepted");
        assert(await handshake("TLSv1.2"), "a TLS 1.2 handshake was refused");
    } },
    { name: "3. every resource of the local stack applies cleanly; a second apply changes nothing", run: () => {
        const file = path.join(c.stateDir, "local-stack.yaml");
        // Status updates (e.g. a policy's type-checking status) bump resourceVersion; generation
        // only moves when the spec does, which is what an apply could change.
        const generations = () => k(["get", "-f", file, "-o", "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.generation}/{.metadata.labels} {end}"]).out;
        // A new ValidatingAdmissionPolicy's status (type checking) is written by the API server a
        // moment after creation and shows in the diff until then: allow up to 10 s for it to settle.
        let diff = k(["diff", "--server-side", "--field-manager=hardened-cluster", "-f", file]);
        for (let t = 0; t < 20 && diff.code !== 0 && !/^[-+]\s+(?!resourceVersion|status|observedGeneration|typeChecking)/m.test(diff.out.split("\n").filter(l => !/^(\+\+\+|---) /.test(l)).join("\n")); t++) {
            spawnSync("sleep", ["0.5"]);
            diff = k(["diff", "--server-side", "--field-manager=hardened-cluster", "-f", file]);
        }
        assert(diff.code === 0, `kubectl diff finds changes after the first apply:\n${diff.out}${diff.err}`);
        const before = generations();
        const again = k(["apply", "--server-side", "--field-manager=hardened-cluster", "-f", file]);
        assert(again.code === 0, `re-apply failed: ${again.err}`);
        const after = generations();
        assert(before.split(" ").length > 10 && before === after, `generations changed:\n${before}\n${after}`);
    } },
    { name: "4. PodSecurity rejects privileged, hostPath and root pods; admits a compliant one; LimitRange defaults; quota forbids NodePort/LoadBalancer", run: () => {
        const bad: Array<[string, (p: any) => void]> = [ // eslint-disable-line @typescript-eslint/no-explicit-any
            ["privileged", p => Object.assign(p.spec.containers[0].securityContext, { privileged: true, allowPrivilegeEscalation: true })],
            ["hostpath", p => { p.spec.volumes = [{ name: "h", hostPath: { path: "/etc" } }]; p.spec.containers[0].volumeMounts = [{ name: "h", mountPath: "/h" }]; }],
            ["root", p => { p.spec.securityContext.runAsUser = 0; delete p.spec.securityContext.runAsNonRoot; }],
        ];
        for (const [name, mutate] of bad) {
            const r = k(["create", "-f", "-"], podYaml(`bad-${name}`, mutate));
            assert(r.code !== 0 && /violates PodSecurity "restricted/.test(r.err), `${name} pod was not rejected by PodSecurity: ${r.err || r.out}`);
        }
        const ok = k(["create", "-f", "-"], podYaml("compliant"));
        assert(ok.code === 0, `compliant pod rejected: ${ok.err}`);
        const res = JSON.parse(k(["get", "pod", "compliant", "-n", ns(), "-o", "json"]).out).spec.containers[0].resources;
        assert(res.requests?.cpu === "100m" && res.limits?.memory === "512Mi", `LimitRange defaults not applied: ${JSON.stringify(res)}`);
        for (const type of ["NodePort", "LoadBalancer"]) {
            const svc = stringify({ apiVersion: "v1", kind: "Service", metadata: { name: type.toLowerCase(), namespace: ns() }, spec: { type, selector: { a: "b" }, ports: [{ port: 80 }] } });
            const r = k(["create", "-f", "-"], svc);
            assert(r.code !== 0 && /exceeded quota/.test(r.err), `${type} Service was not refused by the quota: ${r.err || r.out}`);
        }
    } },
    { name: "5. RBAC: the workload ServiceAccount and each access level (incl. an OIDC group, prefixed) can do what they should and nothing more", run: () => {
        const sa = [`--as=system:serviceaccount:${ns()}:${c.workloadServiceAccount}`];
        for (const [verb, res] of [["get", "secrets"], ["list", "secrets"], ["create", "pods/exec"], ["list", "pods"]]) assert(canI(sa, verb, res) === "no", `workload SA can ${verb} ${res}`);
        const as = (g: string) => ["--as=alice@example.com", `--as-group=${g}`];
        const expect: Array<[string, string, string, string]> = [
            ["team-a-viewers", "list", "pods", "yes"], ["team-a-viewers", "get", "secrets", "no"], ["team-a-viewers", "create", "deployments.apps", "no"], ["team-a-viewers", "create", "pods/exec", "no"],
            ["team-a-devs", "create", "deployments.apps", "yes"], ["team-a-devs", "get", "secrets", "no"], ["team-a-devs", "create", "pods/exec", "no"], ["team-a-devs", "delete", "networkpolicies.networking.k8s.io", "no"],
            ["team-a-admins", "create", "secrets", "yes"], ["team-a-admins", "get", "secrets", "no"], ["team-a-admins", "delete", "pods", "yes"], ["team-a-admins", "create", "rolebindings.rbac.authorization.k8s.io", "no"],
            ["team-a-admins", "impersonate", "serviceaccounts", "no"], ["team-a-admins", "patch", "resourcequotas", "no"],
            // oidcGroups are bound with the API server's --oidc-groups-prefix; the bare name from the provider gets nothing.
            ["oidc:team-a-auditors", "list", "pods", "yes"], ["oidc:team-a-auditors", "get", "secrets", "no"], ["team-a-auditors", "list", "pods", "no"],
        ];
        for (const [g, verb, res, want] of expect) assert(canI(as(g), verb, res) === want, `${g} ${verb} ${res}: expected ${want}`);
    } },
    { name: "6. encryption at rest: Secrets in etcd are aescbc-encrypted; rotation keeps old ones readable and writes with the new key", run: async () => {
        const secret = (name: string, value: string) => k(["create", "secret", "generic", name, "-n", ns(), `--from-literal=token=${value}`]);
        assert(secret("canary-old", "hc-plaintext-canary-1").code === 0, "could not create a Secret");
        const raw = etcdGet(`/registry/secrets/${ns()}/canary-old`);
        assert(raw.toString("latin1").startsWith(`k8s:enc:aescbc:v1:${c.encryptionKeyName}:`), `unexpected prefix: ${raw.subarray(0, 40).toString("latin1")}`);
        assert(!raw.includes("hc-plaintext-canary-1"), "plaintext found in etcd");
        // Rotate: new key first, the generated one kept as a read key (the component's builder).
        const encPath = localPath(c.stateDir, "/etc/kubernetes/enc/encryption-config.yaml");
        const old = readFileSync(encPath, "utf8");
        const oldSecret = /secret: (\S+)/.exec(old)![1];
        const fresh = require("crypto").randomBytes(32).toString("base64");
        writeFileSync(encPath, stringify(encryptionConfiguration({ provider: "aescbc", resources: ["secrets"], keys: [{ name: "rotated-key", secret: fresh }, { name: c.encryptionKeyName, secret: oldSecret }] })), { mode: 0o600 });
        const rec = recordedPids(c.stateDir).find(p => p.name === "kube-apiserver")!;
        assert(await stopProcess(rec, c.stateDir), "kube-apiserver did not stop for the restart");
        const port = Number(new URL(c.server).port);
        c.apiserverPid = await startApiServer(c.stateDir, c.toolsBin, c.apiserverArgs, c.pki, port);
        const got = k(["get", "secret", "canary-old", "-n", ns(), "-o", "jsonpath={.data.token}"]).out;
        assert(Buffer.from(got, "base64").toString() === "hc-plaintext-canary-1", "old Secret not readable after rotation");
        assert(secret("canary-new", "hc-plaintext-canary-2").code === 0, "could not create a Secret after rotation");
        const raw2 = etcdGet(`/registry/secrets/${ns()}/canary-new`);
        assert(raw2.toString("latin1").startsWith("k8s:enc:aescbc:v1:rotated-key:"), `new Secret not written with the new key: ${raw2.subarray(0, 40).toString("latin1")}`);
    } },
    { name: "7. audit: Secret writes at Metadata without values; RBAC changes at RequestResponse; exec attempts logged", run: async () => {
        const role = stringify({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "audit-probe", namespace: ns() }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] });
        assert(k(["create", "-f", "-"], role).code === 0, "could not create the probe Role");
        // An exec request straight to the API (no kubelet runs here, so it fails after admission and audit).
        await new Promise<void>(resolve => {
            const req = https.request(`${c.server}/api/v1/namespaces/${ns()}/pods/compliant/exec?command=true&container=app&stdout=true`, {
                method: "POST", ca: readFileSync(c.pki.caCert), cert: readFileSync(c.pki.adminCert), key: readFileSync(c.pki.adminKey), timeout: 5000,
            }, res => { res.resume(); res.on("end", () => resolve()); });
            req.on("error", () => resolve());
            req.end();
        });
        await new Promise(r => setTimeout(r, 1500));
        const evs = auditEvents();
        const secretEvs = evs.filter(e => e.objectRef?.resource === "secrets" && e.objectRef?.name === "canary-old" && e.verb === "create");
        assert(secretEvs.length > 0 && secretEvs.every(e => e.level === "Metadata" && !e.requestObject && !e.responseObject), "Secret create not at Metadata level");
        assert(!readFileSync(c.auditLog, "utf8").includes("hc-plaintext-canary"), "a Secret value reached the audit log");
        const rbac = evs.find(e => e.objectRef?.resource === "roles" && e.objectRef?.name === "audit-probe" && e.verb === "create");
        assert(rbac?.level === "RequestResponse" && rbac.requestObject, "RBAC change not at RequestResponse");
        const exec = evs.find(e => e.objectRef?.subresource === "exec" && e.objectRef?.name === "compliant");
        assert(exec && (exec.level === "Request" || exec.level === "RequestResponse"), "exec attempt not logged at Request level");
        assert(!evs.some(e => e.stage === "RequestReceived"), "RequestReceived stage was logged");
    } },
    { name: "9. admission: the stack's policies are live, CEL compiles, verdicts equal the pack's (parity), break-glass works", run: () => {
        const live = new Set(JSON.parse(k(["get", "validatingadmissionpolicies", "-o", "json"]).out).items.map((i: any) => i.metadata.name)); // eslint-disable-line @typescript-eslint/no-explicit-any
        const expected = admissionPolicies({ prefix: "hardened-", exemptNamespaces: DEFAULT_EXEMPT_NAMESPACES, packConfig: loadStackPolicyConfig("local", undefined, REPO) })
            .filter(o => o.kind === "ValidatingAdmissionPolicy").map(o => o.metadata.name);
        const missing = expected.filter(n => !live.has(n));
        assert(expected.length > 0 && missing.length === 0, `the local stack's policies are not all live; missing: ${missing.join(", ")}`);
        // A policy whose CEL does not compile is refused by the API server.
        const broken = admissionPolicies({ prefix: "broken-", exemptNamespaces: [] })[0];
        broken.spec.validations[0].expression = "object.spec.containers.all(c, c.image.startsWith(42))";
        const br = k(["create", "--dry-run=server", "-f", "-"], stringify(broken));
        assert(br.code !== 0 && /compil|no matching overload|found no matching/i.test(br.err), `a type error in CEL was not refused: ${br.err || br.out}`);
        assert(k(["create", "clusterrolebinding", "e2e-parity", "--clusterrole=cluster-admin", "--user=parity@example.com"]).code === 0, "could not bind the parity user");
        assert(k(["create", "namespace", "e2e-parity"]).code === 0, "could not create the e2e-parity namespace");
        // The stack's exemptions: kube-bench's CronJob (host PID, host paths, root) is admitted in its
        // own namespace and denied in a namespace Pod Security does not hold — checked with the stack's
        // PS-02 policy applied afresh, so the check waits for it to be active like the parity run.
        const kb = JSON.parse(k(["get", "cronjob", "kube-bench", "-n", "kube-bench", "-o", "json"]).out);
        const kbIn = (namespace: string) => k(["create", "--dry-run=server", "--as=parity@example.com", "-f", "-"],
            stringify({ apiVersion: kb.apiVersion, kind: kb.kind, metadata: { name: "e2e-kube-bench", namespace }, spec: kb.spec }));
        const ps02 = yamlOf(controlPolicies("PS-02", { prefix: "kb-", exemptNamespaces: DEFAULT_EXEMPT_NAMESPACES, packConfig: loadStackPolicyConfig("local", undefined, REPO) }));
        assert(k(["apply", "--server-side", "--field-manager=e2e", "-f", "-"], ps02).code === 0, "the PS-02 policy did not apply");
        // The contract is "denied, by one of the controls kube-bench is exempted from": several of the
        // stack's Deny policies refuse it and the API server names whichever it evaluates first.
        const kbControls = ADMISSION_CONTROLS.map(x => x.id).filter(id => RULES.find(r => r.id === id)?.defaultExemptNamespaces?.includes(KUBE_BENCH_NS));
        assert(kbControls.includes("PS-02") && kbControls.includes("PS-05"), `kube-bench's exempted controls are not the expected ones: ${kbControls.join(", ")}`);
        const deniedBy = (err: string) => kbControls.filter(id => err.includes(`[${id}]`));
        let elsewhere = kbIn("e2e-parity");
        for (let t = 0; t < 40 && deniedBy(elsewhere.err).length === 0; t++) { spawnSync("sleep", ["0.5"]); elsewhere = kbIn("e2e-parity"); }
        assert(elsewhere.code !== 0 && deniedBy(elsewhere.err).length > 0,
            `kube-bench's CronJob was not denied outside its namespace by one of ${kbControls.join(", ")}: ${elsewhere.err || "admitted"}`);
        const exempt = kbIn("kube-bench");
        assert(exempt.code === 0, `kube-bench's CronJob was refused in its exempt namespace: ${exempt.err}`);
        k(["delete", "-f", "-"], ps02);
        // The stack's Deny policies on ClusterRoles let the aggregation controller through: a rule
        // labelled aggregate-to-edit reaches the built-in `edit` role (which grants Secret reads and
        // exec by design, so a policy judging the controller's copy would refuse it and `edit`
        // would go stale).
        const aggregated = stringify({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "e2e-aggregate-to-edit", labels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" } }, rules: [{ apiGroups: ["e2e.example.com"], resources: ["widgets"], verbs: ["get"] }] });
        assert(k(["apply", "--server-side", "--field-manager=e2e", "-f", "-"], aggregated).code === 0, "could not create the aggregate-to-edit ClusterRole");
        const editHasIt = () => /e2e\.example\.com/.test(k(["get", "clusterrole", "edit", "-o", "json"]).out);
        for (let t = 0; t < 60 && !editHasIt(); t++) spawnSync("sleep", ["0.5"]);
        assert(editHasIt(), "the aggregation controller's update of ClusterRole edit never landed (an admission policy on ClusterRoles denies it?)");
        k(["delete", "clusterrole", "e2e-aggregate-to-edit"]);
        // The stack's own Deny policies would answer first for fixtures that break several
        // controls: remove their bindings for the parity run and wait until they stop acting.
        assert(k(["delete", "validatingadmissionpolicybindings", "-l", "hardened-cluster/control"]).code === 0, "could not remove the stack's bindings");
        const wildcard = stringify({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "e2e-wildcard" }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] });
        for (let t = 0; t < 40 && k(["create", "--dry-run=server", "--as=parity@example.com", "-f", "-"], wildcard).code !== 0; t++) spawnSync("sleep", ["0.5"]);
        console.log(admissionParity(k));
        // Exemptions reach the API server as matchConditions: a name pattern from the policy config
        // entry of the control (as the pack reads it) and a label set given to every policy.
        const dry = (obj: any) => k(["create", "--dry-run=server", "--as=parity@example.com", "-f", "-"], stringify(obj)); // eslint-disable-line @typescript-eslint/no-explicit-any
        const exemptRun = controlPolicies("NET-03", { prefix: "exempt-", exemptNamespaces: ["kube-system"], actions: { "NET-03": ["Deny"] }, packConfig: { "no-service-external-ips": { exemptNames: ["legacy-*"] } }, exemptLabels: { "hardened-cluster/exempt": "net-03" } });
        assert(k(["apply", "--server-side", "--field-manager=e2e", "-f", "-"], yamlOf(exemptRun)).code === 0, "exemption policy did not apply");
        const ext = CASES.find(x => x.id === "NET-03")!.bad()[0];
        const as = (name: string, labels: Record<string, string> = {}) => dry({ ...ext, metadata: { ...ext.metadata, name, labels } });
        for (let t = 0; t < 40 && !as("parity-probe").err.includes("[NET-03]"); t++) spawnSync("sleep", ["0.5"]);
        assert(as("parity-probe").err.includes("[NET-03]"), "the exemption-test policy never became active");
        assert(as("legacy-svc").code === 0, "an exempt name was denied");
        assert(as("other-svc", { "hardened-cluster/exempt": "net-03" }).code === 0, "an exempt label was denied");
        // Privileged/host controls act only where Pod Security admission does not hold the namespace at
        // baseline or restricted: in the stack's restricted namespace PS-01 leaves the Deployment to
        // Pod Security (which refuses its pods, check 4); in the unlabelled e2e-parity namespace it denies.
        const ps01 = controlPolicies("PS-01", { prefix: "scope-", exemptNamespaces: ["kube-system"], actions: { "PS-01": ["Deny"] } });
        assert(k(["apply", "--server-side", "--field-manager=e2e", "-f", "-"], yamlOf(ps01)).code === 0, "PS-01 scope policy did not apply");
        const priv = (namespace: string) => {
            const d = mutated("Deployment", s => { s.containers[0].securityContext.privileged = true; apiValid(s); });
            return dry({ ...d, metadata: { ...d.metadata, name: "scope-priv", namespace } });
        };
        for (let t = 0; t < 40 && !priv("e2e-parity").err.includes("[PS-01]"); t++) spawnSync("sleep", ["0.5"]);
        assert(priv("e2e-parity").err.includes("[PS-01]"), "PS-01 did not deny a privileged Deployment outside Pod Security");
        const inRestricted = priv(ns());
        assert(inRestricted.code === 0, `PS-01 acted in a restricted namespace: ${inRestricted.err}`);
        // Break-glass: system:masters is never blocked by the policies.
        const bad = CASES.find(x => x.id === "NET-03")!.bad()[0];
        assert(k(["create", "--dry-run=server", "-f", "-"], stringify(bad)).code === 0, "break-glass admin was blocked");
    } },
    { name: "11. isolation: isolate labels the pod, the quarantine policy selects it, evidence is written, release removes it; bad input changes nothing", run: () => {
        // The CLI as `npm run isolate` / `npm run release` run it, with the cluster's kubectl and kubeconfig.
        const cli = (args: string[]) => spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO, "ops", "isolate.ts"), ...args,
            "--kubeconfig", c.kubeconfig, "--kubectl", path.join(c.toolsBin, "kubectl")], { cwd: REPO, encoding: "utf8", timeout: 120_000 });
        const evidence = path.join(c.stateDir, "evidence");
        const pod = () => JSON.parse(k(["get", "pod", "suspect", "-n", ns(), "-o", "json"]).out);
        assert(k(["create", "-f", "-"], podYaml("suspect")).code === 0, "could not create the pod to isolate");
        // Bad input: a clear error naming what is missing, exit 2, no pod touched, no evidence written.
        const versions = () => k(["get", "pods", "-n", ns(), "-o", "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}"]).out;
        const before = versions();
        for (const [args, says] of [
            [["isolate", "no-such-namespace", "suspect", "--evidence-dir", evidence], "namespace 'no-such-namespace' not found"],
            [["isolate", ns(), "no-such-pod", "--evidence-dir", evidence], `pod 'no-such-pod' not found in namespace '${ns()}'`],
            [["release", ns(), "no-such-pod"], `pod 'no-such-pod' not found in namespace '${ns()}'`],
        ] as const) {
            const r = cli([...args]);
            assert(r.status === 2 && r.stderr.includes(says), `${args.join(" ")}: expected exit 2 and "${says}", got ${r.status}: ${r.stderr}`);
        }
        assert(versions() === before, `bad input changed pods:\n${before}\n${versions()}`);
        assert(!existsSync(evidence), "bad input wrote evidence");
        // The namespace's quarantine policy: denies all traffic (both directions, no rule) of the pods it selects.
        const pol = k(["get", "networkpolicy", "quarantine", "-n", ns(), "-o", "json"]);
        assert(pol.code === 0, `namespace ${ns()} has no NetworkPolicy 'quarantine': ${pol.err}`);
        const spec = JSON.parse(pol.out).spec;
        assert(["Ingress", "Egress"].every(t => spec.policyTypes?.includes(t)) && !spec.ingress?.length && !spec.egress?.length, `the quarantine policy does not deny all traffic: ${JSON.stringify(spec)}`);
        const sel = [
            ...Object.entries(spec.podSelector?.matchLabels ?? {}).map(([key, v]) => `${key}=${v}`),
            ...(spec.podSelector?.matchExpressions ?? []).map((e: { key: string; operator: string; values?: string[] }) =>
                ({ In: `${e.key} in (${e.values?.join(",")})`, NotIn: `${e.key} notin (${e.values?.join(",")})`, Exists: e.key, DoesNotExist: `!${e.key}` } as Record<string, string>)[e.operator]),
        ].join(",");
        assert(sel !== "", "the quarantine policy's podSelector is empty: it would select every pod");
        const selected = () => k(["get", "pods", "-n", ns(), "-l", sel, "-o", "name"]).out.split("\n").filter(Boolean);
        assert(!selected().includes("pod/suspect"), `the quarantine policy (${sel}) selects the pod before isolation`);
        // isolate: label + annotations, the policy now selects the pod (and not the others), evidence on disk.
        const iso = cli(["isolate", ns(), "suspect", "--evidence-dir", evidence, "--reason", "e2e incident"]);
        assert(iso.status === 0, `isolate failed (${iso.status}): ${iso.stderr}${iso.stdout}`);
        for (const w of iso.stderr.split("\n").filter(l => l.startsWith("warning:"))) console.log(`      isolate ${w}`);
        const meta = pod().metadata;
        assert(meta.labels?.[QUARANTINE_LABEL] === "true", `pod not labelled: ${JSON.stringify(meta.labels)}`);
        assert(meta.annotations?.[ANNOTATION_REASON] === "e2e incident" && !isNaN(Date.parse(meta.annotations?.[ANNOTATION_AT])), `annotations missing: ${JSON.stringify(meta.annotations)}`);
        const sel1 = selected();
        assert(sel1.includes("pod/suspect") && !sel1.includes("pod/compliant"), `the quarantine policy (${sel}) selects ${JSON.stringify(sel1)}, expected pod/suspect and not pod/compliant`);
        const folders = readdirSync(evidence);
        assert(folders.length === 1 && new RegExp(`^${ns()}-suspect-\\d{8}T\\d{6}Z$`).test(folders[0]), `evidence folders: ${folders.join(", ")}`);
        const dir = path.join(evidence, folders[0]);
        const files = readdirSync(dir).sort();
        // No kubelet here: the pod stays Pending, it has no logs and no previous container; the
        // log files are still written (empty, or holding kubectl's error).
        const want = ["describe.txt", "events.txt", "logs-app.txt", "logs-previous-app.txt", "manifest.json", "pod.yaml"];
        assert(JSON.stringify(files) === JSON.stringify(want), `evidence files: ${files.join(", ")}; expected ${want.join(", ")}`);
        for (const f of files.filter(x => !x.startsWith("logs-"))) assert(readFileSync(path.join(dir, f)).length > 0, `${f} is empty`);
        const saved = parse(readFileSync(path.join(dir, "pod.yaml"), "utf8"));
        assert(saved.metadata.uid === meta.uid && saved.metadata.labels[QUARANTINE_LABEL] === "true", "pod.yaml is not the labelled pod");
        assert(readFileSync(path.join(dir, "describe.txt"), "utf8").includes("suspect"), "describe.txt does not describe the pod");
        const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
        assert(JSON.stringify(manifest.files.map((f: { name: string }) => f.name).sort()) === JSON.stringify(want.filter(f => f !== "manifest.json")), "manifest does not list every file");
        for (const f of manifest.files) assert(f.sha256 === createHash("sha256").update(readFileSync(path.join(dir, f.name))).digest("hex"), `sha256 of ${f.name} differs from the manifest`);
        // release: label and annotations gone, the policy no longer selects the pod.
        const rel = cli(["release", ns(), "suspect"]);
        assert(rel.status === 0, `release failed (${rel.status}): ${rel.stderr}`);
        const after = pod().metadata;
        assert(after.labels?.[QUARANTINE_LABEL] === undefined && after.annotations?.[ANNOTATION_AT] === undefined && after.annotations?.[ANNOTATION_REASON] === undefined,
            `release left ${JSON.stringify({ labels: after.labels, annotations: after.annotations })}`);
        assert(!selected().includes("pod/suspect"), "the quarantine policy still selects the released pod");
    } },
    { name: "12. OIDC: a provider token signs in as oidc:<email> with prefixed groups and gets its access level; forged, foreign or expired tokens get 401; a provider group system:masters grants nothing", run: () => {
        assert(c.oidc, "the local stack configures OIDC (hardened-cluster:controlPlane.oidc), so the cluster must run a provider");
        const o = c.oidc;
        const kubeconfigFor = (token: string) => {
            const file = path.join(c.stateDir, "oidc-user.kubeconfig");
            writeFileSync(file, stringify({
                apiVersion: "v1", kind: "Config", "current-context": "oidc",
                clusters: [{ name: "local", cluster: { server: c.server, "certificate-authority": c.pki.caCert } }],
                users: [{ name: "oidc", user: { token } }],
                contexts: [{ name: "oidc", context: { cluster: "local", user: "oidc" } }],
            }), { mode: 0o600 });
            return file;
        };
        const asToken = (token: string, args: string[]) => kubectl({ toolsBin: c.toolsBin, kubeconfig: kubeconfigFor(token) }, args);
        const claims = { iss: o.issuer, aud: "kubernetes", sub: "alice-123", email: "alice@example.com", email_verified: true, groups: [`${ns()}-auditors`, "system:masters"] };
        const good = signJwt(o.signingKey, o.kid, claims);
        // The API server loads the provider's keys asynchronously after start: wait up to 30 s.
        let who = asToken(good, ["auth", "whoami", "-o", "json"]);
        for (let t = 0; t < 60 && who.code !== 0; t++) { spawnSync("sleep", ["0.5"]); who = asToken(good, ["auth", "whoami", "-o", "json"]); }
        assert(who.code === 0, `a valid provider token was not accepted: ${who.err}`);
        const user = JSON.parse(who.out).status.userInfo;
        assert(user.username === "oidc:alice@example.com", `username is ${user.username}, expected the prefixed email`);
        assert(user.groups.includes(`oidc:${ns()}-auditors`) && user.groups.includes("oidc:system:masters"), `groups not prefixed: ${user.groups}`);
        assert(!user.groups.includes("system:masters"), "a provider group became system:masters");
        const can = (verb: string, res: string, extra: string[] = ["-n", ns()]) => asToken(good, ["auth", "can-i", verb, res, ...extra]).out.trim();
        assert(can("list", "pods") === "yes", "the OIDC group's viewer level does not apply");
        assert(can("get", "secrets") === "no" && can("create", "deployments.apps") === "no", "the viewer level grants too much");
        assert(can("create", "clusterrolebindings.rbac.authorization.k8s.io", []) === "no", "a provider group 'system:masters' grants cluster rights");
        const refused = (token: string, what: string) => {
            const r = asToken(token, ["get", "pods", "-n", ns()]);
            assert(r.code !== 0 && /Unauthorized|must be logged in/i.test(r.err), `${what} was not refused with 401: ${r.err || r.out}`);
        };
        const { privateKey } = require("crypto").generateKeyPairSync("rsa", { modulusLength: 2048 });
        refused(signJwt(privateKey.export({ type: "pkcs8", format: "pem" }), o.kid, claims), "a token signed by another key");
        refused(signJwt(o.signingKey, o.kid, { ...claims, aud: "another-client" }), "a token for another client ID");
        refused(signJwt(o.signingKey, o.kid, { ...claims, iss: "https://127.0.0.1:1/other" }), "a token from another issuer");
        refused(signJwt(o.signingKey, o.kid, claims, -3600), "an expired token");
    } },
    { name: "18. local control plane: etcd takes TLS clients with its CA's certificate only; a killed up leaves a pointer down follows; a hung-up up cleans up; exports eval back exactly", run: () => localControlPlaneCheck(c) },
];
checks.push(accessOracleCheck(() => c, k));
checks.push(...nodeChecks(() => c));
checks.push(rbacParityCheck(() => ({ kubectl: k, namespace: ns() })));

async function main(): Promise<number> {
    const t0 = Date.now();
    try {
        c = await up({ node: true });
    } catch (e) {
        console.log(`FAIL  cluster:up — ${(e as Error).message}`);
        return 1;
    }
    console.log(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    const pids = recordedPids(c.stateDir);
    try {
        for (const check of checks) {
            try {
                await check.run();
                results.push({ name: check.name, ok: true });
            } catch (e) {
                results.push({ name: check.name, ok: false, detail: (e as Error).message });
            }
            const r = results[results.length - 1];
            console.log(`${r.ok ? "PASS" : "FAIL"}  ${r.name}${r.detail ? `\n      ${r.detail}` : ""}`);
        }
    } finally {
        const pidsAtEnd = [...pids, ...recordedPids(c.stateDir)];
        const left = (await down(c)).problems;
        if (c.nodeResult) left.push(...nodeLeftovers(c.nodeResult.record)); // processes, mounts, chains, ipsets, bridge, cgroups, sysctls, host paths
        const stillAlive = pidsAtEnd.filter(p => startTimeOf(p.pid) === p.startTime);
        const ok = left.length === 0 && stillAlive.length === 0 && !existsSync(c.stateDir);
        results.push({ name: "10. teardown leaves nothing behind: no process, and of the node no mount, iptables chain, ipset, bridge, cgroup, kernel setting or host path", ok, detail: ok ? undefined : `left: ${[...left, ...stillAlive.map(p => p.name)].join(", ")}` });
        console.log(`${ok ? "PASS" : "FAIL"}  ${results[results.length - 1].name}${ok ? "" : `\n      ${results[results.length - 1].detail}`}`);
    }
    const failed = results.filter(r => !r.ok).length;
    console.log(`\ntotal time ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
    return failed ? 1 : 0;
}

main().then(code => process.exit(code), e => { console.error(e); process.exit(1); });
