/** The other controls' fixtures: for each, a compliant side and a failing side differing in one field. */
import { Case, d, withContainer } from "../testkit/cases";
import { workload } from "../testkit/workloads";

export const CASES: Case[] = [
    {
        id: "OTH-01",
        what: "bare pod",
        good: () => [workload("Pod")],
        bad: () => [
            (() => {
                const o = workload("Pod");
                delete o.metadata!.ownerReferences;
                return o;
            })(),
        ],
    },
    {
        id: "OTH-02",
        what: "Tiller image",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "gcr.io/kubernetes-helm/tiller:v2.16.12"))],
    },
    {
        id: "OTH-03",
        what: "Dashboard image",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "kubernetesui/dashboard:v2.7.0"))],
    },
    {
        id: "OTH-09",
        what: "SSH port",
        good: () => [d()],
        bad: () => [withContainer(c => c.ports.push({ containerPort: 22 }))],
    },
    {
        id: "OTH-02",
        what: "Tiller's gRPC port; a look-alike image name",
        good: () => [withContainer(c => (c.image = "registry.example.com/tillerx:1.0"))],
        bad: () => [withContainer(c => c.ports.push({ containerPort: 44134 }))],
    },
    {
        id: "OTH-02",
        what: "an object labelled as Tiller",
        good: () => [
            (() => {
                const o = d();
                o.metadata!.labels = { ...o.metadata!.labels, app: "helm" };
                return o;
            })(),
        ],
        bad: () => [
            (() => {
                const o = d();
                o.metadata!.labels = { ...o.metadata!.labels, app: "helm", name: "tiller" };
                return o;
            })(),
        ],
    },
    {
        id: "OTH-03",
        what: "an object labelled as the Dashboard; a look-alike image name",
        good: () => [withContainer(c => (c.image = "registry.example.com/kubernetes-dashboard-proxy:1.0"))],
        bad: () => [
            (() => {
                const o = d();
                o.metadata!.labels = { ...o.metadata!.labels, "k8s-app": "kubernetes-dashboard" };
                return o;
            })(),
        ],
    },
];
