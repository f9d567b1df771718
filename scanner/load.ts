/**
 * Files → Kubernetes objects for the offline scanner: YAML (multi-document) and JSON, `List`
 * kinds flattened, directories walked for *.yaml|*.yml|*.json, `-` for stdin. Every object keeps
 * its file and line; parse errors are collected with file and line and the rest goes on.
 */
import { readdirSync, readFileSync, statSync } from "fs";
import * as path from "path";
import { LineCounter, parseAllDocuments } from "yaml";
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

/** Parse one file's text. */
export function parseText(text: string, file: string, objects: Located[], errors: LoadError[]): void {
    const lc = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
    const list = Array.isArray(docs) ? docs : [docs];
    for (const d of list) {
        if (d.errors.length > 0) {
            for (const e of d.errors) {
                errors.push({ file, line: lc.linePos(e.pos[0]).line, message: e.message.split("\n")[0] });
            }
            continue;
        }
        const start = d.contents ? lc.linePos(d.contents.range[0]).line : 1;
        const value = d.toJS({ maxAliasCount: 100 });
        if (Array.isArray(value)) value.forEach(v => flatten(v, file, start, objects));
        else flatten(value, file, start, objects);
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
