/** OTH-01 … OTH-03, OTH-09: bare pods, Tiller, the Dashboard, SSH. */
import { show } from "../fields";
import { containerRule, describe, judge, objectRule, podRule, Verdict } from "../define";
import { Json } from "../podspec";

export const barePod = objectRule(
    {
        id: "OTH-01",
        name: "no-bare-pods",
        description:
            "Pods should be managed by a controller (Deployment, StatefulSet, Job…). A bare pod is " +
            "not rescheduled when its node fails and escapes rollout policy.",
        remediation: "Wrap the pod in a Deployment (or Job for run-to-completion work).",
        url:
            "https://kubernetes.io/docs/concepts/configuration/overview/#naked-pods-vs-replicasets-" +
            "deployments-and-jobs",
    },
    ["Pod"],
    o => [
        [
            "metadata.ownerReferences",
            judge(
                o.metadata?.ownerReferences,
                v => !Array.isArray(v) || v.length === 0,
                () => `${describe(o)} is not managed by a controller.`,
            ),
        ],
    ],
);

const TILLER_IMAGE = /(^|\/)tiller(:|@|$)/;

export const tiller = podRule(
    {
        id: "OTH-02",
        name: "no-helm-tiller",
        description:
            "Helm v2's Tiller must not be deployed: it runs with cluster-wide rights and, by default," +
            " an unauthenticated gRPC port (44134) that anyone in the cluster can use to install " +
            "anything.",
        remediation: "Remove Tiller; use Helm 3 (client-only) or, in this blueprint, `k8s.helm.v4.Chart`.",
        url: "https://helm.sh/docs/faq/changes_since_helm2/#removal-of-tiller",
    },
    (pod, obj) => {
        const labels = (obj as Json).metadata?.labels ?? {};
        const out: Array<[string, Verdict]> = [
            [
                "@metadata.labels",
                labels.app === "helm" && labels.name === "tiller"
                    ? `${describe(obj)} is labelled as Helm Tiller.`
                    : undefined,
            ],
        ];
        for (const field of ["containers", "initContainers"]) {
            (Array.isArray(pod.spec[field]) ? pod.spec[field] : []).forEach((c: Json, i: number) => {
                out.push([
                    `${field}[${i}].image`,
                    judge(
                        c?.image,
                        v => typeof v === "string" && TILLER_IMAGE.test(v),
                        () => `The container "${show(c?.name)}" runs the Tiller image ${show(c?.image)}.`,
                    ),
                ]);
                (Array.isArray(c?.ports) ? c.ports : []).forEach((p: Json, j: number) =>
                    out.push([
                        `${field}[${i}].ports[${j}].containerPort`,
                        judge(
                            p?.containerPort,
                            v => v === 44134,
                            () => `The container "${show(c?.name)}" exposes Tiller's gRPC port 44134.`,
                        ),
                    ]),
                );
            });
        }
        return out;
    },
);

const DASHBOARD_IMAGE = /(^|\/)kubernetesui\/dashboard|(^|\/)kubernetes-dashboard(-amd64)?(:|@|$)/;

export const dashboard = podRule(
    {
        id: "OTH-03",
        name: "no-kubernetes-dashboard",
        description:
            "The Kubernetes Dashboard should not be deployed: it is a frequent target, and a " +
            "misconfigured one has handed attackers cluster-admin.",
        remediation:
            "Remove the Dashboard; give teams read access through their SecureNamespace `viewer` " +
            "level and kubectl or a hardened portal.",
        url: "https://kubernetes.io/docs/tasks/access-application-cluster/web-ui-dashboard/",
    },
    (pod, obj) => {
        const labels = (obj as Json).metadata?.labels ?? {};
        const out: Array<[string, Verdict]> = [
            [
                "@metadata.labels",
                labels["k8s-app"] === "kubernetes-dashboard"
                    ? `${describe(obj)} is labelled as the Kubernetes Dashboard.`
                    : undefined,
            ],
        ];
        (Array.isArray(pod.spec.containers) ? pod.spec.containers : []).forEach((c: Json, i: number) =>
            out.push([
                `containers[${i}].image`,
                judge(
                    c?.image,
                    v => typeof v === "string" && DASHBOARD_IMAGE.test(v),
                    () => `The container "${show(c?.name)}" runs the Kubernetes Dashboard image ${show(c?.image)}.`,
                ),
            ]),
        );
        return out;
    },
);

export const sshPort = containerRule(
    {
        id: "OTH-09",
        name: "no-ssh-port",
        description:
            "Containers should not expose SSH (port 22). An SSH daemon in a container is a second, " +
            "unaudited way in; use `kubectl debug` for troubleshooting.",
        remediation: "Remove the SSH server and port 22 from the container.",
        url: "https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/",
    },
    c =>
        (Array.isArray(c.container.ports) ? c.container.ports : []).map(
            (p: Json, i: number) =>
                [
                    `ports[${i}].containerPort`,
                    judge(
                        p?.containerPort,
                        v => v === 22,
                        () => `The ${c.label} exposes SSH port 22.`,
                    ),
                ] as [string, Verdict],
        ),
);
