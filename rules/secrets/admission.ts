/** SEC-01 … SEC-03 in the API server. */
import { POD_VARIABLES, WORKLOAD_RESOURCES } from "../cel";
import { Admission } from "../types";

export const SECRETS_ADMISSION: Record<string, Admission> = {
    "SEC-01": {
        twin: {
            resources: WORKLOAD_RESOURCES,
            variables: POD_VARIABLES,
            expression:
                "variables.containers.all(c, (!has(c.env) || c.env.all(e, !(has(e.valueFrom) && " +
                "has(e.valueFrom.secretKeyRef)))) && (!has(c.envFrom) || c.envFrom.all(e, " +
                "!has(e.secretRef))))",
            message: "[SEC-01] Secrets should be mounted as files, not passed as environment variables.",
        },
    },
    "SEC-02": {
        none: {
            kind: "cel-cannot-express",
            reason:
                "The credential detector (rules/secrets/credentials.ts) measures lengths in UTF-16 code " +
                "units and matches JavaScript's Unicode \\s and trim, where CEL counts code points and " +
                "RE2's \\s is ASCII, so values with characters outside the Basic Multilingual Plane or " +
                "Unicode spaces would be judged differently; and its dozen patterns per variable would " +
                "run under the API server's per-expression CEL cost limit, which regex matching on a " +
                "large env value can exceed, making the policy fail (and, with failurePolicy Fail, deny) " +
                "where the rule decides.",
        },
    },
    "SEC-03": {
        none: {
            kind: "cel-cannot-express",
            reason:
                "The rule parses ConfigMap values that are YAML, JSON, INI, properties or env files and " +
                "judges each of their keys; CEL has no YAML or INI parser, so the nested keys the rule " +
                "judges are out of its reach.",
        },
    },
};
