/** The serviceaccounts controls' fixtures: for each, a compliant side and a failing side differing in one field. */
import { Case, binding, d, sa } from "../testkit/cases";
import { mutated } from "../testkit/workloads";

export const CASES: Case[] = [
    {
        id: "SA-01",
        what: "pod without automount false",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => delete s.automountServiceAccountToken)],
    },
    {
        id: "SA-01",
        what: "ServiceAccount automounting",
        good: () => [sa()],
        bad: () => [sa("app", { automountServiceAccountToken: true })],
    },
    {
        id: "SA-02",
        what: "default ServiceAccount",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => (s.serviceAccountName = "default"))],
    },
    {
        id: "SA-02",
        what: "no ServiceAccount named",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => delete s.serviceAccountName)],
    },
    {
        id: "SA-03",
        what: "default SA automounting",
        good: () => [sa("default")],
        bad: () => [sa("default", { automountServiceAccountToken: undefined })],
    },
    {
        id: "SA-04",
        what: "binding to a default SA",
        good: () => [binding([{ kind: "ServiceAccount", name: "app", namespace: "team-a" }])],
        bad: () => [binding([{ kind: "ServiceAccount", name: "default", namespace: "team-a" }])],
    },
    {
        id: "SA-05",
        what: "legacy token Secret",
        good: () => [
            { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "team-a" }, type: "Opaque" },
        ],
        bad: () => [
            {
                apiVersion: "v1",
                kind: "Secret",
                metadata: {
                    name: "s",
                    namespace: "team-a",
                    annotations: { "kubernetes.io/service-account.name": "app" },
                },
                type: "kubernetes.io/service-account-token",
            },
        ],
    },
    {
        id: "SA-05",
        what: "ServiceAccount .secrets",
        good: () => [sa()],
        bad: () => [sa("app", { secrets: [{ name: "app-token" }] })],
    },
    {
        id: "SA-06",
        what: "deprecated serviceAccount field",
        good: () => [d()],
        bad: () => [mutated("Deployment", s => (s.serviceAccount = "app"))],
    },
    {
        id: "SA-02",
        what: "the deprecated serviceAccount field read when serviceAccountName is unset",
        good: () => [
            mutated("Deployment", s => {
                delete s.serviceAccountName;
                s.serviceAccount = "app";
            }),
        ],
        bad: () => [
            mutated("Deployment", s => {
                delete s.serviceAccountName;
                s.serviceAccount = "default";
            }),
        ],
    },
];
