/** Compliant fixtures per workload kind, and helpers that mutate exactly one field. */
import { K8sObject } from "../types";

/* eslint-disable @typescript-eslint/no-explicit-any -- free-form Kubernetes objects that tests mutate by path */
export type Json = any;

export const IMAGE = "registry.example.com/team/app@sha256:" + "a".repeat(64);

/** A container as the blueprint recommends it. */
export function hardenedContainer(name = "app"): Json {
    return {
        name,
        image: IMAGE,
        imagePullPolicy: "Always",
        ports: [{ containerPort: 8080, protocol: "TCP" }],
        resources: {
            requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "100Mi" },
            limits: { cpu: "500m", memory: "256Mi", "ephemeral-storage": "1Gi" },
        },
        livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
        readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
        securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    };
}

export function hardenedPodSpec(): Json {
    return {
        serviceAccountName: "app",
        automountServiceAccountToken: false,
        priorityClassName: "standard",
        securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: "RuntimeDefault" },
        },
        containers: [hardenedContainer()],
        initContainers: [
            { ...hardenedContainer("init"), livenessProbe: undefined, readinessProbe: undefined, ports: undefined },
        ],
        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
    };
}

export const LABELS = { "app.kubernetes.io/name": "app" };
export const WORKLOAD_KIND_LIST = [
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "PodTemplate",
] as const;
export type WorkloadKind = (typeof WORKLOAD_KIND_LIST)[number];

const API: Record<WorkloadKind, string> = {
    Pod: "v1",
    PodTemplate: "v1",
    ReplicationController: "v1",
    Deployment: "apps/v1",
    ReplicaSet: "apps/v1",
    StatefulSet: "apps/v1",
    DaemonSet: "apps/v1",
    Job: "batch/v1",
    CronJob: "batch/v1",
};

/** Wrap a pod spec into a workload of the given kind (in namespace team-a). */
export function workload(kind: WorkloadKind, spec: Json = hardenedPodSpec(), podMeta: Json = {}): K8sObject {
    const metadata = { name: "app", namespace: "team-a", labels: { ...LABELS } };
    const template = { metadata: { labels: { ...LABELS }, ...podMeta }, spec };
    const ownerRef = {
        ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "app-1", uid: "u", controller: true }],
    };
    switch (kind) {
        case "Pod":
            return { apiVersion: API.Pod, kind, metadata: { ...metadata, ...ownerRef, ...podMeta }, spec };
        case "PodTemplate":
            return { apiVersion: API.PodTemplate, kind, metadata, template };
        case "CronJob":
            return {
                apiVersion: API.CronJob,
                kind,
                metadata,
                spec: { schedule: "0 * * * *", jobTemplate: { spec: { template } } },
            };
        case "Job":
            return { apiVersion: API.Job, kind, metadata, spec: { template } };
        default:
            return {
                apiVersion: API[kind],
                kind,
                metadata,
                spec: { replicas: 3, selector: { matchLabels: { ...LABELS } }, template },
            };
    }
}

/** The pod spec inside a workload (to mutate it in place). */
export function podSpecIn(obj: K8sObject): Json {
    const o = obj as Json;
    switch (obj.kind) {
        case "Pod":
            return o.spec;
        case "PodTemplate":
            return o.template.spec;
        case "CronJob":
            return o.spec.jobTemplate.spec.template.spec;
        default:
            return o.spec.template.spec;
    }
}

/** A workload whose pod spec was changed by `mutate`. */
export function mutated(kind: WorkloadKind, mutate: (spec: Json) => void, podMeta: Json = {}): K8sObject {
    const spec = hardenedPodSpec();
    mutate(spec);
    return workload(kind, spec, podMeta);
}
