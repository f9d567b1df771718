/** OTH-01 … OTH-03, OTH-09: bare pods, Tiller, the Dashboard, SSH. */
import { show } from "../fields";
import {
    containerRule,
    describe,
    holeyPairs,
    judge,
    NONE,
    objectRule,
    podRule,
    UNKNOWN_VERDICT,
    Verdict,
} from "../define";
import { isUnknown } from "../unknown";
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
const TILLER_FIELDS = ["containers", "initContainers"];

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
        for (const field of TILLER_FIELDS) {
            const list = pod.spec[field];
            if (!Array.isArray(list)) continue;
            for (let i = 0; i < list.length; i++) {
                if (!(i in list)) continue; // forEach passes over holes
                const c = list[i];
                const image = c?.image;
                if (isUnknown(image) || (typeof image === "string" && TILLER_IMAGE.test(image)))
                    out.push([
                        `${field}[${i}].image`,
                        isUnknown(image)
                            ? UNKNOWN_VERDICT
                            : `The container "${show(c?.name)}" runs the Tiller image ${show(image)}.`,
                    ]);
                const ports = c?.ports;
                if (!Array.isArray(ports)) continue;
                for (let j = 0; j < ports.length; j++) {
                    if (!(j in ports)) continue;
                    const port = ports[j]?.containerPort;
                    if (isUnknown(port) || port === 44134)
                        out.push([
                            `${field}[${i}].ports[${j}].containerPort`,
                            isUnknown(port)
                                ? UNKNOWN_VERDICT
                                : `The container "${show(c?.name)}" exposes Tiller's gRPC port 44134.`,
                        ]);
                }
            }
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
        const list = pod.spec.containers;
        if (!Array.isArray(list)) return out;
        for (let i = 0; i < list.length; i++) {
            if (!(i in list)) continue; // forEach passes over holes
            const c = list[i];
            const image = c?.image;
            if (isUnknown(image) || (typeof image === "string" && DASHBOARD_IMAGE.test(image)))
                out.push([
                    `containers[${i}].image`,
                    isUnknown(image)
                        ? UNKNOWN_VERDICT
                        : `The container "${show(c?.name)}" runs the Kubernetes Dashboard image ${show(image)}.`,
                ]);
        }
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
    c => {
        const ports = c.container.ports;
        if (!Array.isArray(ports) || ports.length === 0) return NONE;
        const holey = holeyPairs(ports);
        if (holey) return holey;
        let out = NONE;
        for (let i = 0; i < ports.length; i++) {
            const v = ports[i]?.containerPort;
            if (v === 22 || isUnknown(v)) {
                if (out === NONE) out = [];
                out.push([
                    `ports[${i}].containerPort`,
                    isUnknown(v) ? UNKNOWN_VERDICT : `The ${c.label} exposes SSH port 22.`,
                ]);
            }
        }
        return out;
    },
);
