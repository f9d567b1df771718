/**
 * YAML inputs whose reading the scanner must share with the Kubernetes API machinery
 * (apimachinery's YAMLReader + sigs.k8s.io/yaml YAMLToJSONStrict on go-yaml v2). Their answers
 * from that decoder are committed in yaml-oracle-table.json (`npm run yaml:table` regenerates
 * it with scripts/toolchain/yaml-oracle); the unit suite compares the scanner's reader with the
 * table and the table with the live decoder.
 */

/** Plain scalars, each read as a value (`v: S`) and as a key (`S: v`). */
const SCALARS: readonly string[] = [
    // booleans, every spelling go-yaml v2 knows and near misses
    "y",
    "Y",
    "yes",
    "Yes",
    "YES",
    "yEs",
    "n",
    "N",
    "no",
    "No",
    "NO",
    "nO",
    "true",
    "True",
    "TRUE",
    "tRue",
    "false",
    "False",
    "FALSE",
    "fAlse",
    "on",
    "On",
    "ON",
    "oN",
    "off",
    "Off",
    "OFF",
    "oFF",
    "t",
    "f",
    "ok",
    // null
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "",
    "none",
    "None",
    // integers: decimal, signs, underscores, octal, hex, binary, overflow
    "0",
    "-0",
    "+0",
    "7",
    "+7",
    "-7",
    "0_0",
    "1_000",
    "1__0",
    "_1",
    "1_",
    "0644",
    "0755",
    "0400",
    "-0644",
    "08",
    "0o17",
    "0O17",
    "0x1F",
    "0X1f",
    "-0x1F",
    "0x_1F",
    "0x",
    "0b1010",
    "-0b1010",
    "0B11",
    "0b",
    "0b12",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    // floats
    "1.5",
    "-1.5",
    "+1.5",
    "1.",
    ".5",
    "-.5",
    "+.5",
    "1e3",
    "1E3",
    "1e+3",
    "1.5e-3",
    "1_000.5",
    "1e400",
    "-1e400",
    "1e",
    "e3",
    ".inf",
    ".Inf",
    ".INF",
    ".iNf",
    "+.inf",
    "-.inf",
    "-.Inf",
    "+.INF",
    ".nan",
    ".NaN",
    ".NAN",
    "nan",
    "inf",
    "Infinity",
    "-Infinity",
    "0x1p-2",
    "1:20",
    "190:20:30",
    "1:30:00",
    "-1:30",
    "1,000",
    "1 000",
    "12e03",
    "0.1",
    "00",
    "01",
    "0.0",
    "-0.0",
    // timestamps (read as strings into untyped values)
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10",
    "2001-12-14T21:59:43Z",
    "2001-1-2",
    // strings that look special
    "<<",
    "=",
    "-",
    "--",
    "!",
    "a:b",
    "a #b",
    "12:30",
    "0.0.0.0/0",
    "v1.34",
    "1.34",
    "1.2.3",
    "100m",
    "128Mi",
    "1e3Mi",
];

/** Whole documents and streams: quoting, tags, anchors, merge keys, duplicates, block scalars, separators. */
const DOCUMENTS: readonly string[] = [
    "privileged: yes\nhostPID: on\nhostNetwork: y\nrunAsUser: 0_0\ndefaultMode: 0644\n",
    "a: 'yes'\nb: \"on\"\nc: !!str yes\nd: !!str 0644\n",
    'a: !!int "0644"\nb: !!float 1\nc: !!bool "yes"\nd: !!null \'\'\n',
    "a: !!bool 1\n",
    "a: !!int abc\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!timestamp 2001-12-14\n",
    "a: !custom x\nb: !custom {c: 1}\nc: !custom [1, 2]\n",
    "a: 1\na: 2\n",
    "a: 1\nb:\n  c: 1\n  c: 2\n",
    "yes: a\ntrue: b\n",
    "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  z: 3\n",
    "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  x: 3\n",
    "base: &b {x: 1, y: 2}\nuse:\n  x: 3\n  <<: *b\n",
    "a: &a {x: 1}\nb: &b {y: 2}\nuse:\n  <<: [*a, *b]\n",
    "a: &a {x: 1}\nb: &b {x: 2}\nuse:\n  <<: [*a, *b]\n",
    "use:\n  <<: {x: 1}\n  y: 2\n",
    'use:\n  "<<": {x: 1}\n',
    "use:\n  <<: 1\n",
    "use:\n  <<: [1]\n",
    "anchor: &x hello\nalias: *x\nlist: [*x, *x]\n",
    "a: *nope\n",
    "a: |\n  line1\n  line2\nb: >\n  folded\n  text\nc: |-\n  strip\nd: >+\n  keep\n\ne: 1\n",
    "a: \"esc\\ttab\\u00e9\\x41\"\nb: 'it''s'\n",
    "a: [1, yes, 0644, ~, 'x']\nb: {c: on, d: 0x10}\n",
    "- a\n- b\n",
    "just a string\n",
    "42\n",
    "",
    "# only a comment\n",
    "---\n",
    "---\na: 1\n---\nb: 2\n",
    "a: 1\n---\n---\nb: 2\n",
    "--- # comment\na: 1\n",
    "--- {a: 1}\n",
    "---\na: 1\n...\n---\nb: 2\n",
    "a: 1\n...\nb: 2\n",
    "----\na: 1\n",
    "a: 1\n--- \nb: 2\n",
    "a: 1\r\nb: yes\r\n",
    "\ufeffa: 1\n",
    "a:\n\tb: 1\n",
    "a: b: c\n",
    "a: [1, 2\n",
    "? a\n: 1\n",
    "? [a, b]\n: 1\n",
    "{a: 1, b: [2, 3]}\n",
    '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}\n',
    '{"a": 1, "a": 2}\n',
    "a: 1 # comment\nb: 'x' # c\n",
    "a: 'multi\n  line'\nb: plain\n  continued\n",
    "%YAML 1.1\n---\na: yes\n",
    "%YAML 1.2\n---\na: yes\n",
    "a: !!map {b: 1}\nc: !!seq [1]\n",
    "~: a\n",
    "[a]: b\n",
    "a: 9007199254740993\n",
    "a: 1.0\nb: 2.50\nc: 1e2\n",
    "a: -\n",
    "a: 'x'\n  b: 1\n",
    'key with spaces: 1\n"quoted: key": 2\n',
    "a: &anc\n  b: 1\nc: *anc\n",
    // YAML 1.1 line breaks: NEL (U+0085), LS (U+2028) and PS (U+2029) end a comment or a line as a line feed does
    "a: 1\n# c\u0085b: true\n",
    "a: 1 # c\u2028b: 2\n",
    "a: 1 # c\u2029b: 2\n",
    "a:\u0085  b: 1\n",
    "a:\u2028  b: 1\n",
    "a: 1\u0085  # c\nb: 2\n",
    "a: x\u0085",
    "a: b\u2028",
    "a: [1,\u20282]\n",
    "a: {b: 1,\u0085c: 2}\n",
    "spec:\n  containers: []\n  # debug\u0085  hostPID: true\u2028  hostNetwork: true\n",
    // NEL folds in a scalar as a line feed does
    "a: x\u0085  y\n",
    'a: "x\u0085  y"\n',
    "a: 'x\u0085y'\n",
    "a: |\n  x\u0085  y\n",
    // LS or PS in a quoted scalar with no blank beside it: kept as the character it is
    'a: "x\u2028y"\n',
    "a: 'x\u2029y'\n",
    'a: "x\u2028"\n',
    'a: "\u2028x"\n',
    'k: "a\u2028b"\nb: 2 # c\u2028c: 3\n',
    'a:\n- "p\u2028q"\n- r\u2028- s\n',
    // an alias inside its own anchor's value
    "a: &a\n  b: *a\n",
    "a: &a [*a]\n",
    // two merge keys in one mapping: both merged; a key both give is set twice
    "x: &x {a: 1}\nz: &z {b: 2}\nw:\n  <<: *x\n  <<: *z\n",
    "x: &x {a: 1}\nz: &z {a: 2}\nw:\n  <<: *x\n  <<: *z\n",
    // a document marker after a lone carriage return: go-yaml v2 ends the document there (the cutter does not)
    "a: 1\n\r---\n",
    "a: 1\r--- # c\n",
    "a: 1\r\n\r---\n",
    "a: 1\r...\rb: 2\n",
    "kind: p\n---\nkind: d\na:\n\n\r---",
    // a mapping merged into itself or into a mapping inside it
    "kind: e\na: &x\n  <<: *x\n",
    "a: &x\n  b: 1\n  c:\n    <<: *x\n",
    // an empty item (`-` alone) ending a nested sequence: the outer sequence's next items stay in it
    "a:\n- k:\n  -\n- b\n",
    "a:\n- k:\n  - # c\n- b\n",
    "- - x\n  -\n- b\n",
    "a:\n- k:\n  -\n  -\n- b\n- c\n",
    "a:\n- - -\n- b\n",
    "a:\n- k:\n  -   \n- b\n",
    "k:\n-\n- b\n",
    "a:\n- &x\n- *x\n",
    "a: |\n  -\n  - b\nc:\n- k:\n  -\n- d\n",
    "a: 'x\n  -\n  y'\n",
    // the same after an explicit key's `:`, and where js-yaml would refuse the document as written
    "a:\n- ? k\n  : -\n- c\n",
    "a:\n- k: v\n  ? j\n  : -\n- c\n",
    "a:\n- ? k\n  : - -\n- c\n",
    "? a\n: - ? k\n    : -\n  - c\n",
    "a:\n- ? k\n  : - # c\n\n- c\n",
    "c:\n- -\n-\n s\n",
    "a:\n- -\n- |1\n x\n",
    "a:\n- k:\n  -\n- x\n  y\n",
    // `-` alone, its value on the more indented lines below it: no empty item
    "a:\n-\n  name: v\n- b\n",
    "a:\n- -\n    x: 1\n- b\n",
    "a:\n-\n\n  # c\n  name: v\n",
    // control characters, comments included
    "kind: e\n#\u001b\n",
    "kind: e # \u007f\n",
    "kind: e # \u0090\n",
];

/**
 * Inputs where go-yaml v2 has no deterministic answer (Go's map order picks which of two keys
 * that become the same string wins); the scanner reports an error. Not in the oracle table.
 */
export const STRICTER: readonly string[] = [
    '1: a\n"1": b\n',
    'true: a\n"true": b\n',
    // LS or PS inside a scalar: go-yaml v2 keeps it in the value where a line feed would fold (refused)
    "a: x\u2028  y\n",
    'a: "x \u2028y"\n',
    'a: "x\u2028\u2028y"\n',
    "a: |\n  x\u2028  y\n",
    "a: >\n  x\u2029  y\n",
    // a document start after a NEL: go-yaml v2 reads the document before it and drops the rest silently
    "a: 1\u0085---\u0085b: 2\n",
    "a: 1\r---\rb: 2\n",
];

/** Every input of the oracle table, in order. */
export function yamlCaseInputs(): string[] {
    return [
        ...SCALARS.map(s => `v: ${s}\n`),
        ...SCALARS.filter(s => s !== "").map(s => `${s}: v\n`),
        ...DOCUMENTS.filter(d => !STRICTER.includes(d)),
    ];
}

const utf16le = (s: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, "utf16le")]);
const utf16be = (s: string): Buffer => {
    const b = Buffer.from(s, "utf16le");
    b.swap16();
    return Buffer.concat([Buffer.from([0xfe, 0xff]), b]);
};
const POD =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: on\n  containers:\n" +
    "  - name: c\n    image: x\n    securityContext:\n      privileged: yes\n";

/**
 * Files as bytes: how kubectl decodes a file or standard input before any YAML is read (byte order marks, UTF-16,
 * invalid sequences). The oracle decodes them as kubectl's FileVisitor does; the table keeps the text and the answer.
 */
export function yamlByteCaseInputs(): Buffer[] {
    return [
        utf16le(POD),
        utf16be(POD),
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(POD)]),
        utf16le("a: 1\n---\nb: yes\n"),
        utf16be("a: 1\n---\nb: yes\n"),
        utf16le("a: \u{1F600}\nb: \u00e9\n"),
        utf16le("\ufeffa: 1\n"),
        utf16le(""),
        Buffer.from([0xfe, 0xff]),
        Buffer.concat([utf16le("a: x\n"), Buffer.from([0x41])]),
        Buffer.concat([utf16be("a: x\n"), Buffer.from([0x00])]),
        // unpaired surrogates: a high one before a line feed, a low one alone
        Buffer.concat([utf16le("a: "), Buffer.from([0x00, 0xd8]), Buffer.from("\n", "utf16le")]),
        Buffer.concat([utf16le("a: "), Buffer.from([0x00, 0xdc]), Buffer.from("b\n", "utf16le")]),
        Buffer.concat([utf16be("a: "), Buffer.from([0xd8, 0x00, 0xdc]), Buffer.from("\n", "utf16le").swap16()]),
        // no byte order mark: UTF-8, whatever the bytes (UTF-16 without a mark is not recognized)
        Buffer.from("a: 1\n", "utf16le"),
        Buffer.from("a: \xe2\x82\n", "latin1"),
        Buffer.from("a: \xf0\x9f\x98\n", "latin1"),
        Buffer.from("a: \xc0\xaf\n", "latin1"),
        Buffer.from("a: \xed\xa0\x80\n", "latin1"),
        Buffer.from("a: \xff\xfe\n", "latin1"),
        Buffer.from("\xfe\n", "latin1"),
        Buffer.from("\xef\xbb\xbf\xef\xbb\xbfa: 1\n", "latin1"),
    ];
}

/**
 * Streams cut as kubectl cuts a file (apimachinery's YAMLOrJSONDecoder): JSON values one after the other, JSON that
 * turns out to be YAML, and YAML. The oracle decodes each value; the first error ends its stream.
 */
/**
 * Streams where kubectl silently reads only the first value of a YAML document holding more (go-yaml's non-strict
 * Unmarshal stops there): the scanner reports that document as an error instead.
 */
export const STRICTER_STREAMS: readonly string[] = [
    '{"a":1}\n{"a":1, "b": 01}\n{"c":3}\n',
    '[{"a":1}]\n{"b":2}\n',
    '{"a":1}\n  b: 1\nc: 2\n',
    `${" ".repeat(5000)}{"a":1}\n{"b":2}\n`,
];

export function yamlStreamCaseInputs(): string[] {
    const pod = (name: string, spec: string) =>
        `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}"},"spec":${spec}}`;
    return [
        `${pod("a", '{"containers":[]}')}\n${pod("b", '{"hostPID":true,"containers":[]}')}\n`,
        `${pod("a", '{"containers":[]}')}${pod("b", '{"hostPID":true}')}`,
        `${pod("a", "{}")}  \t ${pod("b", "{}")}`,
        '{"a":1}\r\n{"b":2}\r\n',
        '{"a":1}\n\n\n{"b":true}\n',
        '{"a":"x\\"}{","b":[{"c":"]"}]}{"d":null}\n',
        "{} {}\n",
        '{"a": 01}\n',
        '{"a": yes}\n',
        "{a: yes}\n",
        '{"a":1}\n{"b":\n',
        '{"a":1}\n{"b":2}\n{"c":\n',
        '{"a":1}{"b":2}{"c":',
        '{"a":1} b: 2\n',
        '{"a":1}\nb: 2\n',
        '{"a":1}\n  b: 1\nc: 2\n',
        '{"a":1}  \n  \n  b: 1\n',
        '{"a":1}\n---\nb: yes\n',
        '{"a":1}   # comment\n{"b":2}\n',
        '{"a":1}\n{"a":1, "b": 01}\n{"c":3}\n',
        '  \n {"a":1}\n[1]\n',
        '{"a":1}\n2\n',
        '{"a":1}\n"s"\n',
        '{"a":1}\nnull\n{"b":2}\n',
        '{"a":"\\u00e9\\/"}\n{"b":-0.5e1}\n',
        '\u00a0{"a":1}\n',
        `${" ".repeat(5000)}{"a":1}\n`,
        `${" ".repeat(5000)}{"a":1}\n{"b":2}\n`,
        'null\n{"a":1}\n',
        '[{"a":1}]\n{"b":2}\n',
        'a: 1\n---\n{"b": 2}\n',
        '{"a":1}\n--- {"b": 2}\n',
        // JSON has no implicit-key rule: a colon on the line after its key
        '{"kind"\n  : "Pod", "spec": {"hostNetwork": true}}\n',
        '{"a":1}\n{"b"\n:2}\n',
        // NEL, LS and PS in a JSON string are characters of the string
        '{"a":"x\u0085y"}\n',
        '{"a":"x\u2028y"}\n{"b":1}\n',
    ];
}
