/** Input validation shared by the components: every error names the offending key and what is allowed. */

export class ConfigError extends Error {
    constructor(readonly key: string, detail: string) {
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
        throw new ConfigError(key, `'${String(value)}' is not a Kubernetes quantity; use forms like 500m, 2, 512Mi or 4Gi`);
    }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkDnsLabel(key: string, value: unknown): void {
    if (typeof value !== "string" || value.length > 63 || !DNS1123_LABEL.test(value)) {
        throw new ConfigError(key, `'${String(value)}' is not a valid name: lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit`);
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

function ipv4(s: string): boolean {
    const parts = s.split(".");
    return parts.length === 4 && parts.every(p => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function ipv6(s: string): boolean {
    return /^[0-9a-fA-F:]+$/.test(s) && s.includes(":") && (s.match(/::/g) ?? []).length <= 1 && s.split(":").length <= 8;
}

export function isIp(s: string): boolean {
    return ipv4(s) || ipv6(s);
}

export function checkCidr(key: string, value: unknown): void {
    const m = typeof value === "string" ? /^([^/]+)\/(\d{1,3})$/.exec(value) : null;
    const ok = m !== null && ((ipv4(m[1]) && Number(m[2]) <= 32) || (ipv6(m[1]) && Number(m[2]) <= 128));
    if (!ok) {
        throw new ConfigError(key, `'${String(value)}' is not a CIDR block such as 10.0.0.0/8 or fd00::/8`);
    }
}

export function checkStringList(key: string, value: unknown, opts: { nonEmpty?: boolean } = {}): asserts value is string[] {
    if (!Array.isArray(value) || value.some(v => typeof v !== "string" || v.length === 0)) {
        throw new ConfigError(key, "must be a list of non-empty strings");
    }
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

/** A prefix for names from the identity provider: present, and never a Kubernetes system name. */
export function checkOidcPrefix(key: string, v: unknown): void {
    if (v === undefined) return;
    if (typeof v !== "string" || v === "" || v === "-" || v.startsWith("system:")) {
        throw new ConfigError(key, `'${String(v)}' must be a non-empty prefix such as 'oidc:' that does not start with 'system:' (unprefixed names could claim system groups)`);
    }
}
