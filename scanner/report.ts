/**
 * Scanner reports, written as findings arrive (memory stays bounded however many there are):
 * text for people, JSON (one violation per line) and JSON lines for tools, SARIF 2.1.0 for
 * code-scanning upload.
 *
 * JSON (`--format json`), stable for tools:
 *   {"violations": [ScanViolation, ...], "errors": [ScanError, ...], "summary": Summary}
 * JSON lines (`--format jsonl`): one object per line, {"violation": ScanViolation},
 *   {"error": ScanError}, and last {"summary": Summary}.
 */
import * as path from "path";
import { pathToFileURL } from "url";
import type { ReportingDescriptor } from "sarif";
import { control } from "../rules/catalog";
import { Rule } from "../rules/types";

/** node:crypto, loaded for SARIF fingerprints only (the other formats start without it). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
const sha256 = () => (require("crypto") as typeof import("crypto")).createHash("sha256");

export interface ResourceRef {
    apiVersion: string;
    kind: string;
    namespace: string;
    name: string;
}

export interface ScanViolation {
    policy: string;
    controlId: string;
    severity: string;
    enforcementLevel: string;
    message: string;
    /** Finding.path: the offending field inside the object (absent when the rule names none). */
    path?: string;
    resource: ResourceRef;
    file: string;
    /** 1-based line and column of the offending field, or of its nearest existing ancestor. */
    line: number;
    column: number;
    /** Present when the file is a kustomization or chart directory: the position is in its rendered output. */
    rendered?: "kustomize" | "helm";
}

/** An input error (file, line) or a rule that failed on a resource (with controlId, policy, resource). */
export interface ScanError {
    file: string;
    line?: number;
    column?: number;
    message: string;
    controlId?: string;
    policy?: string;
    resource?: ResourceRef;
}

export interface Summary {
    files: number;
    resources: number;
    violations: number;
    mandatory: number;
    advisory: number;
    errors: number;
    bySeverity: Record<string, number>;
    /** Kinds no rule looks at, with how many objects of each were read and not checked. */
    skippedKinds: Record<string, number>;
    /**
     * Per control, the findings the policy config's exemptions (exemptNamespaces, exemptNames, exemptLabels,
     * the default exemptions included) kept out of the report.
     */
    exempted: Record<string, number>;
}

/** Buffered output: writes in blocks of ~64 KiB. */
export class Out {
    private buf: string[] = [];
    private size = 0;
    constructor(private readonly write: (s: string) => void) {}
    push(s: string): void {
        this.buf.push(s);
        this.size += s.length;
        if (this.size >= 1 << 16) this.flush();
    }
    flush(): void {
        if (this.buf.length) this.write(this.buf.join(""));
        this.buf = [];
        this.size = 0;
    }
}

export interface Reporter {
    violation(v: ScanViolation): void;
    error(e: ScanError): void;
    end(summary: Summary): void;
}

// ---------------------------------------------------------------------------------------------
// text

/**
 * Text that cannot forge output: control characters (newlines, ANSI escapes, NUL, DEL, C1,
 * line and paragraph separators) become \xNN / \uNNNN escapes.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const ESCAPED = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\\]/g;
export function escapeText(s: string): string {
    return s.replace(ESCAPED, c =>
        c === "\\"
            ? "\\\\"
            : c.charCodeAt(0) < 0x100
              ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`
              : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
}

/** A file name at the start of a line: escaped, and never starting with `::` (CI workflow commands). */
function safeFile(f: string): string {
    const e = escapeText(f);
    return e.startsWith(":") ? `./${e}` : e;
}

const where = (file: string, line?: number, column?: number) =>
    `${safeFile(file)}${line ? `:${line}${column ? `:${column}` : ""}` : ""}`;
const resourceId = (r: ResourceRef) => escapeText(`${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`);

export class TextReporter implements Reporter {
    constructor(private readonly out: Out) {}
    violation(v: ScanViolation): void {
        const renderer = v.rendered === "helm" ? "helm template" : "kubectl kustomize";
        this.out.push(
            `${where(v.file, v.line, v.column)}: ${v.enforcementLevel.toUpperCase()} [${v.controlId} ` +
                `${v.severity}] ${v.policy}: ${resourceId(v.resource)}: ` +
                `${escapeText(v.message)}${v.rendered ? ` (position in the ${renderer} output)` : ""}\n`,
        );
    }
    error(e: ScanError): void {
        const rule = e.controlId
            ? ` [${e.controlId}] ${e.policy ?? ""}: ${e.resource ? `${resourceId(e.resource)}: ` : ""}rule failed:`
            : "";
        this.out.push(`${where(e.file, e.line, e.column)}: error:${rule} ${escapeText(e.message)}\n`);
    }
    end(s: Summary): void {
        const skipped = Object.entries(s.skippedKinds);
        if (skipped.length)
            this.out.push(
                `not checked (no rule looks at these kinds): ` +
                    `${skipped.map(([k, n]) => `${escapeText(k)} (${n})`).join(", ")}\n`,
            );
        const exempted = Object.entries(s.exempted);
        if (exempted.length)
            this.out.push(
                `exempted (findings the policy config's exemptions, defaults included, kept out): ` +
                    `${exempted.map(([id, n]) => `${id} (${n})`).join(", ")}\n`,
            );
        this.out.push(
            `${s.files} file(s), ${s.resources} resource(s): ${s.mandatory} mandatory, ${s.advisory} ` +
                `advisory violation(s), ${s.errors} error(s).\n`,
        );
        this.out.flush();
    }
}

// ---------------------------------------------------------------------------------------------
// JSON and JSON lines

export class JsonReporter implements Reporter {
    private first = true;
    private readonly errors: ScanError[] = [];
    constructor(private readonly out: Out) {
        out.push('{\n  "violations": [');
    }
    violation(v: ScanViolation): void {
        this.out.push(`${this.first ? "\n" : ",\n"}    ${JSON.stringify(v)}`);
        this.first = false;
    }
    error(e: ScanError): void {
        this.errors.push(e);
    }
    end(s: Summary): void {
        this.out.push(
            `${this.first ? "" : "\n  "}],\n  "errors": [` +
                `${this.errors.map(e => `\n    ${JSON.stringify(e)}`).join(",")}` +
                `${this.errors.length ? "\n  " : ""}],\n  "summary": ${JSON.stringify(s)}\n}\n`,
        );
        this.out.flush();
    }
}

export class JsonLinesReporter implements Reporter {
    constructor(private readonly out: Out) {}
    violation(v: ScanViolation): void {
        this.out.push(`{"violation":${JSON.stringify(v)}}\n`);
    }
    error(e: ScanError): void {
        this.out.push(`{"error":${JSON.stringify(e)}}\n`);
    }
    end(s: Summary): void {
        this.out.push(`{"summary":${JSON.stringify(s)}}\n`);
        this.out.flush();
    }
}

// ---------------------------------------------------------------------------------------------
// SARIF 2.1.0

const SARIF_LEVEL: Record<string, "error" | "warning" | "note"> = { mandatory: "error", advisory: "warning" };
const SECURITY_SEVERITY: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

/** A relative URI reference for a path under the base directory (encoded per segment). */
function relativeUri(file: string, base: string): string {
    const rel = path.relative(base, path.resolve(base, file)).split(path.sep).join("/");
    return rel.split("/").map(encodeURIComponent).join("/");
}

export class SarifReporter implements Reporter {
    private first = true;
    private readonly notifications: object[] = [];
    private readonly index: Map<string, number>;
    private readonly usedFiles = new Map<string, number>();
    private readonly artifacts: object[] = [];
    private readonly base: string;

    constructor(
        private readonly out: Out,
        private readonly rules: readonly Rule[],
        private readonly version: string,
        base = process.cwd(),
    ) {
        this.index = new Map(rules.map((r, i) => [r.name, i]));
        this.base = base;
        out.push(
            '{\n  "version": "2.1.0",\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",' +
                '\n  "runs": [{\n    "results": [',
        );
    }

    /** The artifact location of a file: stdin has no URI (an artifact described as standard input). */
    private artifact(file: string, rendered?: string): object {
        let i = this.usedFiles.get(file);
        if (i === undefined) {
            i = this.artifacts.length;
            this.usedFiles.set(file, i);
            if (file === "<stdin>")
                this.artifacts.push({ description: { text: "standard input" }, roles: ["analysisTarget"] });
            else
                this.artifacts.push({
                    location: { uri: this.uri(file, rendered), uriBaseId: "SRCROOT" },
                    roles: ["analysisTarget"],
                    ...(rendered
                        ? {
                              description: {
                                  text: `rendered with ${rendered === "helm" ? "helm template" : "kubectl kustomize"}`,
                              },
                          }
                        : {}),
                });
        }
        return file === "<stdin>"
            ? { index: i, description: { text: "standard input" } }
            : { uri: this.uri(file, rendered), uriBaseId: "SRCROOT", index: i };
    }

    private uri(file: string, rendered?: string): string {
        const u = relativeUri(file, this.base);
        return rendered ? `${u}/${rendered === "helm" ? "Chart.yaml" : "kustomization.yaml"}` : u;
    }

    private static fingerprint(parts: readonly string[]): string {
        return sha256().update(parts.join("\u0000")).digest("hex").slice(0, 32);
    }

    violation(v: ScanViolation): void {
        const region = v.rendered ? undefined : { startLine: Math.max(1, v.line), startColumn: Math.max(1, v.column) };
        const result = {
            ruleId: v.policy,
            ruleIndex: this.index.get(v.policy),
            level: SARIF_LEVEL[v.enforcementLevel] ?? "note",
            message: {
                text:
                    `[${v.controlId}] ${v.resource.kind} ` +
                    `${v.resource.namespace ? `${v.resource.namespace}/` : ""}${v.resource.name}: ` +
                    `${v.message}${v.rendered ? ` (line ${v.line} of the rendered output)` : ""}`,
            },
            locations: [
                {
                    physicalLocation: {
                        artifactLocation: this.artifact(v.file, v.rendered),
                        ...(region ? { region } : {}),
                    },
                    ...(v.path ? { logicalLocations: [{ fullyQualifiedName: v.path, kind: "member" }] } : {}),
                },
            ],
            // Stable across runs and unique per result: the rule, the resource, the field and the message (which names
            // the container).
            partialFingerprints: {
                "hardenedScan/v2": SarifReporter.fingerprint([
                    v.policy,
                    v.file,
                    v.resource.apiVersion,
                    v.resource.kind,
                    v.resource.namespace,
                    v.resource.name,
                    v.path ?? "",
                    v.message,
                ]),
            },
        };
        this.out.push(`${this.first ? "\n" : ",\n"}      ${JSON.stringify(result)}`);
        this.first = false;
    }

    error(e: ScanError): void {
        const resource = e.resource
            ? `${e.resource.kind} ${e.resource.namespace ? `${e.resource.namespace}/` : ""}${e.resource.name}: `
            : "";
        this.notifications.push({
            level: "error",
            message: {
                text:
                    `${e.file}${e.line ? `:${e.line}` : ""}: ` +
                    `${e.controlId ? `[${e.controlId}] ${e.policy}: ${resource}rule failed: ` : ""}` +
                    `${e.message}`,
            },
            locations: [
                {
                    physicalLocation: {
                        artifactLocation: this.artifact(e.file),
                        ...(e.line
                            ? { region: { startLine: e.line, ...(e.column ? { startColumn: e.column } : {}) } }
                            : {}),
                    },
                },
            ],
            ...(e.policy && this.index.has(e.policy)
                ? { associatedRule: { id: e.policy, index: this.index.get(e.policy) } }
                : {}),
        });
    }

    end(s: Summary): void {
        const descriptors: ReportingDescriptor[] = this.rules.map(x => {
            const c = control(x.id);
            return {
                id: x.name,
                name: x.id,
                shortDescription: { text: `${x.id}: ${c.title.replace(/`/g, "")}` },
                fullDescription: { text: x.description },
                help: {
                    text: `${x.remediation} ${c.references ? `References: ${c.references}.` : ""}`.trim(),
                    markdown: `${x.remediation}\n\n[Kubernetes documentation](${x.url})`,
                },
                helpUri: x.url,
                properties: {
                    tags: ["security", "kubernetes", x.id],
                    "security-severity": SECURITY_SEVERITY[c.severity],
                },
            };
        });
        const tail = {
            tool: {
                driver: {
                    name: "hardened-scan",
                    version: this.version,
                    informationUri: "https://kubernetes.io/docs/concepts/security/",
                    rules: descriptors,
                },
            },
            originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(this.base + path.sep).href } },
            artifacts: this.artifacts,
            invocations: [{ executionSuccessful: s.errors === 0, toolExecutionNotifications: this.notifications }],
            properties: { summary: s },
        };
        const tailJson = JSON.stringify(tail, null, 2).slice(1, -1).replace(/\n/g, "\n    ");
        this.out.push(`${this.first ? "" : "\n    "}],${tailJson}}]\n}\n`);
        this.out.flush();
    }
}
