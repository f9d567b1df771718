/** Scanner reports: text for people, JSON for tools, SARIF 2.1.0 for code-scanning upload. */
import type { Log, ReportingDescriptor, Result } from "sarif";
import { control } from "../rules/catalog";
import { EvaluatedFinding } from "../rules/engine";
import { Rule } from "../rules/types";
import { LoadError, Located } from "./load";

export interface ScanViolation {
    policy: string;
    controlId: string;
    severity: string;
    enforcementLevel: string;
    message: string;
    path?: string;
    resource: { apiVersion: string; kind: string; namespace: string; name: string };
    file: string;
    line: number;
}

export interface ScanResult {
    violations: ScanViolation[];
    errors: LoadError[];
    summary: { files: number; resources: number; violations: number; mandatory: number; advisory: number; errors: number; bySeverity: Record<string, number> };
}

export function toResult(findings: EvaluatedFinding[], where: Map<object, Located>, errors: LoadError[], files: number, resources: number): ScanResult {
    const violations = findings.map(f => {
        const loc = where.get(f.object);
        const md = f.object.metadata ?? {};
        return {
            policy: f.policy, controlId: f.controlId, severity: f.severity, enforcementLevel: f.enforcementLevel, message: f.message,
            ...(f.path ? { path: f.path } : {}),
            resource: { apiVersion: String(f.object.apiVersion ?? ""), kind: String(f.object.kind ?? ""), namespace: typeof md.namespace === "string" ? md.namespace : "", name: typeof md.name === "string" ? md.name : "" },
            file: loc?.file ?? "", line: loc?.line ?? 1,
        };
    });
    const bySeverity: Record<string, number> = {};
    for (const v of violations) bySeverity[v.severity] = (bySeverity[v.severity] ?? 0) + 1;
    return {
        violations,
        errors,
        summary: {
            files, resources, violations: violations.length,
            mandatory: violations.filter(v => v.enforcementLevel === "mandatory").length,
            advisory: violations.filter(v => v.enforcementLevel === "advisory").length,
            errors: errors.length, bySeverity,
        },
    };
}

export function formatText(r: ScanResult): string {
    const lines: string[] = [];
    for (const e of r.errors) lines.push(`${e.file}${e.line ? `:${e.line}` : ""}: error: ${e.message}`);
    for (const v of r.violations) {
        const id = `${v.resource.kind} ${v.resource.namespace ? `${v.resource.namespace}/` : ""}${v.resource.name}`;
        lines.push(`${v.file}:${v.line}: ${v.enforcementLevel.toUpperCase()} [${v.controlId} ${v.severity}] ${v.policy}: ${id}: ${v.message}`);
    }
    const s = r.summary;
    lines.push(`${s.files} file(s), ${s.resources} resource(s): ${s.mandatory} mandatory, ${s.advisory} advisory violation(s), ${s.errors} input error(s).`);
    return lines.join("\n") + "\n";
}

/** The result as JSON, one violation per line (greppable, and fast to write for large scans). */
export function formatJson(r: ScanResult): string {
    const lines = r.violations.map(v => `    ${JSON.stringify(v)}`).join(",\n");
    return `{\n  "violations": [${lines ? `\n${lines}\n  ` : ""}],\n  "errors": ${JSON.stringify(r.errors)},\n  "summary": ${JSON.stringify(r.summary)}\n}\n`;
}

const SARIF_LEVEL: Record<string, Result.level> = { mandatory: "error", advisory: "warning" };
const SECURITY_SEVERITY: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

export function formatSarif(r: ScanResult, rules: readonly Rule[], version: string): string {
    const used = [...new Set(r.violations.map(v => v.policy))];
    const descriptors: ReportingDescriptor[] = rules.filter(x => used.includes(x.name)).map(x => {
        const c = control(x.id);
        return {
            id: x.name,
            name: x.id,
            shortDescription: { text: `${x.id}: ${c.title.replace(/`/g, "")}` },
            fullDescription: { text: x.description },
            help: { text: `${x.remediation} ${c.references ? `References: ${c.references}.` : ""}`.trim(), markdown: `${x.remediation}\n\n[Kubernetes documentation](${x.url})` },
            helpUri: x.url,
            properties: { tags: ["security", "kubernetes", x.id], "security-severity": SECURITY_SEVERITY[c.severity] },
        };
    });
    const index = new Map(descriptors.map((d, i) => [d.id, i]));
    const results: Result[] = r.violations.map(v => ({
        ruleId: v.policy,
        ruleIndex: index.get(v.policy),
        level: SARIF_LEVEL[v.enforcementLevel] ?? "note",
        message: { text: `[${v.controlId}] ${v.resource.kind} ${v.resource.namespace ? `${v.resource.namespace}/` : ""}${v.resource.name}: ${v.message}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: v.file.replace(/\\/g, "/").replace(/^\.\//, "") }, region: { startLine: Math.max(1, v.line) } } }],
        partialFingerprints: { "hardenedScan/v1": `${v.policy}|${v.resource.kind}|${v.resource.namespace}|${v.resource.name}|${v.path ?? ""}` },
    }));
    const log: Log = {
        version: "2.1.0",
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [{
            tool: { driver: { name: "hardened-scan", version, informationUri: "https://kubernetes.io/docs/concepts/security/", rules: descriptors } },
            results,
            invocations: [{ executionSuccessful: r.errors.length === 0, toolExecutionNotifications: r.errors.map(e => ({ level: "error" as const, message: { text: `${e.file}${e.line ? `:${e.line}` : ""}: ${e.message}` } })) }],
        }],
    };
    return JSON.stringify(log, null, 2) + "\n";
}
