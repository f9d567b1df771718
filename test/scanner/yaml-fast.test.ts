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
import { fastDocument, fastJson, parseDocument, splitStream, YamlDocument } from "../../scanner/yaml";
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

/** Compare a reader with the general one on one document: its document, or undefined when it left it alone. */
function compareReader(
    reader: (text: string, line: number) => YamlDocument | undefined,
    name: string,
    text: string,
    line: number,
    what: string,
): YamlDocument | undefined {
    let doc;
    try {
        doc = reader(text, line);
    } catch (e) {
        assert.fail(`${what}: the ${name} threw ${(e as Error).message}`);
    }
    if (doc !== undefined)
        assert.equal(seen(doc), general(text, line), `${what}: the ${name} differs from the general one on:\n${text}`);
    return doc;
}

/** Compare both readers on one document; true when the fast reader read it. */
const compare = (text: string, line: number, what: string): boolean =>
    compareReader(fastDocument, "fast reader", text, line, what) !== undefined;

/** Compare the JSON reader with the general one on one document; true when the JSON reader read it. */
function compareJson(text: string, line: number, what: string): boolean {
    const fast = compareReader(fastJson, "JSON reader", text, line, what);
    if (fast === undefined) return false;
    // -0 is the one value a JSON copy changes: said exactly
    const negativeZero = (v: unknown): boolean =>
        typeof v === "number"
            ? Object.is(v, -0)
            : v !== null && typeof v === "object" && Object.values(v).some(negativeZero);
    assert.equal(fast.jsonExact, !negativeZero(fast.value), what);
    return true;
}

/** A value written as JSON in several layouts: compact, indented, and spaced with tabs and CRLF line ends. */
const jsonLayouts = (v: unknown): string[] => [
    JSON.stringify(v),
    `${JSON.stringify(v, null, 2)}\n`,
    `\r\n ${JSON.stringify(v, null, "\t").replace(/\n/g, "\r\n").replace(/":/g, '" :  ')}\r\n`,
];

/** `s` with 1 to `most` random edits: an insertion from `alphabet`, a deletion of 1-3 characters, a replacement. */
function mutate(s: string, rand: () => number, alphabet: readonly string[], most: number): string {
    const edits = 1 + Math.floor(rand() * most);
    for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * (s.length + 1));
        const op = rand();
        if (op < 0.5) s = s.slice(0, at) + alphabet[Math.floor(rand() * alphabet.length)] + s.slice(at);
        else if (op < 0.8) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rand() * 3));
        else s = s.slice(0, at) + alphabet[Math.floor(rand() * alphabet.length)] + s.slice(at + 1);
    }
    return s;
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

    it("the JSON reader: every document of the repository's manifests, written as JSON three ways", () => {
        let read = 0;
        let docs = 0;
        for (const f of manifests()) {
            for (const c of splitStream(readFileSync(f, "utf8")).chunks) {
                let v: unknown;
                try {
                    v = parseDocument(c.text, c.line, undefined, true).value;
                } catch {
                    continue;
                }
                if (v === null || typeof v !== "object") continue;
                for (const text of jsonLayouts(v)) {
                    docs++;
                    if (compareJson(text, c.line, `${path.relative(REPO, f)}:${c.line} as JSON`)) read++;
                }
            }
        }
        assert.ok(docs > 300, `only ${docs} documents found`);
        assert.ok(read > docs * 0.9, `the JSON reader read only ${read} of ${docs} documents`);
    });

    it("the JSON reader leaves to the general reader what YAML reads otherwise, and agrees on mutated JSON", () => {
        for (const text of [
            '{"a": 1, "a": 2}', // a key set twice: an error for the general reader, the last value for JSON.parse
            '{"b": 1, "1": 2}', // an integer-like key: first in key order
            '{"__proto__": {"x": 1}}',
            '{"a": 1e400}', // infinite for JSON.parse, an error for the general reader
            '{"a": "\\ud83d\\ude00"}', // surrogate escapes
            '{"a": "x\u2028y"}', // a line separator: a line break for YAML
            '{"a": "x\u0085y"}', // NEL: a line break for YAML 1.1
            '{"a": 1,\r"b": 2}', // a carriage return alone: a line break for YAML
            '{"a"\n: 1}', // a colon on a later line than its key: an error for YAML
            `${"[".repeat(150)}${"]".repeat(150)}`,
            '"just a string"',
            "12",
        ])
            assert.equal(fastJson(text, 1), undefined, text);
        // -0: the integer 0 for YAML, -0 for JSON.parse
        assert.equal(fastJson('{"a": [-0, 1]}', 1), undefined);
        assert.equal(fastJson('{"a": [-0.0, 1]}', 1), undefined);
        assert.equal(fastJson('{"a": [0, -1.5e2]}', 1)!.jsonExact, true);

        const seeds = corpus(12).flatMap(o => jsonLayouts(o));
        const alphabet = [" ", "\n", "\r\n", "\t", '"', ",", ":", "{", "}", "[", "]", "\\", "\\u00e9", "\\ud800", "-0"];
        alphabet.push("1e400", "\u2028", "\u00e9", "true", "null", "0644", '"a": 1, "a": 2', '"1": 1');
        const rand = rng(Number(process.env.FUZZ_SEED ?? 1729));
        let read = 0;
        const runs = Number(process.env.FUZZ_RUNS ?? 60) * 30;
        for (let r = 0; r < runs; r++) {
            const s = mutate(seeds[Math.floor(rand() * seeds.length)], rand, alphabet, 2);
            if (compareJson(s, 1 + (r % 7), `JSON mutation ${r}`)) read++;
        }
        // some mutations stay valid JSON (inside strings, whitespace): the comparison is not vacuous
        assert.ok(read > runs / 10, `the JSON reader read only ${read} of ${runs} mutated documents`);
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
            const s = mutate(seeds[Math.floor(rand() * seeds.length)], rand, alphabet, 3);
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
