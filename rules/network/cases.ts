/** The network controls' fixtures: for each, a compliant side and a failing side differing in one field. */
import { Case, allowWeb, clone, d, deny, ingress, NOT_QUARANTINED, ns, svc } from "../testkit/cases";
import { QUARANTINE_LABEL } from "../vocabulary";

export const CASES: Case[] = [
    { id: "NET-01", what: "NodePort", good: () => [svc()], bad: () => [svc({ type: "NodePort" })] },
    { id: "NET-02", what: "LoadBalancer", good: () => [svc()], bad: () => [svc({ type: "LoadBalancer" })] },
    { id: "NET-03", what: "externalIPs", good: () => [svc()], bad: () => [svc({ externalIPs: ["203.0.113.1"] })] },
    { id: "NET-04", what: "no TLS", good: () => [ingress()], bad: () => [ingress({ tls: undefined })] },
    {
        id: "NET-04",
        what: "host outside TLS",
        good: () => [ingress()],
        bad: () => [ingress({ rules: [{ host: "other.example.com" }] })],
    },
    {
        id: "NET-04",
        what: "HTTP allowed by annotation",
        good: () => [ingress()],
        bad: () => [ingress({}, { "nginx.ingress.kubernetes.io/ssl-redirect": "false" })],
    },
    {
        id: "NET-05",
        what: "wildcard host",
        good: () => [ingress()],
        bad: () => [ingress({ rules: [{ host: "*.example.com" }] })],
    },
    {
        id: "NET-06",
        what: "configuration snippet",
        good: () => [ingress({}, { "nginx.ingress.kubernetes.io/rewrite-target": "/" })],
        bad: () => [ingress({}, { "nginx.ingress.kubernetes.io/configuration-snippet": "more_set_headers x;" })],
    },
    { id: "NET-07", what: "workload selected by no policy", good: () => [d(), deny], bad: () => [d()] },
    {
        id: "NET-08",
        what: "namespace without default-deny",
        good: () => [ns(), deny],
        bad: () => [ns(), { ...clone(deny), spec: { podSelector: {}, policyTypes: ["Ingress"] } }],
    },
    {
        id: "NET-09",
        what: "allow policy selecting quarantined pods",
        good: () => [allowWeb([NOT_QUARANTINED])],
        bad: () => [allowWeb([])],
    },
    {
        id: "NET-09",
        what: "quarantine excluded with NotIn, not with Exists",
        good: () => [allowWeb([{ key: QUARANTINE_LABEL, operator: "NotIn", values: ["true"] }])],
        bad: () => [allowWeb([{ key: QUARANTINE_LABEL, operator: "NotIn", values: ["false"] }])],
    },
    {
        id: "NET-09",
        what: "egress-only allow policy",
        good: () => [allowWeb([NOT_QUARANTINED], "Egress")],
        bad: () => [allowWeb([{ key: QUARANTINE_LABEL, operator: "Exists" }], "Egress")],
    },
];
