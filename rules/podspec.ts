/**
 * The one pod-spec extractor: every pod-level rule goes through here, so Pod, every workload
 * controller and PodTemplate are covered alike, with containers, initContainers and
 * ephemeralContainers.
 */
import { K8sObject } from "./types";
import { isUnknown } from "./unknown";

/** Kinds that carry a pod spec, and where it lives. */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
    Pod: ["spec"],
    PodTemplate: ["template", "spec"],
    Deployment: ["spec", "template", "spec"],
    ReplicaSet: ["spec", "template", "spec"],
    StatefulSet: ["spec", "template", "spec"],
    DaemonSet: ["spec", "template", "spec"],
    Job: ["spec", "template", "spec"],
    ReplicationController: ["spec", "template", "spec"],
    CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

export const WORKLOAD_KINDS: readonly string[] = Object.keys(POD_SPEC_PATHS);

export type ContainerField = "containers" | "initContainers" | "ephemeralContainers";
export const CONTAINER_FIELDS: readonly ContainerField[] = ["containers", "initContainers", "ephemeralContainers"];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface PodSpecRef {
    /** The pod spec object (may contain UNKNOWN values). */
    spec: Json;
    /** Dotted path of the pod spec inside the object, e.g. `spec.template.spec`. */
    path: string;
    /** Pod-template metadata (labels/annotations of the pods), or the Pod's own metadata. */
    podMeta: Json;
    /** Dotted path of podMeta. */
    metaPath: string;
}

export interface ContainerRef {
    container: Json;
    /** `containers`, `initContainers` or `ephemeralContainers`. */
    field: ContainerField;
    index: number;
    /** Container name, or `#index` when unnamed/unknown. */
    name: string;
    /** Dotted path of the container, e.g. `spec.template.spec.initContainers[1]`. */
    path: string;
    /** Human label for messages, e.g. `init container "setup"`. */
    label: string;
}

const podSpecCache = new WeakMap<object, PodSpecRef | null>();
const containersCache = new WeakMap<PodSpecRef, ContainerRef[]>();

/**
 * The pod spec of a workload object, or undefined for other kinds / missing specs. Memoised per
 * object: every pod rule asks for the same object's spec, so it is extracted once.
 */
export function podSpecOf(obj: K8sObject): PodSpecRef | undefined {
    let ref = podSpecCache.get(obj);
    if (ref === undefined) {
        ref = extractPodSpec(obj) ?? null;
        podSpecCache.set(obj, ref);
    }
    return ref ?? undefined;
}

function extractPodSpec(obj: K8sObject): PodSpecRef | undefined {
    const kind = obj.kind;
    if (typeof kind !== "string") {
        return undefined;
    }
    const path = POD_SPEC_PATHS[kind];
    if (!path) {
        return undefined;
    }
    let cur: Json = obj;
    for (const key of path) {
        if (cur === null || typeof cur !== "object" || isUnknown(cur)) {
            return undefined;
        }
        cur = cur[key];
    }
    if (cur === null || cur === undefined || typeof cur !== "object") {
        return undefined;
    }
    const metaParts = kind === "Pod" ? ["metadata"] : [...path.slice(0, -1), "metadata"];
    let meta: Json = obj;
    for (const key of metaParts) {
        meta = meta && typeof meta === "object" && !isUnknown(meta) ? meta[key] : undefined;
    }
    return { spec: cur, path: path.join("."), podMeta: meta ?? {}, metaPath: metaParts.join(".") };
}

const LABELS: Record<ContainerField, string> = {
    containers: "container",
    initContainers: "init container",
    ephemeralContainers: "ephemeral container",
};

/** Every container of a pod spec, regular, init and ephemeral (memoised; treat as read-only). */
export function containersOf(ref: PodSpecRef): ContainerRef[] {
    let cached = containersCache.get(ref);
    if (!cached) {
        cached = extractContainers(ref);
        containersCache.set(ref, cached);
    }
    return cached;
}

function extractContainers(ref: PodSpecRef): ContainerRef[] {
    const out: ContainerRef[] = [];
    for (const field of CONTAINER_FIELDS) {
        const list = ref.spec[field];
        if (isUnknown(list)) {
            // The whole list is unknown (preview): surface it so rules report "cannot verify".
            out.push({ container: list, field, index: 0, name: "<unknown>", path: `${ref.path}.${field}`, label: `${LABELS[field]}s (unknown during preview)` });
            continue;
        }
        if (!Array.isArray(list)) {
            continue;
        }
        list.forEach((container: Json, index: number) => {
            const name = container && typeof container.name === "string" ? container.name : `#${index}`;
            out.push({
                container: container ?? {},
                field,
                index,
                name,
                path: `${ref.path}.${field}[${index}]`,
                label: `${LABELS[field]} "${name}"`,
            });
        });
    }
    return out;
}
