/** The resources controls' fixtures: for each, a compliant side and a failing side differing in one field. */
import { Case, d, limits, ns, quota, withContainer } from "../testkit/cases";
import { mutated } from "../testkit/workloads";

export const CASES: Case[] = [
    {
        id: "RES-01",
        what: "no CPU request",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.resources.requests.cpu)],
    },
    {
        id: "RES-02",
        what: "no CPU limit",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.resources.limits.cpu)],
    },
    {
        id: "RES-03",
        what: "no memory request",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.resources.requests.memory)],
    },
    {
        id: "RES-04",
        what: "no memory limit",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.resources.limits.memory)],
    },
    {
        id: "RES-04",
        what: "no resources at all on an init container",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => delete s.initContainers[0].resources)],
    },
    {
        id: "RES-05",
        what: "no ephemeral-storage limit",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.resources.limits["ephemeral-storage"])],
    },
    { id: "RES-06", what: "namespace without ResourceQuota", good: () => [ns(), quota], bad: () => [ns(), limits] },
    { id: "RES-07", what: "namespace without LimitRange", good: () => [ns(), limits], bad: () => [ns(), quota] },
    {
        id: "RES-01",
        what: "no CPU request on an init container",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => delete s.initContainers[0].resources.requests.cpu)],
    },
];
