/** Input validation shared by the components: every error names the offending key and what is allowed. */
import { BlockList, isIPv4, isIPv6 } from "net";
import { SYSTEM_NAMESPACES } from "../rules/vocabulary";

export class ConfigError extends Error {
    constructor(
        readonly key: string,
        detail: string,
    ) {
        super(`${key}: ${detail}`);
        this.name = "ConfigError";
    }
}

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** A Kubernetes resource quantity such as `500m`, `2`, `1Gi`, `1e3`. */
export function checkQuantity(key: string, value: unknown): void {
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) {
        return;
    }
    if (typeof value !== "string" || !QUANTITY.test(value) || value.startsWith("-")) {
        throw new ConfigError(
            key,
            `'${String(value)}' is not a Kubernetes quantity; use forms like 500m, 2, 512Mi or 4Gi`,
        );
    }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkDnsLabel(key: string, value: unknown): void {
    if (typeof value !== "string" || value.length > 63 || !DNS1123_LABEL.test(value)) {
        throw new ConfigError(
            key,
            `'${String(value)}' is not a valid name: lower-case letters, digits and '-', at most 63 ` +
                `characters, starting and ending with a letter or digit`,
        );
    }
}

export function checkOneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): asserts value is T {
    if (typeof value !== "string" || !allowed.includes(value as T)) {
        throw new ConfigError(key, `'${String(value)}' is not allowed; allowed values: ${allowed.join(", ")}`);
    }
}

export function checkPort(key: string, value: unknown): void {
    if (typeof value === "string" && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value) && value.length <= 15) {
        return; // a named container port
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
        throw new ConfigError(key, `'${String(value)}' is not a port: use an integer from 1 to 65535 or a named port`);
    }
}

/** Dotted-quad IPv4 as Go's net.ParseIP reads it (no leading zeros, each part 0-255). */
function ipv4(s: string): boolean {
    return isIPv4(s);
}

/** IPv6 as Go's net.ParseIP reads it (no zone: `fe80::1%eth0` is not an address in a CIDR or a certificate). */
function ipv6(s: string): boolean {
    return !s.includes("%") && isIPv6(s);
}

export function isIp(s: string): boolean {
    return ipv4(s) || ipv6(s);
}

/**
 * `address/prefix`, IPv4 (prefix 0-32) or IPv6 (0-128), parsed as net.ParseCIDR does: `:/0` or `10.0.0/8` are refused.
 */
export function checkCidr(key: string, value: unknown): void {
    const m = typeof value === "string" ? /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(value) : null;
    const ok = m !== null && ((ipv4(m[1]) && Number(m[2]) <= 32) || (ipv6(m[1]) && Number(m[2]) <= 128));
    if (!ok) {
        throw new ConfigError(key, `'${String(value)}' is not a CIDR block such as 10.0.0.0/8 or fd00::/8`);
    }
}

/**
 * An ipBlock `except` entry (already a valid CIDR) must lie strictly inside its `cidr`, as the API
 * server's NetworkPolicy validation requires: same family, longer prefix, inside the block.
 */
export function checkCidrExcept(key: string, except: string, cidr: string): void {
    const [eAddr, ePrefix] = except.split("/");
    const [cAddr, cPrefix] = cidr.split("/");
    const family = (a: string) => (ipv4(a) ? "ipv4" : "ipv6");
    let inside = family(eAddr) === family(cAddr) && Number(ePrefix) > Number(cPrefix);
    if (inside) {
        const block = new BlockList();
        block.addSubnet(cAddr, Number(cPrefix), family(cAddr));
        inside = block.check(eAddr, family(eAddr));
    }
    if (!inside) throw new ConfigError(key, `'${except}' is not strictly inside the peer's cidr '${cidr}'`);
}

/** Newlines, tabs, escapes and other control characters: never part of a name, a flag value or a URL. */
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A string that ends up in a flag, a file or an object name must be one line without control characters. */
export function checkSingleLine(key: string, value: unknown): void {
    if (typeof value === "string" && CONTROL.test(value)) {
        throw new ConfigError(key, `${JSON.stringify(value)} must be a single line without control characters`);
    }
}

function isLoopback(hostname: string): boolean {
    const h = hostname.replace(/^\[|\]$/g, "");
    return h === "localhost" || (isIPv4(h) && h.startsWith("127.")) || h === "::1";
}

/**
 * The URL of a service the cluster talks to: https (http only on loopback, where nothing crosses
 * a network), a host, no credentials, one line. `what` names an example for the message.
 */
export function checkServiceUrl(key: string, value: unknown, example: string): void {
    checkSingleLine(key, value);
    let url: URL | undefined;
    try {
        url = typeof value === "string" ? new URL(value) : undefined;
    } catch {
        url = undefined;
    }
    if (!url || !url.hostname || !["https:", "http:"].includes(url.protocol)) {
        throw new ConfigError(key, `'${String(value)}' is not a URL such as ${example}`);
    }
    if (url.username || url.password) throw new ConfigError(key, `'${String(value)}' must not carry credentials`);
    if (url.protocol === "http:" && !isLoopback(url.hostname)) {
        throw new ConfigError(
            key,
            `'${String(value)}' must use https:// (plain http is only accepted on loopback, 127.0.0.1 or ::1)`,
        );
    }
}

const QUANTITY_SUFFIX: Record<string, number> = {
    "": 1,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

/** The value of a quantity already accepted by checkQuantity, in base units (cores, bytes, objects). */
function quantityValue(value: string | number): number {
    if (typeof value === "number") return value;
    const m = /^\+?((?:\d+(?:\.\d*)?|\.\d+))(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/.exec(value);
    if (!m) return NaN;
    const suffix = m[2] ?? "";
    return Number(m[1]) * (/^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : QUANTITY_SUFFIX[suffix]);
}

/**
 * `lower` must not exceed `upper` (both resolved, defaults included). The error names the key the
 * user set (the upper one when both are set), with both keys and values.
 */
export function checkNotAbove(
    lower: { key: string; value: string | number; set: boolean },
    upper: { key: string; value: string | number; set: boolean },
): void {
    if (quantityValue(lower.value) <= quantityValue(upper.value)) return;
    const shown = (x: typeof lower) => `${x.key} '${x.value}'${x.set ? "" : " (default)"}`;
    const named = upper.set ? upper : lower;
    throw new ConfigError(named.key, `${shown(lower)} is above ${shown(upper)}; it must be at most that`);
}

const LABEL_NAME = new RegExp(
    "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/)?[A-Za-z0-9]([-A-" +
        "Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/**
 * A map of Kubernetes labels (or selector labels): valid names (prefix ≤ 253) and values (≤ 63), as the API server
 * checks them.
 */
export function checkLabels(key: string, value: unknown): void {
    if (value === undefined) return;
    if (value === null || typeof value !== "object" || Array.isArray(value))
        throw new ConfigError(key, "must be a map of label names to values");
    for (const [k, v] of Object.entries(value)) {
        const prefix = k.includes("/") ? k.slice(0, k.indexOf("/")) : "";
        if (!LABEL_NAME.test(k) || prefix.length > 253)
            throw new ConfigError(
                `${key}.${JSON.stringify(k)}`,
                "is not a valid label name (an optional DNS prefix and '/', then at most 63 letters, " +
                    "digits, '-', '_' or '.')",
            );
        if (typeof v !== "string" || !LABEL_VALUE.test(v))
            throw new ConfigError(
                `${key}.${k}`,
                `${JSON.stringify(v)} is not a valid label value (at most 63 letters, digits, '-', ` +
                    `'_' or '.', starting and ending with a letter or digit)`,
            );
    }
}

/** Namespaces Kubernetes itself owns. */
const RESERVED_NAMESPACES: readonly string[] = ["default", ...SYSTEM_NAMESPACES];

/** A namespace the blueprint manages as a team namespace (default-deny, quota, access; deleted by `destroy`). */
export function checkTeamNamespaceName(key: string, name: string, alsoReserved: readonly string[] = []): void {
    if (RESERVED_NAMESPACES.includes(name)) {
        throw new ConfigError(
            key,
            `'${name}' belongs to Kubernetes itself (${RESERVED_NAMESPACES.join(", ")}): a team ` +
                `namespace there would get default-deny traffic and a quota, and destroy would delete it`,
        );
    }
    if (alsoReserved.includes(name)) {
        throw new ConfigError(
            key,
            `'${name}' is an add-on namespace the blueprint manages itself ` +
                `(${alsoReserved.join(", ")}); choose another name`,
        );
    }
}

export function checkStringList(
    key: string,
    value: unknown,
    opts: { nonEmpty?: boolean } = {},
): asserts value is string[] {
    if (!Array.isArray(value) || value.some(v => typeof v !== "string" || v.length === 0)) {
        throw new ConfigError(key, "must be a list of non-empty strings");
    }
    value.forEach((v, i) => checkSingleLine(`${key}[${i}]`, v));
    if (opts.nonEmpty && value.length === 0) {
        throw new ConfigError(key, "must name at least one entry");
    }
}

export function checkKnownKeys(key: string, value: unknown, allowed: readonly string[]): void {
    if (value === undefined) {
        return;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new ConfigError(key, "must be an object");
    }
    for (const k of Object.keys(value)) {
        if (!allowed.includes(k)) {
            throw new ConfigError(`${key}.${k}`, `unknown key; allowed keys: ${allowed.join(", ")}`);
        }
    }
}

/**
 * A prefix for names from the identity provider: present, and unable to produce a Kubernetes
 * system name once the provider's value is appended. The API server concatenates without a
 * separator, so any prefix of `system:` (`s`, `sys`, `system`…) lets a provider group `tem:masters`
 * become `system:masters`; `-` means no prefix at all.
 */
export function checkOidcPrefix(key: string, v: unknown): void {
    if (v === undefined) return;
    checkSingleLine(key, v);
    if (
        typeof v !== "string" ||
        v === "" ||
        v === "-" ||
        v.startsWith("system:") ||
        "system:".startsWith(v) ||
        /\s/.test(v)
    ) {
        throw new ConfigError(
            key,
            `'${String(v)}' must be a non-empty prefix such as 'oidc:', without spaces, that neither ` +
                `starts with 'system:' nor is the start of it (the API server appends provider names as ` +
                `they are, so such a prefix could form system:masters)`,
        );
    }
}
