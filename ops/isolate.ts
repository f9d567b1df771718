/**
 * Incident isolation: put a pod in quarantine and keep the evidence, or take it out again.
 *
 *   isolate NAMESPACE POD [--evidence-dir DIR] [--reason TEXT] [--kubeconfig FILE] [--kubectl PATH] [--capture-timeout
 *   SECONDS]
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
 * sha256 and the capture status of each file. kubectl writes straight into each file (no
 * buffer, no size ceiling). A kubectl command that fails puts its error text at the end of its
 * file and collection goes on; the failure is expected ("unavailable") only where the pod's
 * status says there is nothing to read (a container not started yet, no previous container).
 * Every other failure, a capture stopped by --capture-timeout, and a container name from the
 * API that is not a valid name (never used in a path: its logs are not captured) leave the
 * evidence incomplete: the manifest says so (`evidenceComplete`, `incomplete`) and the command
 * exits 1 once everything else is written.
 * release checks that the pod exists and removes the label and the annotations.
 *
 * Relative --evidence-dir, --kubeconfig and --kubectl paths are taken from the directory
 * `npm run` was invoked in (INIT_CWD), not the repository root it runs scripts from.
 *
 * Exit codes: 0 done (warnings may have been printed); 1 the cluster or the disk refused an
 * operation (e.g. the label patch, writing the evidence) or the evidence is incomplete (the pod
 * is labelled; the message lists what is missing); 2 usage or input errors: bad
 * arguments, an unknown namespace or pod, kubectl not runnable — nothing was changed.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { appendFileSync, closeSync, mkdirSync, openSync, readSync, rmdirSync, writeFileSync } from "fs";
import * as path from "path";
import { Command, CommanderError } from "commander";
import { QUARANTINE_LABEL } from "../rules/vocabulary";
import { matchSelector } from "../rules/selectors";

import { version as VERSION } from "../package.json";

export { QUARANTINE_LABEL };
const QUARANTINE_POLICY = "quarantine";
export const ANNOTATION_AT = "hardened-cluster/quarantined-at";
export const ANNOTATION_REASON = "hardened-cluster/quarantine-reason";

export interface RunIO {
    stdout: (s: string) => void;
    stderr: (s: string) => void;
    /** The clock (tests fix it). */
    now?: () => Date;
    /** Capture limits other than the time-out (tests lower them). */
    limits?: Partial<Pick<CaptureLimits, "stderrBytes">>;
}

/** Raised for the exit code it carries; the message is printed to stderr. */
class Exit extends Error {
    constructor(
        readonly code: 1 | 2,
        message: string,
    ) {
        super(message);
    }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects read from kubectl's JSON output
type Obj = Record<string, any>;

interface KubectlResult {
    status: number;
    stdout: Buffer;
    stderr: string;
}

interface CaptureResult {
    /** kubectl's exit status; null when it was killed. */
    status: number | null;
    /** Why kubectl was stopped before it finished (the file then holds only what came before). */
    killed?: string;
    stdoutBytes: number;
    stderr: string;
}

class Kubectl {
    constructor(
        private readonly bin: string,
        private readonly kubeconfig: string | undefined,
    ) {}

    /** The arguments as run, without the kubeconfig (recorded in the evidence manifest). */
    static display(args: string[]): string {
        return ["kubectl", ...args].join(" ");
    }

    run(args: string[], input?: string): KubectlResult {
        const full = this.kubeconfig ? ["--kubeconfig", this.kubeconfig, ...args] : args;
        const r = spawnSync(this.bin, full, { input, maxBuffer: 1 << 30, timeout: 120_000 });
        if (r.error) {
            const code = (r.error as NodeJS.ErrnoException).code;
            if (code === "ENOENT" || code === "EACCES")
                throw new Exit(
                    2,
                    `cannot run kubectl '${this.bin}' (${code}); put kubectl on PATH or pass --kubectl PATH`,
                );
            return { status: 1, stdout: Buffer.alloc(0), stderr: `kubectl did not complete: ${r.error.message}` };
        }
        return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr.toString() };
    }

    /**
     * Runs kubectl with its standard output written straight into a new file (no buffer, no size
     * ceiling; the file must not exist yet, and a symlink is never followed).
     */
    capture(args: string[], file: string, limits: CaptureLimits): CaptureResult {
        const full = this.kubeconfig ? ["--kubeconfig", this.kubeconfig, ...args] : args;
        const fd = openSync(file, "wx", 0o600);
        let r;
        try {
            r = spawnSync(this.bin, full, {
                stdio: ["ignore", fd, "pipe"],
                maxBuffer: limits.stderrBytes,
                timeout: limits.timeoutMs,
                killSignal: "SIGKILL",
            });
        } finally {
            closeSync(fd);
        }
        const stdoutBytes = digest(file).bytes;
        const stderr = r.stderr?.toString() ?? "";
        if (r.error) {
            const code = (r.error as NodeJS.ErrnoException).code;
            const killed =
                code === "ETIMEDOUT"
                    ? `timed out after ${limits.timeoutMs / 1000} s and was stopped`
                    : code === "ENOBUFS"
                      ? `kubectl wrote more than ${limits.stderrBytes} bytes of errors and was stopped`
                      : `kubectl did not complete: ${r.error.message}`;
            return { status: null, killed, stdoutBytes, stderr };
        }
        if (r.signal) return { status: null, killed: `kubectl was killed by ${r.signal}`, stdoutBytes, stderr };
        return { status: r.status ?? 1, stdoutBytes, stderr };
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
    if (namespace.length > 63 || !DNS_LABEL.test(namespace))
        throw new Exit(
            2,
            `'${namespace}' is not a valid namespace name (lower-case letters, digits and '-', at most 63 characters)`,
        );
    if (pod.length > 253 || !DNS_SUBDOMAIN.test(pod))
        throw new Exit(
            2,
            `'${pod}' is not a valid pod name (lower-case letters, digits, '-' and '.', at most 253 characters)`,
        );
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
 * A name from the API as printed: control characters (newlines, escapes) written as \uXXXX so it cannot forge a line or
 * a terminal sequence.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
function printable(v: unknown): string {
    return String(v).replace(CONTROL_CHARS, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
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
        warnings.push(
            `NetworkPolicy '${QUARANTINE_POLICY}' does not select the labelled pod (podSelector ` +
                `${JSON.stringify(quarantine.spec?.podSelector ?? {})})`,
        );
    }
    for (const p of policies) {
        if (p === quarantine || !selects(p.spec?.podSelector, labels)) continue;
        const types: string[] = p.spec?.policyTypes ?? (p.spec?.egress?.length ? ["Ingress", "Egress"] : ["Ingress"]);
        const allows = (["Ingress", "Egress"] as const).filter(
            t => types.includes(t) && (p.spec?.[t.toLowerCase()]?.length ?? 0) > 0,
        );
        if (allows.length)
            warnings.push(
                `NetworkPolicy '${printable(p.metadata?.name)}' also selects the pod and allows ` +
                    `${allows.map(t => t.toLowerCase()).join(" and ")}: policies add up, so that traffic ` +
                    `stays allowed`,
            );
    }
    return warnings;
}

/** 2024-05-01T12:34:56.789Z → 20240501T123456Z */
export function stamp(d: Date): string {
    return d
        .toISOString()
        .replace(/\.\d+Z$/, "Z")
        .replace(/[-:]/g, "");
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

/** A container name from the API, before it becomes part of a file name (a hostile endpoint may send anything). */
const CONTAINER_NAME = DNS_LABEL;
/** A pod UID from the API, before it goes into a field selector. */
const UID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

export interface CaptureLimits {
    /** Per kubectl command; a capture still running then is killed and recorded as incomplete. */
    timeoutMs: number;
    /** kubectl's error output kept in memory (its standard output goes straight to the file). */
    stderrBytes: number;
}
const DEFAULT_LIMITS: CaptureLimits = { timeoutMs: 120_000, stderrBytes: 4 << 20 };

/**
 * complete: kubectl exited 0. unavailable: kubectl failed where the pod's status says there is
 * nothing to read (a container that has not started, no previous container). failed: any other
 * non-zero exit. truncated: killed (time-out, too much error output): the file holds what came
 * before. refused: a name from the API that cannot be used in a file name; nothing was run.
 */
export type CaptureStatus = "complete" | "unavailable" | "failed" | "truncated" | "refused";

interface EvidenceFile {
    name: string;
    command: string;
    exitCode: number | null;
    status: CaptureStatus;
    error?: string;
    sha256: string;
    bytes: number;
}

interface Refused {
    /** The name as the API sent it (JSON keeps it exact, whatever it holds). */
    container: string;
    status: "refused";
    error: string;
}

/** sha256 and size of a file, read in chunks (a log may be larger than memory). */
function digest(file: string): { sha256: string; bytes: number } {
    const hash = createHash("sha256");
    const buf = Buffer.alloc(1 << 20);
    const fd = openSync(file, "r");
    let bytes = 0;
    try {
        for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) {
            hash.update(buf.subarray(0, n));
            bytes += n;
        }
    } finally {
        closeSync(fd);
    }
    return { sha256: hash.digest("hex"), bytes };
}

interface Availability {
    /** Why a failed `kubectl logs` of this container is expected, or undefined if it is not. */
    current?: string;
    previous?: string;
}

/** What the pod's status says can be read of each container's logs. */
function availability(podObj: Obj): Map<string, Availability> {
    const out = new Map<string, Availability>();
    const statuses = ["initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"].flatMap(
        f => (Array.isArray(podObj.status?.[f]) ? podObj.status[f] : []) as Obj[],
    );
    const byName = new Map(statuses.map(s => [s?.name, s] as const));
    const names = ["initContainers", "containers", "ephemeralContainers"]
        .flatMap(f => (Array.isArray(podObj.spec?.[f]) ? podObj.spec[f] : []) as Obj[])
        .map(c => c?.name);
    for (const name of names) {
        const st = byName.get(name);
        const started = st?.state?.running || st?.state?.terminated || st?.lastState?.terminated;
        out.set(name, {
            current: started ? undefined : `container has not started (${st?.state?.waiting?.reason ?? "no status"})`,
            previous: st?.lastState?.terminated ? undefined : "no previous container (lastState.terminated is not set)",
        });
    }
    return out;
}

function collectEvidence(
    kc: Kubectl,
    dir: string,
    namespace: string,
    pod: string,
    podObj: Obj,
    limits: CaptureLimits,
    io: RunIO,
    warn: (w: string) => void,
): { files: EvidenceFile[]; refused: Refused[]; writeErrors: string[] } {
    const files: EvidenceFile[] = [];
    const refused: Refused[] = [];
    const writeErrors: string[] = [];
    const capture = (name: string, args: string[], expectedFailure?: string) => {
        const command = Kubectl.display(args);
        const file = path.join(dir, name);
        if (path.dirname(file) !== dir) {
            // (names are validated before this point: a second guard)
            writeErrors.push(`${JSON.stringify(name)}: would leave the evidence folder`);
            return;
        }
        let r: CaptureResult;
        try {
            r = kc.capture(args, file, limits);
        } catch (e) {
            writeErrors.push(`${name}: ${(e as Error).message}`);
            return;
        }
        let status: CaptureStatus;
        let error: string | undefined;
        if (r.killed) {
            status = "truncated";
            error = r.killed;
            appendFileSync(file, `\n# ${command}\n# incomplete: ${r.killed}\n${r.stderr}`);
        } else if (r.status !== 0) {
            status = expectedFailure ? "unavailable" : "failed";
            error = `kubectl exited ${r.status}${expectedFailure ? ` (${expectedFailure})` : ""}: ${r.stderr.trim()}`;
            appendFileSync(
                file,
                `${r.stdoutBytes > 0 ? "\n" : ""}# ${command}\n# failed with exit ${r.status}:\n${r.stderr}`,
            );
        } else {
            status = "complete";
            // e.g. "No resources found in … namespace."
            if (r.stdoutBytes === 0 && r.stderr) appendFileSync(file, r.stderr);
        }
        files.push({ name, command, exitCode: r.status, status, ...(error ? { error } : {}), ...digest(file) });
        const note = {
            complete: "",
            unavailable: ` (nothing to read: ${expectedFailure}; kubectl's error is in the file)`,
            failed: ` (FAILED: kubectl exited ${r.status}; its error is in the file)`,
            truncated: ` (INCOMPLETE: ${r.killed})`,
            refused: "",
        }[status];
        io.stdout(`  ${name}${note}\n`);
    };
    capture("pod.yaml", ["get", "pod", pod, "-n", namespace, "-o", "yaml"]);
    capture("describe.txt", ["describe", "pod", pod, "-n", namespace]);
    const avail = availability(podObj);
    const seen = new Set<string>();
    const containers: unknown[] = ["initContainers", "containers", "ephemeralContainers"]
        .flatMap(f => (Array.isArray(podObj.spec?.[f]) ? podObj.spec[f] : []) as Obj[])
        .map(c => c?.name);
    for (const c of containers) {
        const shown = JSON.stringify(c) ?? String(c);
        let why: string | undefined;
        if (typeof c !== "string" || c.length > 63 || !CONTAINER_NAME.test(c))
            why = "not a valid container name (lower-case letters, digits and '-', at most 63 characters)";
        else if (seen.has(c)) why = "a second container with the same name";
        if (why) {
            refused.push({
                container: typeof c === "string" ? c : shown,
                status: "refused",
                error: `${why}; its logs were not captured`,
            });
            io.stdout(`  REFUSED container name ${shown} from the API: ${why}; its logs were not captured\n`);
            continue;
        }
        seen.add(c as string);
        const a = avail.get(c as string) ?? {};
        capture(`logs-${c}.txt`, ["logs", pod, "-n", namespace, "-c", c as string, "--timestamps"], a.current);
        capture(
            `logs-previous-${c}.txt`,
            ["logs", pod, "-n", namespace, "-c", c as string, "--timestamps", "--previous"],
            a.previous,
        );
    }
    const uid = podObj.metadata?.uid;
    const uidOk = typeof uid === "string" && UID.test(uid);
    if (uid !== undefined && !uidOk)
        warn(
            `the pod's uid from the API (${JSON.stringify(uid)}) is not a valid UID; events are ` +
                `selected by kind and name only`,
        );
    const selector = [
        `involvedObject.kind=Pod`,
        `involvedObject.name=${pod}`,
        ...(uidOk ? [`involvedObject.uid=${uid}`] : []),
    ].join(",");
    capture("events.txt", [
        "get",
        "events",
        "-n",
        namespace,
        "--field-selector",
        selector,
        "--sort-by=.metadata.creationTimestamp",
        "-o",
        "wide",
    ]);
    return { files, refused, writeErrors };
}

function isolate(
    kc: Kubectl,
    namespace: string,
    pod: string,
    opts: { evidenceDir: string; reason?: string; limits: CaptureLimits },
    io: RunIO,
): number {
    validateNames(namespace, pod);
    const podObj = requirePod(kc, namespace, pod);
    const now = (io.now ?? (() => new Date()))();
    const warnings: string[] = [];
    const warn = (w: string) => {
        warnings.push(w);
        io.stderr(`warning: ${w}\n`);
    };
    const pols = kc.json(["get", "networkpolicies", "-n", namespace]);
    const policies: Obj[] | undefined = pols.ok ? (pols.value.items ?? []) : undefined;
    const hasQuarantine = policies ? policies.some(x => x.metadata?.name === QUARANTINE_POLICY) : null;
    if (!pols.ok) warn(`could not read the NetworkPolicies of namespace '${namespace}': ${pols.error}`);
    else if (!hasQuarantine)
        warn(
            `namespace '${namespace}' has no NetworkPolicy '${QUARANTINE_POLICY}': the label alone ` +
                `does not cut the pod's traffic`,
        );
    // Before the label: a folder that cannot be created stops here, with the cluster unchanged.
    let dir: string;
    try {
        dir = evidenceFolder(opts.evidenceDir, namespace, pod, now);
    } catch (e) {
        throw new Exit(
            1,
            `cannot create the evidence folder under '${opts.evidenceDir}': ${(e as Error).message}; ` +
                `nothing was changed`,
        );
    }

    const already = podObj.metadata?.labels?.[QUARANTINE_LABEL] === "true";
    const patch = {
        metadata: {
            labels: { [QUARANTINE_LABEL]: "true" },
            annotations: { [ANNOTATION_AT]: now.toISOString(), [ANNOTATION_REASON]: opts.reason ?? null },
        },
    };
    const p = kc.run(["patch", "pod", pod, "-n", namespace, "--type=merge", "-p", JSON.stringify(patch)]);
    if (p.status !== 0) {
        rmdirSync(dir);
        throw new Exit(
            1,
            `could not label pod '${pod}' in namespace '${namespace}': ${p.stderr.trim()}; nothing was changed`,
        );
    }
    io.stdout(
        `${already ? "pod was already labelled; re-labelled" : "labelled"} pod ${namespace}/${pod} ` +
            `${QUARANTINE_LABEL}=true (${ANNOTATION_AT}=${now.toISOString()}` +
            `${opts.reason ? `, ${ANNOTATION_REASON}` : ""})\n`,
    );
    if (policies)
        policyWarnings(policies, { ...(podObj.metadata?.labels ?? {}), [QUARANTINE_LABEL]: "true" }).forEach(warn);

    io.stdout(`evidence in ${dir}:\n`);
    const { files, refused, writeErrors } = collectEvidence(kc, dir, namespace, pod, podObj, opts.limits, io, warn);
    const incomplete = [
        ...files
            .filter(f => f.status === "failed" || f.status === "truncated")
            .map(f => `${f.name}: ${f.status}: ${f.error}`),
        ...refused.map(r => `container ${JSON.stringify(r.container)}: refused: ${r.error}`),
    ];
    const manifest = {
        tool: "hardened-cluster isolate",
        version: VERSION,
        namespace,
        pod,
        podUid: podObj.metadata?.uid ?? null,
        node: podObj.spec?.nodeName ?? null,
        isolatedAt: now.toISOString(),
        reason: opts.reason ?? null,
        label: `${QUARANTINE_LABEL}=true`,
        quarantinePolicy: hasQuarantine,
        warnings,
        /** false when a capture failed, was cut short or was refused: the list says which. */
        evidenceComplete: incomplete.length === 0 && writeErrors.length === 0,
        incomplete,
        files,
        refused,
    };
    try {
        writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n", { mode: 0o600 });
        io.stdout("  manifest.json (sha256 of every file)\n");
    } catch (e) {
        writeErrors.push(`manifest.json: ${(e as Error).message}`);
    }
    const problems = [...incomplete, ...writeErrors.map(w => `${w}: not written`)];
    if (problems.length)
        throw new Exit(
            1,
            `pod is labelled, but the evidence is incomplete (${problems.length} of its captures):\n ` +
                ` ${problems.join("\n  ")}`,
        );
    return 0;
}

function release(kc: Kubectl, namespace: string, pod: string, io: RunIO): number {
    validateNames(namespace, pod);
    const podObj = requirePod(kc, namespace, pod);
    const had = podObj.metadata?.labels?.[QUARANTINE_LABEL] !== undefined;
    const patch = {
        metadata: {
            labels: { [QUARANTINE_LABEL]: null },
            annotations: { [ANNOTATION_AT]: null, [ANNOTATION_REASON]: null },
        },
    };
    const p = kc.run(["patch", "pod", pod, "-n", namespace, "--type=merge", "-p", JSON.stringify(patch)]);
    if (p.status !== 0)
        throw new Exit(
            1,
            `could not remove the label from pod '${pod}' in namespace '${namespace}': ${p.stderr.trim()}`,
        );
    io.stdout(
        had
            ? `released pod ${namespace}/${pod}: removed label ${QUARANTINE_LABEL} and annotations ` +
                  `${ANNOTATION_AT}, ${ANNOTATION_REASON}\n`
            : `pod ${namespace}/${pod} was not labelled ${QUARANTINE_LABEL}; made sure the annotations are gone too\n`,
    );
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
    program
        .command("isolate")
        .description(
            `label the pod ${QUARANTINE_LABEL}=true and write its evidence (manifest, describe, logs,` +
                ` previous logs, events)`,
        )
        .argument("<namespace>")
        .argument("<pod>")
        .option("--evidence-dir <dir>", "where the timestamped evidence folder is created", "incident-evidence")
        .option("--reason <text>", `recorded in the ${ANNOTATION_REASON} annotation and the manifest`)
        .option("--kubeconfig <file>", "kubeconfig to use (default: kubectl's own)")
        .option("--kubectl <path>", "kubectl binary", "kubectl")
        .option(
            "--capture-timeout <seconds>",
            "time allowed to each kubectl command writing evidence; a capture cut short makes the run fail",
            String(DEFAULT_LIMITS.timeoutMs / 1000),
        )
        .action(
            (
                namespace: string,
                pod: string,
                o: {
                    evidenceDir: string;
                    reason?: string;
                    kubeconfig?: string;
                    kubectl: string;
                    captureTimeout: string;
                },
            ) =>
                guarded(() => {
                    const seconds = Number(o.captureTimeout);
                    if (!/^\d+(\.\d+)?$/.test(o.captureTimeout) || !(seconds > 0))
                        throw new Exit(
                            2,
                            `--capture-timeout: '${o.captureTimeout}' is not a positive number of seconds`,
                        );
                    const limits = { ...DEFAULT_LIMITS, ...io.limits, timeoutMs: seconds * 1000 };
                    return isolate(
                        new Kubectl(kubectlPath(o.kubectl), o.kubeconfig && callerPath(o.kubeconfig)),
                        namespace,
                        pod,
                        { ...o, evidenceDir: callerPath(o.evidenceDir), limits },
                        io,
                    );
                }),
        );
    program
        .command("release")
        .description(`remove the ${QUARANTINE_LABEL} label and the quarantine annotations`)
        .argument("<namespace>")
        .argument("<pod>")
        .option("--kubeconfig <file>", "kubeconfig to use (default: kubectl's own)")
        .option("--kubectl <path>", "kubectl binary", "kubectl")
        .action((namespace: string, pod: string, o: { kubeconfig?: string; kubectl: string }) =>
            guarded(() =>
                release(
                    new Kubectl(kubectlPath(o.kubectl), o.kubeconfig && callerPath(o.kubeconfig)),
                    namespace,
                    pod,
                    io,
                ),
            ),
        );
    try {
        program.parse(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
        throw e;
    }
    return code;
}

if (require.main === module) {
    process.exitCode = run(process.argv.slice(2), {
        stdout: s => process.stdout.write(s),
        stderr: s => process.stderr.write(s),
    });
}
