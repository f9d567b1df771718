import { strict as assert } from "assert";
import { isDeepStrictEqual } from "util";
import { readFileSync } from "fs";
import * as path from "path";
import { askOracle } from "../../scripts/gen-yaml-table";
import { locate, parseDocument, splitStream } from "../../scanner/yaml";
import {
    STRICTER,
    STRICTER_STREAMS,
    yamlByteCaseInputs,
    yamlCaseInputs,
    yamlStreamCaseInputs,
} from "../../scripts/yaml-cases";
import { decodeInput } from "../../scanner/load";

type Answer = { documents: Array<{ json?: unknown; error?: string }>; error?: string };
const TABLE: {
    decoder: string;
    cases: Array<{ yaml: string } & Answer>;
    files: Array<{ bytes: string; text: string } & Answer>;
    streams: Array<{ stream: string } & Answer>;
} = JSON.parse(readFileSync(path.join(__dirname, "yaml-oracle-table.json"), "utf8"));

/** The scanner's reading of a stream, in the oracle's shape. */
function read(text: string): Answer {
    const { chunks, error } = splitStream(text);
    const documents = chunks.map(c => {
        try {
            return { json: parseDocument(c.text, c.line, undefined, false, c.json === true).value };
        } catch (e) {
            return { error: (e as Error).message };
        }
    });
    return error ? { documents, error: error.message } : { documents };
}

/**
 * A stream read as kubectl reads it (StreamVisitor): the same values up to the decoder's first error, and an
 * error of the scanner's where the decoder has one (the scanner reads on past a bad document; kubectl stops
 * there). Where kubectl silently reads only the first value of a YAML document holding more (STRICTER_STREAMS),
 * the scanner's error stands.
 */
function sameStream(stream: string, oracle: Answer): boolean {
    const ours = read(stream);
    const firstError = ours.documents.findIndex(d => d.error !== undefined);
    const hasError = ours.error !== undefined || firstError >= 0;
    const values = (ds: Answer["documents"]) => ds.filter(d => (d.json ?? null) !== null).map(d => d.json);
    const before = values(firstError < 0 ? ours.documents : ours.documents.slice(0, firstError));
    const theirs = values(oracle.documents);
    if (STRICTER_STREAMS.includes(stream)) return hasError && isDeepStrictEqual(before, theirs.slice(0, before.length));
    return hasError === (oracle.error !== undefined) && isDeepStrictEqual(before, theirs);
}

/** Equal as the API server would see them: JSON values (-0 is 0), errors by presence, empty documents skipped. */
function same(a: Answer, b: Answer): boolean {
    const norm = (x: Answer) =>
        JSON.parse(
            JSON.stringify({
                e: x.error !== undefined,
                d: x.documents
                    .filter(d => d.error !== undefined || (d.json ?? null) !== null)
                    .map(d => (d.error !== undefined ? "ERROR" : d.json)),
            }),
        );
    return isDeepStrictEqual(norm(a), norm(b));
}

describe("YAML read as the Kubernetes API machinery reads it", () => {
    it(`every case of the committed table gives the decoder's answer (${TABLE.decoder})`, () => {
        const wrong = TABLE.cases
            .filter(c => !same(read(c.yaml), c))
            .map(
                c => `${JSON.stringify(c.yaml)}: decoder ${JSON.stringify(c)}, scanner ${JSON.stringify(read(c.yaml))}`,
            );
        assert.deepEqual(wrong, []);
        assert.ok(TABLE.cases.length >= 300);
    });
    it(
        "the table is the live decoder's answer for every case (sigs.k8s.io/yaml built from the Go " + "module proxy)",
        function () {
            this.timeout(300_000); // a cold run builds the oracle from Go modules; warm it is instant
            const inputs = yamlCaseInputs();
            assert.deepEqual(
                TABLE.cases.map(c => c.yaml),
                inputs,
                "scripts/yaml-cases.ts changed: run npm run yaml:table",
            );
            const live = askOracle(inputs);
            const asJson = (x: unknown) => JSON.stringify(x);
            const drift = inputs.filter(
                (_y, i) =>
                    asJson(live[i]) !==
                    asJson({
                        documents: TABLE.cases[i].documents,
                        ...(TABLE.cases[i].error ? { error: TABLE.cases[i].error } : {}),
                    }),
            );
            assert.deepEqual(drift, []);
            // and straight against the scanner, so the comparison does not rest on the file alone
            assert.deepEqual(
                inputs.filter((y, i) => !same(read(y), live[i])),
                [],
            );
            // files as bytes: the table is the live decoder's, and so is the scanner's decoding
            const files = yamlByteCaseInputs();
            assert.deepEqual(
                TABLE.files.map(f => f.bytes),
                files.map(b => b.toString("base64")),
                "scripts/yaml-cases.ts changed: run npm run yaml:table",
            );
            const liveFiles = askOracle(files);
            assert.deepEqual(
                liveFiles.map(a => asJson(a)),
                TABLE.files.map(({ bytes: _b, ...a }) =>
                    asJson({ documents: a.documents, ...(a.error ? { error: a.error } : {}), text: a.text }),
                ),
            );
            assert.deepEqual(
                files.filter(
                    (b, i) => decodeInput(b) !== liveFiles[i].text || !same(read(decodeInput(b)), liveFiles[i]),
                ),
                [],
            );
            // streams: the table is the live decoder's, and the scanner cuts them alike
            const streams = yamlStreamCaseInputs();
            const liveStreams = askOracle(streams.map(stream => ({ stream })));
            assert.deepEqual(
                liveStreams.map(a => asJson(a)),
                TABLE.streams.map(({ stream: _s, ...a }) => asJson(a)),
            );
            assert.deepEqual(
                streams.filter((s, i) => !sameStream(s, liveStreams[i])),
                [],
            );
        },
    );
    it("a file's bytes are decoded as kubectl decodes them: UTF-16 by its byte order mark, U+FFFD for bad ones", () => {
        const wrong = TABLE.files
            .map(f => ({ f, text: decodeInput(Buffer.from(f.bytes, "base64")) }))
            .filter(({ f, text }) => text !== f.text || !same(read(text), f))
            .map(({ f, text }) => `${f.bytes}: decoder ${JSON.stringify(f)}, scanner ${JSON.stringify(text)}`);
        assert.deepEqual(wrong, []);
        assert.equal(
            TABLE.files.length,
            yamlByteCaseInputs().length,
            "scripts/yaml-cases.ts changed: npm run yaml:table",
        );
        // the privileged, host-PID pod reads the same in UTF-16 (either byte order) and in UTF-8 with a mark
        for (const f of TABLE.files.slice(0, 3))
            assert.deepEqual(
                read(decodeInput(Buffer.from(f.bytes, "base64"))).documents[0].json,
                TABLE.files[0].documents[0].json,
            );
    });
    it("a stream is cut as kubectl cuts it: JSON values one after the other, JSON that turns out to be YAML", () => {
        assert.deepEqual(
            TABLE.streams.map(s => s.stream),
            yamlStreamCaseInputs(),
            "scripts/yaml-cases.ts changed: npm run yaml:table",
        );
        const wrong = TABLE.streams
            .filter(s => !sameStream(s.stream, s))
            .map(
                s =>
                    `${JSON.stringify(s.stream)}: decoder ${JSON.stringify(s)}, ` +
                    `scanner ${JSON.stringify(read(s.stream))}`,
            );
        assert.deepEqual(wrong, []);
    });
    it("the seeded defects: privileged: yes, hostPID: on, hostNetwork: y are true, 0644 is 420, 0_0 is 0", () => {
        const v = parseDocument(
            "privileged: yes\nhostPID: on\nhostNetwork: y\ndefaultMode: 0644\nrunAsUser: 0_0\n",
            1,
        ).value;
        assert.deepEqual(v, { privileged: true, hostPID: true, hostNetwork: true, defaultMode: 420, runAsUser: 0 });
    });
    it("duplicate keys, merged keys set twice and .inf values are errors with their line", () => {
        assert.throws(
            () => parseDocument("a: 1\nb: 2\na: 3\n", 10),
            (e: { line: number; message: string }) => e.line === 12 && /duplicated mapping key/.test(e.message),
        );
        assert.throws(
            () => parseDocument("base: &b {x: 1}\nuse:\n  <<: *b\n  x: 2\n", 1),
            /key "x" already set in map/,
        );
        assert.throws(() => parseDocument("a: .inf\n", 1), /unsupported value: \+Inf/);
    });
    it("is stricter than go-yaml v2 where its answer depends on Go's map order", () => {
        for (const y of STRICTER) assert.ok(read(y).documents[0].error, y);
    });
    it("a separator followed by content is an error at its line; the documents before it are kept", () => {
        const r = splitStream("a: 1\n---\nb: 2\n--- {c: 3}\nd: 4\n");
        assert.equal(r.chunks.length, 2);
        assert.equal(r.error?.line, 4);
    });
    describe("positions", () => {
        const text =
            '# head\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {"a.b/c": ' +
            "x}\nspec:\n  base: &b\n    q: 1\n  merged:\n    <<: *b\n    r: 2\n  containers:\n  - " +
            "name: a\n    securityContext:\n      privileged: yes\n  -   name: b\n      " +
            "securityContext: {privileged: true}\n";
        const doc = parseDocument(text, 5);
        const at = (p?: string) => locate(doc.value, doc.pos, p, doc.digest);
        it("of a field in block and flow style, of a sequence item, of a bracketed key", () => {
            assert.deepEqual(at("spec.containers[0].securityContext.privileged"), { line: 20, column: 7 });
            assert.deepEqual(at("spec.containers[1].securityContext.privileged"), { line: 22, column: 25 });
            assert.deepEqual(at("spec.containers[1]"), { line: 21, column: 7 });
            assert.deepEqual(at('metadata.labels["a.b/c"]'), { line: 10, column: 12 });
        });
        it("of a missing field: its nearest existing ancestor; no path: the object's first line", () => {
            assert.deepEqual(at("spec.containers[0].securityContext.runAsNonRoot"), { line: 19, column: 5 });
            assert.deepEqual(at("spec.nope.deeper"), { line: 11, column: 1 });
            assert.deepEqual(at(undefined), { line: 6, column: 1 });
        });
        it("of a merged key: where the anchor defines it", () => {
            assert.deepEqual(at("spec.merged.q"), { line: 13, column: 5 });
            assert.deepEqual(at("spec.merged.r"), { line: 16, column: 5 });
        });
        it("in JSON", () => {
            const j = parseDocument(
                '{"apiVersion": "v1",\n "kind": "Pod", "spec": {"containers": [{"name": "a",\n   ' +
                    '"securityContext": {"privileged": true}}]}}',
                1,
            );
            assert.deepEqual(locate(j.value, j.pos, "spec.containers[0].securityContext.privileged", j.digest), {
                line: 3,
                column: 24,
            });
        });
    });
});

describe("YAML aliases", () => {
    it("a billion-laughs document is refused (as go-yaml v2 refuses excessive aliasing), quickly", () => {
        const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
        for (let i = 1; i < 9; i++)
            lines.push(
                `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
                    .fill(`*${String.fromCharCode(96 + i)}`)
                    .join(", ")}]`,
            );
        const t = Date.now();
        assert.throws(() => parseDocument(lines.join("\n") + "\n", 1), /excessive aliasing/);
        assert.ok(Date.now() - t < 2000);
    });
    it("ordinary anchors and aliases are read", () => {
        assert.deepEqual(JSON.parse(JSON.stringify(parseDocument("a: &x {b: 1}\nc: *x\nd: *x\n", 1).value)), {
            a: { b: 1 },
            c: { b: 1 },
            d: { b: 1 },
        });
    });
});
