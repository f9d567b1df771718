/** The hygiene controls' fixtures: for each, a compliant side and a failing side differing in one field. */
import { Case, Json, d, ingress, pdb } from "../testkit/cases";
import { mutated } from "../testkit/workloads";

const apiService = (apiVersion: string): Json => ({
    apiVersion,
    kind: "APIService",
    metadata: { name: "v1beta1.admission.example.com" },
    spec: {
        group: "admission.example.com",
        version: "v1beta1",
        service: { name: "webhook", namespace: "example" },
        groupPriorityMinimum: 1000,
        versionPriority: 15,
    },
});

export const CASES: Case[] = [
    {
        id: "OTH-04",
        what: "extensions/v1beta1 Ingress",
        good: () => [ingress()],
        bad: () => [{ ...ingress(), apiVersion: "extensions/v1beta1" }],
    },
    {
        id: "OTH-04",
        what: "apiregistration.k8s.io/v1beta1 APIService (cert-manager's early manifests)",
        good: () => [apiService("apiregistration.k8s.io/v1")],
        bad: () => [apiService("apiregistration.k8s.io/v1beta1")],
    },
    {
        id: "OTH-05",
        what: "missing app.kubernetes.io/name",
        good: () => [d()],
        bad: () => [
            (() => {
                const o = d();
                o.metadata!.labels = {};
                return o;
            })(),
        ],
    },
    {
        id: "OTH-06",
        what: "one replica",
        good: () => [d()],
        bad: () => [
            (() => {
                const o = d() as Json;
                o.spec.replicas = 1;
                return o;
            })(),
        ],
    },
    { id: "OTH-07", what: "no PDB", good: () => [d(), pdb()], bad: () => [d()] },
    {
        id: "OTH-07",
        what: "PDB blocking all evictions",
        good: () => [d(), pdb()],
        bad: () => [d(), pdb({ maxUnavailable: 0 })],
    },
    {
        id: "OTH-08",
        what: "no priorityClassName",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => delete s.priorityClassName)],
    },
    {
        id: "OTH-06",
        what: "unset replicas count as one",
        good: () => [
            (() => {
                const o = d() as Json;
                o.spec.replicas = 2;
                return o;
            })(),
        ],
        bad: () => [
            (() => {
                const o = d() as Json;
                delete o.spec.replicas;
                return o;
            })(),
        ],
    },
    {
        id: "OTH-08",
        what: "an empty priorityClassName",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => (s.priorityClassName = ""))],
    },
];
