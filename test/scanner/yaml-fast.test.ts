/**
 * The scanner's fast YAML reader (plain block style) must build exactly what the general reader
 * builds — values, key order, positions — or leave the document to it. Compared on every manifest
 * of the test suites, on a generated corpus and on randomly mutated documents.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { corpus } from "../../bench/corpus";
import { fastDocument, parseDocument, splitStream, YamlDocument } from "../../scanner/yaml";
import { rng } from "../../scripts/rng";

const REPO = path.join(__dirname, "..", "..");

/** A value made visible (key order, -0). */
function shape(v: unknown): unknown {
    if (v === null || typeof v !== "object")
        return typeof v === "number" && Object.is(v, -0) ? "-0" : v === undefined ? "undefined" : v;
    if (Array.isArray(v)) return { seq: v.map(x => shape(x)) };
    return { map: Object.keys(v).map(k => [k, shape((v as Record<string, unknown>)[k])]) };
}

/** A document's value, position and the positions of all its fields (the digest). */
const seen = (d: YamlDocument) => JSON.stringify({ value: shape(d.value), pos: d.pos, digest: Array.from(d.digest) });

/** The general reader's answer: the document (value and positions) or its error. */
function general(text: string, line: number): string {
    try {
        const d = parseDocument(text, line, undefined, true);
        return seen(d);
    } catch (e) {
        return JSON.stringify({ error: (e as Error).message });
    }
}

/** Compare both readers on one document; true when the fast reader read it. */
function compare(text: string, line: number, what: string): boolean {
    let fast;
    try {
        fast = fastDocument(text, line);
    } catch (e) {
        assert.fail(`${what}: the fast reader threw ${(e as Error).message}`);
    }
    if (fast === undefined) return false;
    assert.equal(seen(fast), general(text, line), `${what}: the fast reader differs from the general one on:\n${text}`);
    return true;
}

function manifests(): string[] {
    return execFileSync("git", ["ls-files", "test", "examples", "stacks", "ci-templates"], {
        cwd: REPO,
        encoding: "utf8",
    })
        .split("\n")
        .filter(f => /\.(ya?ml|json)$/.test(f) && !/yaml-oracle-table/.test(f))
        .map(f => path.join(REPO, f));
}

describe("scanner YAML: the fast reader agrees with the general one", function () {
    this.timeout(120_000);

    it("on every document of the repository's manifests and test fixtures", () => {
        let fast = 0;
        let docs = 0;
        for (const f of manifests()) {
            for (const c of splitStream(readFileSync(f, "utf8")).chunks) {
                docs++;
                if (compare(c.text, c.line, `${path.relative(REPO, f)}:${c.line}`)) fast++;
            }
        }
        assert.ok(docs > 100, `only ${docs} documents found`);
        assert.ok(fast > docs / 2, `the fast reader read only ${fast} of ${docs} documents`);
    });

    it("reads a generated corpus of plain block-style manifests itself (the speed depends on it)", () => {
        const docs = corpus(400).map(o => stringify(o, { lineWidth: 0 }));
        let fast = 0;
        docs.forEach((d, i) => {
            if (compare(d, 1 + i * 40, `corpus #${i}`)) fast++;
        });
        assert.equal(fast, docs.length);
    });

    it("on mutated documents: reads them identically or leaves them to the general reader", () => {
        const seeds = [
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels:\n    app: x\n    'q': " +
                '"v\\u00e9"\nspec:\n  containers:\n  - name: c\n    image: nginx:1.2 # pinned\n    ' +
                "ports:\n    - containerPort: 80\n      hostPort: 0x50\n    securityContext: {}\n    " +
                "args: []\n  hostPID: yes\n  volumes:\n  -\n    name: v\n    hostPath:\n      path: /\n",
            "items:\n- a\n- 'b''c'\n- \"d\"\n-   e: 1\n    f: ~\nlist:\n- - x\nempty:\nnum: " +
                "1_000\nfl: 1.5e3\noct: 0644\nk: v:w\n",
            "data:\n  a: |\n    x\n     y\n\n    z\n  b: >-\n    p\n    q\n\n      r\n    s\n  c: " +
                "|+\n    k\n\n  # note\n  d: >\n\n    folded\n    text\nlist:\n- |\n  item\n- x\n",
            ...corpus(12).map(o => stringify(o, { lineWidth: 0 })),
        ];
        const alphabet = [
            " ",
            "  ",
            "\n",
            "\n  ",
            "-",
            "- ",
            ":",
            ": ",
            "#",
            " #",
            '"',
            "'",
            "{",
            "}",
            "[",
            "]",
            "&a ",
            "*a",
            "!",
            "|",
            ">",
            "?",
            ",",
            "y",
            "0",
            ".",
            "\t",
            "~",
            "\\",
            "\\x4",
            "<<: ",
            "1",
            "e",
            "---",
            "...",
            "%",
            "@",
            "\u2028",
            "\u00e9",
        ];
        const rand = rng(Number(process.env.FUZZ_SEED ?? 1729));
        let read = 0;
        const runs = Number(process.env.FUZZ_RUNS ?? 60) * 50;
        for (let r = 0; r < runs; r++) {
            let s = seeds[Math.floor(rand() * seeds.length)];
            const edits = 1 + Math.floor(rand() * 3);
            for (let e = 0; e < edits; e++) {
                const at = Math.floor(rand() * (s.length + 1));
                const op = rand();
                if (op < 0.5) s = s.slice(0, at) + alphabet[Math.floor(rand() * alphabet.length)] + s.slice(at);
                else if (op < 0.8) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rand() * 3));
                else s = s.slice(0, at) + alphabet[Math.floor(rand() * alphabet.length)] + s.slice(at + 1);
            }
            if (compare(s, 1 + (r % 7), `mutation ${r}`)) read++;
        }
        // most mutations leave a readable block document: the comparison is not vacuous
        assert.ok(read > runs / 4, `the fast reader read only ${read} of ${runs} mutated documents`);
    });

    it("is what parseDocument uses, with the general reader's errors", () => {
        const text = "a: 1\nb:\n  - x\n";
        assert.deepEqual(JSON.parse(JSON.stringify(parseDocument(text, 3).value)), { a: 1, b: ["x"] });
        assert.throws(
            () => parseDocument("a: 1\nb: 2\na: 3\n", 10),
            (e: { line: number; message: string }) => e.line === 12 && /duplicated mapping key/.test(e.message),
        );
        assert.equal(fastDocument("a: 1\na: 2\n", 1), undefined);
    });

    it("says whether a document holds a value JSON changes (-0), read afresh or reused", () => {
        for (let i = 0; i < 2; i++) {
            assert.equal(fastDocument("a: -0.0\nb: 1\n", 1)!.jsonExact, false);
            assert.equal(fastDocument("a: 0.0\nb: -1\n", 1)!.jsonExact, true);
            assert.equal(fastDocument("a:\n- x\n- y: -0.0\n", 1)!.jsonExact, false);
        }
        assert.equal(parseDocument("a: !!float -0\n", 1).jsonExact, undefined); // the general reader: not known
    });

    it("reuses keys and short values read before only when their text is the same", () => {
        // texts of one length whose hashes meet in the reader's table (h * 31 + c over 12 bits)
        const hash = (t: string) => [...t].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 0) & 4095;
        const bySlot = new Map<number, string>();
        const pairs: Array<[string, string]> = [];
        for (let i = 0; pairs.length < 20; i++) {
            const t = `k${i.toString(36)}`;
            const other = bySlot.get(hash(t));
            if (other !== undefined && other.length === t.length) pairs.push([other, t]);
            else bySlot.set(hash(t), t);
        }
        const RESOLVED: Record<string, unknown> = { on: true, yes: true, y: true, "0x1F": 31, "010": 8, "~": null };
        // YAML 1.1 texts that resolve to something else recur among the values, and once as a key
        const values = [...pairs.flat(), "on", "yes", "0x1F", "010", "~", "y", "on", "0x1F", "010", "yes", "~"];
        for (const order of [values, [...values].reverse()]) {
            const doc =
                pairs
                    .flat()
                    .map(t => `${t}: 1\n`)
                    .join("") +
                "on: x\n" +
                order.map((t, i) => `v${i}: ${t}\n`).join("");
            compare(doc, 1, "colliding and recurring texts");
            const read = fastDocument(doc, 1)!.value as Record<string, unknown>;
            assert.deepEqual(Object.keys(read).slice(0, 2 * pairs.length + 1), [...pairs.flat(), "true"]);
            assert.deepEqual(
                order.map((_t, i) => read[`v${i}`]),
                order.map(t => (t in RESOLVED ? RESOLVED[t] : t)),
            );
        }
    });
});
