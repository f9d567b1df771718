import { get } from "../fields";
import { containersOf, podSpecsOf, WORKLOAD_KINDS } from "../podspec";
import { Finding, ResourceRule } from "../types";
import { isUnknown } from "../unknown";
import { FALCO_NS } from "../vocabulary";

/** PS-01: no container may run privileged. */
export const privilegedContainer: ResourceRule = {
    id: "PS-01",
    name: "no-privileged-containers",
    scope: "resource",
    kinds: WORKLOAD_KINDS,
    podTemplates: true,
    description:
        "Containers must not run privileged. A privileged container has every capability and full " +
        "access to the host's devices, so a compromise of it is a compromise of the node.",
    remediation:
        "Remove `securityContext.privileged: true` from the container (or set it to false). " +
        "Workloads in a SecureNamespace at the `restricted` level (the default " +
        "`podSecurity.enforce`) are refused by Pod Security admission if they try.",
    url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
    defaultExemptNamespaces: [FALCO_NS],
    check(obj) {
        const findings: Finding[] = [];
        const pods = podSpecsOf(obj);
        for (let p = 0; p < pods.length; p++) {
            const containers = containersOf(pods[p]);
            for (let i = 0; i < containers.length; i++) {
                const c = containers[i];
                const v = get(c.container, "securityContext.privileged");
                if (isUnknown(v)) {
                    findings.push({
                        controlId: "PS-01",
                        object: obj,
                        path: `${c.path}.securityContext.privileged`,
                        unknown: true,
                        message: `The ${c.label} has a privileged setting that is unknown during preview.`,
                    });
                } else if (v === true) {
                    const path = `${c.path}.securityContext.privileged`;
                    findings.push({
                        controlId: "PS-01",
                        object: obj,
                        path,
                        message: `The ${c.label} runs privileged (${path} is true).`,
                    });
                }
            }
        }
        return findings;
    },
};
