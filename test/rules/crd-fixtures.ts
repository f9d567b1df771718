/** Custom resources and unknown kinds carrying pod templates, each with one privileged container (PS-01). */
import { hardenedPodSpec, Json, LABELS } from "../../rules/cases";

/** The hardened pod spec with its first container privileged. */
export function privilegedSpec(): Json {
    const s = hardenedPodSpec();
    s.containers[0].securityContext.privileged = true;
    return s;
}

const md = (name: string) => ({ name, namespace: "team-a", labels: { ...LABELS } });
const template = () => ({ metadata: { labels: { ...LABELS } }, spec: privilegedSpec() });

/** [description, object, expected PS-01 path] */
export const CRD_CASES: Array<[string, Json, string]> = [
    [
        "Argo Rollout",
        {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Rollout",
            metadata: md("r"),
            spec: { replicas: 3, template: template() },
        },
        "spec.template.spec.containers[0].securityContext.privileged",
    ],
    [
        "Knative Service",
        { apiVersion: "serving.knative.dev/v1", kind: "Service", metadata: md("k"), spec: { template: template() } },
        "spec.template.spec.containers[0].securityContext.privileged",
    ],
    [
        "OpenKruise CloneSet",
        {
            apiVersion: "apps.kruise.io/v1alpha1",
            kind: "CloneSet",
            metadata: md("c"),
            spec: { replicas: 3, template: template() },
        },
        "spec.template.spec.containers[0].securityContext.privileged",
    ],
    [
        "OpenKruise Advanced StatefulSet",
        {
            apiVersion: "apps.kruise.io/v1beta1",
            kind: "StatefulSet",
            metadata: md("s"),
            spec: { replicas: 3, template: template() },
        },
        "spec.template.spec.containers[0].securityContext.privileged",
    ],
    [
        "OpenKruise Advanced DaemonSet",
        { apiVersion: "apps.kruise.io/v1alpha1", kind: "DaemonSet", metadata: md("d"), spec: { template: template() } },
        "spec.template.spec.containers[0].securityContext.privileged",
    ],
    [
        "KEDA ScaledJob",
        {
            apiVersion: "keda.sh/v1alpha1",
            kind: "ScaledJob",
            metadata: md("j"),
            spec: { jobTargetRef: { template: template() } },
        },
        "spec.jobTargetRef.template.spec.containers[0].securityContext.privileged",
    ],
    [
        "Argo Workflow",
        {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Workflow",
            metadata: md("w"),
            spec: {
                entrypoint: "main",
                securityContext: { runAsNonRoot: true },
                templates: [{ name: "main", container: privilegedSpec().containers[0] }],
            },
        },
        "spec.templates[0].container.securityContext.privileged",
    ],
    [
        "Argo CronWorkflow",
        {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "CronWorkflow",
            metadata: md("cw"),
            spec: {
                schedule: "* * * * *",
                workflowSpec: {
                    templates: [{ name: "main", script: { ...privilegedSpec().containers[0], source: "echo" } }],
                },
            },
        },
        "spec.workflowSpec.templates[0].script.securityContext.privileged",
    ],
    [
        "Volcano Job (several templates)",
        {
            apiVersion: "batch.volcano.sh/v1alpha1",
            kind: "Job",
            metadata: md("v"),
            spec: {
                tasks: [
                    { name: "a", template: { spec: hardenedPodSpec() } },
                    { name: "b", template: template() },
                ],
            },
        },
        "spec.tasks[1].template.spec.containers[0].securityContext.privileged",
    ],
    [
        "an unknown kind with a pod spec at spec.template.spec",
        { apiVersion: "example.com/v1", kind: "Widget", metadata: md("u"), spec: { template: template() } },
        "spec.template.spec.containers[0].securityContext.privileged",
    ],
    [
        "an OpenKruise SidecarSet injecting only an init container",
        {
            apiVersion: "apps.kruise.io/v1alpha1",
            kind: "SidecarSet",
            metadata: md("s"),
            spec: {
                selector: { matchLabels: { ...LABELS } },
                initContainers: [{ ...privilegedSpec().containers[0], name: "init" }],
            },
        },
        "spec.initContainers[0].securityContext.privileged",
    ],
    [
        "an OpenKruise EphemeralJob adding only ephemeral containers",
        {
            apiVersion: "apps.kruise.io/v1alpha1",
            kind: "EphemeralJob",
            metadata: md("e"),
            spec: {
                selector: { matchLabels: { ...LABELS } },
                template: { ephemeralContainers: [{ ...privilegedSpec().containers[0], name: "debug" }] },
            },
        },
        "spec.template.ephemeralContainers[0].securityContext.privileged",
    ],
    [
        "an unknown kind with containers deeper down",
        { apiVersion: "example.com/v1", kind: "Gizmo", metadata: md("g"), spec: { runner: { pod: privilegedSpec() } } },
        "spec.runner.pod.containers[0].securityContext.privileged",
    ],
];

export const CRD_FIXTURES: Json[] = CRD_CASES.map(([, o]) => o);
