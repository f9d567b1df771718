/**
 * Engine arguments → plain Kubernetes objects for the rule core. Props arrive wrapped in the
 * policy SDK's unknown-checking proxy; they are unwrapped here once, with every unknown
 * (preview) value replaced by the core's UNKNOWN sentinel, so a rule reading an unknown value
 * neither throws nor passes silently.
 */
import proxy from "./sdk";
import { apiOfType } from "../../rules/typeToken";
import { K8sObject } from "../../rules/types";
import { UNKNOWN } from "../../rules/unknown";

const SENTINELS = new Set<unknown>([
    proxy.unknownBooleanValue,
    proxy.unknownNumberValue,
    proxy.unknownStringValue,
    proxy.unknownArrayValue,
    proxy.unknownAssetValue,
    proxy.unknownArchiveValue,
    proxy.unknownObjectValue,
]);

function target(v: unknown): unknown {
    if (v !== null && typeof v === "object" && (v as Record<string, unknown>)[proxy.isSpecialProxy] === true) {
        return (v as Record<string, unknown>)[proxy.getSpecialProxyTarget];
    }
    return v;
}

/** Deep copy with unknown sentinels replaced by UNKNOWN. */
export function plain(v: unknown): unknown {
    const t = target(v);
    if (SENTINELS.has(t)) {
        return UNKNOWN;
    }
    if (Array.isArray(t)) {
        return t.map(plain);
    }
    if (t !== null && typeof t === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(t)) {
            out[k] = plain(x);
        }
        return out;
    }
    return t;
}

/** The Kubernetes kind a resource type token stands for (`Patch` types count as their object), or undefined. */
export function kindOf(type: string): string | undefined {
    return apiOfType(type)?.kind;
}

/** The Kubernetes object of a `kubernetes:<group>/<version>:<Kind>` resource, or undefined for other types. */
export function kubernetesObject(type: string, props: unknown): K8sObject | undefined {
    const api = apiOfType(type);
    if (!api) {
        return undefined;
    }
    const obj = (plain(props) ?? {}) as K8sObject;
    return { ...obj, ...api };
}
