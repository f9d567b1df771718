/** OTH-01 … OTH-03, OTH-09: bare pods, Tiller, the Dashboard, SSH. */
import { show } from "../fields";
import {
    containerRule,
    describe,
    forEachListed,
    itemPairs,
    judge,
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

/** The pair for a listed container whose image is unknown or matches `pattern` ("… runs the <what> image …"). */
function imagePair(c: Json, field: string, i: number, pattern: RegExp, what: string): [string, Verdict] | undefined {
    const image = c?.image;
    if (isUnknown(image)) return [`${field}[${i}].image`, UNKNOWN_VERDICT];
    if (typeof image === "string" && pattern.test(image))
        return [`${field}[${i}].image`, `The container "${show(c?.name)}" runs the ${what} image ${show(image)}.`];
    return undefined;
}

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
        forEachListed(pod.spec, TILLER_FIELDS, (c, field, i) => {
            const image = imagePair(c, field, i, TILLER_IMAGE, "Tiller");
            if (image) out.push(image);
            const ports = c?.ports;
            if (!Array.isArray(ports)) return;
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
        });
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
        forEachListed(pod.spec, ["containers"], (c, field, i) => {
            const image = imagePair(c, field, i, DASHBOARD_IMAGE, "Kubernetes Dashboard");
            if (image) out.push(image);
        });
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
        itemPairs(c.container.ports, (port, i) => {
            const v = port?.containerPort;
            if (v !== 22 && !isUnknown(v)) return undefined;
            return [
                `ports[${i}].containerPort`,
                isUnknown(v) ? UNKNOWN_VERDICT : `The ${c.label} exposes SSH port 22.`,
            ];
        }),
);
