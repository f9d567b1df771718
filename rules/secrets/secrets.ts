/** SEC-01 … SEC-03: how secrets are consumed, and credentials where they do not belong. */
import { show } from "../fields";
import { describe, containerRule, itemPairs, NONE, objectRule, UNKNOWN_VERDICT, Verdict } from "../define";
import { findInValue, Hit } from "./credentials";
import { ContainerRef, pathKey } from "../podspec";
import { isUnknown } from "../unknown";

const SECRETS_URL = "https://kubernetes.io/docs/concepts/security/secrets-good-practices/";

export const secretEnv = containerRule(
    {
        id: "SEC-01",
        name: "no-secrets-in-env",
        description:
            "Secrets should be mounted as files, not passed as environment variables. Environment " +
            "variables leak into crash dumps, child processes, logs and `describe` output.",
        remediation: "Mount the Secret as a volume (with `defaultMode: 0400`) and read it from the file.",
        url: SECRETS_URL,
    },
    c => {
        let out = NONE;
        const env = c.container.env;
        if (isUnknown(env)) out = [["env", UNKNOWN_VERDICT]];
        if (Array.isArray(env)) {
            for (let i = 0; i < env.length; i++) {
                const e = env[i];
                if (e?.valueFrom?.secretKeyRef) {
                    if (out === NONE) out = [];
                    out.push([
                        `env[${i}].valueFrom.secretKeyRef`,
                        `The ${c.label} reads Secret "${show(e.valueFrom.secretKeyRef.name)}" into env ` +
                            `var ${show(e.name)}.`,
                    ]);
                }
            }
        }
        const envFrom = c.container.envFrom;
        if (Array.isArray(envFrom)) {
            for (let i = 0; i < envFrom.length; i++) {
                const e = envFrom[i];
                if (e?.secretRef) {
                    if (out === NONE) out = [];
                    out.push([
                        `envFrom[${i}].secretRef`,
                        `The ${c.label} loads every key of Secret "${show(e.secretRef.name)}" as env vars.`,
                    ]);
                }
            }
        }
        return out;
    },
);

/** Is `value` under key `name` a credential? (kept for callers judging one pair; see credentials.ts) */
export function looksLikeCredential(name: string, value: unknown): boolean {
    return findInValue(name, value) !== undefined;
}

function where(hit: Hit): string {
    return hit.key
        ? ` (at ${hit.key}${hit.line ? `, line ${hit.line}` : ""} inside it)`
        : hit.line
          ? ` (line ${hit.line})`
          : "";
}

/** A flag: `-n`, `--name` or `--name=value` (the value may hold anything, line breaks included). */
const FLAG = /^--?([A-Za-z][\w.-]{0,127})(?:=([\s\S]*))?$/;

/**
 * Literal credentials on a container's command line, which anyone who reads the pod spec, or runs `ps` on the
 * node, reads too: a flag's value (`--password=…`, or `--password …` in the next argument) judged with the flag's
 * name as an env var's value is with its name; any other argument by its value alone (a known token format, a
 * password in a URL, `password=…` inside a shell line). Arguments not known during preview are no literal: passed
 * over.
 */
function commandLineCredentials(c: ContainerRef): Array<[string, Verdict]> {
    let out = NONE;
    for (const field of ["command", "args"]) {
        const list = c.container[field];
        if (!Array.isArray(list)) continue;
        for (let i = 0; i < list.length; i++) {
            const item = list[i];
            if (typeof item !== "string") continue;
            let name = "";
            let value = item;
            let at = i;
            const flag = FLAG.exec(item);
            if (flag && flag[2] !== undefined) [name, value] = [flag[1], flag[2]];
            else if (flag) {
                const next = list[i + 1];
                // a flag without a value of its own (`--verbose`), or before another flag
                if (typeof next !== "string" || next.startsWith("-")) continue;
                [name, value, at] = [flag[1], next, ++i];
            }
            const hit = findInValue(name, value);
            if (!hit) continue;
            if (out === NONE) out = [];
            const via = name ? `, flag ${item.startsWith("--") ? "--" : "-"}${show(name)}` : "";
            out.push([
                `${field}[${at}]`,
                `The ${c.label} passes ${hit.reason}${where(hit)} on its command line (${field}[${at}]${via}).`,
            ]);
        }
    }
    return out;
}

export const literalCredentialEnv = containerRule(
    {
        id: "SEC-02",
        name: "no-literal-credentials-in-env",
        description:
            "Containers must not carry credentials as literal env values or command-line arguments: a " +
            "variable or flag named like a password holding a literal, one named like a token or key holding " +
            "a generated-looking value, or any value in a known credential format (private key, cloud or SaaS " +
            "token, JWT, password in a URL or given inline as `password=…`). Anyone who can read the " +
            "manifest or the pod spec reads the credential; a command line is also visible to every process " +
            "on the node that can list processes.",
        remediation:
            "Move the value into a Secret (better: an external secret store) and mount it as a file; pass the " +
            "file's path (`--password-file`), not the value.",
        url: SECRETS_URL,
    },
    c => {
        const env = itemPairs(c.container.env, (e, i) => {
            if (isUnknown(e?.value)) return [`env[${i}].value`, UNKNOWN_VERDICT];
            const hit = findInValue(typeof e?.name === "string" ? e.name : "", e?.value);
            if (!hit) return undefined;
            return [`env[${i}].value`, `The ${c.label} sets env var ${show(e?.name)} to ${hit.reason}${where(hit)}.`];
        });
        const flags = commandLineCredentials(c);
        return flags === NONE ? env : env === NONE ? flags : [...env, ...flags];
    },
);

export const configMapCredentials = objectRule(
    {
        id: "SEC-03",
        name: "no-credentials-in-configmaps",
        description:
            "ConfigMaps must not hold credentials: a key named like a password holding a literal, a " +
            "key named like a token or key holding a generated-looking value, or a value in a known " +
            "credential format; values that are YAML, JSON, INI, properties or env files are parsed " +
            "and each of their keys judged the same way. ConfigMaps are readable by every role that " +
            "reads configuration and are never encrypted at rest.",
        remediation:
            "Move the credential into a Secret (encrypted at rest by the blueprint's " +
            "EncryptionConfiguration) or an external secret store.",
        url: SECRETS_URL,
    },
    ["ConfigMap"],
    o => {
        const data = o.data;
        if (isUnknown(data)) return [["data", UNKNOWN_VERDICT]];
        if (data === null || typeof data !== "object" || Array.isArray(data)) return [];
        return Object.entries(data).map(([k, v]) => {
            if (isUnknown(v)) return [`data${pathKey(k)}`, UNKNOWN_VERDICT];
            const hit = findInValue(k, v);
            return [
                `data${pathKey(k)}`,
                hit ? `${describe(o)} holds ${hit.reason} under key "${show(k)}"${where(hit)}.` : undefined,
            ];
        }) as Array<[string, Verdict]>;
    },
);
