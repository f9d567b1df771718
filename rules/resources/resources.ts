/** RES-01 … RES-07: requests and limits per container, quota and limits per namespace. */
import { getIn, keysOf } from "../fields";
import { containerRule, NONE, UNKNOWN_VERDICT } from "../define";
import { isUnknown } from "../unknown";
import { ContainerRef } from "../podspec";
import { Finding, StackRule } from "../types";
import { namespaceFindings } from "../namespaces/index-by-namespace";
import { SYSTEM_NAMESPACES } from "../vocabulary";

const URL = "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/";

function resourceRule(id: string, name: string, field: string, what: string, why: string) {
    const path = `resources.${field}`;
    const keys = keysOf(path);
    return containerRule(
        {
            id,
            name,
            description: `Every container must set a ${what}. ${why}`,
            remediation:
                `Set \`resources.${field}\` on the container. Pods in a SecureNamespace get a default ` +
                `from its LimitRange (component arg \`limits\`), but stating it in the manifest keeps ` +
                `the workload portable.`,
            url: URL,
        },
        (c: ContainerRef) => {
            if (c.field === "ephemeralContainers") return NONE; // ephemeral containers cannot have resources
            const v = getIn(c.container, keys);
            if (v !== undefined && v !== null && v !== "" && !isUnknown(v)) return NONE;
            return [[path, isUnknown(v) ? UNKNOWN_VERDICT : `The ${c.label} sets no ${what} (resources.${field}).`]];
        },
    );
}

export const cpuRequest = resourceRule(
    "RES-01",
    "cpu-request-set",
    "requests.cpu",
    "CPU request",
    "Without it the scheduler cannot place the pod fairly and a noisy neighbour can starve others.",
);
export const cpuLimit = resourceRule(
    "RES-02",
    "cpu-limit-set",
    "limits.cpu",
    "CPU limit",
    "Without it one container can take every core of its node.",
);
export const memoryRequest = resourceRule(
    "RES-03",
    "memory-request-set",
    "requests.memory",
    "memory request",
    "Without it the scheduler overcommits nodes and the kernel kills pods at random.",
);
export const memoryLimit = resourceRule(
    "RES-04",
    "memory-limit-set",
    "limits.memory",
    "memory limit",
    "Without it one container can exhaust the node's memory (a denial of service for every pod there).",
);
export const ephemeralLimit = resourceRule(
    "RES-05",
    "ephemeral-storage-limit-set",
    "limits.ephemeral-storage",
    "ephemeral-storage limit",
    "Without it a container can fill the node's disk with logs or scratch files and get every pod evicted.",
);

function perNamespaceRule(id: string, name: string, kind: string, what: string, remediation: string): StackRule {
    return {
        id,
        name,
        scope: "stack",
        kinds: ["Namespace"],
        description: `Every namespace must have a ${kind}. ${what}`,
        remediation,
        url:
            kind === "ResourceQuota"
                ? "https://kubernetes.io/docs/concepts/policy/resource-quotas/"
                : "https://kubernetes.io/docs/concepts/policy/limit-range/",
        defaultExemptNamespaces: [...SYSTEM_NAMESPACES],
        check(objects): Finding[] {
            return namespaceFindings(objects, id, (ns, members) =>
                members.some(o => o.kind === kind) ? undefined : `Namespace "${ns}" has no ${kind}.`,
            );
        },
    };
}

export const namespaceQuota = perNamespaceRule(
    "RES-06",
    "namespace-has-resource-quota",
    "ResourceQuota",
    "A quota caps what one team can consume and, in the blueprint, forbids LoadBalancer and NodePort " +
        "Services by default.",
    "Create the namespace with the SecureNamespace component (it adds a ResourceQuota; component arg " +
        "`quota`), or add a ResourceQuota to it.",
);
export const namespaceLimitRange = perNamespaceRule(
    "RES-07",
    "namespace-has-limit-range",
    "LimitRange",
    "A LimitRange gives containers that set nothing sensible requests and limits, and caps what one " +
        "container may ask for.",
    "Create the namespace with the SecureNamespace component (it adds a LimitRange; component arg " +
        "`limits`), or add a LimitRange to it.",
);
