/**
 * The import graph of the repository's own sources: no cycle, and no tool, face or component
 * importing test code. Read with the TypeScript compiler's own import scanner (static imports,
 * `export … from`, `import()` and `require()`), type-only imports included.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { existsSync, readFileSync, statSync } from "fs";
import * as path from "path";
import * as ts from "typescript";

const REPO = path.resolve(__dirname, "../..");

/** Every TypeScript source tracked by git (examples are separate programs with their own package). */
function sources(): string[] {
    const out = execFileSync("git", ["ls-files", "-z", "--", "*.ts"], { cwd: REPO, encoding: "utf8" });
    return out
        .split("\0")
        .filter(f => f && !f.endsWith(".d.ts") && !f.startsWith("examples/") && !f.includes("node_modules/"));
}

/** The repository file a relative specifier names, or undefined (packages, JSON, missing files). */
function resolve(from: string, spec: string): string | undefined {
    if (!spec.startsWith(".")) return undefined;
    const base = path.join(path.dirname(path.join(REPO, from)), spec);
    for (const c of [`${base}.ts`, path.join(base, "index.ts"), base]) {
        if (c.endsWith(".ts") && existsSync(c) && statSync(c).isFile()) return path.relative(REPO, c);
    }
    return undefined;
}

/** The rule core's fixtures: kept beside the rules they exercise, used by tests only. */
const isFixture = (f: string) => /^rules\/(cases\.ts|testkit\/|[^/]+\/([\w-]+-)?cases\.ts$)/.test(f);

function importGraph(): Map<string, string[]> {
    const graph = new Map<string, string[]>();
    for (const f of sources()) {
        const info = ts.preProcessFile(readFileSync(path.join(REPO, f), "utf8"), true, true);
        const deps = info.importedFiles.map(i => resolve(f, i.fileName)).filter((d): d is string => d !== undefined);
        graph.set(f, [...new Set(deps)]);
    }
    return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
    let next = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const out: string[][] = [];
    const visit = (v: string): void => {
        index.set(v, next);
        low.set(v, next++);
        stack.push(v);
        onStack.add(v);
        for (const w of graph.get(v) ?? []) {
            if (!index.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (onStack.has(w)) {
                low.set(v, Math.min(low.get(v)!, index.get(w)!));
            }
        }
        if (low.get(v) === index.get(v)) {
            const scc: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                onStack.delete(w);
                scc.push(w);
            } while (w !== v);
            if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
        }
    };
    for (const v of graph.keys()) if (!index.has(v)) visit(v);
    return out;
}

describe("import graph", () => {
    const graph = importGraph();

    it("reads the sources (sanity: the graph is the repository's)", () => {
        assert.ok(graph.size > 100, `${graph.size} files`);
        assert.ok(graph.get("components/index.ts")!.includes("components/secureNamespace.ts"));
        assert.ok(graph.get("policy-packs/hardened-k8s/index.ts")!.length > 0);
    });

    it("finds a cycle when there is one (the walker itself)", () => {
        const g = new Map([
            ["a.ts", ["b.ts"]],
            ["b.ts", ["c.ts"]],
            ["c.ts", ["a.ts"]],
            ["d.ts", ["a.ts"]],
            ["e.ts", ["e.ts"]],
        ]);
        assert.deepEqual(cycles(g), [["a.ts", "b.ts", "c.ts"], ["e.ts"]]);
    });

    it("has no import cycle", () => {
        assert.deepEqual(
            cycles(graph).map(c => c.join(" → ")),
            [],
        );
    });

    it("the rule core's fixtures (rules/cases.ts, testkit, <area>/*cases.ts) are left out of the build", () => {
        const fixtures = [...graph.keys()].filter(isFixture);
        assert.ok(fixtures.length >= 14, `fixtures found: ${fixtures.join(", ")}`);
        const config = ts.readConfigFile(path.join(REPO, "tsconfig.build.json"), ts.sys.readFile);
        const built = ts
            .parseJsonConfigFileContent(config.config, ts.sys, REPO)
            .fileNames.map(f => path.relative(REPO, f));
        assert.ok(
            built.includes("rules/index.ts") && built.includes("rules/pod/host.ts"),
            "the build's file list is read",
        );
        assert.deepEqual(built.filter(isFixture), []);
        // ...and nothing the build holds imports them.
        const bad = built.flatMap(f => (graph.get(f) ?? []).filter(isFixture).map(d => `${f} → ${d}`));
        assert.deepEqual(bad, []);
    });

    it("no file outside test/ imports from test/", () => {
        const bad = [...graph].flatMap(([f, deps]) =>
            f.startsWith("test/") ? [] : deps.filter(d => d.startsWith("test/")).map(d => `${f} → ${d}`),
        );
        assert.deepEqual(bad, []);
    });
});
