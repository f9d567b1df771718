/**
 * Position digests: a finding is placed from the object's positionDigest (as the fast or the
 * general reader made it, on the object as read or on the JSON copy kept for the cross-resource
 * controls) exactly where the general reader's table of positions places it.
 */
import { strict as assert } from "assert";
import { readdirSync, readFileSync, statSync } from "fs";
import * as path from "path";
import { locate, locateInTable, parseDocument, positionDigest, splitStream } from "../../scanner/yaml";

const ROOTS = ["test", "examples"].map(d => path.join(__dirname, "..", "..", d));

function manifests(dir: string, out: string[] = []): string[] {
    for (const name of readdirSync(dir).sort()) {
        const file = path.join(dir, name);
        if (name === "node_modules") continue;
        if (statSync(file).isDirectory()) manifests(file, out);
        else if (/\.(ya?ml|json)$/.test(name)) out.push(file);
    }
    return out;
}

/** Finding-path syntax: `.key`, or `["key"]` for keys with dots, brackets or quotes; `[i]` for items. */
const step = (base: string, seg: string | number): string =>
    typeof seg === "number"
        ? `${base}[${seg}]`
        : /^[^.[\]"]+$/.test(seg)
          ? base
              ? `${base}.${seg}`
              : seg
          : `${base}[${JSON.stringify(seg)}]`;

/** Every field's path under `v`, plus a missing child of each mapping and one item past each sequence's end. */
function paths(v: unknown, base: string, out: string[]): string[] {
    if (v === null || typeof v !== "object") return out;
    if (Array.isArray(v)) {
        v.forEach((x, i) => {
            out.push(step(base, i));
            paths(x, step(base, i), out);
        });
        out.push(step(base, v.length));
        return out;
    }
    for (const [k, x] of Object.entries(v)) {
        out.push(step(base, k));
        paths(x, step(base, k), out);
    }
    out.push(step(base, "notThere"));
    return out;
}

describe("position digests", () => {
    it("place every field of every manifest under test/ and examples/ as the positions table does", () => {
        let checked = 0;
        let documents = 0;
        for (const file of ROOTS.flatMap(r => manifests(r))) {
            for (const chunk of splitStream(readFileSync(file, "utf8")).chunks) {
                let doc;
                let table;
                try {
                    doc = parseDocument(chunk.text, chunk.line);
                    table = parseDocument(chunk.text, chunk.line, undefined, true);
                } catch {
                    continue; // invalid documents are other tests' business
                }
                if (doc.value === null || typeof doc.value !== "object") continue;
                documents++;
                const copy = JSON.parse(JSON.stringify(doc.value));
                // every path of a document, or an even sample of 2,000 of a large one (each walks its siblings)
                const all = [undefined, ...paths(doc.value, "", [])];
                const every = Math.ceil(all.length / 2000);
                for (const p of all.filter((_p, i) => i % every === 0)) {
                    const want = locateInTable(table.value, table.pos, p, table.locs);
                    assert.deepEqual(locate(copy, doc.pos, p, doc.digest), want, `${file}:${chunk.line} ${p}`);
                    assert.deepEqual(locate(doc.value, doc.pos, p, doc.digest), want, `${file}:${chunk.line} ${p}`);
                    checked++;
                }
            }
        }
        assert.ok(documents > 200, `only ${documents} documents read`);
        assert.ok(checked > 20_000, `only ${checked} paths checked`);
    });

    it("follow Object.keys order where integer-like keys come first, and merged keys", () => {
        const text = "b: 1\n'2': two\na:\n  '10': x\n  z: [p, q]\n  '1': y\nbase: &m\n  k: v\nm:\n  <<: *m\n  j: w\n";
        const doc = parseDocument(text, 1);
        assert.deepEqual(Object.keys(doc.value as object), ["2", "b", "a", "base", "m"]);
        const copy = JSON.parse(JSON.stringify(doc.value));
        for (const p of ['["2"]', "b", 'a["1"]', 'a["10"]', "a.z[1]", "m.k", "m.j", "a.nothing"])
            assert.deepEqual(locate(copy, doc.pos, p, doc.digest), locateInTable(doc.value, doc.pos, p, doc.locs), p);
        assert.deepEqual(locate(copy, doc.pos, "a.z[1]", doc.digest), { line: 5, column: 10 });
        assert.deepEqual(locate(copy, doc.pos, 'a["1"]', doc.digest), { line: 6, column: 3 });
    });

    it("place fields of an object too large for a digest at the object's first line", () => {
        const text = "---\nitems:\n" + "- 1\n".repeat(200_010);
        for (const general of [false, true]) {
            const doc = parseDocument(splitStream(text).chunks[0].text, 2, undefined, general);
            assert.equal(doc.digest.length, 0);
            assert.deepEqual(locate(doc.value, doc.pos, "items[5]", doc.digest), { line: 2, column: 1 });
        }
        const table = parseDocument(splitStream(text).chunks[0].text, 2, undefined, true);
        assert.deepEqual(locateInTable(table.value, table.pos, "items[5]", table.locs), { line: 8, column: 3 });
        assert.deepEqual(Array.from(positionDigest({ a: [1, { b: 2 }] }, undefined)), [NaN, 3, NaN, 0, NaN, 1, NaN, 0]);
    });
});
