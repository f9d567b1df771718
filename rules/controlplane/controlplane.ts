/** CFG-01 … CFG-03: encryption at rest, audit logging and audit policy content. */
import { describe, objectRule, UNKNOWN_VERDICT, Verdict } from "../define";
import { get, show } from "../fields";
import { Json } from "../podspec";
import { isUnknown } from "../unknown";

const REAL_PROVIDERS = ["kms", "aescbc", "aesgcm", "secretbox"];

export const encryptionAtRest = objectRule(
    {
        id: "CFG-01",
        name: "secrets-encrypted-at-rest",
        description:
            "The API server's EncryptionConfiguration must cover `secrets` with a real provider (KMS " +
            "v2, aescbc, aesgcm or secretbox) as the first provider, with keys, and `identity` only " +
            "after it. Otherwise Secrets are written to etcd in plain text.",
        remediation:
            "Use the ControlPlaneHardening component (`encryption.provider`, `encryption.keys`): it " +
            "generates the keys and puts `identity` last.",
        url: "https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/",
    },
    ["EncryptionConfiguration"],
    o => {
        const resources = o.resources;
        if (isUnknown(resources)) return [["resources", UNKNOWN_VERDICT]];
        const list: Json[] = Array.isArray(resources) ? resources : [];
        const idx = list.findIndex(
            r =>
                Array.isArray(r?.resources) &&
                (r.resources.includes("secrets") || r.resources.includes("*.*") || r.resources.includes("*.")),
        );
        if (idx < 0) return [["resources", `${describe(o)} does not cover secrets.`]];
        const providers = list[idx].providers;
        if (isUnknown(providers)) return [[`resources[${idx}].providers`, UNKNOWN_VERDICT]];
        const first = Array.isArray(providers) ? providers[0] : undefined;
        const name = first ? Object.keys(first)[0] : undefined;
        if (!name || !REAL_PROVIDERS.includes(name)) {
            return [
                [
                    `resources[${idx}].providers[0]`,
                    `${describe(o)} writes secrets with ` +
                        `${name === undefined ? "no provider" : show(name)}; the first provider must be ` +
                        `one of ${REAL_PROVIDERS.join(", ")}.`,
                ],
            ];
        }
        const keys = first[name]?.keys;
        if (name !== "kms" && isUnknown(keys))
            return [[`resources[${idx}].providers[0].${name}.keys`, UNKNOWN_VERDICT]];
        if (name !== "kms" && (!Array.isArray(keys) || keys.length === 0))
            return [[`resources[${idx}].providers[0].${name}.keys`, `${describe(o)} configures ${name} without keys.`]];
        if (name === "kms" && first.kms?.apiVersion !== "v2")
            return [[`resources[${idx}].providers[0].kms.apiVersion`, `${describe(o)} uses KMS v1; use KMS v2.`]];
        return [];
    },
);

/** kube-apiserver flags found in a static Pod, or in a kubeadm ClusterConfiguration (v1beta3 map or v1beta4 list). */
function apiServerFlags(o: Json): { flags: Map<string, string>; path: string } | undefined {
    if (o.kind === "ClusterConfiguration") {
        const extra = get(o, "apiServer.extraArgs");
        const flags = new Map<string, string>();
        if (Array.isArray(extra)) for (const e of extra) flags.set(e?.name, show(e?.value));
        else if (extra && typeof extra === "object") for (const [k, v] of Object.entries(extra)) flags.set(k, show(v));
        return { flags, path: "apiServer.extraArgs" };
    }
    const containers = get(o, "spec.containers");
    if (!Array.isArray(containers)) return undefined;
    for (let i = 0; i < containers.length; i++) {
        const argv = [
            ...(Array.isArray(containers[i]?.command) ? containers[i].command : []),
            ...(Array.isArray(containers[i]?.args) ? containers[i].args : []),
        ];
        if (!argv.some((a: unknown) => typeof a === "string" && /(^|\/)kube-apiserver$/.test(a))) continue;
        const flags = new Map<string, string>();
        for (const a of argv) {
            const m = typeof a === "string" ? /^--([^=]+)(?:=(.*))?$/.exec(a) : null;
            if (m) flags.set(m[1], m[2] ?? "true");
        }
        return { flags, path: `spec.containers[${i}].command` };
    }
    return undefined;
}

const AUDIT_FLAGS = [
    "audit-policy-file",
    "audit-log-path",
    "audit-log-maxage",
    "audit-log-maxbackup",
    "audit-log-maxsize",
];

export const auditEnabled = objectRule(
    {
        id: "CFG-02",
        name: "audit-logging-enabled",
        description:
            "The API server must run with audit logging: an audit policy file, a log path and " +
            "retention (`--audit-log-maxage`, `--audit-log-maxbackup`, `--audit-log-maxsize`). " +
            "Without it there is no record of who did what.",
        remediation:
            "Use the ControlPlaneHardening component: its kube-apiserver flags and kubeadm " +
            "ClusterConfiguration set all five.",
        url: "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/",
    },
    ["Pod", "ClusterConfiguration"],
    o => {
        const found = apiServerFlags(o);
        if (!found) return [];
        const missing = AUDIT_FLAGS.filter(f => !found.flags.has(f) || found.flags.get(f) === "");
        return [
            [
                found.path,
                missing.length
                    ? `${describe(o)} runs kube-apiserver without ${missing.map(f => `--${f}`).join(", ")}.`
                    : undefined,
            ],
        ];
    },
);

type AuditRule = {
    level?: string;
    resources?: Json[];
    verbs?: string[];
    nonResourceURLs?: string[];
    users?: string[];
    userGroups?: string[];
    namespaces?: string[];
};

/** The level of the first rule matching a request by an ordinary user (first match wins). */
function auditLevel(rules: AuditRule[], req: { group: string; resource: string; verb: string }): string | undefined {
    const list = (v: unknown): Json[] | undefined => (Array.isArray(v) ? v : undefined);
    for (const r of rules) {
        // A rule that is not an object (`rules: [null]`) matches nothing.
        if (r === null || typeof r !== "object") continue;
        if (r.nonResourceURLs || r.users || r.userGroups) continue; // not for an ordinary user's resource request
        const verbs = list(r.verbs);
        if (verbs && !verbs.includes(req.verb)) continue;
        const groups = list(r.resources);
        if (
            groups &&
            !groups.some(g => {
                if (g === null || typeof g !== "object") return false;
                const res = list(g.resources);
                return (
                    (g.group ?? "") === req.group &&
                    (!res ||
                        res.length === 0 ||
                        res.includes(req.resource) ||
                        res.includes("*") ||
                        res.includes(`${req.resource.split("/")[0]}/*`))
                );
            })
        )
            continue;
        return typeof r.level === "string" ? r.level : undefined;
    }
    return undefined;
}

export const auditPolicyContent = objectRule(
    {
        id: "CFG-03",
        name: "audit-policy-content",
        description:
            "The audit policy must log Secrets, ConfigMaps and TokenReviews at Metadata only " +
            "(Request or RequestResponse would copy secret values into the log) and must record pods/" +
            "exec, pods/attach and RBAC changes.",
        remediation:
            "Use the ControlPlaneHardening component's audit policy, or put a Metadata rule for " +
            "secrets/configmaps/tokenreviews before any broader rule and log exec/attach and RBAC " +
            "writes.",
        url: "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy",
    },
    ["Policy"],
    o => {
        if (!show(o.apiVersion).startsWith("audit.k8s.io/")) return [];
        const rules = o.rules;
        if (isUnknown(rules)) return [["rules", UNKNOWN_VERDICT]];
        const list: AuditRule[] = Array.isArray(rules) ? rules : [];
        const out: Array<[string, Verdict]> = [];
        for (const [group, resource] of [
            ["", "secrets"],
            ["", "configmaps"],
            ["authentication.k8s.io", "tokenreviews"],
        ]) {
            for (const verb of ["get", "create", "update"]) {
                const level = auditLevel(list, { group, resource, verb });
                out.push([
                    `rules`,
                    level === "Request" || level === "RequestResponse"
                        ? `${describe(o)} logs ${verb} on ${resource} at ${level}, which writes their ` +
                          `values to the log.`
                        : undefined,
                ]);
            }
        }
        for (const [group, resource, verb] of [
            ["", "pods/exec", "create"],
            ["", "pods/attach", "create"],
            ["rbac.authorization.k8s.io", "rolebindings", "create"],
            ["rbac.authorization.k8s.io", "clusterroles", "update"],
        ]) {
            const level = auditLevel(list, { group, resource, verb });
            out.push([
                `rules`,
                level === undefined || level === "None"
                    ? `${describe(o)} does not log ${verb} on ${resource}.`
                    : undefined,
            ]);
        }
        // One finding per distinct message.
        const seen = new Set<unknown>();
        return out.filter(([, v]) => v !== undefined && !seen.has(v) && seen.add(v));
    },
);
