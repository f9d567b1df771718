/** PS-17 … PS-21: privilege escalation, non-root users and groups. */
import { get, getIn, show } from "../fields";
import { Json, PodSpecRef } from "../podspec";
import { isUnknown } from "../unknown";
import {
    containerRule,
    effectivePath,
    effectiveValue,
    forEachListed,
    NONE,
    ownSettingIs,
    podRule,
    PSS_URL,
    securityField,
    UNKNOWN_VERDICT,
    Verdict,
} from "../define";
import { FALCO_NS, KUBE_BENCH_NS, TRIVY_NS } from "../vocabulary";

const SC_URL = "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/";
const ALLOW_PRIVILEGE_ESCALATION = securityField("allowPrivilegeEscalation");

export const privilegeEscalation = containerRule(
    {
        id: "PS-17",
        name: "no-privilege-escalation",
        description:
            "Containers must set `allowPrivilegeEscalation: false`. Otherwise a process can gain " +
            "more privileges than its parent through setuid binaries or file capabilities.",
        remediation:
            "Set `securityContext.allowPrivilegeEscalation: false` on every container. " +
            "SecureNamespace at `restricted` (the default `podSecurity.enforce`) refuses pods that " +
            "do not.",
        url: `${PSS_URL}#restricted`,
        defaultExemptNamespaces: [FALCO_NS],
    },
    c => ownSettingIs(c, ALLOW_PRIVILEGE_ESCALATION, false),
);

export const runAsNonRoot = containerRule(
    {
        id: "PS-18",
        name: "run-as-non-root",
        description:
            "Containers must run with `runAsNonRoot: true`, set on the pod or on every container (a " +
            "container value overrides the pod's). The kubelet then refuses to start an image that " +
            "would run as root.",
        remediation:
            "Set `securityContext.runAsNonRoot: true` in the pod spec (and a non-zero `runAsUser`), " +
            "and never set it to false on a container. SecureNamespace at `restricted` refuses pods " +
            "that do not.",
        url: `${PSS_URL}#restricted`,
        defaultExemptNamespaces: [FALCO_NS, TRIVY_NS, KUBE_BENCH_NS],
    },
    (c, pod) => {
        const value = effectiveValue(c, pod, RUN_AS_NON_ROOT);
        if (value === true) return NONE;
        return [
            [
                // The container's own field, or where it would go (the pod's value is inherited).
                "securityContext.runAsNonRoot",
                isUnknown(value)
                    ? UNKNOWN_VERDICT
                    : nonRootUser(effectiveValue(c, pod, RUN_AS_USER), value)
                      ? `The ${c.label} runs as user ${show(effectiveValue(c, pod, RUN_AS_USER))}, not root, but ` +
                        `runAsNonRoot is ${value === undefined ? "not set on the container or the pod" : show(value)}` +
                        `: Pod Security "restricted" refuses the pod without runAsNonRoot: true.`
                      : `The ${c.label} may run as root: runAsNonRoot is ` +
                        `${value === undefined ? "not set on the container or the pod" : `${show(value)}`}` +
                        `.`,
            ],
        ];
    },
);

const CONTAINER_FIELDS = ["containers", "initContainers", "ephemeralContainers"];
const RUN_AS_NON_ROOT = securityField("runAsNonRoot");
const RUN_AS_USER = securityField("runAsUser");

/**
 * A runAsUser that is surely not root (a positive integer) while runAsNonRoot is not true: the container does not run
 * as root, though PS-18 still asks for the field (the message says so rather than "may run as root"). runAsNonRoot
 * set to false explicitly keeps the plain message: it says what the manifest asks for.
 */
const nonRootUser = (uid: Json, nonRoot: Json): boolean =>
    nonRoot === undefined && typeof uid === "number" && Number.isInteger(uid) && uid > 0;

function isZero(v: Json): boolean {
    return v === 0 || v === "0";
}

/**
 * A pair for every container whose own `securityContext.<field>` is 0 ("The container … sets
 * <says>.") or unknown, and for a container list unknown during preview (neither passes silently).
 */
function containersSettingZero(
    pod: PodSpecRef,
    field: "runAsUser" | "runAsGroup",
    says: string,
    out: Array<[string, Verdict]>,
): void {
    const sc = securityField(field);
    forEachListed(
        pod.spec,
        CONTAINER_FIELDS,
        (c, list, i) => {
            const v = getIn(c, sc.keys);
            if (isUnknown(v) || isZero(v))
                out.push([
                    `${list}[${i}].${sc.path}`,
                    isUnknown(v) ? UNKNOWN_VERDICT : `The container "${show(c?.name)}" sets ${says}.`,
                ]);
        },
        list => out.push([list, UNKNOWN_VERDICT]),
    );
}

export const runAsUserRoot = podRule(
    {
        id: "PS-19",
        name: "no-run-as-root-user",
        description:
            "Neither the pod nor any container may set `runAsUser: 0`. UID 0 is root inside the " +
            "container and, with any escape, on the node.",
        remediation: "Set `runAsUser` to a non-zero UID (the blueprint recommends 10001 or above).",
        url: `${PSS_URL}#restricted`,
        defaultExemptNamespaces: [FALCO_NS, TRIVY_NS, KUBE_BENCH_NS],
    },
    pod => {
        const out: Array<[string, Verdict]> = [];
        const own = get(pod.spec, "securityContext.runAsUser");
        if (isUnknown(own) || isZero(own))
            out.push([
                "securityContext.runAsUser",
                isUnknown(own) ? UNKNOWN_VERDICT : "The pod sets runAsUser: 0 (root).",
            ]);
        containersSettingZero(pod, "runAsUser", "runAsUser: 0 (root)", out);
        return out;
    },
);

export const rootGroup = podRule(
    {
        id: "PS-20",
        name: "no-root-group",
        description:
            "Neither the pod nor any container may run with group 0: `runAsGroup`, `fsGroup` and " +
            "`supplementalGroups` must not contain 0. The root group can read and write files the " +
            "host reserves for root.",
        remediation: "Set `runAsGroup` and `fsGroup` to a non-zero GID and remove 0 from `supplementalGroups`.",
        url: SC_URL,
        defaultExemptNamespaces: [FALCO_NS, TRIVY_NS],
    },
    pod => {
        const out: Array<[string, Verdict]> = [];
        const group = get(pod.spec, "securityContext.runAsGroup");
        if (isUnknown(group) || isZero(group))
            out.push([
                "securityContext.runAsGroup",
                isUnknown(group) ? UNKNOWN_VERDICT : "The pod sets runAsGroup: 0.",
            ]);
        const fsGroup = get(pod.spec, "securityContext.fsGroup");
        if (isUnknown(fsGroup) || isZero(fsGroup))
            out.push(["securityContext.fsGroup", isUnknown(fsGroup) ? UNKNOWN_VERDICT : "The pod sets fsGroup: 0."]);
        const groups = get(pod.spec, "securityContext.supplementalGroups");
        if (isUnknown(groups) || (Array.isArray(groups) && groups.some(isZero)))
            out.push([
                "securityContext.supplementalGroups",
                isUnknown(groups) ? UNKNOWN_VERDICT : "The pod lists group 0 in supplementalGroups.",
            ]);
        containersSettingZero(pod, "runAsGroup", "runAsGroup: 0", out);
        return out;
    },
);

export const highIds = containerRule(
    {
        id: "PS-21",
        name: "high-uid-gid",
        description:
            "UIDs and GIDs set for a container should be above 10000, so they cannot collide with " +
            "users and groups that exist on the node.",
        remediation: "Set `runAsUser` and `runAsGroup` to values above 10000 (e.g. 10001).",
        url: SC_URL,
        config: { minimumId: { type: "integer", description: "Lowest UID/GID accepted.", default: 10001 } },
    },
    (c, pod, cfg) => {
        const min = cfg.minimumId as number;
        let out = NONE;
        for (let k = 0; k < ID_FIELDS.length; k++) {
            const { field, sc } = ID_FIELDS[k];
            const value = effectiveValue(c, pod, sc);
            if (isUnknown(value) || (typeof value === "number" && value > 0 && value < min)) {
                if (out === NONE) out = [];
                out.push([
                    effectivePath(c, pod, sc),
                    isUnknown(value)
                        ? UNKNOWN_VERDICT
                        : `The ${c.label} runs with ${field} ${show(value)}, below ${min}.`,
                ]);
            }
        }
        return out;
    },
);

const ID_FIELDS = ["runAsUser", "runAsGroup"].map(field => ({ field, sc: securityField(field) }));
