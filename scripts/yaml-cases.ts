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
    "y", "Y", "yes", "Yes", "YES", "yEs", "n", "N", "no", "No", "NO", "nO",
    "true", "True", "TRUE", "tRue", "false", "False", "FALSE", "fAlse",
    "on", "On", "ON", "oN", "off", "Off", "OFF", "oFF", "t", "f", "ok",
    // null
    "~", "null", "Null", "NULL", "nULL", "", "none", "None",
    // integers: decimal, signs, underscores, octal, hex, binary, overflow
    "0", "-0", "+0", "7", "+7", "-7", "0_0", "1_000", "1__0", "_1", "1_", "0644", "0755", "0400", "-0644", "08", "0o17", "0O17",
    "0x1F", "0X1f", "-0x1F", "0x_1F", "0x", "0b1010", "-0b1010", "0B11", "0b", "0b12",
    "2147483647", "2147483648", "9223372036854775807", "9223372036854775808", "18446744073709551615",
    "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
    // floats
    "1.5", "-1.5", "+1.5", "1.", ".5", "-.5", "+.5", "1e3", "1E3", "1e+3", "1.5e-3", "1_000.5", "1e400", "-1e400", "1e", "e3",
    ".inf", ".Inf", ".INF", ".iNf", "+.inf", "-.inf", "-.Inf", "+.INF", ".nan", ".NaN", ".NAN", "nan", "inf", "Infinity", "-Infinity",
    "0x1p-2", "1:20", "190:20:30", "1:30:00", "-1:30", "1,000", "1 000", "12e03", "0.1", "00", "01", "0.0", "-0.0",
    // timestamps (read as strings into untyped values)
    "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z", "2001-1-2",
    // strings that look special
    "<<", "=", "-", "--", "!", "a:b", "a #b", "12:30", "0.0.0.0/0", "v1.34", "1.34", "1.2.3", "100m", "128Mi", "1e3Mi",
];

/** Whole documents and streams: quoting, tags, anchors, merge keys, duplicates, block scalars, separators. */
const DOCUMENTS: readonly string[] = [
    "privileged: yes\nhostPID: on\nhostNetwork: y\nrunAsUser: 0_0\ndefaultMode: 0644\n",
    "a: 'yes'\nb: \"on\"\nc: !!str yes\nd: !!str 0644\n",
    "a: !!int \"0644\"\nb: !!float 1\nc: !!bool \"yes\"\nd: !!null ''\n",
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
    "use:\n  \"<<\": {x: 1}\n",
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
    "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}\n",
    "{\"a\": 1, \"a\": 2}\n",
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
    "key with spaces: 1\n\"quoted: key\": 2\n",
    "a: &anc\n  b: 1\nc: *anc\n",
];

/**
 * Inputs where go-yaml v2 has no deterministic answer (Go's map order picks which of two keys
 * that become the same string wins); the scanner reports an error. Not in the oracle table.
 */
export const STRICTER: readonly string[] = ["1: a\n\"1\": b\n", "true: a\n\"true\": b\n"];

/** Every input of the oracle table, in order. */
export function yamlCaseInputs(): string[] {
    return [...SCALARS.map(s => `v: ${s}\n`), ...SCALARS.filter(s => s !== "").map(s => `${s}: v\n`), ...DOCUMENTS.filter(d => !STRICTER.includes(d))];
}
