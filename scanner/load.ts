/**
 * Inputs → Kubernetes objects for the offline scanner, failing closed.
 *
 * - Paths: files as given; directories walked recursively (sorted) for *.yaml|*.yml|*.json,
 *   symlinked directories followed once (a loop is reported, not followed); `-` is stdin.
 * - A directory holding a kustomization file is rendered with `kubectl kustomize`, a Helm chart
 *   (Chart.yaml) with `helm template`; when the tool is missing the directory is refused with the
 *   command to run. Their plain files are never scanned as if they were the manifests.
 * - Only regular files are read (FIFOs, devices and sockets are refused without being opened for
 *   a blocking read), each at most `maxInputBytes`; every unreadable path is reported by its own
 *   name and the walk goes on.
 * - Streams are read as the Kubernetes API machinery reads them (./yaml.ts); lists (any object with an
 *   `items` array, as kubectl has it) are flattened; every object keeps its file and position.
 */
import {
    closeSync,
    constants,
    existsSync,
    fstatSync,
    openSync,
    readdirSync,
    readSync,
    realpathSync,
    statSync,
} from "fs";
import * as path from "path";
import { K8sObject } from "../rules/types";
import { Chunk, fieldsOf, packPosition, parseDocument, splitStream, unpack, YamlError } from "./yaml";

export interface Located {
    object: K8sObject;
    /** File name as reported (as given on the command line, or `<stdin>`). */
    file: string;
    /** Packed position (yaml.ts `pack`) of the object's first line. */
    pos: number;
    /** Set for objects rendered from a kustomization or Helm chart directory. */
    rendered?: "kustomize" | "helm";
    /** The positions of the object's fields (yaml.ts `positionDigest`, for `locate`). */
    digest: Float64Array;
    /** True when the object is known to hold nothing JSON changes (no -0, NaN, infinities). */
    jsonExact?: boolean;
}

export interface LoadError {
    file: string;
    line?: number;
    column?: number;
    message: string;
}

export interface LoadOptions {
    /** Largest input (file, stdin or rendered output) read, in bytes. */
    maxInputBytes: number;
    /** Reads standard input; a test seam. */
    readStdin?: (maxBytes: number) => string;
    /** kubectl for kustomizations (default: $HC_TOOLS_DIR's pinned build, else PATH). */
    kubectl?: string;
    /** helm for charts (default: PATH). */
    helm?: string;
}

export const DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024;

export type Input = { type: "file"; path: string } | { type: "stdin" } | { type: "kustomize" | "helm"; dir: string };

const EXT = /\.(ya?ml|json)$/i;
const KUSTOMIZATION = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** What a directory is: a kustomization, a Helm chart, or plain manifests. */
function dirKind(dir: string): "kustomize" | "helm" | undefined {
    if (KUSTOMIZATION.some(f => existsSync(path.join(dir, f)))) return "kustomize";
    if (existsSync(path.join(dir, "Chart.yaml"))) return "helm";
    return undefined;
}

const errMessage = (e: unknown): string => {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EACCES" || err.code === "EPERM") return "permission denied";
    if (err.code === "ENOENT") return "no such file or directory";
    if (err.code === "ELOOP") return "too many levels of symbolic links";
    return err.message ?? String(e);
};

/** Every input under the given paths; problems are appended to `errors` by path. */
export function expandPaths(paths: readonly string[], errors: LoadError[]): Input[] {
    const out: Input[] = [];
    const walk = (dir: string, ancestors: Set<string>) => {
        let real: string;
        try {
            real = realpathSync(dir);
        } catch (e) {
            errors.push({ file: dir, message: errMessage(e) });
            return;
        }
        if (ancestors.has(real)) {
            errors.push({ file: dir, message: `symbolic link loop (${real} is already being walked); not followed` });
            return;
        }
        const kind = dirKind(dir);
        if (kind) {
            out.push({ type: kind, dir });
            return;
        }
        let entries;
        try {
            entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
                a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
            );
        } catch (e) {
            errors.push({ file: dir, message: errMessage(e) });
            return;
        }
        const inner = new Set(ancestors).add(real);
        for (const entry of entries) {
            const full = path.join(dir, entry.name);
            let isDir = entry.isDirectory();
            if (entry.isSymbolicLink()) {
                try {
                    isDir = statSync(full).isDirectory();
                } catch (e) {
                    if (EXT.test(entry.name)) errors.push({ file: full, message: `${errMessage(e)} (symbolic link)` });
                    continue;
                }
            }
            if (isDir) {
                if (entry.name !== "node_modules" && !entry.name.startsWith(".")) walk(full, inner);
            } else if (EXT.test(entry.name)) {
                out.push({ type: "file", path: full });
            }
        }
    };
    for (const p of paths) {
        if (p === "-") {
            out.push({ type: "stdin" });
            continue;
        }
        let st;
        try {
            st = statSync(p);
        } catch (e) {
            errors.push({ file: p, message: errMessage(e) });
            continue;
        }
        if (st.isDirectory()) walk(p, new Set());
        else out.push({ type: "file", path: p });
    }
    return out;
}

/** Read a regular file of at most `max` bytes; never blocks on a FIFO, never reads a device. */
export function readRegularFile(file: string, max: number): string {
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
    try {
        const st = fstatSync(fd);
        if (!st.isFile()) {
            const what = st.isFIFO()
                ? "a FIFO"
                : st.isCharacterDevice() || st.isBlockDevice()
                  ? "a device"
                  : st.isSocket()
                    ? "a socket"
                    : st.isDirectory()
                      ? "a directory"
                      : "not a regular file";
            throw new InputError(`not read: ${what}, not a regular file`);
        }
        if (st.size > max)
            throw new InputError(
                `not read: ${st.size} bytes is over the input size limit of ${max} bytes (--max-input-size)`,
            );
        const buf = Buffer.allocUnsafe(Math.min(st.size, max) + 1);
        let n = 0;
        for (;;) {
            const r = readSync(fd, buf, n, buf.length - n, null);
            if (r === 0) break;
            n += r;
            if (n > max) throw new InputError(`not read: over the input size limit of ${max} bytes (--max-input-size)`);
            if (n === buf.length) break;
        }
        return decodeInput(buf.subarray(0, n));
    } finally {
        closeSync(fd);
    }
}

/** Standard input, at most `max` bytes (read synchronously; EAGAIN on a non-blocking pipe is waited out). */
function readStdinBounded(max: number): string {
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(1 << 16);
    for (;;) {
        let r: number;
        try {
            r = readSync(0, buf, 0, buf.length, null);
        } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            if (code === "EAGAIN") {
                Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
                continue;
            }
            if (code === "EOF") break;
            throw e;
        }
        if (r === 0) break;
        total += r;
        if (total > max) throw new InputError(`not read: over the input size limit of ${max} bytes (--max-input-size)`);
        chunks.push(Buffer.from(buf.subarray(0, r)));
    }
    return decodeInput(Buffer.concat(chunks));
}

/** Unpaired UTF-16 surrogates (UTF-16 decoders make each U+FFFD). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A file's (or standard input's) bytes as text, decoded as kubectl decodes them before reading any YAML
 * (k8s.io/cli-runtime's FileVisitor: golang.org/x/text's unicode.BOMOverride over the UTF-8 decoder). A UTF-16 byte
 * order mark (FF FE little-endian, FE FF big-endian: what Windows PowerShell 5 writes with `>`) selects UTF-16;
 * anything else is UTF-8, without its byte order mark if it has one. Invalid sequences become U+FFFD either way.
 * Checked against that decoder by test/scanner/yaml.test.ts (the table's byte cases).
 */
export function decodeInput(buf: Buffer): string {
    const mark = buf.length >= 2 ? (buf[0] << 8) | buf[1] : 0;
    if (mark !== 0xfffe && mark !== 0xfeff) return buf.toString("utf8", mark === 0xefbb && buf[2] === 0xbf ? 3 : 0);
    const units = Buffer.from(buf.subarray(2, buf.length - (buf.length % 2)));
    if (mark === 0xfeff) units.swap16(); // big-endian
    // a last odd byte is an incomplete code unit: U+FFFD, as the Go decoder makes it
    return units.toString("utf16le").replace(LONE_SURROGATE, "\ufffd") + (buf.length % 2 === 1 ? "\ufffd" : "");
}

export class InputError extends Error {}

/** Text that reads as UTF-16 without a byte order mark (ASCII letters each next to a NUL). */
// eslint-disable-next-line no-control-regex -- NUL is what it looks for
const UTF16_LOOK = /(?:[\t\n\r\x20-\x7e]\u0000){2}|(?:\u0000[\t\n\r\x20-\x7e]){2}/;
const UTF16_HINT =
    "(the file looks like UTF-16 without a byte order mark, which kubectl does not read either: " +
    "save it as UTF-8, or as UTF-16 with its byte order mark)";

/** The pinned kubectl built by scripts/toolchain/build-k8s.sh, else one on PATH. */
export function findKubectl(): string | undefined {
    const tools =
        process.env.HC_TOOLS_DIR ??
        path.join(
            process.env.HC_CACHE_DIR ??
                path.join(
                    process.env.XDG_CACHE_HOME ?? path.join(process.env.HOME ?? "", ".cache"),
                    "hardened-cluster",
                ),
            "tools",
        );
    try {
        for (const d of readdirSync(tools)
            .filter(d => d.startsWith("k8s-"))
            .sort()
            .reverse()) {
            const k = path.join(tools, d, "bin", "kubectl");
            if (existsSync(k)) return k;
        }
    } catch {
        /* no tools cache */
    }
    return onPath("kubectl");
}

function onPath(name: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        if (!dir) continue;
        const p = path.join(dir, name);
        try {
            if (statSync(p).isFile()) return p;
        } catch {
            /* not here */
        }
    }
    return undefined;
}

/** Render a kustomization or chart directory; throws InputError with the command to run. */
function render(input: { type: "kustomize" | "helm"; dir: string }, opts: LoadOptions): string {
    const quoted = JSON.stringify(input.dir);
    const [tool, args, how] =
        input.type === "kustomize"
            ? [opts.kubectl ?? findKubectl(), ["kustomize", input.dir], `kubectl kustomize ${quoted} | hardened-scan -`]
            : [opts.helm ?? onPath("helm"), ["template", input.dir], `helm template ${quoted} | hardened-scan -`];
    const what = input.type === "kustomize" ? "a kustomization" : "a Helm chart";
    if (!tool)
        throw new InputError(
            `${what} directory, and no ${input.type === "kustomize" ? "kubectl" : "helm"} was found ` +
                `to render it: run \`${how}\` (or pass --` +
                `${input.type === "kustomize" ? "kubectl" : "helm"} PATH)`,
        );
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- only to render kustomizations and charts
        return (require("child_process") as typeof import("child_process")).execFileSync(tool, args, {
            encoding: "utf8",
            maxBuffer: opts.maxInputBytes,
            timeout: 300_000,
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (e) {
        const err = e as { stderr?: string; message: string; code?: string };
        if (err.code === "ENOBUFS")
            throw new InputError(
                `rendered output is over the input size limit of ${opts.maxInputBytes} bytes (--max-input-size)`,
            );
        throw new InputError(
            `${what} directory that \`${path.basename(tool)} ${args.join(" ")}\` failed to render: ` +
                `${(err.stderr || err.message).trim().split("\n").slice(-3).join(" ")}`,
        );
    }
}

/** One source's text cut into documents, each parsed; objects and errors appended. */
function parseSource(
    text: string,
    file: string,
    into: Located[],
    errors: LoadError[],
    rendered?: "kustomize" | "helm",
): void {
    const { chunks, error } = splitStream(text);
    for (const chunk of chunks) parseChunk(chunk, file, into, errors, rendered);
    if (error)
        errors.push({
            file,
            line: error.line,
            message: error.message + " (the rest of the file is not read, as kubectl would not)",
        });
}

export function parseChunk(
    chunk: Chunk,
    file: string,
    into: Located[],
    errors: LoadError[],
    rendered?: "kustomize" | "helm",
): void {
    let doc;
    // a chunk that starts within a line: its first line's columns count from there
    const shift = (line: number, column: number) =>
        line === chunk.line && chunk.column ? column + chunk.column - 1 : column;
    try {
        doc = parseDocument(chunk.text, chunk.line, file, false, chunk.json === true);
    } catch (e) {
        if (e instanceof YamlError) {
            errors.push({
                file,
                line: e.line,
                ...(e.column ? { column: shift(e.line, e.column) } : {}),
                message: UTF16_LOOK.test(chunk.text) ? `${e.message} ${UTF16_HINT}` : e.message,
            });
            return;
        }
        throw e;
    }
    let { pos, digest } = doc;
    if (chunk.column) {
        const at = (p: number) => {
            const q = unpack(p);
            return packPosition(q.line, shift(q.line, q.column));
        };
        pos = at(pos);
        digest = digest.map((p, k) => (k % 2 === 0 && !Number.isNaN(p) ? at(p) : p));
    }
    const from = into.length;
    flatten(doc.value, pos, digest, file, into, errors, rendered);
    if (doc.jsonExact) for (let i = from; i < into.length; i++) into[i].jsonExact = true;
}

/** The objects of a document (a List's items, the items of a top-level sequence), each with its share of the digest. */
function flatten(
    value: unknown,
    pos: number,
    digest: Float64Array,
    file: string,
    into: Located[],
    errors: LoadError[],
    rendered?: "kustomize" | "helm",
): void {
    const items = (list: unknown[], from: number) => {
        // each item's position, then its fields (an empty digest: every item at the document's start)
        let at = from;
        for (const item of list) {
            const known = digest.length > 0 && !Number.isNaN(digest[at]);
            flatten(
                item,
                known ? digest[at] : pos,
                known ? fieldsOf(digest, at) : digest,
                file,
                into,
                errors,
                rendered,
            );
            if (digest.length > 0) at += 2 + 2 * digest[at + 1];
        }
    };
    if (Array.isArray(value)) {
        // a top-level sequence of objects (not something kubectl accepts, but seen in the wild)
        items(value, 0);
        return;
    }
    if (value === null) return; // an empty document (kubectl skips it too)
    if (typeof value !== "object") {
        // kubectl refuses it ("couldn't get version/kind"): not a silent skip here either
        const at = unpack(pos);
        errors.push({
            file,
            line: at.line,
            column: at.column,
            message: `not a Kubernetes object: a ${typeof value}`,
        });
        return;
    }
    const o = value as K8sObject & { items?: unknown[] };
    // kubectl (apimachinery's unstructured decoder) reads any object with an `items` array as a list, whatever its
    // kind: it applies the items and not the object. An item with neither kind nor apiVersion takes the list's kind
    // less "List" and its apiVersion (a typed list, such as a PodList, leaves them out of its items).
    if (Array.isArray(o.items)) {
        let at = 0;
        for (const k of Object.keys(o)) {
            if (k === "items") break;
            if (digest.length > 0) at += 2 + 2 * digest[at + 1];
        }
        const text = (v: unknown) => (typeof v === "string" ? v : "");
        for (const item of o.items) {
            if (item === null || typeof item !== "object" || Array.isArray(item)) continue;
            const it = item as K8sObject;
            if (text(it.kind) !== "" || text(it.apiVersion) !== "") continue;
            // added after the item's own fields: their positions stay where the digest has them
            it.kind = text(o.kind).endsWith("List") ? text(o.kind).slice(0, -4) : text(o.kind);
            it.apiVersion = text(o.apiVersion);
        }
        items(o.items, digest.length > 0 ? at + 2 : 0);
        return;
    }
    into.push({ object: o, file, pos, ...(rendered ? { rendered } : {}), digest });
}

/** One input's text: a file, stdin or a rendered directory. Throws InputError (or a system error). */
export function readInputText(
    input: Input,
    opts: LoadOptions,
): { file: string; text: string; rendered?: "kustomize" | "helm" } {
    if (input.type === "stdin") {
        const text = (opts.readStdin ?? readStdinBounded)(opts.maxInputBytes);
        if (text.length > opts.maxInputBytes)
            throw new InputError(
                `not read: over the input size limit of ${opts.maxInputBytes} bytes (--max-input-size)`,
            );
        return { file: "<stdin>", text };
    }
    if (input.type === "file") return { file: input.path, text: readRegularFile(input.path, opts.maxInputBytes) };
    return { file: input.dir, text: render(input, opts), rendered: input.type };
}

export const inputName = (input: Input): string =>
    input.type === "stdin" ? "<stdin>" : input.type === "file" ? input.path : input.dir;
export const describeError = (e: unknown): string => (e instanceof InputError ? e.message : errMessage(e));

/** Read one input (file, stdin or rendered directory); problems go to `errors`. */
function readInput(input: Input, opts: LoadOptions, into: Located[], errors: LoadError[]): void {
    let got;
    try {
        got = readInputText(input, opts);
    } catch (e) {
        errors.push({ file: inputName(input), message: describeError(e) });
        return;
    }
    parseSource(got.text, got.file, into, errors, got.rendered);
}

/**
 * Everything at once (for other tools, e.g. the access review; the scanner's CLI streams input by
 * input). The second argument is the options, or (as before) a function reading stdin.
 */
export function loadPaths(
    paths: readonly string[],
    opts: Partial<LoadOptions> | (() => string) = {},
): { objects: Located[]; errors: LoadError[]; files: number } {
    const errors: LoadError[] = [];
    const objects: Located[] = [];
    const given = typeof opts === "function" ? { readStdin: opts } : opts;
    const full: LoadOptions = { maxInputBytes: DEFAULT_MAX_INPUT_BYTES, ...given };
    const inputs = expandPaths(paths, errors);
    for (const input of inputs) readInput(input, full, objects, errors);
    return { objects, errors, files: inputs.length };
}
