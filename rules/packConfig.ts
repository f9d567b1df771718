/**
 * The per-stack policy config file (`stacks/policy-config.<stack>.json`) has the format of
 * `pulumi preview --policy-pack-config`; the offline scanner's `--config` and the in-cluster
 * admission policies read the same file: per policy name, an enforcement level or an object with
 * `enforcementLevel` and the policy's own config; `all` sets every policy's level. It is
 * validated with ajv against the schema the rules declare, so errors name the offending key.
 *
 * It is checked once, where it enters (the file loaded, a component's argument), and passed on as
 * a `CheckedPackConfig`: a frozen copy that `checkPackConfig` recognises and does not check again.
 */
import type Ajv from "ajv";
import { readFileSync } from "fs";
import { createRequire } from "module";
import { COMMON_CONFIG_SCHEMA, PackConfig } from "./evaluate";
import { Rule } from "./types";

const LEVEL = { type: "string", enum: ["advisory", "mandatory", "disabled"] };

function packConfigSchema(rules: readonly Rule[]): object {
    const properties: Record<string, object> = {
        all: {
            oneOf: [LEVEL, { type: "object", properties: { enforcementLevel: LEVEL }, additionalProperties: false }],
        },
    };
    for (const r of rules) {
        properties[r.name] = {
            oneOf: [
                LEVEL,
                {
                    type: "object",
                    properties: { enforcementLevel: LEVEL, ...COMMON_CONFIG_SCHEMA, ...(r.config ?? {}) },
                    additionalProperties: false,
                },
            ],
        };
    }
    return { type: "object", properties, additionalProperties: false };
}

export class ConfigFileError extends Error {}

declare const CHECKED: unique symbol;
/** A policy config that `checkPackConfig` accepted: a deep-frozen copy, so it stays what was checked. */
export type CheckedPackConfig = PackConfig & { readonly [CHECKED]: true };

/** Each checked copy, with the rules it was checked against. */
const checkedAgainst = new WeakMap<object, readonly Rule[]>();

/** True when `data` is a value `checkPackConfig` returned for these rules. */
export function isCheckedPackConfig(data: unknown, rules: readonly Rule[]): data is CheckedPackConfig {
    return data !== null && typeof data === "object" && checkedAgainst.get(data) === rules;
}

function deepFreeze<T>(v: T): T {
    if (v !== null && typeof v === "object") {
        for (const x of Object.values(v)) deepFreeze(x);
        Object.freeze(v);
    }
    return v;
}

let compiled: { rules: readonly Rule[]; validate: ReturnType<Ajv["compile"]> } | undefined;

/** ajv, loaded on the first validation (a scan without --config does not pay for loading it). */
const loadAjv = (): typeof Ajv => (createRequire(__filename)("ajv") as { default: typeof Ajv }).default;

/**
 * Validate a parsed policy config; throws naming `where` (a file or a config key) and each bad key.
 * Returns a frozen checked copy; a value this function already returned comes back as it is.
 */
export function checkPackConfig(data: unknown, rules: readonly Rule[], where: string): CheckedPackConfig {
    if (isCheckedPackConfig(data, rules)) {
        return data;
    }
    if (compiled?.rules !== rules) {
        compiled = {
            rules,
            validate: new (loadAjv())({ allErrors: true, strict: false }).compile(packConfigSchema(rules)),
        };
    }
    const validate = compiled.validate;
    if (!validate(data)) {
        const msgs = (validate.errors ?? [])
            .filter(e => e.keyword !== "oneOf")
            .map(e => {
                const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, ".") : "(top level)";
                const extra =
                    e.keyword === "additionalProperties"
                        ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
                        : "";
                return `${at}: ${e.message}${extra}`;
            });
        throw new ConfigFileError(`${where}: invalid policy config:\n  ${[...new Set(msgs)].join("\n  ")}`);
    }
    const checked = deepFreeze(structuredClone(data)) as CheckedPackConfig;
    checkedAgainst.set(checked, rules);
    return checked;
}

export function loadPackConfig(file: string, rules: readonly Rule[]): CheckedPackConfig {
    let data: unknown;
    try {
        data = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
        throw new ConfigFileError(`${file}: ${(e as Error).message}`);
    }
    return checkPackConfig(data, rules, file);
}
