/** The controlplane controls' fixtures: for each, a compliant side and a failing side differing in one field. */
import { AUDIT_FLAGS, AUDIT_OK, Case, apiserverPod, encCfg, clone } from "../testkit/cases";

export const CASES: Case[] = [
    {
        id: "CFG-01",
        what: "identity first",
        good: () => [encCfg([{ aescbc: { keys: [{ name: "k", secret: "x" }] } }, { identity: {} }])],
        bad: () => [encCfg([{ identity: {} }, { aescbc: { keys: [{ name: "k", secret: "x" }] } }])],
    },
    {
        id: "CFG-01",
        what: "provider without keys",
        good: () => [encCfg([{ secretbox: { keys: [{ name: "k", secret: "x" }] } }])],
        bad: () => [encCfg([{ secretbox: { keys: [] } }])],
    },
    {
        id: "CFG-02",
        what: "static pod without audit log path",
        good: () => [apiserverPod(AUDIT_FLAGS)],
        bad: () => [apiserverPod(AUDIT_FLAGS.slice(0, 1))],
    },
    {
        id: "CFG-02",
        what: "kubeadm config without audit flags",
        good: () => [
            {
                apiVersion: "kubeadm.k8s.io/v1beta4",
                kind: "ClusterConfiguration",
                apiServer: {
                    extraArgs: AUDIT_FLAGS.map(f => ({ name: f.slice(2).split("=")[0], value: f.split("=")[1] })),
                },
            },
        ],
        bad: () => [
            {
                apiVersion: "kubeadm.k8s.io/v1beta3",
                kind: "ClusterConfiguration",
                apiServer: { extraArgs: { "audit-log-path": "/var/log/a" } },
            },
        ],
    },
    {
        id: "CFG-03",
        what: "secrets at RequestResponse",
        good: () => [AUDIT_OK],
        bad: () => [{ ...clone(AUDIT_OK), rules: [{ level: "RequestResponse" }] }],
    },
    {
        id: "CFG-03",
        what: "exec not logged",
        good: () => [AUDIT_OK],
        bad: () => [{ ...clone(AUDIT_OK), rules: [AUDIT_OK.rules[0], { level: "None" }] }],
    },
];
