/** NET-01 … NET-09 in the API server. */
import { INGRESS_RESOURCES, SERVICE_RESOURCES } from "../cel";
import { Admission } from "../types";

export const NETWORK_ADMISSION: Record<string, Admission> = {
    "NET-01": {
        twin: {
            resources: SERVICE_RESOURCES,
            expression: "!has(object.spec.type) || object.spec.type != 'NodePort'",
            message: "[NET-01] Services of type NodePort must be an explicit opt-in.",
        },
    },
    "NET-02": {
        twin: {
            resources: SERVICE_RESOURCES,
            expression: "!has(object.spec.type) || object.spec.type != 'LoadBalancer'",
            message: "[NET-02] Services of type LoadBalancer must be an explicit opt-in.",
        },
    },
    "NET-03": {
        twin: {
            resources: SERVICE_RESOURCES,
            expression: "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
            message: "[NET-03] Services must not set externalIPs (CVE-2020-8554).",
        },
    },
    "NET-04": {
        twin: {
            resources: INGRESS_RESOURCES,
            variables: [
                { name: "ann", expression: "has(object.metadata.annotations) ? object.metadata.annotations : {}" },
            ],
            expression:
                "has(object.spec.tls) && size(object.spec.tls) > 0 && (!has(object.spec.rules) || " +
                "object.spec.rules.all(r, !has(r.host) || object.spec.tls.exists(t, has(t.hosts) && " +
                "r.host in t.hosts)))" +
                (" && !(('kubernetes.io/ingress.allow-http' in variables.ann) && " +
                    "variables.ann['kubernetes.io/ingress.allow-http'] == 'true')") +
                (" && !(('nginx.ingress.kubernetes.io/ssl-redirect' in variables.ann) && " +
                    "variables.ann['nginx.ingress.kubernetes.io/ssl-redirect'] == 'false')") +
                (" && !(('nginx.ingress.kubernetes.io/force-ssl-redirect' in variables.ann) && " +
                    "variables.ann['nginx.ingress.kubernetes.io/force-ssl-redirect'] == 'false')"),
            message: "[NET-04] Every Ingress host must be covered by TLS and plain HTTP must not be allowed.",
        },
    },
    "NET-05": {
        twin: {
            resources: INGRESS_RESOURCES,
            expression:
                "!has(object.spec.rules) || object.spec.rules.all(r, has(r.host) && r.host != '' && " +
                "!r.host.startsWith('*'))",
            message: "[NET-05] Ingress rules should name a specific host.",
        },
    },
    "NET-06": {
        twin: {
            resources: INGRESS_RESOURCES,
            expression:
                "!has(object.metadata.annotations) || object.metadata.annotations.all(k, " +
                "!k.startsWith('nginx.ingress.kubernetes.io/') || (!k.matches('-snippets?$') && " +
                "!object.metadata.annotations[k].matches(r'(?i)(\\blua_|_by_lua|\\bload_module\\b|\\b" +
                "include\\b|\\broot\\s|\\balias\\s|serviceaccount|/var/run/secrets|[{}])')))",
            message: "[NET-06] Ingress objects must not use ingress-nginx snippet annotations or inject configuration.",
        },
    },
    "NET-07": {
        none: {
            kind: "several-objects",
            reason:
                "Decided on a workload together with the NetworkPolicies of its namespace that select " +
                "its pods: admission sees one object at a time.",
        },
    },
    "NET-08": {
        none: {
            kind: "several-objects",
            reason:
                "Decided on a Namespace together with the NetworkPolicies in it (a default-deny for both " +
                "directions): admission sees one object at a time.",
        },
    },
    "NET-09": {
        none: {
            kind: "cel-cannot-express",
            reason:
                "The rule decides whether a NetworkPolicy's podSelector can select any pod carrying the " +
                "quarantine label, a search over label sets (for every key the selector names: the label " +
                "absent, each value the selector names, a value it names nowhere); an expression looking " +
                "only at the quarantine key's requirements would deny policies whose selector selects no " +
                "pod at all, where the rule passes, and the exact search has not been written in CEL and " +
                "checked against the rule. The control is advisory: the pack and the scanner report it.",
        },
    },
};
