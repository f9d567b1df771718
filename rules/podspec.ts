/**
 * The one pod-spec extractor: every pod-level rule goes through here, so Pod, every workload
 * controller and PodTemplate are covered alike, with containers, initContainers and
 * ephemeralContainers.
 */
import { K8sObject } from "./types";
import { isUnknown } from "./unknown";

/** Kinds that carry a pod spec, and where it lives. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
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

/**
 * Well-known custom resources carrying pod templates, by `group/Kind`: the paths of their pod
 * specs. `*` in a path stands for every element of a list or every value of a map (several
 * templates in one object). Any other kind is searched for a pod spec at the common paths
 * (`spec.template.spec`, `spec.jobTemplate.spec.template.spec`, `spec`, ...) and then anywhere
 * (an object with a `containers` list of objects), so unknown kinds that carry containers are
 * checked too.
 */
const CRD_POD_SPEC_PATHS: Readonly<Record<string, ReadonlyArray<readonly string[]>>> = {
    "argoproj.io/Rollout": [["spec", "template", "spec"]],
    "serving.knative.dev/Service": [["spec", "template", "spec"]],
    "serving.knative.dev/Configuration": [["spec", "template", "spec"]],
    "serving.knative.dev/Revision": [["spec"]],
    "apps.kruise.io/CloneSet": [["spec", "template", "spec"]],
    "apps.kruise.io/StatefulSet": [["spec", "template", "spec"]],
    "apps.kruise.io/DaemonSet": [["spec", "template", "spec"]],
    "apps.kruise.io/BroadcastJob": [["spec", "template", "spec"]],
    "apps.kruise.io/AdvancedCronJob": [
        ["spec", "template", "broadcastJobTemplate", "spec", "template", "spec"],
        ["spec", "template", "jobTemplate", "spec", "template", "spec"],
    ],
    "apps.kruise.io/UnitedDeployment": [
        ["spec", "template", "statefulSetTemplate", "spec", "template", "spec"],
        ["spec", "template", "advancedStatefulSetTemplate", "spec", "template", "spec"],
        ["spec", "template", "cloneSetTemplate", "spec", "template", "spec"],
        ["spec", "template", "deploymentTemplate", "spec", "template", "spec"],
    ],
    "keda.sh/ScaledJob": [["spec", "jobTargetRef", "template", "spec"]],
    "batch.volcano.sh/Job": [["spec", "tasks", "*", "template", "spec"]],
    "kubeflow.org/TFJob": [["spec", "tfReplicaSpecs", "*", "template", "spec"]],
    "kubeflow.org/PyTorchJob": [["spec", "pytorchReplicaSpecs", "*", "template", "spec"]],
    "kubeflow.org/MPIJob": [["spec", "mpiReplicaSpecs", "*", "template", "spec"]],
    "ray.io/RayCluster": [
        ["spec", "headGroupSpec", "template", "spec"],
        ["spec", "workerGroupSpecs", "*", "template", "spec"],
    ],
    "ray.io/RayJob": [
        ["spec", "rayClusterSpec", "headGroupSpec", "template", "spec"],
        ["spec", "rayClusterSpec", "workerGroupSpecs", "*", "template", "spec"],
    ],
    "apps.openshift.io/DeploymentConfig": [["spec", "template", "spec"]],
    "jobset.x-k8s.io/JobSet": [["spec", "replicatedJobs", "*", "template", "spec", "template", "spec"]],
};

/** Argo Workflows kinds: containers in `templates[*]`, pod-level settings on the workflow spec. */
const ARGO_WORKFLOW_SPECS: Readonly<Record<string, readonly string[]>> = {
    Workflow: ["spec"],
    WorkflowTemplate: ["spec"],
    ClusterWorkflowTemplate: ["spec"],
    CronWorkflow: ["spec", "workflowSpec"],
};

/** Where other kinds most often keep a pod spec, tried in order. */
const COMMON_POD_SPEC_PATHS: ReadonlyArray<readonly string[]> = [
    ["spec", "template", "spec"],
    ["spec", "jobTemplate", "spec", "template", "spec"],
    ["spec", "podTemplate", "spec"],
    ["spec", "podSpec"],
    ["spec"],
    ["template", "spec"],
];

/** API groups of Kubernetes' own kinds: their schemas are known, no search for pod specs there. */
function isBuiltInGroup(apiVersion: unknown): boolean {
    if (typeof apiVersion !== "string") return true;
    const slash = apiVersion.indexOf("/");
    if (slash < 0) return true; // core group (v1)
    const group = apiVersion.slice(0, slash);
    return !group.includes(".") || group.endsWith(".k8s.io");
}

export type ContainerField = "containers" | "initContainers" | "ephemeralContainers";
const CONTAINER_FIELDS: readonly ContainerField[] = ["containers", "initContainers", "ephemeralContainers"];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects as parsed, read without narrowing
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
    /** Containers found elsewhere than in `spec` (Argo Workflows templates); otherwise taken from `spec`. */
    containerRefs?: ContainerRef[];
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

const podSpecCache = new WeakMap<object, PodSpecRef[]>();
const containersCache = new WeakMap<PodSpecRef, ContainerRef[]>();

/**
 * Every pod spec of an object (most kinds have one; some custom resources several), memoised
 * per object: every pod rule asks for the same object's specs, so they are extracted once.
 */
export function podSpecsOf(obj: K8sObject): PodSpecRef[] {
    if (obj === null || typeof obj !== "object") return [];
    // The last object asked about first: rules are run object by object, each asking again.
    if (obj === lastObject) return lastPodSpecs;
    let refs = podSpecCache.get(obj);
    if (refs === undefined) {
        refs = extractPodSpecs(obj);
        podSpecCache.set(obj, refs);
    }
    lastObject = obj;
    lastPodSpecs = refs;
    return refs;
}
let lastObject: object | undefined;
let lastPodSpecs: PodSpecRef[] = [];

/** The (first) pod spec of a workload object, or undefined for objects without one. */
export function podSpecOf(obj: K8sObject): PodSpecRef | undefined {
    return podSpecsOf(obj)[0];
}

/**
 * An object pod rules judge beyond the kinds they list: a carrier of pod specs that is not one of
 * Kubernetes' own workload kinds (those are dispatched by kind, and rules choose among them).
 */
export function isPodCarrier(obj: K8sObject): boolean {
    const builtIn =
        typeof obj?.kind === "string" && own(POD_SPEC_PATHS, obj.kind) !== undefined && isBuiltInGroup(obj.apiVersion);
    return !builtIn && carriesPods(obj);
}

/** Custom resources whose pods run to completion (jobs, workflows): probes do not apply to them. */
export const RUN_TO_COMPLETION = new Set([
    "Workflow",
    "WorkflowTemplate",
    "ClusterWorkflowTemplate",
    "CronWorkflow",
    "ScaledJob",
    "BroadcastJob",
    "AdvancedCronJob",
    "Job",
    "TFJob",
    "PyTorchJob",
    "MPIJob",
    "RayJob",
    "JobSet",
]);

/** Does the object carry a pod spec (built-in workload, known custom resource, or found by search)? */
export function carriesPods(obj: K8sObject): boolean {
    return podSpecsOf(obj).length > 0;
}

const isObj = (v: Json): boolean => v !== null && typeof v === "object" && !Array.isArray(v) && !isUnknown(v);

/**
 * A path key as it appears in a Finding path: dotted, or bracketed and quoted when it holds dots, slashes or quotes.
 */
export function pathKey(key: string): string {
    return /^[A-Za-z0-9_-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Follow `path` (with `*` for every element/value) from `root`: each [value, dotted path, parent path] reached. */
function follow(root: Json, path: readonly string[]): Array<{ value: Json; path: string; parent: string }> {
    let frontier: Array<{ value: Json; path: string; parent: string }> = [{ value: root, path: "", parent: "" }];
    for (const key of path) {
        const next: typeof frontier = [];
        for (const f of frontier) {
            const v = f.value;
            if (v === null || typeof v !== "object" || isUnknown(v)) continue;
            if (key === "*") {
                if (Array.isArray(v))
                    v.forEach((x: Json, i: number) => next.push({ value: x, path: `${f.path}[${i}]`, parent: f.path }));
                else
                    for (const [k, x] of Object.entries(v))
                        next.push({ value: x, path: `${f.path}${pathKey(k)}`, parent: f.path });
            } else if (!Array.isArray(v)) {
                next.push({ value: v[key], path: f.path ? `${f.path}${pathKey(key)}` : key, parent: f.path });
            }
        }
        frontier = next;
    }
    return frontier;
}

function refAt(
    obj: K8sObject,
    found: { value: Json; path: string; parent: string },
    isPod: boolean,
): PodSpecRef | undefined {
    const spec = found.value;
    if (spec === null || spec === undefined || typeof spec !== "object" || Array.isArray(spec)) return undefined;
    if (isPod) return { spec, path: found.path, podMeta: metaOf(obj.metadata), metaPath: "metadata" };
    // The template's metadata sits beside its spec.
    const parent = follow(obj, found.parent ? splitPath(found.parent) : []);
    const holder = parent.length === 1 && isObj(parent[0].value) ? parent[0].value : undefined;
    return {
        spec,
        path: found.path,
        podMeta: metaOf(holder?.metadata),
        metaPath: found.parent ? `${found.parent}.metadata` : "metadata",
    };
}

const metaOf = (m: Json): Json => (m === undefined || m === null ? {} : m);

/** Split a path built by `follow` back into keys (only used on paths of plain keys and indices). */
function splitPath(path: string): string[] {
    const out: string[] = [];
    for (const m of path.matchAll(/\.?([A-Za-z0-9_-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)) {
        out.push(m[1] ?? m[2] ?? JSON.parse(m[3]));
    }
    return out;
}

/**
 * A table entry for a key taken from input (a kind): own entries only, never Object.prototype's (`constructor`,
 * `toString`).
 */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
    return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** A built-in kind's pod-spec path with its dotted forms, made once (all its keys are plain names). */
interface BuiltInSpec {
    keys: readonly string[];
    path: string;
    metaPath: string;
}
const BUILT_IN_SPECS: Readonly<Record<string, BuiltInSpec>> = Object.fromEntries(
    Object.entries(POD_SPEC_PATHS).map(([kind, keys]) => [
        kind,
        { keys, path: keys.join("."), metaPath: [...keys.slice(0, -1), "metadata"].join(".") },
    ]),
);

/**
 * `follow` and `refAt` for a built-in kind, without a frontier: every step but the last must be an
 * object (not a list, not unknown), the spec an object (not a list); the template's metadata sits
 * beside the spec (a Pod's is its own).
 */
function builtInRef(obj: K8sObject, b: BuiltInSpec, isPod: boolean): PodSpecRef | undefined {
    const keys = b.keys;
    let holder: Json = obj;
    let v: Json = obj;
    for (let i = 0; i < keys.length; i++) {
        if (v === null || typeof v !== "object" || isUnknown(v) || Array.isArray(v)) return undefined;
        holder = v;
        v = v[keys[i]];
    }
    if (v === null || v === undefined || typeof v !== "object" || Array.isArray(v)) return undefined;
    if (isPod) return { spec: v, path: b.path, podMeta: metaOf(obj.metadata), metaPath: "metadata" };
    return { spec: v, path: b.path, podMeta: metaOf(holder.metadata), metaPath: b.metaPath };
}

function extractPodSpecs(obj: K8sObject): PodSpecRef[] {
    const kind = obj.kind;
    if (typeof kind !== "string") return [];
    const builtIn = own(BUILT_IN_SPECS, kind);
    if (builtIn && isBuiltInGroup(obj.apiVersion)) {
        const ref = builtInRef(obj, builtIn, kind === "Pod");
        return ref ? [ref] : [];
    }
    const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    const known = own(CRD_POD_SPEC_PATHS, `${group}/${kind}`);
    if (known) {
        return known.flatMap(p =>
            follow(obj, p)
                .map(f => refAt(obj, f, false))
                .filter((r): r is PodSpecRef => r !== undefined),
        );
    }
    const argo = own(ARGO_WORKFLOW_SPECS, kind);
    if (group === "argoproj.io" && argo) return argoWorkflow(obj, argo);
    if (isBuiltInGroup(obj.apiVersion)) return [];
    // Unknown kind: a pod spec at a common path, else any object holding a `containers` list.
    for (const p of COMMON_POD_SPEC_PATHS) {
        const f = follow(obj, p)[0];
        if (f && isObj(f.value) && hasContainers(f.value)) return [refAt(obj, f, false)!];
    }
    const found: PodSpecRef[] = [];
    search(obj, "", "", 0, (value, path, parent) => found.push(refAt(obj, { value, path, parent }, false)!));
    return found;
}

/**
 * A pod-spec-like object: some container list (regular, init or ephemeral) holds an object (a Kruise
 * SidecarSet may inject only init containers, an EphemeralJob only ephemeral ones).
 */
const hasContainers = (v: Json): boolean =>
    CONTAINER_FIELDS.some(f => Array.isArray(v[f]) && (v[f] as Json[]).some(isObj));

/** Depth-first search for pod-spec-like objects (bounded depth; metadata skipped). */
function search(
    v: Json,
    path: string,
    parent: string,
    depth: number,
    hit: (v: Json, path: string, parent: string) => void,
): void {
    if (depth > 12 || v === null || typeof v !== "object" || isUnknown(v)) return;
    if (Array.isArray(v)) {
        v.forEach((x, i) => search(x, `${path}[${i}]`, path, depth + 1, hit));
        return;
    }
    if (depth > 0 && hasContainers(v)) {
        hit(v, path, parent);
        return;
    }
    for (const [k, x] of Object.entries(v)) {
        if (depth === 0 && k === "metadata") continue;
        search(x, path ? `${path}${pathKey(k)}` : k, path, depth + 1, hit);
    }
}

/**
 * An Argo Workflow: one pod spec (the workflow spec: securityContext, volumes, host namespaces) whose containers come
 * from every template.
 */
function argoWorkflow(obj: K8sObject, specPath: readonly string[]): PodSpecRef[] {
    const f = follow(obj, specPath)[0];
    if (!f || !isObj(f.value)) return [];
    const spec = f.value;
    const refs: ContainerRef[] = [];
    const templates = Array.isArray(spec.templates) ? spec.templates : [];
    const add = (c: Json, field: ContainerField, path: string, index: number, what: string) => {
        if (!isObj(c) && !isUnknown(c)) return;
        const name = isObj(c) && typeof c.name === "string" ? c.name : what;
        refs.push({ container: c, field, index, name, path, label: `${LABELS[field]} "${name}"` });
    };
    templates.forEach((t: Json, ti: number) => {
        if (!isObj(t)) return;
        const base = `${f.path}.templates[${ti}]`;
        const tname = typeof t.name === "string" ? t.name : `#${ti}`;
        add(t.container, "containers", `${base}.container`, refs.length, `${tname}`);
        add(t.script, "containers", `${base}.script`, refs.length, `${tname} (script)`);
        if (isObj(t.containerSet) && Array.isArray(t.containerSet.containers)) {
            t.containerSet.containers.forEach((c: Json, i: number) =>
                add(c, "containers", `${base}.containerSet.containers[${i}]`, refs.length, `${tname}[${i}]`),
            );
        }
        for (const [field, key] of [
            ["initContainers", "initContainers"],
            ["containers", "sidecars"],
        ] as const) {
            if (Array.isArray(t[key]))
                t[key].forEach((c: Json, i: number) =>
                    add(c, field, `${base}.${key}[${i}]`, refs.length, `${tname} ${key}[${i}]`),
                );
        }
    });
    if (refs.length === 0) return [];
    return [
        {
            spec,
            path: f.path,
            podMeta: metaOf(spec.podMetadata),
            metaPath: `${f.path}.podMetadata`,
            containerRefs: refs,
        },
    ];
}

const LABELS: Record<ContainerField, string> = {
    containers: "container",
    initContainers: "init container",
    ephemeralContainers: "ephemeral container",
};

/** Every container of a pod spec, regular, init and ephemeral (memoised; treat as read-only). */
export function containersOf(ref: PodSpecRef): ContainerRef[] {
    if (ref.containerRefs) return ref.containerRefs;
    if (ref === lastPodSpec) return lastContainers;
    let cached = containersCache.get(ref);
    if (!cached) {
        cached = extractContainers(ref);
        containersCache.set(ref, cached);
    }
    lastPodSpec = ref;
    lastContainers = cached;
    return cached;
}
let lastPodSpec: PodSpecRef | undefined;
let lastContainers: ContainerRef[] = [];

function extractContainers(ref: PodSpecRef): ContainerRef[] {
    const out: ContainerRef[] = [];
    for (const field of CONTAINER_FIELDS) {
        const list = ref.spec[field];
        if (isUnknown(list)) {
            // The whole list is unknown (preview): surface it so rules report "cannot verify".
            out.push({
                container: list,
                field,
                index: 0,
                name: "<unknown>",
                path: `${ref.path}.${field}`,
                label: `${LABELS[field]}s (unknown during preview)`,
            });
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
