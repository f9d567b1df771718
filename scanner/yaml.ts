/**
 * YAML read the way the Kubernetes API machinery reads it, with the position of every key.
 *
 * kubectl and the API server split a stream with apimachinery's YAMLReader (a line starting with
 * `---` separates documents; anything but a comment after it is an error) and convert each
 * document with sigs.k8s.io/yaml on go-yaml v2: YAML 1.1 plain scalars (`yes`/`on`/`y` are true,
 * `0644` is octal, `0_0` is 0, `.inf` cannot become JSON), merge keys, non-string keys turned
 * into strings, and — in strict decoding — any key set twice is an error, merged keys included.
 * This module does the same on js-yaml (fast, with a listener that gives node positions); its
 * answers are tested against that decoder's own (test/scanner/yaml-oracle-table.json, built by
 * scripts/toolchain/yaml-oracle).
 *
 * Where go-yaml v2 gives no deterministic answer (two keys that become the same string, such as
 * `1` and `"1"`: Go's map order decides which wins) or accepts a second merge key, this reader
 * reports an error instead: a gate must not guess.
 */
import type { Schema, Type } from "js-yaml";
/** js-yaml, loaded when the general reader first runs (the fast readers read almost every manifest). */
let jsYaml: typeof import("js-yaml") | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
const yamlLib = (): typeof import("js-yaml") => (jsYaml ??= require("js-yaml") as typeof import("js-yaml"));

/** A position: 1-based line and column. */
export interface Position {
    line: number;
    column: number;
}

/** Positions are packed as line * 2^16 + column (columns beyond 65535 are clamped). */
const COL = 65536;
// A packed position passes 2^31 from line 32,768 on. Computed as line * 2^32 / 2^16 (exact: powers of two), the
// product is never a small integer, so V8 compiles the readers' hot loops (which inline `pack`) for such numbers
// from the start, not for small ones it must throw away mid-scan at the first long file (seen with --trace-deopt).
const pack = (line: number, column: number): number => (line * 0x100000000) / COL + Math.min(column, COL - 1);
export const unpack = (p: number): Position => ({ line: Math.floor(p / COL), column: p % COL });
export const packPosition = pack;

/**
 * Key positions of a mapping (`[key, pos, key, pos, ...]`) or item positions of a sequence, per
 * mapping or sequence of one document, in a table beside the objects (which stay plain: nothing
 * for Object.keys, JSON, copies or the rules to see, and dropped with the table).
 */
export type Positions = Map<object, unknown[]>;
/** The table of the document being read. */
let locs: Positions = new Map();

export class YamlError extends Error {
    constructor(
        message: string,
        readonly line: number,
        readonly column?: number,
    ) {
        super(message);
    }
}

// ---------------------------------------------------------------------------------------------
// go-yaml v2 plain scalar resolution (resolve.go), for values and keys.

const MERGE = "\u0000<<";
/** A plain scalar whose JavaScript value differs from what it becomes as a map key, or that cannot be a JSON value. */
class Special {
    constructor(
        readonly value: unknown,
        readonly key: string | Error,
        readonly valueError?: string,
    ) {}
}
/** Markers are map keys as `\u0000k<n>` until the document is fixed up; table per parse. */
let specials: Special[] = [];
let sawMerge = false;
/** Merge keys read so far in the document (each is `MERGE` and its number). */
let merges = 0;
/** Is this a merge key (or a value `<<`) as the general reader made it? */
const isMerge = (v: unknown): boolean => typeof v === "string" && v.startsWith(MERGE);

const MAP: Record<string, unknown> = Object.create(null);
for (const s of ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]) MAP[s] = true;
for (const s of ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]) MAP[s] = false;
for (const s of ["~", "null", "Null", "NULL"]) MAP[s] = null;
for (const s of [".nan", ".NaN", ".NAN"]) MAP[s] = NaN;
for (const s of [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]) MAP[s] = Infinity;
for (const s of ["-.inf", "-.Inf", "-.INF"]) MAP[s] = -Infinity;

/** First characters go-yaml v2 looks further at (its resolveTable); anything else is a string. */
const HINT = new Uint8Array(128);
for (const c of "+-") HINT[c.charCodeAt(0)] = 1;
for (const c of "0123456789") HINT[c.charCodeAt(0)] = 1;
for (const c of "yYnNtTfFoO~") HINT[c.charCodeAt(0)] = 2;
HINT[".".charCodeAt(0)] = 3;
HINT["<".charCodeAt(0)] = 4;

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const NOT_RESOLVED = Symbol("string");
/** The base named by the letter after a leading 0 (without a letter, the 0 itself means octal). */
const BASE_PREFIXES: Partial<Record<string, number>> = { x: 16, X: 16, o: 8, O: 8, b: 2, B: 2 };

/** Go's strconv.ParseInt(s, 0, 64) / ParseUint: sign, base prefix (0x, 0o, 0b, leading 0 = octal), digits. */
function goParseInt(s: string, unsigned: boolean): bigint | undefined {
    let i = 0;
    let neg = false;
    if (!unsigned && (s[0] === "+" || s[0] === "-")) {
        neg = s[0] === "-";
        i = 1;
    }
    let base = 10;
    if (s[i] === "0" && s.length > i + 1) {
        const prefixed = BASE_PREFIXES[s[i + 1]];
        base = prefixed ?? 8;
        i += prefixed === undefined ? 1 : 2;
    }
    const digits = s.slice(i);
    if (digits === "") return undefined;
    const re = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
    if (!re.test(digits)) return undefined;
    let v = BigInt(base === 10 ? digits : (base === 16 ? "0x" : base === 8 ? "0o" : "0b") + digits);
    if (neg) v = -v;
    if (unsigned ? v > UINT64_MAX : v < INT64_MIN || v > INT64_MAX) return undefined;
    return v;
}

/** Go's strconv.FormatFloat(f, 'g', -1, 32), then go-yaml's names for the infinities and NaN. */
function goFloatKey(f: number): string {
    if (Number.isNaN(f)) return ".nan";
    if (f === Infinity) return ".inf";
    if (f === -Infinity) return "-.inf";
    const f32 = Math.fround(f);
    if (f32 === 0) return Object.is(f32, -0) ? "-0" : "0";
    if (!Number.isFinite(f32)) return f32 > 0 ? "+Inf" : "-Inf";
    let digits = "";
    let exp = 0;
    for (let p = 1; p <= 9; p++) {
        const s = Math.abs(f32).toExponential(p - 1);
        if (Math.fround(Number(s)) === Math.abs(f32)) {
            const [m, e] = s.split("e");
            digits = m.replace(".", "");
            exp = Number(e);
            break;
        }
    }
    const sign = f32 < 0 ? "-" : "";
    if (exp < -4 || exp >= 6) {
        // %e with the shortest digits and a two-digit exponent at least
        const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
        const e = Math.abs(exp);
        return `${sign}${mant}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" : ""}${e}`;
    }
    // %f: Go's shortest 'g' uses an exponent below 1e-4 and from 1e6 up
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}`;
    return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** What go-yaml v2 makes of an untagged plain scalar; NOT_RESOLVED when it stays a string. */
function resolvePlain(s: string): unknown {
    if (s === "") return null;
    const c = s.charCodeAt(0);
    const hint = c < 128 ? HINT[c] : 0;
    if (hint === 0) return NOT_RESOLVED;
    if (s in MAP) return MAP[s];
    if (hint === 2) return NOT_RESOLVED;
    if (hint === 4) return s === "<<" ? MERGE : NOT_RESOLVED;
    if (hint === 3) {
        // Go's ParseFloat on the text as written
        return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) ? Number(s) : NOT_RESOLVED;
    }
    // timestamps stay strings in untyped values (go-yaml v2's compatibility rule)
    const plain = s.includes("_") ? s.replace(/_/g, "") : s;
    const i = goParseInt(plain, false) ?? goParseInt(plain, true);
    if (i !== undefined) return i;
    if (YAML_STYLE_FLOAT.test(plain)) {
        const f = Number(plain);
        return Number.isFinite(f) ? f : NOT_RESOLVED;
    }
    if (plain.startsWith("0b")) return goParseInt(plain, false) ?? NOT_RESOLVED;
    if (plain.startsWith("-0b")) return goParseInt(plain, false) ?? NOT_RESOLVED;
    return NOT_RESOLVED;
}

/** A resolved scalar as the JavaScript value, or a marker when value and key forms differ. */
function toJs(v: unknown): unknown {
    if (typeof v === "bigint") {
        if (v >= -(2n ** 53n) && v <= 2n ** 53n) return Number(v);
        const key = v > INT64_MAX ? new Error(`unsupported map key of type: uint64, key: ${v}`) : String(v);
        return mark(new Special(Number(v), key));
    }
    if (typeof v === "number") {
        if (!Number.isFinite(v))
            return mark(
                new Special(
                    v,
                    goFloatKey(v),
                    `json: unsupported value: ${Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"}`,
                ),
            );
        // Integers came as bigints: this is a float. Its key form is Go's 32-bit %g.
        const key = goFloatKey(v);
        return key === String(v) ? v : mark(new Special(v, key));
    }
    if (v === null) return mark(new Special(null, new Error("unsupported map key of type: <nil>, key: <nil>")));
    return v;
}

/** A marker object whose string form (what js-yaml uses for a map key) names it. */
function mark(s: Special): object {
    const n = specials.push(s) - 1;
    return { toString: () => `\u0000k${n}`, [Symbol.toStringTag]: "Special", [MARKER]: n };
}
const MARKER = Symbol("special");

let lastPlain: unknown;
let schemaMade: Schema | undefined;
/** The general reader's schema: go-yaml v2's resolution of plain scalars and core tags, on js-yaml. */
function schema(): Schema {
    if (schemaMade) return schemaMade;
    const { FAILSAFE_SCHEMA, Type } = yamlLib();
    const plainType = new Type("tag:yaml.org,2002:k8s-plain", {
        kind: "scalar",
        resolve: (data: string) => {
            if (typeof data !== "string") return false;
            const v = resolvePlain(data);
            if (v === NOT_RESOLVED) return false;
            if (v === MERGE) sawMerge = true;
            // each `<<` its own key: go-yaml v2 merges every one of a mapping's merge keys, in order
            lastPlain = v === MERGE ? `${MERGE}${merges++}` : toJs(v);
            return true;
        },
        construct: () => lastPlain,
    });

    /** Explicit core tags as go-yaml v2 applies them (resolve with a tag, then the same conversions). */
    function explicit(tag: string, accept: (v: unknown, s: string) => unknown): Type {
        let last: unknown;
        return new Type(`tag:yaml.org,2002:${tag}`, {
            kind: "scalar",
            resolve: (data: string | null) => {
                const s = data ?? "";
                const r = resolvePlain(s);
                const v = accept(r === NOT_RESOLVED ? s : r === MERGE ? "<<" : r, s);
                if (v === NOT_RESOLVED) return false;
                last = v;
                return true;
            },
            construct: () => last,
        });
    }
    const tagged = [
        explicit("str", (_v, s) => s),
        explicit("int", v => (typeof v === "bigint" ? toJs(v) : NOT_RESOLVED)),
        explicit("float", v => (typeof v === "bigint" ? Number(v) : typeof v === "number" ? toJs(v) : NOT_RESOLVED)),
        explicit("bool", v => (typeof v === "boolean" ? v : NOT_RESOLVED)),
        explicit("null", v => (v === null ? toJs(null) : NOT_RESOLVED)),
        explicit("timestamp", (_v, s) => s),
        new Type("tag:yaml.org,2002:binary", {
            kind: "scalar",
            resolve: (data: string | null) => typeof data === "string" && /^[A-Za-z0-9+/=\s]*$/.test(data),
            construct: (data: string) => Buffer.from(data.replace(/\s/g, ""), "base64").toString("utf8"),
        }),
    ];
    /** Any other tag (`!custom`, `!!set`, ...): go-yaml v2 keeps the node as it is. */
    const anyTag = ["scalar", "sequence", "mapping"].map(
        kind =>
            new Type("", {
                kind: kind as "scalar",
                multi: true,
                construct: (d: unknown) => (d === null && kind === "scalar" ? "" : d),
            }),
    );
    return (schemaMade = FAILSAFE_SCHEMA.extend({ implicit: [plainType], explicit: [...tagged, ...anyTag] }));
}

// ---------------------------------------------------------------------------------------------
// Positions through js-yaml's listener.

interface ListenerState {
    input: string;
    position: number;
    line: number;
    lineStart: number;
    depth: number;
    result: unknown;
    tag: string | null;
}

/** Children (key or item) recorded per open node depth: [isKey, result, pos, ...]. */
let kids: Array<unknown[] | undefined> = [];
let opened: number[] = [];
let lineBase = 0;
let badKey: number | undefined;

// YAML 1.1 line breaks. go-yaml v2 takes NEL (U+0085), LS (U+2028) and PS (U+2029) as line breaks, as
// YAML 1.1 says; js-yaml (YAML 1.2) takes them as ordinary characters, so a comment ending in one
// would hide the field after it (`# note<U+2028>hostPID: true`), and a key or value would take it
// in. The general reader gives js-yaml the document with each of them made a line feed: for NEL
// that is exactly go-yaml's reading everywhere (it reads NEL as a line feed). LS and PS end a
// comment or a line as a line feed does, but inside a scalar go-yaml keeps the character where a
// line feed would fold. In a quoted scalar with no blank beside it that is the character as written:
// the document is read again with it left as it is. Anywhere else inside a scalar the document is
// refused (a rare form: \u2028 in double quotes says the same). Positions stay the file's own lines.
const YAML11_BREAKS = /[\u0085\u2028\u2029]/g;
const hex4 = (c: number) => c.toString(16).toUpperCase().padStart(4, "0");
/**
 * What go-yaml v2's reader refuses ("control characters are not allowed"): C0 but tab, LF and CR; DEL; C1 but NEL. NUL
 * is left to js-yaml, which refuses it anywhere ("null byte is not allowed"; the UTF-16 hint is added to that error).
 */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]/;
/** Where the lines of the document being read start (line feeds, CR LF, lone CRs), when its breaks were rewritten. */
let lineStarts: number[] | undefined;
/** Offsets of its LS and PS characters (refused inside a scalar), and the offset each open node started at. */
let keptBreaks: number[] | undefined;
let openedAt: number[] = [];
/** Where the scalars read start and end (pairs of offsets), while they are wanted (see EMPTY_ITEM). */
let scalars: number[] | undefined;
/**
 * A line holding only an empty block sequence item (`-`, `- - -`, `: -` after an explicit key, with a comment or not).
 * js-yaml puts the items of an outer sequence that follow such a line into the inner sequence (`a:\n- k:\n  -\n- b`
 * reads `b` under `k`); go-yaml v2 keeps them where they are. The general reader writes these items as `- ~` (null, as
 * they are) before reading, where the line is not inside a scalar (a block scalar's text, say).
 */
const EMPTY_ITEM = /^([ \t]*(?:[?:][ \t]+)?(?:-[ \t]+)*-)([ \t]*(?:#.*)?)$/gm;
/** The LS and PS to keep as characters (in a quoted scalar, no blank beside them): the document is read again. */
let rawBreaks: number[] = [];

/** The document's lines as js-yaml counts them, without NEL, LS and PS. */
function linesOf(text: string): number[] {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13) {
            if (text.charCodeAt(i + 1) === 10) i++;
            starts.push(i + 1);
        }
    }
    return starts;
}

/** The packed file position of an offset of the document (its breaks rewritten: see YAML11_BREAKS). */
function positionAt(offset: number, starts = lineStarts as number[]): number {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= offset) lo = mid;
        else hi = mid - 1;
    }
    return pack(lineBase + lo, offset - starts[lo] + 1);
}

/**
 * An LS or PS inside the scalar read from `from` to `to` (a block scalar: with the breaks after it): kept as a
 * character in a quoted scalar with no blank beside it (rawBreaks), refused anywhere else.
 */
function refuseKeptBreak(from: number, to: number, input: string): void {
    let end = to;
    // a node opens where its separation begins: the scalar starts at the first character past blanks and comments
    for (let d = input.charCodeAt(from); from < to; d = input.charCodeAt(++from)) {
        if (d === 35) while (from < to && input.charCodeAt(from + 1) !== 10) from++;
        else if (d !== 32 && d !== 9 && d !== 10 && d !== 13) break;
    }
    const c = input.charCodeAt(from);
    if (c === 124 || c === 62) {
        for (let d = input.charCodeAt(end); d === 32 || d === 9 || d === 10 || d === 13; d = input.charCodeAt(++end));
    }
    const quoted = c === 34 || c === 39;
    const blank = (d: number) => d === 32 || d === 9 || d === 10 || d === 13;
    for (const at of keptBreaks as number[]) {
        if (at < from || at >= end) continue;
        // in a quoted scalar with no blank beside it, go-yaml v2 keeps it as the character it is (see parseDocument)
        if (quoted && !blank(input.charCodeAt(at - 1)) && !blank(input.charCodeAt(at + 1))) {
            rawBreaks.push(at);
            continue;
        }
        const p = unpack(positionAt(at));
        const what =
            lineText.charCodeAt(at) === 0x2028 ? "a line separator (U+2028)" : "a paragraph separator (U+2029)";
        throw new YamlError(
            `${what} inside a scalar: Kubernetes' YAML reader (YAML 1.1) takes it as a line break and keeps it ` +
                "in the value, which the scanner does not reproduce; write it as \\u2028 or \\u2029 in a " +
                "double-quoted string, or as a line feed",
            p.line,
            p.column,
        );
    }
}
/** The document's own text (the breaks not rewritten), for messages. */
let lineText = "";

function listener(event: "open" | "close", s: ListenerState): void {
    const d = s.depth;
    if (event === "open") {
        opened[d] = lineStarts ? positionAt(s.position) : pack(s.line + lineBase, s.position - s.lineStart + 1);
        openedAt[d] = s.position;
        kids[d] = undefined;
        return;
    }
    // `!` on an empty scalar: go-yaml v2 reads an empty string, js-yaml null
    if (s.result === null && s.tag === "!") s.result = "";
    const result = s.result;
    if (result === null || typeof result !== "object" || MARKER in result) {
        if (keptBreaks) refuseKeptBreak(openedAt[d], s.position, s.input);
        if (scalars) scalars.push(openedAt[d], s.position);
    }
    if (result !== null && typeof result === "object" && !(MARKER in result)) {
        const mine = kids[d];
        if (mine !== undefined) attach(result as object, mine);
    }
    if (d <= 1) return;
    // A key is followed by `:` (after spaces); anything else is a value or an item.
    const input = s.input;
    let p = s.position;
    let c = input.charCodeAt(p);
    while (c === 32 || c === 9) c = input.charCodeAt(++p);
    let list = kids[d - 1];
    if (list === undefined) list = kids[d - 1] = [];
    const isKey = c === 58;
    // go-yaml v2 refuses sequences and mappings as keys (js-yaml would stringify them)
    if (isKey && result !== null && typeof result === "object" && !(MARKER in result) && badKey === undefined)
        badKey = opened[d];
    list.push(isKey, result, opened[d]);
}

function attach(o: object, mine: unknown[]): void {
    if (Array.isArray(o)) {
        const items: number[] = [];
        for (let i = 0; i < mine.length; i += 3) if (!mine[i]) items.push(mine[i + 2] as number);
        if (items.length === o.length) setLoc(o, items);
        return;
    }
    const keys: unknown[] = [];
    for (let i = 0; i < mine.length; i += 3) {
        if (mine[i]) keys.push(String(mine[i + 1]), mine[i + 2]);
    }
    // Keys not followed by `:` on their line are explicit (`? key`) keys: go-yaml v2 refuses
    // sequences and mappings there, which js-yaml would turn into strings.
    if (keys.length / 2 < Object.keys(o).length && badKey === undefined) {
        for (let i = 0; i < mine.length; i += 3) {
            const r = mine[i + 1];
            if (mine[i] || r === null || typeof r !== "object" || MARKER in r) continue;
            const k = Array.isArray(r)
                ? r.every(x => x === null || typeof x !== "object")
                    ? r.join(",")
                    : undefined
                : "[object Object]";
            if (
                k !== undefined &&
                Object.prototype.hasOwnProperty.call(o, k) &&
                (o as Record<string, unknown>)[k] !== r
            )
                badKey = mine[i + 2] as number;
        }
    }
    if (keys.length > 0) setLoc(o, keys);
}

function setLoc(o: object, v: unknown[]): void {
    locs.set(o, v);
}

// ---------------------------------------------------------------------------------------------
// Documents.

export interface YamlDocument {
    /** The document's value (null for an empty or comment-only document). */
    value: unknown;
    /** Position of the document's first content. */
    pos: number;
    /** The positions of the value's fields, as positionDigest lays them out (for locate). */
    digest: Float64Array;
    /** False when the value may hold something JSON changes (-0, NaN, infinities); absent: not known. */
    jsonExact?: boolean;
    /** The general reader's table of positions (what the digest is made from; tests compare the two). */
    locs?: Positions;
}

const goKeyDesc = (k: string) => JSON.stringify(k);

/** Apply merge keys and markers as go-yaml v2 + sigs.k8s.io/yaml would; throws YamlError. */
function fixup(root: unknown, chunkLine: number): unknown {
    const seen = new Set<object>();
    const value = (v: unknown, where: number): unknown => {
        if (isMerge(v)) return "<<";
        if (v !== null && typeof v === "object") {
            if (MARKER in v) {
                const sp = specials[(v as { [MARKER]: number })[MARKER]];
                if (sp.valueError) throw new YamlError(sp.valueError, where);
                return sp.value;
            }
            walk(v);
        }
        return v;
    };
    /** The mappings being walked: one merged into itself (`a: &x {<<: *x}`) is a cycle go-yaml v2 refuses. */
    const walking = new Set<object>();
    const walk = (o: object): void => {
        if (seen.has(o)) return;
        seen.add(o);
        walking.add(o);
        walkOnce(o);
        walking.delete(o);
    };
    const walkOnce = (o: object): void => {
        if (Array.isArray(o)) {
            for (let i = 0; i < o.length; i++) o[i] = value(o[i], chunkLine);
            return;
        }
        const rec = o as Record<string, unknown>;
        const loc = locs.get(rec);
        /** The mapping's merge keys' values, in order, with their lines. */
        const merged: Array<[unknown, number]> = [];
        for (const k of Object.keys(rec)) {
            const kpos = posOfKey(loc, k) ?? chunkLine;
            const v = value(rec[k], Math.floor(kpos / COL));
            if (isMerge(k)) {
                merged.push([v, Math.floor(kpos / COL)]);
                delete rec[k];
                continue;
            }
            if (k.startsWith("\u0000k")) {
                const sp = specials[Number(k.slice(2))];
                if (sp.key instanceof Error) throw new YamlError(sp.key.message, Math.floor(kpos / COL));
                delete rec[k];
                if (Object.prototype.hasOwnProperty.call(rec, sp.key))
                    throw new YamlError(`key ${goKeyDesc(sp.key)} already set in map`, Math.floor(kpos / COL));
                rec[sp.key] = v;
                renameLoc(loc, k, sp.key);
                continue;
            }
            rec[k] = v;
        }
        const extra: unknown[] = [];
        for (const [merge, mergePos] of merged) {
            const sources = Array.isArray(merge) ? merge : [merge];
            if (
                merge === null ||
                typeof merge !== "object" ||
                sources.some(s => s === null || typeof s !== "object" || Array.isArray(s))
            ) {
                throw new YamlError("map merge requires map or sequence of maps as the value", mergePos);
            }
            for (const src of sources as Array<Record<string, unknown>>) {
                if (walking.has(src))
                    throw new YamlError("anchor value contains itself (a merge of the mapping into itself)", mergePos);
                walk(src);
                for (const k of Object.keys(src)) {
                    if (Object.prototype.hasOwnProperty.call(rec, k))
                        throw new YamlError(`key ${goKeyDesc(k)} already set in map`, mergePos);
                    rec[k] = src[k];
                    const p = posOfKey(locs.get(src), k);
                    if (p !== undefined) extra.push(k, p);
                }
            }
        }
        if (extra.length)
            setLoc(rec, [
                ...(loc ?? []).filter(
                    (_x, i, a) => !(i % 2 === 0 && isMerge(a[i])) && !(i % 2 === 1 && isMerge(a[i - 1])),
                ),
                ...extra,
            ]);
    };
    return value(root, chunkLine);
}

function posOfKey(loc: unknown[] | undefined, k: string): number | undefined {
    if (!loc) return undefined;
    for (let i = 0; i < loc.length; i += 2) if (loc[i] === k) return loc[i + 1] as number;
    return undefined;
}
function renameLoc(loc: unknown[] | undefined, from: string, to: string): void {
    if (!loc) return;
    for (let i = 0; i < loc.length; i += 2) if (loc[i] === from) loc[i] = to;
}

/** Position (packed) of the first non-blank, non-comment character at or after `offset`. */
function firstContent(text: string, offset: number, line: number): number {
    const at = firstContentAt(text, offset);
    return pack(line + at.lines, at.column);
}

/** The first non-blank, non-comment character at or after `offset`: its offset, the lines before it, its column. */
function firstContentAt(text: string, offset: number): { offset: number; lines: number; column: number } {
    let lines = 0;
    let col = 1;
    let i = offset;
    while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c === 10) {
            lines++;
            col = 1;
            i++;
        } else if (c === 32 || c === 9 || c === 13 || c === 0xfeff) {
            col++;
            i++;
        } else if (c === 35) {
            while (i < text.length && text.charCodeAt(i) !== 10) i++;
        } else if (c === 45 && text.startsWith("---", i) && col === 1) {
            i += 3;
            col += 3;
        } else break;
    }
    return { offset: i, lines, column: col };
}

/** The general reader on a document's text (its YAML 1.1 breaks rewritten, see YAML11_BREAKS): its value. */
function readGeneral(input: string, line: number, filename: string | undefined): unknown {
    specials = [];
    sawMerge = false;
    merges = 0;
    locs = new Map();
    kids = [];
    opened = [];
    openedAt = [];
    badKey = undefined;
    let value: unknown;
    try {
        // go-yaml v2 reads the first document of its input; a `...` end marker ends it.
        value = yamlLib().load(input, { schema: schema(), listener: listener as never, filename, json: false });
    } catch (e) {
        if (e instanceof yamlLib().YAMLException) {
            if (/expected a single document/.test(e.reason ?? "")) {
                value = undefined;
            } else {
                const at = lineStarts && e.mark ? unpack(positionAt(e.mark.position)) : undefined;
                throw new YamlError(
                    e.reason ?? e.message,
                    at ? at.line : line + (e.mark?.line ?? 0),
                    at ? at.column : e.mark ? e.mark.column + 1 : undefined,
                );
            }
        } else throw e;
    }
    return value === undefined ? firstDocumentOnly(input, filename) : value;
}

/**
 * Parse one document (the text between two separators) starting at 1-based `line` of its file.
 * Throws YamlError with the file line of the problem.
 */
export function parseDocument(
    text: string,
    line: number,
    filename?: string,
    general = false,
    /** A value of a JSON stream (Chunk.json): decoded as kubectl decodes JSON. */
    json = false,
): YamlDocument {
    if (!general) {
        const fast = isJsonStart(text) ? fastJson(text, line, json) : fastDocument(text, line);
        if (fast !== undefined) {
            if (text.includes("&")) checkAliasing(fast.value as object, line);
            return fast;
        }
    }
    lineBase = line;
    // go-yaml v2 refuses control characters anywhere, comments included (js-yaml only in scalars); in a JSON value
    // only those JSON itself refuses are errors
    const control = json ? -1 : text.search(CONTROL);
    if (control >= 0) {
        const before = text.slice(0, control);
        throw new YamlError(
            `control characters are not allowed (U+${hex4(text.charCodeAt(control))})`,
            line + (before.match(/\n/g)?.length ?? 0),
            control - before.lastIndexOf("\n"),
        );
    }
    // NEL, LS and PS are line breaks for YAML 1.1 (see YAML11_BREAKS); in a JSON value they are characters of a string
    let input = text;
    lineStarts = keptBreaks = undefined;
    rawBreaks = [];
    if (!json && text.search(YAML11_BREAKS) >= 0) {
        lineStarts = linesOf(text);
        const ls = [...text.matchAll(/[\u2028\u2029]/g)].map(m => m.index as number);
        if (ls.length > 0) keptBreaks = ls;
        lineText = text;
        input = text.replace(YAML11_BREAKS, "\n");
    }
    EMPTY_ITEM.lastIndex = 0;
    const emptyItems = EMPTY_ITEM.test(input);
    scalars = emptyItems ? [] : undefined;
    let value: unknown;
    /** js-yaml's error on the document as written, when it has empty items (read again, written out, below). */
    let failed: unknown;
    try {
        value = readGeneral(input, line, filename);
    } catch (e) {
        if (!emptyItems || !(e instanceof YamlError)) throw e;
        // the misplaced items can make js-yaml refuse what go-yaml v2 reads; the scalars seen before the error are
        // known, the items after it are written out as if outside one (at worst a scalar's text changes)
        failed = e;
    }
    if (emptyItems) {
        const inScalar = (at: number) => {
            for (let i = 0; i < (scalars as number[]).length; i += 2)
                if (at >= (scalars as number[])[i] && at < (scalars as number[])[i + 1]) return true;
            return false;
        };
        let rewritten = false;
        /** Is the next line with content (not blank, not a comment) after offset `at` indented more than `column`? */
        const contentBelow = (at: number, column: number) => {
            for (let i = input.indexOf("\n", at); i >= 0; i = input.indexOf("\n", i + 1)) {
                const m = /^[ ]*/.exec(input.slice(i + 1, i + 1 + 4096)) as RegExpExecArray;
                const c = input.charCodeAt(i + 1 + m[0].length);
                if (c === 10 || c === 13 || c === 35 || Number.isNaN(c)) continue; // blank, comment, end
                return m[0].length > column;
            }
            return false;
        };
        const again = input.replace(EMPTY_ITEM, (all: string, item: string, rest: string, at: number) => {
            const dash = at + item.length - 1;
            // the item's value on the lines below it (more indented than its `-`) is no empty item
            if (inScalar(dash) || contentBelow(dash, dash - (input.lastIndexOf("\n", dash) + 1))) return all;
            rewritten = true;
            return `${item} ~${rest}`;
        });
        scalars = undefined;
        if (rewritten) {
            // offsets move by two characters per item written out: positions are js-yaml's lines and columns, which
            // only move after the item on its own line (a comment); with YAML 1.1 breaks rewritten they are offsets
            if (lineStarts)
                throw new YamlError(
                    "an empty sequence item (`-` alone) in a document with NEL, LS or PS line breaks: write it as " +
                        "`- null`, or the breaks as line feeds",
                    line,
                );
            try {
                value = readGeneral(again, line, filename);
            } catch (e) {
                throw failed ?? e;
            }
            input = again;
            failed = undefined;
        }
        if (failed !== undefined) throw failed;
    }
    if (rawBreaks.length > 0) {
        // LS or PS in a quoted scalar, no blank beside it: go-yaml v2 keeps it as it is, so read again with it kept
        const chars = input.split("");
        for (const at of rawBreaks) chars[at] = text[at];
        input = chars.join("");
        keptBreaks = undefined;
        value = readGeneral(input, line, filename);
    }
    if (badKey !== undefined)
        throw new YamlError(
            "invalid map key: a sequence or mapping cannot be a key",
            unpack(badKey).line,
            unpack(badKey).column,
        );
    const pos = lineStarts ? positionAt(firstContentAt(input, 0).offset) : firstContent(text, 0, line);
    if ((specials.length > 0 || sawMerge) && value !== null && typeof value === "object") value = fixup(value, line);
    else if (value !== null && typeof value === "object" && MARKER in value) value = fixup(value, line);
    if (value === undefined) value = null;
    if (value !== null && typeof value === "object" && text.includes("&")) checkAliasing(value, line);
    return { value, pos, digest: positionDigest(value, locs), locs };
}

/**
 * Aliases make js-yaml share one object where go-yaml v2 decodes a copy each time; a few anchors
 * nested in each other (a "billion laughs" document) would expand exponentially in the rules and
 * in JSON. Like go-yaml v2 ("excessive aliasing"), refuse a document whose expansion is far larger
 * than what it spells out.
 */
function checkAliasing(root: object, line: number): void {
    const memo = new Map<object, number>();
    /** The mappings and sequences being walked (an alias of one of them inside it: a cycle). */
    const open = new Set<object>();
    const size = (o: unknown): number => {
        if (o === null || typeof o !== "object") return 1;
        const m = memo.get(o);
        if (m !== undefined) return m;
        // go-yaml v2 refuses an alias inside its own anchor's value (js-yaml makes a circular object)
        if (open.has(o)) throw new YamlError("anchor value contains itself (an alias inside its own anchor)", line);
        open.add(o);
        let n = 1;
        for (const v of Array.isArray(o) ? o : Object.values(o)) {
            n += size(v);
            if (n > 1e12) break;
        }
        open.delete(o);
        memo.set(o, n);
        return n;
    };
    const expanded = size(root);
    if (expanded > 100_000 && expanded > 10 * memo.size + 10_000)
        throw new YamlError(
            `document contains excessive aliasing: ${expanded} nodes once aliases are expanded, from ` +
                `${memo.size} mappings and sequences written`,
            line,
        );
}

/** Text after a `...` document end marker is not read by go-yaml v2's Unmarshal. */
function firstDocumentOnly(text: string, filename: string | undefined): unknown {
    // the first document marker the stream's cutter did not see: `...`, or a `---` that a line break other than a line
    // feed puts at the start of a line (a carriage return alone, or NEL, LS or PS: see YAML11_BREAKS); JavaScript's `^`
    // (multiline) is at each of them
    const m = /^(?:\.\.\.[ \t]*(?:#.*)?$|---(?=[ \t\r\n]|$))/m.exec(text);
    if (!m) return null;
    if (m[0].startsWith("-")) {
        // go-yaml v2 reads the document before it and drops what follows: refused when anything does, as a stream
        // value holding more is
        const rest = text.slice(m.index + 3);
        if (!rest.split(/\r\n|[\r\n]/).every(l => /^[ \t]*(#.*)?$/.test(l))) {
            const at = unpack(positionAt(m.index, lineStarts ?? linesOf(text)));
            throw new YamlError(
                "a document start (---) after a carriage return, NEL, LS or PS: kubectl would read only the " +
                    "document before it and drop the rest; start the line after a line feed to make it two documents",
                at.line,
                at.column,
            );
        }
    }
    kids = [];
    opened = [];
    openedAt = [];
    return yamlLib().load(text.slice(0, m.index), { schema: schema(), listener: listener as never, filename });
}

/** One document of a stream as kubectl cuts it. */
export interface Chunk {
    text: string;
    /** Offset of the chunk in the stream's text. */
    start: number;
    /** 1-based line of the chunk's first line in the file. */
    line: number;
    /** 1-based column of the chunk's first character, when it starts within a line (JSON streams: `{...}{...}`). */
    column?: number;
    /** A value of a JSON stream: kubectl decodes it as JSON (Go's encoding/json), not as YAML. */
    json?: true;
}

/**
 * Cut a stream into documents as kubectl does (apimachinery's YAMLOrJSONDecoder, as cli-runtime's
 * StreamVisitor uses it):
 * - A stream whose first non-space character (within its first 4,096 bytes) is `{` may be a JSON
 *   stream: JSON values one after the other (`{...}{...}`, one object per line), read as Go's
 *   json.Decoder reads them. Where one is not well-formed JSON after at most one value read, the
 *   stream is YAML after all, from the end of that value (spaces skipped up to the first line end);
 *   after two or more it is an error (returned with its line; nothing after it is read).
 * - A YAML stream is cut as the YAMLReader cuts it: a line beginning with `---` ends a document
 *   when only spaces or a comment follow; `--- {a: 1}` or `----` is an error (returned with its
 *   line; the documents before it are kept, nothing after it is read).
 */
export function splitStream(text: string): { chunks: Chunk[]; error?: YamlError } {
    const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    if (bom) text = text.slice(1);
    return mightBeJson(text) ? splitJson(text, bom) : splitYaml(text, 0, 1, bom, []);
}

/** apimachinery's GuessJSONStream: `{` first, once Unicode spaces are trimmed from the first 4,096 bytes. */
function mightBeJson(text: string): boolean {
    let bytes = 0;
    for (let i = 0; i < text.length && bytes < 4096; i++) {
        const c = text.charCodeAt(i);
        if (c === 123) return true;
        if (!isGoSpace(c)) return false;
        bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
    return false;
}

/** Go's unicode.IsSpace (every such character is in the Basic Multilingual Plane). */
function isGoSpace(c: number): boolean {
    return (
        (c >= 9 && c <= 13) ||
        c === 32 ||
        c === 0x85 ||
        c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000
    );
}

/** A JSON stream (see splitStream). */
function splitJson(text: string, bom: number): { chunks: Chunk[]; error?: YamlError } {
    const chunks: Chunk[] = [];
    const n = text.length;
    let i = 0;
    let line = 1;
    let lineStart = 0;
    /** After the last value read, with its line. */
    let consumed = 0;
    let consumedLine = 1;
    let count = 0;
    for (;;) {
        for (
            let c = text.charCodeAt(i);
            i < n && (c === 32 || c === 9 || c === 10 || c === 13);
            c = text.charCodeAt(++i)
        )
            if (c === 10) {
                line++;
                lineStart = i + 1;
            }
        if (i >= n) return { chunks };
        const end = jsonValueEnd(text, i);
        if (end < 0) {
            if (count > 1)
                return {
                    chunks,
                    error: new YamlError("invalid JSON in a stream of JSON values", line, i - lineStart + 1),
                };
            // not a JSON stream after all: YAML from the end of the value read, past spaces up to the first line end
            let from = consumed;
            let fromLine = consumedLine;
            while (from < n && isGoSpace(text.charCodeAt(from))) {
                if (text.charCodeAt(from++) === 10) {
                    fromLine++;
                    break;
                }
            }
            return splitYaml(text, from, fromLine, bom, chunks);
        }
        const column = i - lineStart + 1;
        chunks.push({ text: text.slice(i, end), start: i + bom, line, ...(column > 1 ? { column } : {}), json: true });
        for (let k = text.indexOf("\n", i); k >= 0 && k < end; k = text.indexOf("\n", k + 1)) {
            line++;
            lineStart = k + 1;
        }
        i = consumed = end;
        consumedLine = line;
        count++;
    }
}

/**
 * Where the JSON value at `i` ends, or -1 when Go's json.Decoder would fail on it: its extent is found by brackets and
 * strings (a bare literal or number: up to the next delimiter), then checked by the JSON grammar (JSON.parse's is
 * RFC 8259's, as Go's is).
 */
function jsonValueEnd(text: string, i: number): number {
    const n = text.length;
    let j = i;
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91 || c === 34) {
        let depth = 0;
        for (; j < n; j++) {
            const d = text.charCodeAt(j);
            if (d === 34) {
                for (j++; j < n && text.charCodeAt(j) !== 34; j++) if (text.charCodeAt(j) === 92) j++;
                if (j >= n) return -1;
                if (depth === 0) break;
            } else if (d === 123 || d === 91) depth++;
            else if (d === 125 || d === 93) {
                if (--depth === 0) break;
            }
        }
        if (j >= n) return -1;
        j++;
    } else {
        while (j < n && /[-+.0-9A-Za-z]/.test(text[j])) j++;
        if (j === i) return -1;
    }
    try {
        JSON.parse(text.slice(i, j));
    } catch {
        return -1;
    }
    return j;
}

/**
 * A YAML stream from offset `from` (a line start, or where a JSON stream turned out to be YAML) at 1-based line
 * `line`, cut as the YAMLReader cuts it; its documents appended to `chunks`.
 */
function splitYaml(
    text: string,
    from: number,
    line: number,
    bom: number,
    chunks: Chunk[],
): { chunks: Chunk[]; error?: YamlError } {
    let start = from;
    let startLine = line;
    let i = from;
    const n = text.length;
    const lineStart = text.lastIndexOf("\n", from - 1) + 1;
    const column = from - lineStart + 1;
    const push = (end: number) => {
        if (end > start)
            chunks.push({
                text: text.slice(start, end),
                start: start + bom,
                line: startLine,
                ...(start === from && column > 1 ? { column } : {}),
            });
    };
    while (i < n) {
        let eol = text.indexOf("\n", i);
        if (eol < 0) eol = n;
        if (text.charCodeAt(i) === 45 && text.charCodeAt(i + 1) === 45 && text.charCodeAt(i + 2) === 45) {
            const rest = text.slice(i + 3, eol).trim();
            push(i);
            if (rest.length > 0 && rest[0] !== "#")
                return { chunks, error: new YamlError(`invalid Yaml document separator: ${rest}`, line) };
            start = eol + 1;
            startLine = line + 1;
        }
        i = eol + 1;
        line++;
    }
    push(n);
    return { chunks };
}

/** `locate` with the general reader's table of positions (the digest's source; for tests). */
export function locateInTable(
    root: unknown,
    rootPos: number,
    path: string | undefined,
    positions: Positions | undefined,
): Position {
    let best = rootPos;
    if (!path) return unpack(best);
    let cur: unknown = root;
    for (const seg of parsePath(path)) {
        if (cur === null || typeof cur !== "object") break;
        const loc = positions?.get(cur);
        let p: number | undefined;
        if (typeof seg === "number") {
            if (!Array.isArray(cur)) break;
            p = loc ? (loc[seg] as number | undefined) : undefined;
            cur = cur[seg];
        } else {
            if (Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, seg)) break;
            p = posOfKey(loc, seg);
            cur = (cur as Record<string, unknown>)[seg];
        }
        if (p === undefined) break;
        best = p;
    }
    return unpack(best);
}

/** Nodes a position digest holds at most, and its deepest nesting (beyond: placed at the object's start). */
const DIGEST_MAX = 200_000;
const DIGEST_DEPTH = 200;

/**
 * The positions of an object's fields in a flat array, in a fixed walk (keys in `Object.keys`
 * order, each key then its value's fields; each item then its fields), two numbers per field: its
 * position (NaN where none is known) and how many fields its value holds (to step over it). It
 * survives a JSON copy of the object (same keys, same order), so a finding is placed with `locate`
 * on the object as read or on the copy. Empty for an object of more than DIGEST_MAX fields or
 * nested deeper than DIGEST_DEPTH.
 */
export function positionDigest(root: unknown, positions: Positions | undefined): Float64Array {
    const out: number[] = [];
    const field = (p: unknown, value: unknown, depth: number) => {
        if (out.length >= 2 * DIGEST_MAX) throw DIGEST_FULL;
        const at = out.length;
        out.push(typeof p === "number" ? p : NaN, 0);
        walk(value, depth + 1);
        out[at + 1] = (out.length - at - 2) / 2;
    };
    const walk = (v: unknown, depth: number): void => {
        if (v === null || typeof v !== "object") return;
        if (depth > DIGEST_DEPTH) throw DIGEST_FULL;
        const loc = positions?.get(v);
        if (Array.isArray(v)) {
            for (let i = 0; i < v.length; i++) field(loc?.[i], v[i], depth);
            return;
        }
        const keys = Object.keys(v);
        for (let i = 0; i < keys.length; i++) {
            const k = keys[i];
            // keys are recorded in reading order, which is Object.keys order but for integer-like keys
            field(
                loc && loc[2 * i] === k ? loc[2 * i + 1] : posOfKey(loc, k),
                (v as Record<string, unknown>)[k],
                depth,
            );
        }
    };
    try {
        walk(root, 0);
    } catch (e) {
        if (e === DIGEST_FULL) return EMPTY_DIGEST;
        throw e;
    }
    return Float64Array.from(out);
}
const DIGEST_FULL = Symbol("digest full");
const EMPTY_DIGEST = new Float64Array(0);

/**
 * Where the value at a finding path is: its key (or item), else the nearest ancestor found. On the
 * object as read or a JSON copy of it, with its positionDigest.
 */
export function locate(root: unknown, rootPos: number, path: string | undefined, digest: Float64Array): Position {
    let best = rootPos;
    if (!path || digest.length === 0) return unpack(best);
    let cur: unknown = root;
    let at = 0; // digest index of `cur`'s first field
    for (const seg of parsePath(path)) {
        if (cur === null || typeof cur !== "object") break;
        let idx = at;
        if (typeof seg === "number") {
            if (!Array.isArray(cur) || seg >= cur.length) break;
            for (let i = 0; i < seg; i++) idx += 2 + 2 * digest[idx + 1];
            cur = cur[seg];
        } else {
            if (Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, seg)) break;
            const o = cur as Record<string, unknown>;
            for (const k of Object.keys(o)) {
                if (k === seg) break;
                idx += 2 + 2 * digest[idx + 1];
            }
            cur = o[seg];
        }
        const p = digest[idx];
        if (p === undefined || Number.isNaN(p)) break;
        best = p;
        at = idx + 2;
    }
    return unpack(best);
}

/** The part of a digest that holds the fields of the value of the field at `at`. */
export const fieldsOf = (digest: Float64Array, at: number): Float64Array =>
    digest.subarray(at + 2, at + 2 + 2 * digest[at + 1]);

const pathCache = new Map<string, Array<string | number>>();

/** `a.b[0]["x.y/z"].c` → ["a", "b", 0, "x.y/z", "c"] (the shared Finding.path syntax). */
function parsePath(path: string): Array<string | number> {
    const cached = pathCache.get(path);
    if (cached) return cached;
    const out: Array<string | number> = [];
    let i = 0;
    let cur = "";
    const flush = () => {
        if (cur !== "") out.push(cur);
        cur = "";
    };
    while (i < path.length) {
        const c = path[i];
        if (c === ".") {
            flush();
            i++;
        } else if (c === "[") {
            flush();
            if (path[i + 1] === '"') {
                // JSON string up to the matching quote
                let j = i + 2;
                while (j < path.length && path[j] !== '"') j += path[j] === "\\" ? 2 : 1;
                try {
                    out.push(JSON.parse(path.slice(i + 1, j + 1)));
                } catch {
                    out.push(path.slice(i + 2, j));
                }
                i = path.indexOf("]", j) + 1 || path.length;
            } else {
                const j = path.indexOf("]", i);
                const inner = path.slice(i + 1, j < 0 ? path.length : j);
                out.push(/^\d+$/.test(inner) ? Number(inner) : inner);
                i = j < 0 ? path.length : j + 1;
            }
        } else {
            cur += c;
            i++;
        }
    }
    flush();
    if (pathCache.size < 10_000) pathCache.set(path, out);
    return out;
}

// ---------------------------------------------------------------------------------------------
// A fast reader for the plain block style almost every manifest is written in.
//
// It reads block mappings and sequences of single-line scalars (plain, single- and double-quoted),
// `{}` and `[]`, and comments, and builds exactly what the general reader above builds (values,
// key order, positions). On anything else (anchors, aliases, tags, block and multi-line scalars,
// flow collections with content, merge keys, keys that are not plain strings, tabs, control or
// unusual characters, duplicate keys, any construct the general reader refuses) it gives up and the
// general reader reads the document, so errors and rare forms are always its answers.
// test/scanner/yaml-fast.test.ts compares both readers on every manifest of the test suites and on
// mutated documents.

/** Thrown (never escapes parseDocument) when the fast reader leaves a document to the general one. */
const GIVE_UP: unique symbol = Symbol("general reader");
/**
 * Characters the fast reader accepts: LF, printable ASCII and printable non-ASCII (no line or paragraph separators, no
 * BOM, no surrogates).
 */
const FAST_CHARS = /^[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;

let src = "";
let n = 0;
let p = 0;
/** 0-based line of `p` in the document, and the offset where that line starts. */
let ln = 0;
let ls = 0;
/** Indentation of the content line `p` is at; -1 at the end of the document. */
let indentNow = -1;
let firstLine = 1;
/** The document's positionDigest, in reading order (which is its walk's: no integer-like keys here); nesting depth. */
let digest: number[] = [];
let depth = 0;
/** A value read is -0 (JSON makes it 0; no other value JSON changes gets through this reader). */
let negativeZero = false;

const giveUp = (): never => {
    throw GIVE_UP;
};

/** From the start of a line: skip blank and comment-only lines; `p` at the next content (or the end). */
function toContent(): void {
    for (;;) {
        let i = p;
        while (i < n && src.charCodeAt(i) === 32) i++;
        if (i >= n) {
            p = n;
            indentNow = -1;
            return;
        }
        const c = src.charCodeAt(i);
        if (c === 35) {
            // a comment line
            i = src.indexOf("\n", i);
            if (i < 0) {
                p = n;
                indentNow = -1;
                return;
            }
        }
        if (c === 35 || c === 10) {
            p = i + 1;
            ln++;
            ls = p;
            continue;
        }
        indentNow = i - ls;
        p = i;
        // a document marker (`---`, `...`) at the start of a line: left to the general reader
        if (indentNow === 0 && (c === 45 || c === 46) && src.charCodeAt(i + 1) === c && src.charCodeAt(i + 2) === c) {
            const f = src.charCodeAt(i + 3);
            if (i + 3 >= n || f === 32 || f === 10) giveUp();
        }
        return;
    }
}

/**
 * `p` after the last content of a line: allow spaces and a comment after at least one space, then go to the next
 * content line.
 */
function endLine(): void {
    const from = p;
    while (p < n && src.charCodeAt(p) === 32) p++;
    if (p < n && src.charCodeAt(p) === 35) {
        if (p === from) giveUp();
        const e = src.indexOf("\n", p);
        p = e < 0 ? n : e;
    }
    if (p >= n) {
        indentNow = -1;
        return;
    }
    if (src.charCodeAt(p) !== 10) giveUp();
    p++;
    ln++;
    ls = p;
    toContent();
}

/** Indentation of the next line holding anything but spaces (a comment counts), -1 if none; `p` at a line end. */
function peekIndent(): number {
    let i = p;
    while (i < n) {
        i++; // the line feed
        const start = i;
        while (i < n && src.charCodeAt(i) === 32) i++;
        if (i >= n) return -1;
        if (src.charCodeAt(i) !== 10) return i - start;
    }
    return -1;
}

const isSeqStart = (): boolean =>
    src.charCodeAt(p) === 45 && (p + 1 >= n || src.charCodeAt(p + 1) === 32 || src.charCodeAt(p + 1) === 10);

/** Characters that cannot start a plain scalar here, or start forms this reader leaves to the general one. */
const NOT_PLAIN = new Uint8Array(128);
for (const c of "\n #&*!|>'\"%@`,[]{}?:-") NOT_PLAIN[c.charCodeAt(0)] = 1;

/** A double-quoted scalar on one line; `p` at the opening quote, left after the closing one. */
function doubleQuoted(): string {
    let i = p + 1;
    let out = "";
    let from = i;
    for (;;) {
        if (i >= n) giveUp();
        const c = src.charCodeAt(i);
        if (c === 34) break;
        if (c === 10) giveUp();
        if (c === 92) {
            out += src.slice(from, i);
            const e = src.charCodeAt(i + 1);
            const simple = ESCAPES[e];
            if (simple !== undefined) {
                out += simple;
                i += 2;
            } else {
                const len = e === 120 ? 2 : e === 117 ? 4 : e === 85 ? 8 : 0;
                if (len === 0) giveUp();
                const hex = src.slice(i + 2, i + 2 + len);
                if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) giveUp();
                const cp = parseInt(hex, 16);
                if (cp > 0x10ffff) giveUp();
                out += String.fromCodePoint(cp);
                i += 2 + len;
            }
            from = i;
            continue;
        }
        i++;
    }
    out += src.slice(from, i);
    p = i + 1;
    return out;
}
/** js-yaml's single-character escapes (the tab one aside: tabs go to the general reader). */
const ESCAPES: Record<number, string> = {
    48: "\x00",
    97: "\x07",
    98: "\x08",
    116: "\x09",
    110: "\x0a",
    118: "\x0b",
    102: "\x0c",
    114: "\x0d",
    101: "\x1b",
    32: " ",
    34: '"',
    47: "/",
    92: "\\",
    78: "\x85",
    95: "\xa0",
    76: "\u2028",
    80: "\u2029",
};

/** A single-quoted scalar on one line. */
function singleQuoted(): string {
    let i = p + 1;
    let out = "";
    let from = i;
    for (;;) {
        if (i >= n) giveUp();
        const c = src.charCodeAt(i);
        if (c === 10) giveUp();
        if (c === 39) {
            if (src.charCodeAt(i + 1) !== 39) break;
            out += src.slice(from, i + 1);
            i += 2;
            from = i;
            continue;
        }
        i++;
    }
    out += src.slice(from, i);
    p = i + 1;
    return out;
}

/** After a key: spaces, then `:` followed by a space or the line end. False when the text is not a key. */
function colonFollows(i: number): number {
    while (i < n && src.charCodeAt(i) === 32) i++;
    if (src.charCodeAt(i) !== 58) return -1;
    const f = src.charCodeAt(i + 1);
    return i + 1 >= n || f === 32 || f === 10 ? i + 1 : -1;
}

/** A plain key's string as the general reader makes it (resolved, then String()). */
function plainKey(s: string): string {
    const r = resolvePlain(s);
    if (r === NOT_RESOLVED) return s;
    if (typeof r === "boolean") return String(r);
    if (typeof r === "bigint") return r >= -(2n ** 53n) && r <= 2n ** 53n ? String(Number(r)) : giveUp();
    if (typeof r === "number" && Number.isFinite(r) && goFloatKey(r) === String(r)) return String(r);
    return giveUp();
}

/** A plain scalar value as the general reader makes it. */
function plainValue(s: string): unknown {
    const r = resolvePlain(s);
    if (r === NOT_RESOLVED) return s;
    if (r === null || typeof r === "boolean") return r;
    if (typeof r === "bigint") return Number(r);
    if (typeof r === "number" && Number.isFinite(r)) return r;
    return giveUp();
}

/**
 * A key at `p` on this line: its string, with `p` after the `:`; undefined (and `p` unchanged)
 * when the content there is not a key.
 */
function key(): string | undefined {
    const c = src.charCodeAt(p);
    if (c === 34 || c === 39) {
        const save = p;
        const s = c === 34 ? doubleQuoted() : singleQuoted();
        const after = colonFollows(p);
        if (after < 0) {
            p = save;
            return undefined;
        }
        p = after;
        return s;
    }
    if (c < 128 && NOT_PLAIN[c] === 1) return giveUp();
    let i = p;
    let end = p;
    let h = 0;
    for (;;) {
        if (i >= n) return undefined;
        const d = src.charCodeAt(i);
        if (d === 10) return undefined;
        if (d === 58) {
            const f = src.charCodeAt(i + 1);
            if (i + 1 >= n || f === 32 || f === 10) break;
        } else if (d === 35 && src.charCodeAt(i - 1) === 32) {
            return undefined;
        }
        if (d !== 32) {
            end = i + 1;
            h = (h * 31 + d) | 0;
        }
        i++;
    }
    // the same few hundred keys recur in every manifest: a key read before is reused (no new
    // string to make and resolve, and one V8 has already made a property name)
    const slot = h & (KEY_SLOTS - 1);
    const raw = keyText[slot];
    let s: string;
    if (raw !== undefined && raw.length === end - p && src.startsWith(raw, p)) s = keyValue[slot];
    else {
        const text = src.slice(p, end);
        s = plainKey(text);
        keyText[slot] = text;
        keyValue[slot] = s;
    }
    p = i + 1;
    return s;
}
/** Plain keys read lately, by a hash of their text: the text and the key it makes. */
const KEY_SLOTS = 4096;
const keyText: Array<string | undefined> = new Array<string | undefined>(KEY_SLOTS).fill(undefined);
const keyValue: string[] = new Array<string>(KEY_SLOTS).fill("");
/** Short plain values read lately, the same way: the text and the value it makes. */
const valueText: Array<string | undefined> = new Array<string | undefined>(KEY_SLOTS).fill(undefined);
const valueValue: unknown[] = new Array<unknown>(KEY_SLOTS).fill(null);

/**
 * A scalar, `{}` or `[]` on the rest of this line, then the next content line. `indent` is the
 * enclosing collection's: a plain scalar continued on a deeper line is left to the general reader.
 */
function inlineValue(indent: number): unknown {
    const c = src.charCodeAt(p);
    let v: unknown;
    if (c === 124 || c === 62) return blockScalar(indent + 1);
    if (c === 34) v = doubleQuoted();
    else if (c === 39) v = singleQuoted();
    else if ((c === 123 && src.charCodeAt(p + 1) === 125) || (c === 91 && src.charCodeAt(p + 1) === 93)) {
        v = c === 123 ? {} : [];
        p += 2;
    } else {
        // `-` then a non-space starts a plain scalar (`-1`); every other indicator is left to the general reader
        if (
            c < 128 &&
            NOT_PLAIN[c] === 1 &&
            !(c === 45 && p + 1 < n && src.charCodeAt(p + 1) !== 32 && src.charCodeAt(p + 1) !== 10)
        )
            giveUp();
        let i = p;
        let end = p;
        let h = 0;
        for (;;) {
            if (i >= n) break;
            const d = src.charCodeAt(i);
            if (d === 10) break;
            if (d === 58) {
                const f = src.charCodeAt(i + 1);
                if (i + 1 >= n || f === 32 || f === 10) giveUp();
            } else if (d === 35 && src.charCodeAt(i - 1) === 32) {
                break;
            }
            if (d !== 32) {
                end = i + 1;
                h = (h * 31 + d) | 0;
            }
            i++;
        }
        // short values recur too (kinds, versions, policies, label values): reused like keys
        const len = end - p;
        const slot = h & (KEY_SLOTS - 1);
        const raw = len <= 48 ? valueText[slot] : undefined;
        if (raw !== undefined && raw.length === len && src.startsWith(raw, p)) v = valueValue[slot];
        else {
            const text = src.slice(p, end);
            v = plainValue(text);
            if (len <= 48) {
                valueText[slot] = text;
                valueValue[slot] = v;
            }
        }
        if (v === 0 && Object.is(v, -0)) negativeZero = true;
        p = end;
        // a plain scalar goes on over deeper lines (even comment lines): left to the general reader
        let e = src.indexOf("\n", p);
        if (e < 0) e = n;
        const save = p;
        p = e;
        const next = peekIndent();
        p = save;
        if (next > indent) giveUp();
    }
    endLine();
    return v;
}

/** The text as the general reader sees it: a final line feed added when missing, then the end (0). */
const at = (i: number): number => (i < n ? src.charCodeAt(i) : i === n && src.charCodeAt(n - 1) !== 10 ? 10 : 0);

/**
 * A literal (`|`) or folded (`>`) block scalar, with `-` or `+` chomping, read as js-yaml reads it
 * (`nodeIndent`: the least indentation of its text); then the next content line.
 */
function blockScalar(nodeIndent: number): string {
    const folding = src.charCodeAt(p) === 62;
    let chomp = 0; // 0 clip, 1 keep, -1 strip
    let i = p + 1;
    let c = at(i);
    if (c === 43 || c === 45) {
        chomp = c === 43 ? 1 : -1;
        c = at(++i);
    }
    if ((c >= 48 && c <= 57) || c === 43 || c === 45) giveUp(); // an explicit indentation
    if (c === 32) {
        do c = at(++i);
        while (c === 32);
        if (c === 35) {
            do c = at(++i);
            while (c !== 10 && c !== 0);
        }
    }
    if (c !== 10) giveUp();
    let textIndent = nodeIndent;
    let detected = false;
    let didRead = false;
    let empty = 0;
    let moreIndented = false;
    let out = "";
    while (c !== 0) {
        i++; // the line feed
        ln++;
        ls = i;
        let lineIndent = 0;
        c = at(i);
        while ((!detected || lineIndent < textIndent) && c === 32) {
            lineIndent++;
            c = at(++i);
        }
        if (!detected && lineIndent > textIndent) textIndent = lineIndent;
        if (c === 10) {
            empty++;
            continue;
        }
        if (lineIndent < textIndent) {
            if (chomp === 1) out += "\n".repeat(didRead ? 1 + empty : empty);
            else if (chomp === 0 && didRead) out += "\n";
            break;
        }
        if (folding) {
            if (c === 32) {
                moreIndented = true;
                out += "\n".repeat(didRead ? 1 + empty : empty);
            } else if (moreIndented) {
                moreIndented = false;
                out += "\n".repeat(empty + 1);
            } else if (empty === 0) {
                if (didRead) out += " ";
            } else out += "\n".repeat(empty);
        } else out += "\n".repeat(didRead ? 1 + empty : empty);
        didRead = true;
        detected = true;
        empty = 0;
        const start = i;
        while (c !== 10 && c !== 0) c = at(++i);
        out += src.slice(start, Math.min(i, n));
    }
    // the line that ended it
    if (ls >= n) {
        p = n;
        indentNow = -1;
    } else {
        p = ls;
        toContent();
    }
    return out;
}

/** A block mapping whose first key is at `p`, at column `indent`. */
function mapping(indent: number): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (;;) {
        const kpos = pack(firstLine + ln, p - ls + 1);
        const k = key();
        if (k === undefined || k === "__proto__" || Object.prototype.hasOwnProperty.call(o, k)) giveUp();
        // an integer-like key comes first in Object.keys, out of reading order: the general reader's job
        const c0 = (k as string).charCodeAt(0);
        if (c0 >= 48 && c0 <= 57 && INDEX_LIKE.test(k as string)) giveUp();
        const at = digest.length;
        digest.push(kpos, 0);
        // the value: on this line, or on the next lines, or nothing
        let i = p;
        while (i < n && src.charCodeAt(i) === 32) i++;
        const c = src.charCodeAt(i);
        let v: unknown;
        if (i >= n || c === 10 || c === 35) {
            endLine();
            if (indentNow > indent) v = block(indentNow);
            else if (indentNow === indent && isSeqStart()) v = sequence(indent);
            else v = null;
        } else {
            p = i;
            v = inlineValue(indent);
        }
        o[k as string] = v;
        digest[at + 1] = (digest.length - at - 2) / 2;
        if (indentNow < indent) break;
        if (indentNow > indent) giveUp();
    }
    return o;
}
const INDEX_LIKE = /^(0|[1-9][0-9]*)$/;

/** A block sequence whose first `-` is at `p`, at column `indent`. */
function sequence(indent: number): unknown[] {
    const a: unknown[] = [];
    for (;;) {
        p++; // the dash
        let i = p;
        while (i < n && src.charCodeAt(i) === 32) i++;
        const c = src.charCodeAt(i);
        let v: unknown;
        const at = digest.length;
        if (i >= n || c === 10 || c === 35) {
            endLine();
            if (indentNow <= indent) giveUp(); // a null item: no position for it
            digest.push(pack(firstLine + ln, p - ls + 1), 0);
            v = block(indentNow);
        } else {
            p = i;
            digest.push(pack(firstLine + ln, p - ls + 1), 0);
            if (isSeqStart()) giveUp();
            let isKey = false;
            if (c !== 123 && c !== 91) {
                isKey = key() !== undefined;
                p = i;
            }
            v = isKey ? mapping(i - ls) : inlineValue(indent);
        }
        a.push(v);
        digest[at + 1] = (digest.length - at - 2) / 2;
        if (indentNow < indent) break;
        if (indentNow > indent) giveUp();
        if (!isSeqStart()) break;
    }
    return a;
}

/** The collection starting at `p` on a new line, at column `indent`. */
function block(indent: number): unknown {
    // deep nesting is left to the general reader (and a digest stops at DIGEST_DEPTH)
    if (++depth > 100) giveUp();
    const v = isSeqStart() ? sequence(indent) : mapping(indent);
    depth--;
    return v;
}

/** The document read by the fast reader, or undefined when it is left to the general reader (exported for tests). */
export function fastDocument(text: string, line: number): YamlDocument | undefined {
    if (!FAST_CHARS.test(text)) return undefined;
    src = text;
    n = text.length;
    digest = [];
    depth = 0;
    negativeZero = false;
    p = 0;
    ln = 0;
    ls = 0;
    firstLine = line;
    try {
        toContent();
        if (indentNow !== 0) return undefined;
        const value = block(0);
        if ((indentNow as number) !== -1) return undefined;
        return {
            value,
            pos: firstContent(text, 0, line),
            digest: digest.length > 2 * DIGEST_MAX ? EMPTY_DIGEST : Float64Array.from(digest),
            jsonExact: !negativeZero,
        };
    } catch (e) {
        if (e === GIVE_UP) return undefined;
        throw e;
    } finally {
        src = "";
        digest = [];
    }
}

// ---------------------------------------------------------------------------------------------
// The JSON reader: a document that is a JSON object or array (a JSON file, a value of a JSON stream, `kubectl get -o
// json` output) read by JSON.parse, its positions found by one pass over the text. Only where the general reader
// builds exactly the same value, key order and positions (test/scanner/yaml-fast.test.ts compares both); anything else
// (a key set twice, integer-like or `__proto__` keys, -0 or a number JSON makes infinite, surrogate escapes, characters
// YAML reads differently from JSON, deep nesting) is left to it.

/** Characters the JSON reader accepts: FAST_CHARS, and tabs and carriage returns (JSON whitespace). */
const JSON_CHARS = /^[\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;
const STREAM_JSON_CHARS = /^[\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;

/** Does the document start (after JSON whitespace) with `{` or `[`? */
function isJsonStart(text: string): boolean {
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 123 || c === 91) return true;
        if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return false;
    }
    return false;
}

/** The document read by the JSON reader, or undefined when it is left to the general reader (exported for tests). */
export function fastJson(text: string, line: number, stream = false): YamlDocument | undefined {
    // a carriage return alone is a line break for YAML, mere whitespace for JSON; in a JSON stream's value (kubectl
    // decodes it as JSON) NEL, LS and PS can only be characters of a string
    if (!(stream ? STREAM_JSON_CHARS : JSON_CHARS).test(text) || (text.includes("\r") && /\r(?!\n)/.test(text)))
        return undefined;
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return undefined;
    }
    const out: number[] = [];
    let p = 0;
    let ln = 0;
    let ls = 0;
    const ws = () => {
        for (;;) {
            const c = text.charCodeAt(p);
            if (c === 10) {
                ln++;
                ls = ++p;
            } else if (c === 32 || c === 9 || c === 13) p++;
            else return;
        }
    };
    /** Past a string at `p`; false at a surrogate escape (left to the general reader). */
    const string = (): boolean => {
        for (p++; ; p++) {
            const c = text.charCodeAt(p);
            if (c === 34) {
                p++;
                return true;
            }
            if (c === 92) {
                if (text.charCodeAt(p + 1) === 117 && (text.charCodeAt(p + 2) | 0x20) === 100) {
                    const h = text.charCodeAt(p + 3) | 0x20;
                    if ((h >= 56 && h <= 57) || (h >= 97 && h <= 102)) return false;
                }
                p++;
            }
        }
    };
    /** The value at `p` (JSON.parse has checked the grammar), its fields' positions appended; false to give up. */
    const walk = (v: unknown, depth: number): boolean => {
        ws();
        const c = text.charCodeAt(p);
        if (c === 34) return string();
        if (c !== 123 && c !== 91) {
            // a number or literal: up to the next space, comma or closing bracket
            for (
                let d = c;
                p < text.length && d !== 32 && d !== 10 && d !== 13 && d !== 9 && d !== 44 && d !== 93 && d !== 125;
            )
                d = text.charCodeAt(++p);
            // -0: YAML reads `-0` as the integer 0 and `-0.0` as -0; infinite: an error for YAML
            return typeof v !== "number" || (Number.isFinite(v) && !Object.is(v, -0));
        }
        if (depth > 100) return false;
        const keys = c === 123 ? Object.keys(v as object) : undefined;
        const items = v as Record<string | number, unknown>;
        p++;
        ws();
        let k = 0;
        if (text.charCodeAt(p) !== (c === 123 ? 125 : 93))
            for (; ; k++) {
                ws();
                const at = out.length;
                out.push(pack(line + ln, p - ls + 1), 0);
                let field: unknown;
                if (keys) {
                    const key = keys[k];
                    // a key set twice (fewer keys than written), integer-like keys (out of order) or __proto__
                    if (key === undefined || key === "__proto__" || INDEX_LIKE.test(key) || !string()) return false;
                    // the colon on a later line than its key: no implicit key for YAML (JSON has no such rule)
                    const keyLine = ln;
                    ws();
                    if (ln !== keyLine && !stream) return false;
                    p++; // the colon
                    field = items[key];
                } else field = items[k];
                if (!walk(field, depth + 1)) return false;
                out[at + 1] = (out.length - at - 2) / 2;
                ws();
                if (text.charCodeAt(p) !== 44) break;
                p++;
            }
        p++; // the closing bracket
        return true;
    };
    if (value === null || typeof value !== "object" || !walk(value, 0)) return undefined;
    return {
        value,
        pos: firstContent(text, 0, line),
        digest: out.length > 2 * DIGEST_MAX ? EMPTY_DIGEST : Float64Array.from(out),
        jsonExact: true,
    };
}
