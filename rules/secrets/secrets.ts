/** SEC-01 … SEC-03: how secrets are consumed, and credentials where they do not belong. */
import { show } from "../fields";
import { describe, containerRule, judge, objectRule, UNKNOWN_VERDICT, Verdict } from "../define";
import { Json } from "../podspec";
import { isUnknown } from "../unknown";

const SECRETS_URL = "https://kubernetes.io/docs/concepts/security/secrets-good-practices/";

export const secretEnv = containerRule({
    id: "SEC-01", name: "no-secrets-in-env",
    description: "Secrets should be mounted as files, not passed as environment variables. Environment variables leak into crash dumps, child processes, logs and `describe` output.",
    remediation: "Mount the Secret as a volume (with `defaultMode: 0400`) and read it from the file.",
    url: SECRETS_URL,
}, c => {
    const out: Array<[string, Verdict]> = [];
    const env = c.container.env;
    if (isUnknown(env)) out.push(["env", UNKNOWN_VERDICT]);
    (Array.isArray(env) ? env : []).forEach((e: Json, i: number) => out.push([`env[${i}].valueFrom.secretKeyRef`,
        e?.valueFrom?.secretKeyRef ? `The ${c.label} reads Secret "${show(e.valueFrom.secretKeyRef.name)}" into env var ${show(e.name)}.` : undefined]));
    const envFrom = c.container.envFrom;
    (Array.isArray(envFrom) ? envFrom : []).forEach((e: Json, i: number) => out.push([`envFrom[${i}].secretRef`,
        e?.secretRef ? `The ${c.label} loads every key of Secret "${show(e.secretRef.name)}" as env vars.` : undefined]));
    return out;
});

/** Names that say "this is a credential". */
export const CREDENTIAL_NAME = /(pass(word|wd)?|secret|token|api[-_]?key|apikey|private[-_]?key|access[-_]?key|credential|auth[-_]?key|client[-_]?secret|_pwd$|^pwd$)/i;
/** Values that are clearly not a credential: references, paths, booleans, numbers, URLs without userinfo, empty or templated. */
const NOT_A_SECRET = /^(|true|false|yes|no|on|off|null|none|\d+(\.\d+)?|\/[^\s]*|[a-z]+:\/\/[^@\s]*|\$\(.+\)|\$\{.+\}|<.+>|changeme-at-deploy)$/i;
const NAME_EXEMPT = /(_path|_file|_dir|_url|_uri|_endpoint|_name|_type|_ttl|_timeout|_length|_enabled|_header|_mount)$/i;
/** Values that are credentials whatever their name. */
export const CREDENTIAL_VALUE = /(-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36}\b|\bxox[baprs]-[A-Za-z0-9-]{10,}|:\/\/[^\s:@/]+:[^\s@/]+@)/;

/** Maximal runs of JWT characters: a greedy class with nothing after it never backtracks. */
const JWT_RUN = /[A-Za-z0-9_.-]+/g;

/**
 * A JSON Web Token (`eyJ…` header, three dot-separated base64url parts of 10+ characters), found in
 * one linear pass. The equivalent single regular expression backtracks quadratically on long runs
 * such as `eyJ-eyJ-…` (a 100 KB value took seconds, a 1 MiB one minutes).
 */
export function hasJwt(v: string): boolean {
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
                    break; // later starts only leave a shorter header
                }
            }
        }
    }
    return false;
}

const ASSIGNMENT = /^\s*["']?([\w.-]+)["']?\s*[:=]\s*["']?([^"'\s#]+)/;

export function looksLikeCredential(name: string, value: unknown): boolean {
    if (typeof value !== "string") return false;
    if (CREDENTIAL_VALUE.test(value) || hasJwt(value)) return true;
    if (value.includes("\n")) {
        // A config file: judge each `key: value` / `key=value` line on its own.
        return value.split("\n").some(line => {
            const m = ASSIGNMENT.exec(line);
            return m !== null && looksLikeCredential(m[1], m[2]);
        });
    }
    return CREDENTIAL_NAME.test(name) && !NAME_EXEMPT.test(name) && !NOT_A_SECRET.test(value.trim());
}

export const literalCredentialEnv = containerRule({
    id: "SEC-02", name: "no-literal-credentials-in-env",
    description: "Containers must not carry credentials as literal env values (a variable named like a password, token or key with a literal value, or a value that is a private key, cloud access key or token). Anyone who can read the manifest or the pod spec reads the credential.",
    remediation: "Move the value into a Secret (better: an external secret store) and mount it as a file.",
    url: SECRETS_URL,
}, c => (Array.isArray(c.container.env) ? c.container.env : []).map((e: Json, i: number) => [`env[${i}].value`,
    judge(e?.value, v => looksLikeCredential(show(e?.name ?? ""), v), () => `The ${c.label} sets env var ${show(e?.name)} to a literal credential.`)] as [string, Verdict]));

export const configMapCredentials = objectRule({
    id: "SEC-03", name: "no-credentials-in-configmaps",
    description: "ConfigMaps must not hold credentials: keys named like passwords, tokens or keys with literal values, or values containing private keys, cloud access keys or tokens. ConfigMaps are readable by every role that reads configuration and are never encrypted at rest.",
    remediation: "Move the credential into a Secret (encrypted at rest by the blueprint's EncryptionConfiguration) or an external secret store.",
    url: SECRETS_URL,
}, ["ConfigMap"], o => {
    const data = o.data;
    if (isUnknown(data)) return [["data", UNKNOWN_VERDICT]];
    return Object.entries(data ?? {}).map(([k, v]) => [`data.${k}`,
        judge(v, x => looksLikeCredential(k, x), () => `${describe(o)} holds a credential under key "${k}".`)] as [string, Verdict]);
});
