/**
 * Engine arguments → plain Kubernetes objects for the rule core. Props arrive wrapped in the
 * policy SDK's unknown-checking proxy; they are unwrapped here once, with every unknown
 * (preview) value replaced by the core's UNKNOWN sentinel, so a rule reading an unknown value
 * neither throws nor passes silently.
 */
import proxy from "./sdk";
import { K8sObject } from "../../rules/types";
import { UNKNOWN } from "../../rules/unknown";

const SENTINELS = new Set<unknown>([
    proxy.unknownBooleanValue, proxy.unknownNumberValue, proxy.unknownStringValue, proxy.unknownArrayValue,
    proxy.unknownAssetValue, proxy.unknownArchiveValue, proxy.unknownObjectValue,
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

const K8S_TYPE = /^kubernetes:([^:]+)\/([^:/]+):(\w+)$/;

/** The Kubernetes kind a resource type token stands for (`Patch` types count as their object), or undefined. */
export function kindOf(type: string): string | undefined {
    const m = K8S_TYPE.exec(type);
    if (!m || m[1] === "helm.sh" || m[1] === "yaml" || m[1] === "kustomize") {
        return undefined;
    }
    return m[3].endsWith("Patch") ? m[3].slice(0, -"Patch".length) : m[3];
}

/** The Kubernetes object of a `kubernetes:<group>/<version>:<Kind>` resource, or undefined for other types. */
export function kubernetesObject(type: string, props: unknown): K8sObject | undefined {
    const m = K8S_TYPE.exec(type);
    if (!m || m[1] === "helm.sh" || m[1] === "yaml" || m[1] === "kustomize") {
        return undefined;
    }
    const [, group, version, rawKind] = m;
    const kind = rawKind.endsWith("Patch") ? rawKind.slice(0, -"Patch".length) : rawKind;
    const obj = (plain(props) ?? {}) as K8sObject;
    return { ...obj, apiVersion: group === "core" ? version : `${group}/${version}`, kind };
}
