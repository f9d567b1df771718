/**
 * Incident isolation: put a pod in quarantine and keep the evidence, or take it out again.
 *
 *   isolate NAMESPACE POD [--evidence-dir DIR] [--reason TEXT] [--kubeconfig FILE] [--kubectl PATH]
 *   release NAMESPACE POD [--kubeconfig FILE] [--kubectl PATH]
 *
 * (npm run isolate -- NAMESPACE POD …, npm run release -- NAMESPACE POD …)
 *
 * isolate checks that the namespace and the pod exist (nothing is changed otherwise), warns when
 * the namespace has no `quarantine` NetworkPolicy or when other NetworkPolicies still allow
 * traffic to or from the pod, labels the pod `hardened-cluster/quarantine=true` with
 * annotations for the time and the reason (one merge patch), then writes the evidence into
 * `DIR/NAMESPACE-POD-YYYYMMDDTHHMMSSZ/`: pod.yaml, describe.txt, logs-CONTAINER.txt and
 * logs-previous-CONTAINER.txt for every container, events.txt, and manifest.json with the
 * sha256 of each file. A kubectl command that fails for one evidence file (no previous
 * container, no node yet…) puts its error text into that file; collection goes on.
 * release checks that the pod exists and removes the label and the annotations.
 *
 * Relative --evidence-dir, --kubeconfig and --kubectl paths are taken from the directory
 * `npm run` was invoked in (INIT_CWD), not the repository root it runs scripts from.
 *
 * Exit codes: 0 done (warnings may have been printed); 1 the cluster or the disk refused an
 * operation (e.g. the label patch, writing the evidence); 2 usage or input errors: bad
 * arguments, an unknown namespace or pod, kubectl not runnable — nothing was changed.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { mkdirSync, rmdirSync, writeFileSync } from "fs";
import * as path from "path";
import { Command, CommanderError } from "commander";
import { QUARANTINE_LABEL } from "../components/namespace/builders";
import { matchSelector } from "../rules/selectors";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = require("../package.json").version;

export { QUARANTINE_LABEL };
export const QUARANTINE_POLICY = "quarantine";
export const ANNOTATION_AT = "hardened-cluster/quarantined-at";
export const ANNOTATION_REASON = "hardened-cluster/quarantine-reason";

export interface RunIO {
    stdout: (s: string) => void;
    stderr: (s: string) => void;
    /** The clock (tests fix it). */
    now?: () => Date;
}

/** Raised for the exit code it carries; the message is printed to stderr. */
class Exit extends Error {
    constructor(readonly code: 1 | 2, message: string) {
        super(message);
    }
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface KubectlResult {
    status: number;
    stdout: Buffer;
    stderr: string;
}

class Kubectl {
    constructor(private readonly bin: string, private readonly kubeconfig: string | undefined) {}

    /** The arguments as run, without the kubeconfig (recorded in the evidence manifest). */
    static display(args: string[]): string {
        return ["kubectl", ...args].join(" ");
    }

    run(args: string[], input?: string): KubectlResult {
        const full = this.kubeconfig ? ["--kubeconfig", this.kubeconfig, ...args] : args;
        const r = spawnSync(this.bin, full, { input, maxBuffer: 1 << 30, timeout: 120_000 });
        if (r.error) {
            const code = (r.error as NodeJS.ErrnoException).code;
            if (code === "ENOENT" || code === "EACCES") throw new Exit(2, `cannot run kubectl '${this.bin}' (${code}); put kubectl on PATH or pass --kubectl PATH`);
            return { status: 1, stdout: Buffer.alloc(0), stderr: `kubectl did not complete: ${r.error.message}` };
        }
        return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr.toString() };
    }

    json(args: string[]): { ok: true; value: Obj } | { ok: false; notFound: boolean; error: string } {
        const r = this.run([...args, "-o", "json"]);
        if (r.status !== 0) return { ok: false, notFound: /\(NotFound\)/.test(r.stderr), error: r.stderr.trim() };
        try {
            return { ok: true, value: JSON.parse(r.stdout.toString()) };
        } catch (e) {
            return { ok: false, notFound: false, error: `unreadable kubectl output: ${(e as Error).message}` };
        }
    }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateNames(namespace: string, pod: string): void {
    if (namespace.length > 63 || !DNS_LABEL.test(namespace)) throw new Exit(2, `'${namespace}' is not a valid namespace name (lower-case letters, digits and '-', at most 63 characters)`);
    if (pod.length > 253 || !DNS_SUBDOMAIN.test(pod)) throw new Exit(2, `'${pod}' is not a valid pod name (lower-case letters, digits, '-' and '.', at most 253 characters)`);
}

/** The namespace and then the pod must exist; a clear exit 2 naming the missing one otherwise. */
function requirePod(kc: Kubectl, namespace: string, pod: string): Obj {
    const n = kc.json(["get", "namespace", namespace]);
    if (!n.ok) {
        if (n.notFound) throw new Exit(2, `namespace '${namespace}' not found; nothing was changed`);
        throw new Exit(1, `could not read namespace '${namespace}': ${n.error}`);
    }
    const p = kc.json(["get", "pod", pod, "-n", namespace]);
    if (!p.ok) {
        if (p.notFound) throw new Exit(2, `pod '${pod}' not found in namespace '${namespace}'; nothing was changed`);
        throw new Exit(1, `could not read pod '${pod}' in namespace '${namespace}': ${p.error}`);
    }
    return p.value;
}

interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Whether a label selector selects a set of labels (an empty selector selects everything). */
export function selects(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
    return matchSelector(sel ?? {}, labels) === true;
}

/**
 * What the NetworkPolicies of the namespace do to the quarantined pod: the quarantine policy must
 * select it, and since NetworkPolicies add up (allow-lists), any other policy that selects it
 * and allows some traffic keeps allowing that traffic whatever the quarantine policy says.
 */
function policyWarnings(policies: Obj[], labels: Record<string, string>): string[] {
    const warnings: string[] = [];
    const quarantine = policies.find(p => p.metadata?.name === QUARANTINE_POLICY);
    if (quarantine && !selects(quarantine.spec?.podSelector, labels)) {
        warnings.push(`NetworkPolicy '${QUARANTINE_POLICY}' does not select the labelled pod (podSelector ${JSON.stringify(quarantine.spec?.podSelector ?? {})})`);
    }
    for (const p of policies) {
        if (p === quarantine || !selects(p.spec?.podSelector, labels)) continue;
        const types: string[] = p.spec?.policyTypes ?? (p.spec?.egress?.length ? ["Ingress", "Egress"] : ["Ingress"]);
        const allows = (["Ingress", "Egress"] as const).filter(t => types.includes(t) && (p.spec?.[t.toLowerCase()]?.length ?? 0) > 0);
        if (allows.length) warnings.push(`NetworkPolicy '${p.metadata?.name}' also selects the pod and allows ${allows.map(t => t.toLowerCase()).join(" and ")}: policies add up, so that traffic stays allowed`);
    }
    return warnings;
}

/** 2024-05-01T12:34:56.789Z → 20240501T123456Z */
export function stamp(d: Date): string {
    return d.toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
}

function evidenceFolder(root: string, namespace: string, pod: string, at: Date): string {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    // A file name has at most 255 bytes: shorten the names (ASCII) before the timestamp if needed.
    const base = `${namespace}-${pod}`.slice(0, 255 - 1 - 16 - 3);
    for (let i = 0; ; i++) {
        const dir = path.join(root, `${base}-${stamp(at)}${i ? `-${i}` : ""}`);
        try {
            mkdirSync(dir, { mode: 0o700 });
            return dir;
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EEXIST" || i >= 99) throw e;
        }
    }
}

interface EvidenceFile {
    name: string;
    command: string;
    exitCode: number;
    sha256: string;
    bytes: number;
}

function collectEvidence(kc: Kubectl, dir: string, namespace: string, pod: string, podObj: Obj, io: RunIO): { files: EvidenceFile[]; writeErrors: string[] } {
    const files: EvidenceFile[] = [];
    const writeErrors: string[] = [];
    const write = (name: string, content: Buffer, command: string, exitCode: number) => {
        try {
            writeFileSync(path.join(dir, name), content, { mode: 0o600 });
        } catch (e) {
            writeErrors.push(`${name}: ${(e as Error).message}`);
            return;
        }
        files.push({ name, command, exitCode, sha256: createHash("sha256").update(content).digest("hex"), bytes: content.length });
        io.stdout(`  ${name}${exitCode === 0 ? "" : ` (kubectl failed with exit ${exitCode}; its error is in the file)`}\n`);
    };
    const capture = (name: string, args: string[]) => {
        const r = kc.run(args);
        const command = Kubectl.display(args);
        let content: Buffer;
        if (r.status !== 0) content = Buffer.from(`# ${command}\n# failed with exit ${r.status}:\n${r.stderr}`);
        else if (r.stdout.length === 0) content = Buffer.from(r.stderr); // e.g. "No resources found in … namespace."
        else content = r.stdout;
        write(name, content, command, r.status);
    };
    capture("pod.yaml", ["get", "pod", pod, "-n", namespace, "-o", "yaml"]);
    capture("describe.txt", ["describe", "pod", pod, "-n", namespace]);
    const containers: string[] = ["initContainers", "containers", "ephemeralContainers"]
        .flatMap(f => ((podObj.spec?.[f] ?? []) as Obj[]).map(c => String(c.name)));
    for (const c of containers) {
        capture(`logs-${c}.txt`, ["logs", pod, "-n", namespace, "-c", c, "--timestamps"]);
        capture(`logs-previous-${c}.txt`, ["logs", pod, "-n", namespace, "-c", c, "--timestamps", "--previous"]);
    }
    const selector = [`involvedObject.kind=Pod`, `involvedObject.name=${pod}`, ...(podObj.metadata?.uid ? [`involvedObject.uid=${podObj.metadata.uid}`] : [])].join(",");
    capture("events.txt", ["get", "events", "-n", namespace, "--field-selector", selector, "--sort-by=.metadata.creationTimestamp", "-o", "wide"]);
    return { files, writeErrors };
}

function isolate(kc: Kubectl, namespace: string, pod: string, opts: { evidenceDir: string; reason?: string }, io: RunIO): number {
    validateNames(namespace, pod);
    const podObj = requirePod(kc, namespace, pod);
    const now = (io.now ?? (() => new Date()))();
    const warnings: string[] = [];
    const warn = (w: string) => { warnings.push(w); io.stderr(`warning: ${w}\n`); };
    const pols = kc.json(["get", "networkpolicies", "-n", namespace]);
    const policies: Obj[] | undefined = pols.ok ? pols.value.items ?? [] : undefined;
    const hasQuarantine = policies ? policies.some(x => x.metadata?.name === QUARANTINE_POLICY) : null;
    if (!pols.ok) warn(`could not read the NetworkPolicies of namespace '${namespace}': ${pols.error}`);
    else if (!hasQuarantine) warn(`namespace '${namespace}' has no NetworkPolicy '${QUARANTINE_POLICY}': the label alone does not cut the pod's traffic`);
    // Before the label: a folder that cannot be created stops here, with the cluster unchanged.
    let dir: string;
    try {
        dir = evidenceFolder(opts.evidenceDir, namespace, pod, now);
    } catch (e) {
        throw new Exit(1, `cannot create the evidence folder under '${opts.evidenceDir}': ${(e as Error).message}; nothing was changed`);
    }

    const already = podObj.metadata?.labels?.[QUARANTINE_LABEL] === "true";
    const patch = { metadata: { labels: { [QUARANTINE_LABEL]: "true" }, annotations: { [ANNOTATION_AT]: now.toISOString(), [ANNOTATION_REASON]: opts.reason ?? null } } };
    const p = kc.run(["patch", "pod", pod, "-n", namespace, "--type=merge", "-p", JSON.stringify(patch)]);
    if (p.status !== 0) {
        rmdirSync(dir);
        throw new Exit(1, `could not label pod '${pod}' in namespace '${namespace}': ${p.stderr.trim()}; nothing was changed`);
    }
    io.stdout(`${already ? "pod was already labelled; re-labelled" : "labelled"} pod ${namespace}/${pod} ${QUARANTINE_LABEL}=true (${ANNOTATION_AT}=${now.toISOString()}${opts.reason ? `, ${ANNOTATION_REASON}` : ""})\n`);
    if (policies) policyWarnings(policies, { ...(podObj.metadata?.labels ?? {}), [QUARANTINE_LABEL]: "true" }).forEach(warn);

    io.stdout(`evidence in ${dir}:\n`);
    const { files, writeErrors } = collectEvidence(kc, dir, namespace, pod, podObj, io);
    const manifest = {
        tool: "hardened-cluster isolate", version: VERSION,
        namespace, pod, podUid: podObj.metadata?.uid ?? null, node: podObj.spec?.nodeName ?? null,
        isolatedAt: now.toISOString(), reason: opts.reason ?? null, label: `${QUARANTINE_LABEL}=true`,
        quarantinePolicy: hasQuarantine,
        warnings, files,
    };
    try {
        writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n", { mode: 0o600 });
        io.stdout("  manifest.json (sha256 of every file)\n");
    } catch (e) {
        writeErrors.push(`manifest.json: ${(e as Error).message}`);
    }
    if (writeErrors.length) throw new Exit(1, `pod is labelled, but some evidence could not be written:\n  ${writeErrors.join("\n  ")}`);
    return 0;
}

function release(kc: Kubectl, namespace: string, pod: string, io: RunIO): number {
    validateNames(namespace, pod);
    const podObj = requirePod(kc, namespace, pod);
    const had = podObj.metadata?.labels?.[QUARANTINE_LABEL] !== undefined;
    const patch = { metadata: { labels: { [QUARANTINE_LABEL]: null }, annotations: { [ANNOTATION_AT]: null, [ANNOTATION_REASON]: null } } };
    const p = kc.run(["patch", "pod", pod, "-n", namespace, "--type=merge", "-p", JSON.stringify(patch)]);
    if (p.status !== 0) throw new Exit(1, `could not remove the label from pod '${pod}' in namespace '${namespace}': ${p.stderr.trim()}`);
    io.stdout(had
        ? `released pod ${namespace}/${pod}: removed label ${QUARANTINE_LABEL} and annotations ${ANNOTATION_AT}, ${ANNOTATION_REASON}\n`
        : `pod ${namespace}/${pod} was not labelled ${QUARANTINE_LABEL}; made sure the annotations are gone too\n`);
    return 0;
}

/**
 * Relative paths are the caller's: `npm run` starts us in the repository root but keeps the
 * directory it was invoked from in INIT_CWD.
 */
const callerPath = (p: string) => path.resolve(process.env.INIT_CWD || process.cwd(), p);
const kubectlPath = (p: string) => (p.includes("/") ? callerPath(p) : p); // a bare name is looked up on PATH

export function run(argv: string[], io: RunIO): number {
    let code = 0;
    const guarded = (f: () => number) => {
        try {
            code = f();
        } catch (e) {
            if (!(e instanceof Exit)) throw e;
            io.stderr(`error: ${e.message}\n`);
            code = e.code;
        }
    };
    const program = new Command("isolate")
        .description("Quarantine a pod and keep the evidence (isolate), or take it out of quarantine (release).")
        .version(VERSION)
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    program.command("isolate")
        .description(`label the pod ${QUARANTINE_LABEL}=true and write its evidence (manifest, describe, logs, previous logs, events)`)
        .argument("<namespace>").argument("<pod>")
        .option("--evidence-dir <dir>", "where the timestamped evidence folder is created", "incident-evidence")
        .option("--reason <text>", `recorded in the ${ANNOTATION_REASON} annotation and the manifest`)
        .option("--kubeconfig <file>", "kubeconfig to use (default: kubectl's own)")
        .option("--kubectl <path>", "kubectl binary", "kubectl")
        .action((namespace: string, pod: string, o: { evidenceDir: string; reason?: string; kubeconfig?: string; kubectl: string }) =>
            guarded(() => isolate(new Kubectl(kubectlPath(o.kubectl), o.kubeconfig && callerPath(o.kubeconfig)), namespace, pod, { ...o, evidenceDir: callerPath(o.evidenceDir) }, io)));
    program.command("release")
        .description(`remove the ${QUARANTINE_LABEL} label and the quarantine annotations`)
        .argument("<namespace>").argument("<pod>")
        .option("--kubeconfig <file>", "kubeconfig to use (default: kubectl's own)")
        .option("--kubectl <path>", "kubectl binary", "kubectl")
        .action((namespace: string, pod: string, o: { kubeconfig?: string; kubectl: string }) =>
            guarded(() => release(new Kubectl(kubectlPath(o.kubectl), o.kubeconfig && callerPath(o.kubeconfig)), namespace, pod, io)));
    try {
        program.parse(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
        throw e;
    }
    return code;
}

if (require.main === module) {
    process.exitCode = run(process.argv.slice(2), { stdout: s => process.stdout.write(s), stderr: s => process.stderr.write(s) });
}
