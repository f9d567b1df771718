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
import { FAILSAFE_SCHEMA, load, Type, YAMLException } from "js-yaml";

/** A position: 1-based line and column. */
export interface Position {
    line: number;
    column: number;
}

/** Positions are packed as line * 2^16 + column (columns beyond 65535 are clamped). */
const COL = 65536;
export const pack = (line: number, column: number): number => line * COL + Math.min(column, COL - 1);
export const unpack = (p: number): Position => ({ line: Math.floor(p / COL), column: p % COL });

/**
 * Key positions of a mapping (`[key, pos, key, pos, ...]`) or item positions of a sequence, kept
 * on the object under a symbol (invisible to Object.keys, JSON and the rules).
 */
export const LOC = Symbol("hardened-scan.positions");
type Located = { [LOC]?: unknown[] };

export class YamlError extends Error {
    constructor(message: string, readonly line: number, readonly column?: number) {
        super(message);
    }
}

// ---------------------------------------------------------------------------------------------
// go-yaml v2 plain scalar resolution (resolve.go), for values and keys.

const MERGE = "\u0000<<";
/** A plain scalar whose JavaScript value differs from what it becomes as a map key, or that cannot be a JSON value. */
class Special {
    constructor(readonly value: unknown, readonly key: string | Error, readonly valueError?: string) {}
}
/** Markers are map keys as `\u0000k<n>` until the document is fixed up; table per parse. */
let specials: Special[] = [];
let sawMerge = false;

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
        const p = s[i + 1];
        if (p === "x" || p === "X") (base = 16), (i += 2);
        else if (p === "o" || p === "O") (base = 8), (i += 2);
        else if (p === "b" || p === "B") (base = 2), (i += 2);
        else (base = 8), (i += 1);
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
export function goFloatKey(f: number): string {
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
        if (!Number.isFinite(v)) return mark(new Special(v, goFloatKey(v), `json: unsupported value: ${Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"}`));
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
const plainType = new Type("tag:yaml.org,2002:k8s-plain", {
    kind: "scalar",
    resolve: (data: string) => {
        if (typeof data !== "string") return false;
        const v = resolvePlain(data);
        if (v === NOT_RESOLVED) return false;
        if (v === MERGE) sawMerge = true;
        lastPlain = v === MERGE ? MERGE : toJs(v);
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
const anyTag = ["scalar", "sequence", "mapping"].map(kind => new Type("", { kind: kind as "scalar", multi: true, construct: (d: unknown) => (d === null && kind === "scalar" ? "" : d) }));

const SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [plainType], explicit: [...tagged, ...anyTag] });

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

function listener(event: "open" | "close", s: ListenerState): void {
    const d = s.depth;
    if (event === "open") {
        opened[d] = pack(s.line + lineBase, s.position - s.lineStart + 1);
        kids[d] = undefined;
        return;
    }
    // `!` on an empty scalar: go-yaml v2 reads an empty string, js-yaml null
    if (s.result === null && s.tag === "!") s.result = "";
    const result = s.result;
    if (result !== null && typeof result === "object" && !(MARKER in result)) {
        const mine = kids[d];
        if (mine !== undefined) attach(result as Located, mine);
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
    if (isKey && result !== null && typeof result === "object" && !(MARKER in result) && badKey === undefined) badKey = opened[d];
    list.push(isKey, result, opened[d]);
}

function attach(o: Located, mine: unknown[]): void {
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
            const k = Array.isArray(r) ? (r.every(x => x === null || typeof x !== "object") ? r.join(",") : undefined) : "[object Object]";
            if (k !== undefined && Object.prototype.hasOwnProperty.call(o, k) && (o as Record<string, unknown>)[k] !== r) badKey = mine[i + 2] as number;
        }
    }
    if (keys.length > 0) setLoc(o, keys);
}

/** Non-enumerable, so deep comparisons and copies of the objects ignore it. */
function setLoc(o: object, v: unknown[]): void {
    Object.defineProperty(o, LOC, { value: v, enumerable: false, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------
// Documents.

export interface YamlDocument {
    /** The document's value (null for an empty or comment-only document). */
    value: unknown;
    /** Position of the document's first content. */
    pos: number;
}

const goKeyDesc = (k: string) => JSON.stringify(k);

/** Apply merge keys and markers as go-yaml v2 + sigs.k8s.io/yaml would; throws YamlError. */
function fixup(root: unknown, chunkLine: number): unknown {
    const seen = new Set<object>();
    const value = (v: unknown, where: number): unknown => {
        if (v === MERGE) return "<<";
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
    const walk = (o: object): void => {
        if (seen.has(o)) return;
        seen.add(o);
        if (Array.isArray(o)) {
            for (let i = 0; i < o.length; i++) o[i] = value(o[i], chunkLine);
            return;
        }
        const rec = o as Record<string, unknown> & Located;
        const loc = rec[LOC];
        let merge: unknown;
        let mergePos = chunkLine;
        for (const k of Object.keys(rec)) {
            const kpos = posOfKey(loc, k) ?? chunkLine;
            const v = value(rec[k], Math.floor(kpos / COL));
            if (k === MERGE) {
                merge = v;
                mergePos = Math.floor(kpos / COL);
                delete rec[k];
                continue;
            }
            if (k.startsWith("\u0000k")) {
                const sp = specials[Number(k.slice(2))];
                if (sp.key instanceof Error) throw new YamlError(sp.key.message, Math.floor(kpos / COL));
                delete rec[k];
                if (Object.prototype.hasOwnProperty.call(rec, sp.key)) throw new YamlError(`key ${goKeyDesc(sp.key)} already set in map`, Math.floor(kpos / COL));
                rec[sp.key] = v;
                renameLoc(loc, k, sp.key);
                continue;
            }
            rec[k] = v;
        }
        if (merge !== undefined) {
            const sources = Array.isArray(merge) ? merge : [merge];
            if (merge === null || typeof merge !== "object" || sources.some(s => s === null || typeof s !== "object" || Array.isArray(s))) {
                throw new YamlError("map merge requires map or sequence of maps as the value", mergePos);
            }
            const extra: unknown[] = [];
            for (const src of sources as Array<Record<string, unknown> & Located>) {
                walk(src);
                for (const k of Object.keys(src)) {
                    if (Object.prototype.hasOwnProperty.call(rec, k)) throw new YamlError(`key ${goKeyDesc(k)} already set in map`, mergePos);
                    rec[k] = src[k];
                    const p = posOfKey(src[LOC], k);
                    if (p !== undefined) extra.push(k, p);
                }
            }
            if (extra.length) setLoc(rec, [...(loc ?? []).filter((_x, i, a) => !(i % 2 === 0 && a[i] === MERGE) && !(i % 2 === 1 && a[i - 1] === MERGE)), ...extra]);
        }
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
    let col = 1;
    let i = offset;
    while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c === 10) {
            line++;
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
    return pack(line, col);
}

/**
 * Parse one document (the text between two separators) starting at 1-based `line` of its file.
 * Throws YamlError with the file line of the problem.
 */
export function parseDocument(text: string, line: number, filename?: string): YamlDocument {
    specials = [];
    sawMerge = false;
    kids = [];
    opened = [];
    lineBase = line;
    badKey = undefined;
    let value: unknown = undefined;
    try {
        // go-yaml v2 reads the first document of its input; a `...` end marker ends it.
        value = load(text, { schema: SCHEMA, listener: listener as never, filename, json: false });
    } catch (e) {
        if (e instanceof YAMLException) {
            if (/expected a single document/.test(e.reason ?? "")) {
                value = undefined;
            } else {
                throw new YamlError(e.reason ?? e.message, line + (e.mark?.line ?? 0), e.mark ? e.mark.column + 1 : undefined);
            }
        } else throw e;
    }
    if (value === undefined) value = firstDocumentOnly(text, filename, line);
    if (badKey !== undefined) throw new YamlError("invalid map key: a sequence or mapping cannot be a key", unpack(badKey).line, unpack(badKey).column);
    const pos = firstContent(text, 0, line);
    if ((specials.length > 0 || sawMerge) && value !== null && typeof value === "object") value = fixup(value, line);
    else if (value !== null && typeof value === "object" && MARKER in value) value = fixup(value, line);
    if (value === undefined) value = null;
    if (value !== null && typeof value === "object" && text.includes("&")) checkAliasing(value, line);
    return { value, pos };
}

/**
 * Aliases make js-yaml share one object where go-yaml v2 decodes a copy each time; a few anchors
 * nested in each other (a "billion laughs" document) would expand exponentially in the rules and
 * in JSON. Like go-yaml v2 ("excessive aliasing"), refuse a document whose expansion is far larger
 * than what it spells out.
 */
function checkAliasing(root: object, line: number): void {
    const memo = new Map<object, number>();
    const size = (o: unknown): number => {
        if (o === null || typeof o !== "object") return 1;
        const m = memo.get(o);
        if (m !== undefined) return m;
        memo.set(o, 1); // a cycle counts once
        let n = 1;
        for (const v of Array.isArray(o) ? o : Object.values(o)) {
            n += size(v);
            if (n > 1e12) break;
        }
        memo.set(o, n);
        return n;
    };
    const expanded = size(root);
    if (expanded > 100_000 && expanded > 10 * memo.size + 10_000) throw new YamlError(`document contains excessive aliasing: ${expanded} nodes once aliases are expanded, from ${memo.size} mappings and sequences written`, line);
}

/** Text after a `...` document end marker is not read by go-yaml v2's Unmarshal. */
function firstDocumentOnly(text: string, filename: string | undefined, line: number): unknown {
    const m = /^\.\.\.[ \t]*(#.*)?$/m.exec(text);
    if (!m) return null;
    kids = [];
    opened = [];
    return load(text.slice(0, m.index), { schema: SCHEMA, listener: listener as never, filename });
}

/** One document of a stream as the YAMLReader cuts it. */
export interface Chunk {
    text: string;
    /** Offset of the chunk in the stream's text. */
    start: number;
    /** 1-based line of the chunk's first line in the file. */
    line: number;
}

/**
 * Split a stream as apimachinery's YAMLReader does: a line beginning with `---` ends a document
 * when only spaces or a comment follow; `--- {a: 1}` or `----` is an error (returned with its
 * line; the documents before it are kept, nothing after it is read).
 */
export function splitStream(text: string): { chunks: Chunk[]; error?: YamlError } {
    const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    if (bom) text = text.slice(1);
    const chunks: Chunk[] = [];
    let start = 0;
    let startLine = 1;
    let line = 1;
    let i = 0;
    const n = text.length;
    while (i < n) {
        let eol = text.indexOf("\n", i);
        if (eol < 0) eol = n;
        if (text.charCodeAt(i) === 45 && text.charCodeAt(i + 1) === 45 && text.charCodeAt(i + 2) === 45) {
            const rest = text.slice(i + 3, eol).trim();
            if (rest.length > 0 && rest[0] !== "#") {
                if (i > start) chunks.push({ text: text.slice(start, i), start: start + bom, line: startLine });
                return { chunks, error: new YamlError(`invalid Yaml document separator: ${rest}`, line) };
            }
            if (i > start) chunks.push({ text: text.slice(start, i), start: start + bom, line: startLine });
            start = eol + 1;
            startLine = line + 1;
        }
        i = eol + 1;
        line++;
    }
    if (start < n) chunks.push({ text: text.slice(start), start: start + bom, line: startLine });
    return { chunks };
}

/** Where the value at a finding path is: its key (or item), else the nearest ancestor found. */
export function locate(root: unknown, rootPos: number, path: string | undefined): Position {
    let best = rootPos;
    if (!path) return unpack(best);
    let cur: unknown = root;
    for (const seg of parsePath(path)) {
        if (cur === null || typeof cur !== "object") break;
        const loc = (cur as Located)[LOC];
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

const pathCache = new Map<string, Array<string | number>>();

/** `a.b[0]["x.y/z"].c` → ["a", "b", 0, "x.y/z", "c"] (the shared Finding.path syntax). */
export function parsePath(path: string): Array<string | number> {
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
