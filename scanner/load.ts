/**
 * Files → Kubernetes objects for the offline scanner: YAML (multi-document) and JSON, `List`
 * kinds flattened, directories walked for *.yaml|*.yml|*.json, `-` for stdin. Every object keeps
 * its file and line; parse errors are collected with file and line and the rest goes on.
 */
import { readdirSync, readFileSync, statSync } from "fs";
import * as path from "path";
import { load, YAMLException } from "js-yaml";
import { K8sObject } from "../rules/types";

export interface Located {
    object: K8sObject;
    file: string;
    line: number;
}

export interface LoadError {
    file: string;
    line?: number;
    message: string;
}

const EXT = /\.(ya?ml|json)$/i;

/** Every scannable file under the given paths (files as given; directories recursively, sorted). */
export function expandPaths(paths: readonly string[], errors: LoadError[]): string[] {
    const out: string[] = [];
    const walk = (p: string) => {
        for (const entry of readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(p, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== "node_modules" && !entry.name.startsWith(".")) walk(full);
            } else if (EXT.test(entry.name)) {
                out.push(full);
            }
        }
    };
    for (const p of paths) {
        if (p === "-") {
            out.push("-");
            continue;
        }
        try {
            if (statSync(p).isDirectory()) walk(p);
            else out.push(p);
        } catch {
            errors.push({ file: p, message: "no such file or directory" });
        }
    }
    return out;
}

function flatten(doc: unknown, file: string, line: number, into: Located[]): void {
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) return;
    const o = doc as K8sObject & { items?: unknown[] };
    if (typeof o.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items)) {
        for (const item of o.items) flatten(item, file, line, into);
        return;
    }
    if (typeof o.kind === "string") into.push({ object: o, file, line });
}

const DOC_MARKER = /^---(\s|$)/;
const DOC_END = /^\.\.\.\s*$/;
const BLANK_OR_COMMENT = /^\s*(#.*)?$/;

/**
 * Split a YAML stream into documents at column-0 `---` / `...` markers. `line` is the 1-based
 * line of each document's first content line (blank and comment lines skipped), where its
 * object is reported.
 */
export function splitDocuments(text: string): Array<{ text: string; line: number; start: number }> {
    const lines = text.split(/\r?\n/);
    const docs: Array<{ text: string; line: number; start: number }> = [];
    let start = 0;
    let firstContent = -1;
    const flush = (end: number) => {
        if (firstContent >= 0) docs.push({ text: lines.slice(start, end).join("\n"), line: firstContent + 1, start: start + 1 });
        firstContent = -1;
    };
    for (let i = 0; i < lines.length; i++) {
        const l = lines[i];
        if (l.startsWith("---") && DOC_MARKER.test(l)) {
            flush(i);
            start = i;
            // Content may follow the marker on the same line (`--- {a: 1}`): keep it, minus the marker.
            lines[i] = l.slice(3);
            if (!BLANK_OR_COMMENT.test(lines[i])) firstContent = i;
        } else if (l.startsWith("...") && DOC_END.test(l)) {
            flush(i);
            start = i + 1;
        } else if (firstContent < 0 && !BLANK_OR_COMMENT.test(l)) {
            firstContent = i;
        }
    }
    flush(lines.length);
    return docs;
}

/** Parse one file's text (js-yaml: a fast YAML 1.2 parser; JSON is valid YAML). */
export function parseText(text: string, file: string, objects: Located[], errors: LoadError[]): void {
    for (const doc of splitDocuments(text)) {
        let value: unknown;
        try {
            value = load(doc.text, { filename: file });
        } catch (e) {
            const mark = e instanceof YAMLException ? e.mark : undefined;
            errors.push({ file, line: doc.start + (mark?.line ?? 0), message: (e instanceof YAMLException ? e.reason : (e as Error).message) ?? String(e) });
            continue;
        }
        if (Array.isArray(value)) value.forEach(v => flatten(v, file, doc.line, objects));
        else flatten(value, file, doc.line, objects);
    }
}

export function loadPaths(paths: readonly string[], readStdin: () => string = () => readFileSync(0, "utf8")): { objects: Located[]; errors: LoadError[]; files: number } {
    const errors: LoadError[] = [];
    const objects: Located[] = [];
    const files = expandPaths(paths, errors);
    for (const f of files) {
        let text: string;
        try {
            text = f === "-" ? readStdin() : readFileSync(f, "utf8");
        } catch (e) {
            errors.push({ file: f, message: (e as Error).message });
            continue;
        }
        parseText(text, f === "-" ? "<stdin>" : f, objects, errors);
    }
    return { objects, errors, files: files.length };
}
