/**
 * hardened-scan: the policy pack's rules over plain manifests (YAML, JSON, kustomizations and
 * Helm charts, `helm template` / `kustomize build` output on stdin), without Pulumi.
 *
 *   hardened-scan [--format text|json|jsonl|sarif] [--config policy-config.json]
 *                 [--max-input-size BYTES] [--allow-empty] [--kubectl PATH] [--helm PATH] PATH...
 *
 * Exit codes: 0 no mandatory violation; 1 at least one mandatory violation; 2 usage or input
 * errors (unreadable or refused paths, invalid YAML, invalid config, a rule that failed on a
 * resource, nothing to scan) when there is no mandatory violation. Nothing is dropped silently:
 * every problem is reported with its file (and line), and the other inputs are still scanned.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { RULES } from "../rules";
import * as engine from "../rules/engine";
import { EvaluatedFinding, PackConfig, ResolvedRule, resolveRules } from "../rules/engine";
import { ConfigFileError, loadPackConfig } from "../rules/packConfig";
import { K8sObject, Rule } from "../rules/types";
import { DEFAULT_MAX_INPUT_BYTES, describeError, expandPaths, Input, inputName, LoadError, LoadOptions, Located, parseChunk, readInputText, readRegularFile } from "./load";
import { JsonLinesReporter, JsonReporter, Out, Reporter, ResourceRef, SarifReporter, ScanViolation, Summary, TextReporter } from "./report";
import { locate, Position, splitStream, unpack } from "./yaml";

/** The package's version, from the repository root (this file runs from `scanner/` or, compiled, from `dist/scanner/`). */
function packageVersion(): string {
    for (const up of ["..", "../.."]) {
        const file = path.join(__dirname, up, "package.json");
        if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")).version;
    }
    return "unknown";
}
const VERSION = packageVersion();

export interface RunIO {
    stdout: (s: string) => void;
    stderr: (s: string) => void;
    /** Standard input (at most maxBytes; longer input is an error); a test seam. */
    readStdin?: (maxBytes: number) => string;
    /** The rules to run (default: the whole catalog); a test seam. */
    rules?: readonly Rule[];
}

type Format = "text" | "json" | "jsonl" | "sarif";

/** `64Mi`, `200M`, `1048576` → bytes. */
export function parseSize(v: string): number {
    const m = /^(\d+)\s*(|k|ki|m|mi|g|gi)b?$/i.exec(v.trim());
    if (!m) throw new InvalidArgumentError("expected a size in bytes, e.g. 67108864, 64Mi or 200M");
    const mult: Record<string, number> = { "": 1, k: 1e3, ki: 1024, m: 1e6, mi: 1024 ** 2, g: 1e9, gi: 1024 ** 3 };
    return Number(m[1]) * mult[m[2].toLowerCase()];
}

/** Kinds at least one rule looks at (a fallback until the rule core exports isChecked). */
function localIsChecked(): (obj: K8sObject) => boolean {
    const kinds = new Set(RULES.flatMap(r => r.kinds));
    return obj => typeof obj.kind === "string" && kinds.has(obj.kind);
}
const isChecked: (obj: K8sObject) => boolean = (engine as unknown as { isChecked?: (obj: K8sObject) => boolean }).isChecked ?? localIsChecked();

const resourceOf = (o: K8sObject): ResourceRef => {
    const md = o.metadata && typeof o.metadata === "object" ? o.metadata : {};
    return { apiVersion: String(o.apiVersion ?? ""), kind: String(o.kind ?? ""), namespace: typeof md.namespace === "string" ? md.namespace : "", name: typeof md.name === "string" ? md.name : "" };
};

/** Objects in batches of this many are checked by the resource rules together. */
const BATCH = 2000;

export function run(argv: string[], io: RunIO): number {
    const cmd = new Command("hardened-scan")
        .description("Check Kubernetes manifests against the hardened-cluster controls.")
        .argument("<paths...>", "files, directories (searched for *.yaml, *.yml, *.json; kustomizations and Helm charts are rendered) or - for stdin")
        .addOption(new Option("--format <format>", "output format").choices(["text", "json", "jsonl", "sarif"]).default("text"))
        .option("--config <file>", "policy config (the --policy-pack-config format)")
        .addOption(new Option("--max-input-size <bytes>", "largest file, stdin or rendered output read (e.g. 64Mi)").argParser(parseSize).default(DEFAULT_MAX_INPUT_BYTES, "256Mi"))
        .option("--allow-empty", "exit 0 when no Kubernetes resource was read (by default that is an input error, exit 2)")
        .option("--kubectl <path>", "kubectl used to render kustomization directories")
        .option("--helm <path>", "helm used to render chart directories")
        .version(VERSION)
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    try {
        cmd.parse(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
        throw e;
    }
    const rules = io.rules ?? RULES;
    const opts = cmd.opts<{ format: Format; config?: string; maxInputSize: number; allowEmpty?: boolean; kubectl?: string; helm?: string }>();
    let packConfig: PackConfig = {};
    if (opts.config) {
        try {
            packConfig = loadPackConfig(opts.config, rules);
        } catch (e) {
            if (e instanceof ConfigFileError) {
                io.stderr(`hardened-scan: ${e.message}\n`);
                return 2;
            }
            throw e;
        }
    }
    const out = new Out(io.stdout);
    const reporter: Reporter =
        opts.format === "json" ? new JsonReporter(out) : opts.format === "jsonl" ? new JsonLinesReporter(out) : opts.format === "sarif" ? new SarifReporter(out, rules, VERSION) : new TextReporter(out);
    const summary: Summary = { files: 0, resources: 0, violations: 0, mandatory: 0, advisory: 0, errors: 0, bySeverity: {}, skippedKinds: {} };
    const reportError = (e: LoadError & { controlId?: string; policy?: string; resource?: ResourceRef }) => {
        summary.errors++;
        reporter.error(e);
        if (opts.format !== "text") io.stderr(`${e.file}${e.line ? `:${e.line}` : ""}: error: ${e.controlId ? `[${e.controlId}] ` : ""}${JSON.stringify(e.message).slice(1, -1)}\n`);
    };

    const resolved = resolveRules(rules, packConfig);
    const resourceRules = resolved.filter(r => r.rule.scope === "resource");
    const stackRules = resolved.filter(r => r.rule.scope === "stack");
    /** Objects kept for the cross-resource rules: compact copies, with where they came from. */
    const kept = new Map<object, Located & { source: number }>();
    const all: K8sObject[] = [];
    /** Texts kept for finding positions again (stdin and rendered output; files are read again). */
    const sources: Array<{ input: Input; text?: string }> = [];

    type Where = { file: string; line: number; column: number; rendered?: "kustomize" | "helm" };
    const emit = (findings: EvaluatedFinding[], whereOf: (f: EvaluatedFinding) => Where) => {
        for (const f of findings) {
            const w = whereOf(f);
            const resource = resourceOf(f.object);
            if ((f as { error?: boolean }).error === true) {
                reportError({ file: w.file, line: w.line, column: w.column, controlId: f.controlId, policy: f.policy, resource, message: f.message });
                continue;
            }
            const v: ScanViolation = {
                policy: f.policy, controlId: f.controlId, severity: f.severity, enforcementLevel: f.enforcementLevel, message: f.message,
                ...(f.path ? { path: f.path } : {}),
                resource, file: w.file, line: w.line, column: w.column,
                ...(w.rendered ? { rendered: w.rendered } : {}),
            };
            summary.violations++;
            if (v.enforcementLevel === "mandatory") summary.mandatory++;
            else if (v.enforcementLevel === "advisory") summary.advisory++;
            summary.bySeverity[v.severity] = (summary.bySeverity[v.severity] ?? 0) + 1;
            reporter.violation(v);
        }
    };
    /**
     * The rule core isolates each rule on each object (a throw becomes an `error: true` finding).
     * Should an exception still escape, the batch is run again rule by rule and object by object,
     * so only the failing pair is lost, and reported as an error for that resource.
     */
    const check = (rules: ResolvedRule[], objects: K8sObject[], stack: boolean, whereOfObject: (o: K8sObject) => Where | undefined): EvaluatedFinding[] => {
        try {
            return engine.evaluate(rules, objects);
        } catch {
            /* isolate below */
        }
        const out: EvaluatedFinding[] = [];
        for (const r of rules) {
            if (stack) {
                try {
                    out.push(...engine.evaluate([r], objects));
                } catch (e) {
                    reportError({ file: cmd.args.join(" "), controlId: r.rule.id, policy: r.rule.name, message: `cross-resource rule failed: ${(e as Error)?.message ?? String(e)}` });
                }
                continue;
            }
            for (const o of objects) {
                try {
                    out.push(...engine.evaluate([r], [o]));
                } catch (e) {
                    const w = whereOfObject(o) ?? { file: "", line: 1, column: 1 };
                    reportError({ file: w.file, line: w.line, column: w.column, controlId: r.rule.id, policy: r.rule.name, resource: resourceOf(o), message: (e as Error)?.message ?? String(e) });
                }
            }
        }
        return out;
    };

    const loadErrors: LoadError[] = [];
    const inputs = expandPaths(cmd.args, loadErrors);
    for (const e of loadErrors.splice(0)) reportError(e);
    summary.files = inputs.length;
    const loadOpts: LoadOptions = { maxInputBytes: opts.maxInputSize, readStdin: io.readStdin, kubectl: opts.kubectl, helm: opts.helm };

    // Resource rules run batch by batch on the objects as read (with their positions); compact
    // copies are kept for the cross-resource rules, so memory holds objects, not positions or findings.
    let batch: Located[] = [];
    let batchSource = 0;
    const flush = () => {
        if (!batch.length) return;
        const here = new Map<object, Located>(batch.map(l => [l.object, l]));
        const whereOfObject = (o: K8sObject): Where | undefined => {
            const l = here.get(o);
            return l && { file: l.file, ...locate(o, l.pos, undefined), rendered: l.rendered };
        };
        const findings = check(resourceRules, batch.map(l => l.object), false, whereOfObject);
        emit(findings, f => {
            const l = here.get(f.object);
            return l ? { file: l.file, ...locate(f.object, l.pos, f.path), rendered: l.rendered } : { file: "", line: 1, column: 1 };
        });
        for (const l of batch) {
            const compact = JSON.parse(JSON.stringify(l.object)) as K8sObject;
            kept.set(compact, { ...l, object: compact, source: batchSource });
            all.push(compact);
        }
        batch = [];
    };
    for (const input of inputs) {
        let got;
        try {
            got = readInputText(input, loadOpts);
        } catch (e) {
            reportError({ file: inputName(input), message: describeError(e) });
            continue;
        }
        batchSource = sources.push({ input, ...(input.type === "file" ? {} : { text: got.text }) }) - 1;
        const { chunks, error } = splitStream(got.text);
        for (const chunk of chunks) {
            const objects: Located[] = [];
            parseChunk(chunk, got.file, objects, loadErrors, got.rendered);
            for (const e of loadErrors.splice(0)) reportError(e);
            for (const l of objects) {
                summary.resources++;
                if (!isChecked(l.object)) summary.skippedKinds[String(l.object.kind)] = (summary.skippedKinds[String(l.object.kind)] ?? 0) + 1;
                batch.push(l);
            }
            if (batch.length >= BATCH) flush();
        }
        flush();
        if (error) reportError({ file: got.file, line: error.line, message: `${error.message} (the rest of the file is not read, as kubectl would not)` });
    }

    // Cross-resource rules over every object; their findings are placed by parsing each
    // document again (in file order), then reported in the rules' order.
    const stackFindings = check(stackRules, all, true, o => {
        const k = kept.get(o);
        return k && { file: k.file, ...locate(o, k.pos, undefined), rendered: k.rendered };
    });
    const placed = placeAgain(stackFindings, kept, sources, loadOpts);
    emit(stackFindings, f => placed.get(f) ?? { file: kept.get(f.object)?.file ?? "", line: 1, column: 1 });
    kept.clear();

    if (summary.resources === 0 && !opts.allowEmpty) {
        reportError({ file: inputs.length === 1 && inputs[0].type === "stdin" ? "<stdin>" : cmd.args.join(" "), message: "no Kubernetes resource was read (an empty input passes nothing; use --allow-empty if that is intended)" });
    }
    reporter.end(summary);
    if (summary.mandatory > 0) return 1;
    return summary.errors > 0 ? 2 : 0;
}

/**
 * Positions of cross-resource findings: each finding's document is parsed again from its source
 * (files read again one at a time, in order) and the finding's path located in it.
 */
function placeAgain(
    findings: readonly EvaluatedFinding[],
    kept: Map<object, Located & { source: number }>,
    sources: ReadonlyArray<{ input: Input; text?: string }>,
    opts: LoadOptions,
): Map<EvaluatedFinding, { file: string; line: number; column: number; rendered?: "kustomize" | "helm" }> {
    const out = new Map<EvaluatedFinding, { file: string; line: number; column: number; rendered?: "kustomize" | "helm" }>();
    const todo = findings.map(f => ({ f, k: kept.get(f.object) })).filter(x => x.k !== undefined) as Array<{ f: EvaluatedFinding; k: Located & { source: number } }>;
    todo.sort((a, b) => a.k.source - b.k.source || (a.k.chunk?.start ?? 0) - (b.k.chunk?.start ?? 0));
    let textOf = -1;
    let text: string | undefined;
    let docKey = "";
    let docObjects: Located[] = [];
    for (const { f, k } of todo) {
        const fallback: Position = unpack(k.pos);
        let pos = fallback;
        if (k.chunk) {
            if (textOf !== k.source) {
                textOf = k.source;
                const src = sources[k.source];
                try {
                    text = src.text ?? (src.input.type === "file" ? readRegularFile(src.input.path, opts.maxInputBytes) : undefined);
                } catch {
                    text = undefined;
                }
            }
            const key = `${k.source}:${k.chunk.start}`;
            if (key !== docKey && text !== undefined) {
                docKey = key;
                docObjects = [];
                parseChunk({ text: text.slice(k.chunk.start, k.chunk.end), start: k.chunk.start, line: k.chunk.line }, k.file, docObjects, []);
            }
            const again = docObjects[k.chunk.index];
            if (again) pos = locate(again.object, again.pos, f.path);
        }
        out.set(f, { file: k.file, ...pos, ...(k.rendered ? { rendered: k.rendered } : {}) });
    }
    return out;
}

if (require.main === module) {
    process.exitCode = run(process.argv.slice(2), { stdout: s => process.stdout.write(s), stderr: s => process.stderr.write(s) });
}
