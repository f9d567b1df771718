/**
 * The scanner's `--config` file uses the same format as `pulumi preview --policy-pack-config`
 * (one file serves both): per policy name, an enforcement level or an object with
 * `enforcementLevel` and the policy's own config; `all` sets every policy's level. It is
 * validated with ajv against the schema the rules declare, so errors name the offending key.
 */
import Ajv from "ajv";
import { readFileSync } from "fs";
import { COMMON_CONFIG_SCHEMA, PackConfig } from "../rules/engine";
import { Rule } from "../rules/types";

const LEVEL = { type: "string", enum: ["advisory", "mandatory", "disabled"] };

export function packConfigSchema(rules: readonly Rule[]): object {
    const properties: Record<string, object> = { all: { oneOf: [LEVEL, { type: "object", properties: { enforcementLevel: LEVEL }, additionalProperties: false }] } };
    for (const r of rules) {
        properties[r.name] = {
            oneOf: [LEVEL, {
                type: "object",
                properties: { enforcementLevel: LEVEL, ...COMMON_CONFIG_SCHEMA, ...(r.config ?? {}) },
                additionalProperties: false,
            }],
        };
    }
    return { type: "object", properties, additionalProperties: false };
}

export class ConfigFileError extends Error {}

export function loadPackConfig(file: string, rules: readonly Rule[]): PackConfig {
    let data: unknown;
    try {
        data = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
        throw new ConfigFileError(`${file}: ${(e as Error).message}`);
    }
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(packConfigSchema(rules));
    if (!validate(data)) {
        const msgs = (validate.errors ?? [])
            .filter(e => e.keyword !== "oneOf")
            .map(e => {
                const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, ".") : "(top level)";
                const extra = e.keyword === "additionalProperties" ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : "";
                return `${where}: ${e.message}${extra}`;
            });
        throw new ConfigFileError(`${file}: invalid policy config:\n  ${[...new Set(msgs)].join("\n  ")}`);
    }
    return data as PackConfig;
}
