/**
 * The resource rules over one batch of objects as read (with their positions): violations and
 * rule errors, each placed at its field. Used in-process and by the worker threads.
 */
import * as engine from "../rules/evaluate";
import { EvaluatedFinding, ResolvedRule } from "../rules/evaluate";
import { K8sObject } from "../rules/types";
import { storedNamespace } from "../rules/vocabulary";
import { Located } from "./load";
import { ResourceRef, ScanError, ScanViolation } from "./report";
import { locate } from "./yaml";

const resourceOf = (o: K8sObject): ResourceRef => {
    const md = o.metadata && typeof o.metadata === "object" ? o.metadata : {};
    return {
        apiVersion: String(o.apiVersion ?? ""),
        kind: String(o.kind ?? ""),
        namespace: storedNamespace(o) ?? "",
        name: typeof md.name === "string" ? md.name : "",
    };
};

export type Where = { file: string; line: number; column: number; rendered?: "kustomize" | "helm" };

/** Where the field at `path` of an object (or the object itself) is: from where it was read and its positionDigest. */
export function placeAt(
    from: { file: string; pos: number; digest: Float64Array; rendered?: "kustomize" | "helm" },
    o: K8sObject,
    path: string | undefined,
): Where {
    const p = locate(o, from.pos, path, from.digest);
    return from.rendered
        ? { file: from.file, line: p.line, column: p.column, rendered: from.rendered }
        : { file: from.file, line: p.line, column: p.column };
}

/** Findings → violations and rule errors (`error: true` findings), in order. */
export function toRecords(
    findings: readonly EvaluatedFinding[],
    whereOf: (f: EvaluatedFinding) => Where,
    violation: (v: ScanViolation) => void,
    error: (e: ScanError) => void,
): void {
    // An object's findings come rule by rule, not one after the other: its ResourceRef is made once
    // and shared by them (reports only read it).
    const refs = new Map<K8sObject, ResourceRef>();
    for (const f of findings) {
        const w = whereOf(f);
        let resource = refs.get(f.object);
        if (resource === undefined) refs.set(f.object, (resource = resourceOf(f.object)));
        if ((f as { error?: boolean }).error === true) {
            error({
                file: w.file,
                line: w.line,
                column: w.column,
                controlId: f.controlId,
                policy: f.policy,
                resource,
                message: f.message,
            });
            continue;
        }
        violation(
            f.path && !w.rendered
                ? {
                      // the usual shape, as a literal
                      policy: f.policy,
                      controlId: f.controlId,
                      severity: f.severity,
                      enforcementLevel: f.enforcementLevel,
                      message: f.message,
                      path: f.path,
                      resource,
                      file: w.file,
                      line: w.line,
                      column: w.column,
                  }
                : {
                      policy: f.policy,
                      controlId: f.controlId,
                      severity: f.severity,
                      enforcementLevel: f.enforcementLevel,
                      message: f.message,
                      ...(f.path ? { path: f.path } : {}),
                      resource,
                      file: w.file,
                      line: w.line,
                      column: w.column,
                      ...(w.rendered ? { rendered: w.rendered } : {}),
                  },
        );
    }
}

/**
 * The rule core isolates each rule on each object (a throw becomes an `error: true` finding).
 * Should an exception still escape, the objects are run again rule by rule and object by object,
 * so only the failing pair is lost, and reported as an error for that resource.
 */
export function evaluateIsolated(
    rules: readonly ResolvedRule[],
    objects: K8sObject[],
    stack: boolean,
    whereOfObject: (o: K8sObject) => Where | undefined,
    error: (e: ScanError) => void,
    stackFile = "",
    exempted?: (f: EvaluatedFinding) => void,
): EvaluatedFinding[] {
    /** engine.evaluate, telling `exempted` what an exemption kept out only once the call has returned. */
    const evaluate = (rs: readonly ResolvedRule[], os: K8sObject[]) => {
        const told: EvaluatedFinding[] = [];
        const found = engine.evaluate(rs, os, exempted && (f => told.push(f)));
        if (exempted) told.forEach(exempted);
        return found;
    };
    try {
        return evaluate(rules, objects);
    } catch {
        /* isolate below */
    }
    const out: EvaluatedFinding[] = [];
    for (const r of rules) {
        if (stack) {
            try {
                out.push(...evaluate([r], objects));
            } catch (e) {
                error({
                    file: stackFile,
                    controlId: r.rule.id,
                    policy: r.rule.name,
                    message: `cross-resource rule failed: ${(e as Error)?.message ?? String(e)}`,
                });
            }
            continue;
        }
        for (const o of objects) {
            try {
                out.push(...evaluate([r], [o]));
            } catch (e) {
                const w = whereOfObject(o) ?? { file: "", line: 1, column: 1 };
                error({
                    file: w.file,
                    line: w.line,
                    column: w.column,
                    controlId: r.rule.id,
                    policy: r.rule.name,
                    resource: resourceOf(o),
                    message: (e as Error)?.message ?? String(e),
                });
            }
        }
    }
    return out;
}

/** The resource rules over a batch of located objects. */
export function checkBatch(
    batch: readonly Located[],
    rules: readonly ResolvedRule[],
    violation: (v: ScanViolation) => void,
    error: (e: ScanError) => void,
    exempted?: (f: EvaluatedFinding) => void,
): void {
    const here = new Map<object, Located>(batch.map(l => [l.object, l]));
    const at = (o: K8sObject, path: string | undefined): Where => {
        const l = here.get(o);
        return l ? placeAt(l, o, path) : { file: "", line: 1, column: 1 };
    };
    const findings = evaluateIsolated(
        rules,
        batch.map(l => l.object),
        false,
        o => at(o, undefined),
        error,
        "",
        exempted,
    );
    toRecords(findings, f => at(f.object, f.path), violation, error);
}
