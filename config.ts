/**
 * Typed stack configuration of the program. Every key lives under the `hardened-cluster`
 * namespace; defaults are applied by the components (one place each) and every value is
 * validated before anything is created.
 */
import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "fs";
import * as path from "path";
import { ClusterBaselineArgs } from "./components/clusterBaseline";
import { ConfigError } from "./components/validate";
import { RULES } from "./rules";
import { CheckedPackConfig, loadPackConfig } from "./rules/packConfig";
import { PROJECT } from "./rules/vocabulary";

const CONFIG_KEYS = ["namespaces", "addons", "controlPlane", "admission", "alerts", "ingresses", "kubeconfig"] as const;

export interface StackConfig {
    baseline: ClusterBaselineArgs;
    /** Optional kubeconfig (a secret) for an explicit provider; default: the ambient kubeconfig. */
    kubeconfig?: pulumi.Output<string>;
}

/** Reject keys of this project that the program does not know (typos would otherwise be ignored). */
export function checkUnknownKeys(all: Record<string, string>): void {
    for (const full of Object.keys(all)) {
        const [ns, key] = full.split(":");
        if (ns === PROJECT && !(CONFIG_KEYS as readonly string[]).includes(key)) {
            throw new ConfigError(
                full,
                `unknown config key; known keys: ${CONFIG_KEYS.map(k => `${PROJECT}:${k}`).join(", ")}`,
            );
        }
    }
}

function object<T>(cfg: pulumi.Config, key: string): T | undefined {
    try {
        return cfg.getObject<T>(key);
    } catch (e) {
        throw new ConfigError(`${PROJECT}:${key}`, `is not valid JSON/YAML structure: ${(e as Error).message}`);
    }
}

/**
 * The stack's policy config file, which the policy pack (`--policy-pack-config`), the offline
 * scanner and the in-cluster admission policies share: `admission.policyConfigFile` (relative to
 * the project) or, by default, `stacks/policy-config.<stack>.json` when it exists.
 */
export function loadStackPolicyConfig(stack: string, file: unknown, root = __dirname): CheckedPackConfig | undefined {
    const key = `${PROJECT}:admission.policyConfigFile`;
    if (file !== undefined && (typeof file !== "string" || file === ""))
        throw new ConfigError(key, "must be a path to a JSON policy config file");
    const full = path.resolve(root, file ?? path.join("stacks", `policy-config.${stack}.json`));
    if (!existsSync(full)) {
        if (file === undefined) return undefined;
        throw new ConfigError(key, `file ${full} does not exist`);
    }
    try {
        return loadPackConfig(full, RULES);
    } catch (e) {
        throw new ConfigError(key, (e as Error).message);
    }
}

function readAdmission(cfg: pulumi.Config): ClusterBaselineArgs["admission"] {
    const admission = object<Record<string, unknown>>(cfg, "admission");
    // Anything but an object goes on unchanged, for validateClusterBaselineArgs to refuse with the key named.
    if (admission === undefined || admission === null || typeof admission !== "object")
        return admission as ClusterBaselineArgs["admission"];
    const { policyConfigFile, ...rest } = admission;
    const policyConfig = loadStackPolicyConfig(pulumi.getStack(), policyConfigFile);
    return { ...rest, ...(policyConfig ? { policyConfig } : {}) };
}

export function readStackConfig(): StackConfig {
    checkUnknownKeys(pulumi.runtime.allConfig());
    const cfg = new pulumi.Config(PROJECT);
    const namespaces = object<ClusterBaselineArgs["namespaces"]>(cfg, "namespaces");
    if (namespaces !== undefined && !Array.isArray(namespaces)) {
        throw new ConfigError(`${PROJECT}:namespaces`, "must be a list of namespaces");
    }
    return {
        baseline: {
            namespaces: namespaces ?? [],
            addons: object(cfg, "addons"),
            controlPlane: object(cfg, "controlPlane"),
            admission: readAdmission(cfg),
            alerts: object(cfg, "alerts"),
            ingresses: object(cfg, "ingresses"),
        },
        // An empty value (the project default) means "use the ambient kubeconfig".
        kubeconfig: cfg.get("kubeconfig") ? cfg.requireSecret("kubeconfig") : undefined,
    };
}
