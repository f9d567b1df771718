/** The namespaces controls' fixtures: for each, a compliant side and a failing side differing in one field. */
import { Case, d, ns, svc } from "../testkit/cases";

export const CASES: Case[] = [
    {
        id: "NS-01",
        what: "object in default",
        good: () => [d()],
        bad: () => [
            (() => {
                const o = d();
                o.metadata!.namespace = "default";
                return o;
            })(),
        ],
    },
    {
        id: "NS-01",
        what: "namespace omitted",
        good: () => [svc()],
        bad: () => [
            (() => {
                const o = svc();
                delete o.metadata.namespace;
                return o;
            })(),
        ],
    },
    {
        id: "NS-02",
        what: "workload in kube-system",
        good: () => [d()],
        bad: () => [
            (() => {
                const o = d();
                o.metadata!.namespace = "kube-system";
                return o;
            })(),
        ],
    },
    { id: "NS-03", what: "namespace without enforce label", good: () => [ns()], bad: () => [ns("team-a", {})] },
    {
        id: "NS-03",
        what: "namespace enforcing privileged",
        good: () => [ns("team-a", { "pod-security.kubernetes.io/enforce": "baseline" })],
        bad: () => [ns("team-a", { "pod-security.kubernetes.io/enforce": "privileged" })],
    },
    {
        id: "NS-03",
        what: "minimumLevel restricted from the policy config",
        good: () => [ns()],
        bad: () => [ns("team-a", { "pod-security.kubernetes.io/enforce": "baseline" })],
        cfg: { "namespace-pod-security-enforced": { minimumLevel: "restricted" } },
    },
];
