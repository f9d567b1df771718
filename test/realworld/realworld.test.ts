/**
 * Real-world regression suite: the published manifests of public projects (one folder each, with
 * the project's licence and a README naming the repository, path and commit), scanned as a user
 * would scan them, against findings reviewed by hand (`expected.json` of each folder).
 *
 * Every mandatory finding of a project is listed with its control, object and field path and a
 * verdict, `true-positive` or `false-positive`, with a one-line reason. The test fails on:
 *  - a mandatory finding that is not listed (new: review it, then list it);
 *  - a listed true positive that is no longer raised (a lost finding);
 *  - a listed false positive that is raised, unless it is marked `stillRaised` (a known false
 *    positive, tolerated only while it is listed, with the issue it belongs to);
 *  - a listed false positive marked `stillRaised` that is no longer raised (fixed: drop the mark,
 *    so the fix is kept);
 *  - a change in the number of resources read, or any input error (nothing may be lost silently).
 * docs/realworld.md holds the precision table built from the same files.
 */
import { strict as assert } from "assert";
import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
import { run } from "../../scanner/cli";

const HERE = __dirname;

export interface Reviewed {
    control: string;
    /** `Kind name` or `Kind namespace/name`. */
    object: string;
    path: string;
    verdict: "true-positive" | "false-positive";
    reason: string;
    /** For a false positive: the issue whose fix removes it. */
    issue?: string;
    /** A false positive the scanner still raises (tolerated while listed). */
    stillRaised?: boolean;
}

export interface Expectation {
    resources: number;
    mandatory: Reviewed[];
}

interface Violation {
    controlId: string;
    enforcementLevel: string;
    path: string;
    message: string;
    resource: { kind: string; namespace?: string; name: string };
    file?: string;
    line?: number;
}

export const PROJECTS = readdirSync(HERE, { withFileTypes: true })
    .filter(e => e.isDirectory() && existsSync(path.join(HERE, e.name, "expected.json")))
    .map(e => e.name)
    .sort();

export const objectName = (r: Violation["resource"]) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
const key = (control: string, object: string, p: string) => `${control} ${object} ${p}`;

export function scanProject(project: string): {
    code: number;
    report: { violations: Violation[]; errors: unknown[]; summary: { resources: number } };
    stderr: string;
} {
    let out = "";
    let err = "";
    const code = run(["--format", "json", path.join(HERE, project, "manifests")], {
        stdout: s => (out += s),
        stderr: s => (err += s),
    });
    return { code, report: JSON.parse(out), stderr: err };
}

export function readExpectation(project: string): Expectation {
    return JSON.parse(readFileSync(path.join(HERE, project, "expected.json"), "utf8"));
}

/** The differences between a scan and its reviewed expectation, one line each (empty: they agree). */
export function compare(expected: Expectation, violations: Violation[]): string[] {
    const problems: string[] = [];
    const raised = new Map<string, Violation[]>();
    for (const v of violations.filter(x => x.enforcementLevel === "mandatory")) {
        const k = key(v.controlId, objectName(v.resource), v.path);
        raised.set(k, [...(raised.get(k) ?? []), v]);
    }
    const listed = new Map<string, Reviewed>();
    for (const e of expected.mandatory) {
        const k = key(e.control, e.object, e.path);
        if (listed.has(k)) problems.push(`listed twice: ${k}`);
        listed.set(k, e);
    }
    for (const [k, vs] of raised) {
        const e = listed.get(k);
        const where = vs.map(v => `${v.file ?? "?"}:${v.line ?? "?"}`).join(", ");
        if (vs.length > 1) problems.push(`raised ${vs.length} times: ${k} (${where})`);
        if (!e) problems.push(`new mandatory finding, not reviewed: ${k} (${where}): ${vs[0].message}`);
        else if (e.verdict === "false-positive" && !e.stillRaised)
            problems.push(`mandatory false positive raised: ${k} (${where}): ${e.reason}`);
    }
    for (const [k, e] of listed) {
        if (raised.has(k)) continue;
        if (e.verdict === "true-positive") problems.push(`lost true finding: ${k}: ${e.reason}`);
        else if (e.stillRaised)
            problems.push(`known false positive no longer raised (fixed? drop "stillRaised" in expected.json): ${k}`);
    }
    return problems;
}

describe("real-world manifests: reviewed mandatory findings", function () {
    it("holds at least ten projects, each with its licence and a README naming repository, path and commit", () => {
        assert.ok(PROJECTS.length >= 10, `${PROJECTS.length} projects`);
        for (const p of PROJECTS) {
            assert.ok(existsSync(path.join(HERE, p, "LICENSE")), `${p}: LICENSE`);
            const readme = readFileSync(path.join(HERE, p, "README.md"), "utf8");
            assert.match(readme, /Repository: https:\/\/github\.com\/[\w.-]+\/[\w.-]+/, `${p}: repository`);
            assert.match(readme, /Commit: `[0-9a-f]{40}`/, `${p}: commit`);
            const files = readdirSync(path.join(HERE, p, "manifests"));
            assert.ok(files.length > 0, `${p}: manifests`);
            for (const f of files)
                assert.ok(
                    readme.includes(`\`manifests/${f}\``),
                    `${p}: README does not name the source of manifests/${f}`,
                );
        }
    });

    it("every review has a verdict and a reason; every false positive names its issue", () => {
        for (const p of PROJECTS) {
            for (const e of readExpectation(p).mandatory) {
                const k = `${p}: ${key(e.control, e.object, e.path)}`;
                assert.ok(
                    e.verdict === "true-positive" || e.verdict === "false-positive",
                    `${k}: verdict ${e.verdict}`,
                );
                assert.ok(e.reason && !e.reason.includes("\n"), `${k}: a one-line reason`);
                if (e.verdict === "false-positive") assert.ok(e.issue, `${k}: the issue it belongs to`);
                else assert.ok(!e.stillRaised, `${k}: stillRaised is for false positives`);
            }
        }
    });

    for (const p of PROJECTS) {
        it(`${p}: the scan matches the reviewed findings`, () => {
            const expected = readExpectation(p);
            const { code, report, stderr } = scanProject(p);
            assert.deepEqual(report.errors, [], `${p}: input errors: ${stderr}`);
            assert.equal(report.summary.resources, expected.resources, `${p}: resources read`);
            const problems = compare(expected, report.violations);
            assert.deepEqual(problems, [], `${p}:\n  ${problems.join("\n  ")}`);
            const mandatory = report.violations.some(v => v.enforcementLevel === "mandatory");
            assert.equal(code, mandatory ? 1 : 0, `${p}: exit code`);
        });
    }
});

describe("real-world suite: the comparison itself", () => {
    const v = (controlId: string, name: string, p: string): Violation => ({
        controlId,
        enforcementLevel: "mandatory",
        path: p,
        message: "m",
        resource: { kind: "Role", namespace: "ns", name },
    });
    const e = (
        control: string,
        name: string,
        p: string,
        verdict: Reviewed["verdict"],
        stillRaised?: boolean,
    ): Reviewed => ({
        control,
        object: `Role ns/${name}`,
        path: p,
        verdict,
        reason: "r",
        ...(verdict === "false-positive" ? { issue: "13" } : {}),
        ...(stillRaised ? { stillRaised } : {}),
    });
    const exp = (...m: Reviewed[]): Expectation => ({ resources: 1, mandatory: m });

    it("agrees when every raised finding is a listed true positive or a listed known false positive", () => {
        assert.deepEqual(
            compare(
                exp(e("RBAC-02", "a", "rules", "true-positive"), e("RBAC-02", "b", "rules", "false-positive", true)),
                [v("RBAC-02", "a", "rules"), v("RBAC-02", "b", "rules")],
            ),
            [],
        );
        assert.deepEqual(
            compare(exp(e("RBAC-02", "b", "rules", "false-positive")), []),
            [],
            "a fixed false positive stays listed as a guard",
        );
    });
    it("fails on a new finding, a lost true finding, a raised false positive and a fixed known one", () => {
        assert.match(
            compare(exp(), [v("RBAC-02", "a", "rules")]).join(),
            /new mandatory finding, not reviewed: RBAC-02 Role ns\/a rules/,
        );
        assert.match(compare(exp(e("RBAC-02", "a", "rules", "true-positive")), []).join(), /lost true finding/);
        assert.match(
            compare(exp(e("RBAC-02", "a", "rules", "false-positive")), [v("RBAC-02", "a", "rules")]).join(),
            /mandatory false positive raised/,
        );
        assert.match(
            compare(exp(e("RBAC-02", "a", "rules", "false-positive", true)), []).join(),
            /known false positive no longer raised/,
        );
        assert.match(
            compare(exp(e("RBAC-02", "a", "rules", "true-positive")), [
                v("RBAC-02", "a", "rules"),
                v("RBAC-02", "a", "rules"),
            ]).join(),
            /raised 2 times/,
        );
    });
    it("advisory findings are not compared", () => {
        assert.deepEqual(compare(exp(), [{ ...v("PS-22", "a", "x"), enforcementLevel: "advisory" }]), []);
    });
});

describe("docs/realworld.md", () => {
    it("its precision table is the one the expectation files give", () => {
        const doc = readFileSync(path.join(HERE, "..", "..", "docs", "realworld.md"), "utf8");
        const rows = new Map(
            doc
                .split("\n")
                .filter(l => l.startsWith("| "))
                .map(l =>
                    l
                        .split("|")
                        .slice(1, -1)
                        .map(c => c.trim()),
                )
                .filter(c => c.length === 7)
                .map(c => [c[0], c] as const),
        );
        let total = 0;
        let truePositives = 0;
        let stillRaised = 0;
        for (const p of PROJECTS) {
            const e = readExpectation(p);
            const fp = e.mandatory.filter(m => m.verdict === "false-positive");
            const row = rows.get(p);
            assert.ok(row, `docs/realworld.md has no row for ${p}`);
            assert.deepEqual(
                row.slice(2),
                [
                    e.resources,
                    e.mandatory.length,
                    e.mandatory.length - fp.length,
                    fp.length,
                    fp.filter(m => m.stillRaised).length,
                ].map(String),
                `docs/realworld.md row of ${p}`,
            );
            total += e.mandatory.length;
            truePositives += e.mandatory.length - fp.length;
            stillRaised += fp.filter(m => m.stillRaised).length;
            for (const f of fp)
                assert.ok(
                    doc.includes(`| ${p} | ${f.control} | ${f.object} |`),
                    `docs/realworld.md does not list the false positive ${p} ${f.control} ${f.object}`,
                );
        }
        const raised = truePositives + stillRaised;
        const lines =
            `Reviewed: ${total} mandatory findings, ${truePositives} true and ${total - truePositives} false.\n` +
            (`Raised by the scanner today: ${raised} mandatory findings, ${stillRaised} of them false ` +
                `(precision ${((100 * truePositives) / raised).toFixed(1)}%).`);
        assert.ok(doc.includes(lines), `the precision lines should read:\n${lines}`);
    });
});
