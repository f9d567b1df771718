/** The probes controls' fixtures: for each, a compliant side and a failing side differing in one field. */
import { Case, Json, d, withContainer } from "../testkit/cases";
import { mutated, workload } from "../testkit/workloads";

export const CASES: Case[] = [
    {
        id: "PRB-01",
        what: "no liveness probe",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.livenessProbe)],
    },
    {
        id: "PRB-02",
        what: "no readiness probe",
        good: () => [d()],
        bad: () => [withContainer(c => delete c.readinessProbe)],
    },
    {
        id: "PRB-01",
        what: "a bare Pod without liveness probe; init containers need none",
        good: () => [workload("Pod")],
        bad: () => [
            (() => {
                const p = workload("Pod") as Json;
                delete p.spec.containers[0].livenessProbe;
                return p;
            })(),
        ],
    },
    {
        id: "PRB-02",
        what: "a Job runs to completion and needs no probe",
        good: () => [
            mutated("Job", s => {
                delete s.containers[0].readinessProbe;
                s.restartPolicy = "Never";
            }),
        ],
        bad: () => [mutated("ReplicaSet", s => delete s.containers[0].readinessProbe)],
    },
];
