/** The pod controls' fixtures: for each, a compliant side and a failing side differing in one field. */
import { Case, withContainer } from "../testkit/cases";
import { mutated } from "../testkit/workloads";

export const CASES: Case[] = [
    {
        id: "PS-21",
        what: "the pod's runAsGroup where the container sets none; UID 0 is left to PS-19",
        good: () => [withContainer(c => (c.securityContext.runAsUser = 0))],
        bad: () => [
            mutated("Deployment", s => {
                s.securityContext.runAsGroup = 500;
                delete s.containers[0].securityContext.runAsGroup;
            }),
        ],
    },
    {
        id: "PS-30",
        what: "the legacy AppArmor annotation counts as hardening",
        good: () => [
            mutated(
                "Deployment",
                s => {
                    delete s.securityContext.seccompProfile;
                    delete s.containers[0].securityContext.seccompProfile;
                    delete s.containers[0].securityContext.capabilities;
                },
                { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "runtime/default" } },
            ),
        ],
        bad: () => [
            mutated("Deployment", s => {
                delete s.securityContext.seccompProfile;
                delete s.containers[0].securityContext.seccompProfile;
                delete s.containers[0].securityContext.capabilities;
            }),
        ],
    },
    {
        id: "PS-31",
        what: "a privileged host port; port 1024 is fine",
        good: () => [withContainer(c => (c.ports[0].containerPort = 1024))],
        bad: () => [withContainer(c => (c.ports[0].hostPort = 443))],
    },
];
