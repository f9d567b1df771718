/**
 * Credential detection with precision: evidence from the key name and from the value, combined.
 *
 * - A value in a known token format is a credential under any name (private key blocks, cloud
 *   and SaaS tokens, JWTs, a password in URL userinfo such as `redis://:pa55w0rd@host`).
 * - A key named like a password (`DB_PASSWORD`, `mysql_pwd`, `passphrase`) holding any literal
 *   that is not plainly something else (a boolean, an empty value or list, a reference such as
 *   `$(VAR)`, a path, a URL without userinfo, a placeholder) is a credential: numbers included
 *   (`MYSQL_PASSWORD: "1234"`).
 * - A key named like a secret, token or key (`API_TOKEN`, `client_secret`) holding a value that
 *   looks generated (8+ characters mixing classes, not a word, a DNS name or a number) is one.
 * - Names are judged word by word: `PASSENGER_APP_ENV` holds no "pass" word; names ending in
 *   `_PATH`, `_BACKEND`, `_AUDIENCE`, `_ENV`, `_TTL`… describe, they do not hold, a credential.
 *
 * Every pattern runs in linear time: fixed prefixes with bounded quantifiers, or plain scans.
 */
import { load } from "js-yaml";

/** Why a value is a credential (for messages), or undefined. */
export type Reason = string | undefined;

/**
 * Known token formats: a fixed prefix (or a fixed marker) then bounded runs, so no backtracking on long input.
 *
 * The list is this project's own, checked against gitleaks' maintained rule set (config/gitleaks.toml, read in
 * July 2026): it keeps the formats with a distinctive prefix or marker that turn up in cluster manifests (cloud,
 * CI, registry, secret-store and observability tokens). That set itself is not loaded: it is written for Go's RE2,
 * 142 of its 221 patterns use inline flags, POSIX classes, `\z` or `(?P<name>…)` (JavaScript lacks them or takes
 * them only at the start), and 101 match a keyword near a value of some length with lazy, nested quantifiers: safe
 * under RE2's linear-time guarantee, not under V8's backtracking engine, where a hostile manifest could stall the
 * gate (test/rules/linear-time.test.ts holds every rule to linear time).
 */
const TOKEN_FORMATS: Array<[RegExp, string]> = [
    [/-----BEGIN (?:[A-Z]{1,20} ){0,3}PRIVATE KEY-----/, "a private key"],
    [/AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/, "an age secret key"],
    // cloud providers
    [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key ID"],
    [/\bAIza[0-9A-Za-z_-]{35}\b/, "a Google API key"],
    [/\bGOCSPX-[A-Za-z0-9_-]{28}\b/, "a Google OAuth client secret"],
    [
        /(?:^|[^A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/,
        "an Azure AD client secret",
    ],
    [/\bAccountKey=[A-Za-z0-9+/]{86}==/, "an Azure storage account key"],
    [/\bLTAI[A-Za-z0-9]{12,20}\b/, "an Alibaba Cloud access key ID"],
    [/\bdo[opr]_v1_[a-f0-9]{64}\b/, "a DigitalOcean token"],
    [/\bsha256~[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/, "an OpenShift user token"],
    // infrastructure as code, secret stores
    [/\bpul-[a-f0-9]{40}\b/, "a Pulumi access token"],
    [/\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}/, "a Terraform Cloud token"],
    [/\bhv[sb]\.[A-Za-z0-9_-]{90,300}/, "a HashiCorp Vault token"],
    [/\bdp\.(?:pt|st(?:\.[a-z0-9_-]{1,40})?|sa|ct)\.[A-Za-z0-9]{40,64}/, "a Doppler token"],
    [/\bops_eyJ[A-Za-z0-9+/]{250,4000}/, "a 1Password service account token"],
    // source hosting, CI and package registries
    [/\bgh[pousr]_[A-Za-z0-9]{36}\b/, "a GitHub token"],
    [/\bgithub_pat_[A-Za-z0-9_]{82}\b/, "a GitHub fine-grained token"],
    // personal (also the longer routable form), project, deploy, runner, feed and SCIM tokens; OAuth application
    // secrets, Kubernetes agent and CI job tokens
    [/\bgl(?:pat-[A-Za-z0-9_-]{20}|ptt-[0-9a-f]{40}|(?:dt|rt|ft|soat)-[A-Za-z0-9_-]{20})/, "a GitLab token"],
    [/\bgl(?:oas-[A-Za-z0-9_-]{64}|agent-[A-Za-z0-9_-]{50}|cbt-[A-Za-z0-9]{1,5}_[A-Za-z0-9_-]{20})/, "a GitLab token"],
    [/\bnpm_[A-Za-z0-9]{36}\b/, "an npm token"],
    [/\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1000}/, "a PyPI token"],
    [/\brubygems_[a-f0-9]{48}\b/, "a RubyGems token"],
    [/\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{24,64}/, "a Docker Hub access token"],
    [/\bAKCp[A-Za-z0-9]{69}\b/, "a JFrog Artifactory API key"],
    [/\bdapi[a-f0-9]{32}\b/, "a Databricks token"],
    [/\b(?:hf|api_org)_[A-Za-z]{34}\b/, "a Hugging Face token"],
    // observability
    [/\bdt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}\b/, "a Dynatrace token"],
    [/\bglc_[A-Za-z0-9+/]{32,400}/, "a Grafana Cloud token"],
    [/\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b/, "a Grafana service account token"],
    [/\beyJrIjoi[A-Za-z0-9]{70,400}/, "a Grafana API key"],
    [/\bNRAK-[A-Z0-9]{27}\b/, "a New Relic user API key"],
    [/\b[a-fA-F0-9]{36}NRAL\b/, "a New Relic license key"],
    [/\bsntryu_[a-f0-9]{64}\b|\bsntrys_eyJ[A-Za-z0-9+/=_]{40,400}/, "a Sentry token"],
    // messaging, payments and other services
    [/\bxox[baprs]-[A-Za-z0-9-]{10,48}/, "a Slack token"],
    [/\bxapp-[0-9]-[A-Za-z0-9-]{20,200}/, "a Slack app token"],
    [
        /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{20,32}/,
        "a Slack webhook URL",
    ],
    [/\b[0-9]{8,10}:AA[A-Za-z0-9_-]{33}\b/, "a Telegram bot token"],
    [/\b[rs]k_live_[0-9A-Za-z]{20,99}\b/, "a Stripe live key"],
    [/\bsq0(?:atp|csp)-[A-Za-z0-9_-]{22,60}/, "a Square token"],
    [/\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/, "a Shopify token"],
    [/\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/, "a SendGrid API key"],
    [/\b[a-f0-9]{32}-us[0-9]{1,2}\b/, "a Mailchimp API key"],
    [/\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b/, "a Postman API key"],
    [/\blin_api_[A-Za-z0-9]{40}\b/, "a Linear API key"],
    [/\bHRKU-AA[0-9A-Za-z_-]{58}\b/, "a Heroku API key"],
    [/\bsk-ant-[A-Za-z0-9_-]{20,120}/, "an Anthropic API key"],
    // legacy (`sk-`), project, service account and admin keys, whose first part may hold `_` and `-`
    [/\bsk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,74}T3BlbkFJ[A-Za-z0-9_-]{20}/, "an OpenAI API key"],
];

/**
 * Every known format in one pattern (none has flags): one scan of a value that holds none of them, which is nearly
 * every value, instead of one per format; each format is then tried only on a value that holds one.
 */
const ANY_TOKEN_FORMAT = ((): RegExp => {
    const flagged = TOKEN_FORMATS.find(([re]) => re.flags !== "");
    if (flagged) throw new Error(`token format ${flagged[0]} has flags, which one combined pattern cannot keep`);
    return new RegExp(TOKEN_FORMATS.map(([re]) => `(?:${re.source})`).join("|"));
})();

/** Maximal runs of JWT characters: a greedy class with nothing after it never backtracks. */
const JWT_RUN = /[A-Za-z0-9_.-]+/g;

/** A JSON Web Token (`eyJ…` header, three dot-separated base64url parts of 10+ characters), in one linear pass. */
function hasJwt(v: string): boolean {
    if (!v.includes("eyJ")) return false;
    for (const [run] of v.matchAll(JWT_RUN)) {
        if (run.length < 35 || !run.includes("eyJ")) continue;
        const parts = run.split(".");
        for (let i = 0; i + 2 < parts.length; i++) {
            if (parts[i + 1].length < 10 || parts[i + 2].length < 10) continue;
            const p = parts[i];
            // The header starts at a word boundary inside its part: the part's start, or after a '-'.
            for (let at = p.indexOf("eyJ"); at >= 0; at = p.indexOf("eyJ", at + 1)) {
                if (at === 0 || p[at - 1] === "-") {
                    if (p.length - at - 3 >= 10) return true;
                    break;
                }
            }
        }
    }
    return false;
}

/** A reference or template standing for a value given elsewhere. */
const REFERENCE = /^(?:\$\([^)]*\)|\$\{[^}]*\}|\{\{[^}]*\}\}|<[^>]*>|%\([^)]*\)s|\$[A-Z_][A-Z0-9_]*)$/;

/**
 * A password in URL userinfo (`scheme://user:pass@host`, `redis://:pass@host`), found by a linear scan of each
 * authority.
 */
function urlPassword(v: string): boolean {
    for (let at = v.indexOf("://"); at >= 0; at = v.indexOf("://", at + 3)) {
        let end = at + 3;
        while (end < v.length && !"/?# \t\r\n\"'".includes(v[end])) end++;
        const authority = v.slice(at + 3, end);
        const amp = authority.lastIndexOf("@");
        if (amp < 0) continue;
        const colon = authority.indexOf(":");
        if (colon < 0 || colon > amp) continue;
        const password = authority.slice(colon + 1, amp);
        if (password !== "" && !REFERENCE.test(password) && !/^\*+$/.test(password)) return true;
    }
    return false;
}

/**
 * `name=value` pairs inside one value, after a separator: a URL query (`?user=a&password=b`), a
 * connection string (`Server=db;User Id=sa;Password=b;`), a JAAS line (`username="a" password="b";`),
 * JVM options (`-Djavax.net.ssl.keyStorePassword=b`). Bounded quantifiers: one linear pass.
 */
const INLINE_PAIR = new RegExp(
    // a separator, the name, `=`, then the value: double-quoted, single-quoted or bare
    "(?:^|[\\s;&?,(-])([A-Za-z_][\\w.-]{0,63})[ \\t]{0,8}=[ \\t]{0,8}" +
        "(?:\"([^\"\\n]{0,256})\"|'([^'\\n]{0,256})'|([^\\s;&\"',)]{1,256}))",
    "g",
);

const INLINE = "a password given inline (`password=…`)";

/** A password given inline under a password-named key inside a longer value. */
function inlinePassword(v: string): boolean {
    if (!v.includes("=")) return false;
    for (const m of v.matchAll(INLINE_PAIR)) {
        const value = m[2] ?? m[3] ?? m[4] ?? "";
        // `$VAR`, `$(cmd …)`, `${VAR}`: given elsewhere (an unquoted value stops at the first space).
        if (/^[$<%{]/.test(value)) continue;
        if (cachedClass(m[1]) === "password" && !plainlyNot(value)) return true;
    }
    return false;
}

/** A value that is a credential whatever its name, with what it is. */
function tokenFormat(v: string): Reason {
    if (ANY_TOKEN_FORMAT.test(v)) for (const [re, what] of TOKEN_FORMATS) if (re.test(v)) return what;
    if (hasJwt(v)) return "a JSON Web Token";
    if (urlPassword(v)) return "a password in a URL";
    // One line: a multi-line value is parsed or read line by line, each line's pairs judged there.
    if (!v.includes("\n") && inlinePassword(v)) return INLINE;
    return undefined;
}

/** Words of a key: split on non-alphanumerics and camelCase, lower-cased (`dbPassword` → db, password). */
function words(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(Boolean);
}

/**
 * Last words that describe a credential without holding one (`TOKEN_PATH`, `SECRET_STORE_BACKEND`, `TOKEN_AUDIENCE`).
 */
const DESCRIPTIVE = new Set([
    "path",
    "file",
    "files",
    "dir",
    "directory",
    "url",
    "uri",
    "endpoint",
    "name",
    "names",
    "type",
    "ttl",
    "timeout",
    "length",
    "enabled",
    "enable",
    "disabled",
    "header",
    "mount",
    "backend",
    "store",
    "provider",
    "audience",
    "audiences",
    "issuer",
    "env",
    "environment",
    "mode",
    "policy",
    "version",
    "format",
    "id",
    "ref",
    "size",
    "count",
    "duration",
    "expiry",
    "expiration",
    "lifetime",
    "seconds",
    "interval",
    "algorithm",
    "method",
    "location",
    "prefix",
    "suffix",
    "field",
    "namespace",
    "class",
    "kind",
    "strategy",
    "required",
    "rotation",
    "period",
    "source",
    "scope",
    "scopes",
    "regex",
    "pattern",
    "selector",
    "label",
    "annotation",
    "key",
    "keys",
    "hint",
    "salt",
    "rounds",
    "min",
    "max",
    "user",
    "username",
    "host",
    "port",
    "secretname",
    "secretref",
    // settings about a credential: `SECRET_TEMPLATE`, `password_history`, `password_reuse_limit`,
    // `password_encryption` (PostgreSQL's hashing method), `password_authentication`, `…_RETENTION`, `…_DAYS`
    "template",
    "templates",
    "history",
    "limit",
    "encryption",
    "authentication",
    "retention",
    "days",
    "age",
]);

export type KeyClass = "password" | "secret" | undefined;

const isPasswordWord = (x: string) =>
    x === "pass" ||
    x === "pwd" ||
    x === "passphrase" ||
    x.includes("password") ||
    x.includes("passwd") ||
    (x.endsWith("pwd") && x.length <= 8);

const isSecretWord = (x: string) =>
    x === "secret" ||
    x === "secrets" ||
    x.endsWith("secret") ||
    x === "token" ||
    x === "tokens" ||
    x.endsWith("token") ||
    x === "apikey" ||
    x === "privatekey" ||
    x === "accesskey" ||
    x === "secretkey" ||
    x === "credential" ||
    x === "credentials" ||
    x === "authkey" ||
    x === "signingkey";

/** Two-word credential names: the second word (`key`) completes the credential (`API_KEY`, `SECRET_KEY`). */
const KEY_PAIRS = new Set(["api", "private", "access", "secret", "auth", "signing", "encryption"]);

/** What a key name says: a password, another kind of secret, or nothing. */
export function keyClass(name: string): KeyClass {
    const w = words(name);
    if (w.length === 0) return undefined;
    const last = w[w.length - 1];
    const isPassword = w.some(isPasswordWord);
    // Where the credential words are: single words, and the `key` of a two-word name.
    let lastCredential = -1;
    w.forEach((x, i) => {
        if (isPasswordWord(x) || isSecretWord(x) || (x === "key" && i > 0 && KEY_PAIRS.has(w[i - 1])))
            lastCredential = i;
    });
    if (lastCredential < 0) return undefined;
    // `..._KEY` after a secret word holds a key (`SECRET_KEY`, `API_KEY`); other descriptive last words do not.
    if (DESCRIPTIVE.has(last) && !(last === "key" && w.length > 1) && !(last === "keys" && w.length > 1))
        return undefined;
    // A descriptive word right after the last credential word makes the name a setting about the
    // credential, whatever ends it: `password_rotation_user_retention`, `secret_name_template`,
    // `secret_mount_point`, `PASSWORD_MAX_AGE_DAYS` (but `SECRET_KEY_BASE` holds a key).
    const next = w[lastCredential + 1];
    if (next !== undefined && next !== "key" && next !== "keys" && DESCRIPTIVE.has(next)) return undefined;
    return isPassword ? "password" : "secret";
}

/** Values that are plainly not a credential under any name. */
function plainlyNot(v: string): boolean {
    const t = v.trim();
    if (t === "" || t === "[]" || t === "{}" || t === "~" || t === '""' || t === "''") return true;
    if (/^(?:true|false|yes|no|on|off|y|n|null|nil|none|undefined|enabled|disabled)$/i.test(t)) return true;
    if (REFERENCE.test(t)) return true;
    if (
        new RegExp(
            "^(?:changeme-at-deploy|\\*+|x+|redacted|<redacted>|replace[-_ ]?me|set[-_ ]?me|todo|" +
                "tbd|dummy|example|placeholder)$",
            "i",
        ).test(t)
    )
        return true;
    // A path, or a URL without a password in it.
    if (t.startsWith("/") && !/\s/.test(t)) return true;
    if (/^[a-z][a-z0-9+.-]*:\/\/\S*$/i.test(t) && !urlPassword(t)) return true;
    return false;
}

/**
 * Default and placeholder passwords left in manifests (judged under secret keys, where a word would read as a
 * setting).
 */
const DEFAULT_PASSWORDS = new Set([
    "password",
    "passw0rd",
    "p@ssword",
    "p@ssw0rd",
    "pa55word",
    "pa55w0rd",
    "password1",
    "password123",
    "secret",
    "supersecret",
    "changeme",
    "changeit",
    "letmein",
    "qwerty",
    "admin123",
    "123456",
    "12345678",
]);

/**
 * A value that reads as a setting (a word, a DNS name, a number, a duration, a version), not as something generated.
 */
function readsAsSetting(t: string): boolean {
    return (
        /^[A-Za-z]+(?:[-_ ][A-Za-z]+)*$/.test(t) || // production, vault, read-only
        (/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i.test(t) && /\.[a-z]{2,}$/i.test(t)) || // sts.amazonaws.com
        /^-?\d+(?:\.\d+)?[a-zA-Z]{0,3}$/.test(t) || // 3600, 30s, 1.5, 512Mi
        /^v?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?$/.test(t)
    ); // 1.2.3, v2.0.0-rc1
}

/** A value that looks generated: 8+ characters without spaces, at least two character classes. */
function looksGenerated(t: string): boolean {
    if (t.length < 8 || /\s/.test(t)) return false;
    let classes = 0;
    if (/[a-z]/.test(t)) classes++;
    if (/[A-Z]/.test(t)) classes++;
    if (/[0-9]/.test(t)) classes++;
    if (/[^A-Za-z0-9]/.test(t)) classes++;
    return classes >= 2;
}

/** Judge one (key, scalar value) pair: why it is a credential, or undefined. */
function judgePair(name: string, value: unknown): Reason {
    if (typeof value === "string") {
        const known = tokenFormat(value);
        if (known) return known;
    }
    return judgeNamed(name, value);
}

const classCache = new Map<string, KeyClass>();

/** keyClass, memoised for the short names that repeat (every line of a config file asks again). */
function cachedClass(name: string): KeyClass {
    if (name.length > 128) return keyClass(name);
    let c = classCache.get(name);
    if (c === undefined && !classCache.has(name)) {
        if (classCache.size > 10_000) classCache.clear();
        classCache.set(name, (c = keyClass(name)));
    }
    return c;
}

/** The key-name half of judgePair: for a value already known to hold no credential format. */
function judgeNamed(name: string, value: unknown): Reason {
    if (typeof value === "number" || typeof value === "bigint") {
        return cachedClass(name) === "password" ? "a numeric password" : undefined;
    }
    if (typeof value !== "string") return undefined;
    const cls = cachedClass(name);
    if (!cls || value.includes("\n") || plainlyNot(value)) return undefined;
    const t = value.trim();
    if (cls === "password") return "a literal password";
    // a word, but the word every default credential uses: `MINIO_SECRET_KEY: password` is a secret, not a setting
    if (DEFAULT_PASSWORDS.has(t.toLowerCase())) return "a well-known default password";
    if (readsAsSetting(t)) return undefined;
    return looksGenerated(t) ? "a literal secret" : undefined;
}

/** Longest value parsed as a configuration file (bigger ones are scanned line by line). */
const MAX_PARSE = 256 * 1024;

export interface Hit {
    /** The key inside the value (`db.password`, `[database] password`), or "" for the value itself. */
    key: string;
    /** 1-based line inside the value, when known. */
    line?: number;
    reason: string;
}

/**
 * A credential inside a ConfigMap value or a file: the value itself, or a key of it parsed as
 * YAML/JSON/INI/properties/env.
 */
export function findInValue(dataKey: string, value: unknown): Hit | undefined {
    const direct = judgePair(dataKey, value);
    if (direct) return { key: "", reason: direct };
    if (typeof value !== "string") return undefined;
    const structured =
        /^\s*[{[]/.test(value) ||
        /\.(?:ya?ml|json)$/i.test(dataKey) ||
        (value.includes("\n") &&
            /^[ \t]*[\w.-]+[ \t]*:\s/m.test(value) &&
            !/\.(?:ini|conf|cfg|properties|env|toml)$/i.test(dataKey));
    if (structured && value.length <= MAX_PARSE) {
        const parsed = parse(value);
        if (parsed !== undefined) {
            const budget = { nodes: MAX_NODES };
            const hit = walk(parsed, "", 0, budget);
            if (hit) return hit;
            // Judged as a structure, unless it was too big to walk: then line by line, like any text.
            if (parsed !== null && typeof parsed === "object" && budget.nodes >= 0) return undefined;
        }
    }
    return lines(value);
}

function parse(text: string): unknown {
    // Plain-ASCII JSON (no run of 16 digits, which YAML reads with parseInt) parses to the same value
    // as YAML, in a fraction of the time; anything JSON.parse refuses goes to the YAML reader.
    if (PLAIN_TEXT.test(text) && !/\d{16}/.test(text)) {
        try {
            return JSON.parse(text);
        } catch {
            /* not JSON: YAML below */
        }
    }
    try {
        return load(text, { json: true });
    } catch {
        return undefined;
    }
}

/** Printable ASCII, tabs and line breaks only (the YAML reader refuses some other characters outright). */
const PLAIN_TEXT = /^[\t\n\r\x20-\x7e]*$/;

/** Most keys and items judged in one parsed value (YAML aliases can make a small text a huge tree). */
const MAX_NODES = 20_000;

/** Every scalar of a parsed document, judged by its own key (depth- and size-bounded). */
function walk(v: unknown, path: string, depth: number, budget: { nodes: number }): Hit | undefined {
    if (depth > 32 || v === null || typeof v !== "object" || --budget.nodes < 0) return undefined;
    const entries: Array<[string, unknown]> = Array.isArray(v)
        ? v.map((x, i) => [String(i), x])
        : Object.entries(v as Record<string, unknown>);
    for (const [k, x] of entries) {
        if (--budget.nodes < 0) return undefined;
        const key = path ? (Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`) : k;
        // List items are judged under their list's key (`passwords: [hunter2]`).
        const name = Array.isArray(v) ? (path.split(".").pop() ?? "") : k;
        if (x !== null && typeof x === "object") {
            const hit = walk(x, key, depth + 1, budget);
            if (hit) return hit;
        } else {
            const reason = judgePair(name, x);
            if (reason) return { key, reason };
        }
    }
    return undefined;
}

const ASSIGNMENT = /^\s*(?:export\s+)?["']?([\w.-]{1,200})["']?\s*[:=]\s*(.*)$/;

/** Line-based formats (INI, properties, env files, `key: value` text): each `key = value` judged on its own. */
function lines(value: string): Hit | undefined {
    const all = value.split("\n");
    let section = "";
    for (let i = 0; i < all.length; i++) {
        const line = all[i];
        const trimmed = line.trim();
        if (trimmed.startsWith("#") || trimmed.startsWith(";") || trimmed.startsWith("//")) continue;
        if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
            section = trimmed.slice(1, -1).trim();
            continue;
        }
        const m = ASSIGNMENT.exec(line);
        if (!m) continue;
        let v = m[2].trim();
        const q = v[0];
        // A quoted value ends at its closing quote (a shell line goes on: `export PW="$(cat f)" && run`).
        const close = q === '"' || q === "'" ? v.indexOf(q, 1) : -1;
        if (close > 0) v = v.slice(1, close);
        // An unquoted `$(…)`, `${…}` or `$VAR`: expanded from elsewhere (`PGPASSWORD=$(cat /pw) psql`).
        else if (/^\$[({A-Za-z_]/.test(v)) continue;
        else {
            // An inline comment starts at whitespace then # or ; (found without a backtracking pattern).
            const c = /\s[#;]/.exec(v);
            if (c) v = v.slice(0, c.index).trimEnd();
        }
        // Known formats were looked for in the whole value already (findInValue): only the key's evidence here.
        const reason = judgeNamed(m[1], v) ?? (inlinePassword(v) ? INLINE : undefined);
        if (reason) return { key: section ? `[${section}] ${m[1]}` : m[1], line: i + 1, reason };
    }
    return undefined;
}
