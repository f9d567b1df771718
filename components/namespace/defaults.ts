/** SecureNamespace defaults (applied in this one place) and argument validation. */
import {
    checkCidr,
    checkCidrExcept,
    checkDnsLabel,
    checkLabels,
    checkKnownKeys,
    checkNotAbove,
    checkOidcPrefix,
    checkOneOf,
    checkPort,
    checkQuantity,
    checkServiceUrl,
    checkSingleLine,
    checkStringList,
    checkTeamNamespaceName,
    ConfigError,
} from "../validate";
import {
    ACCESS_FLAGS,
    ACCESS_LEVELS,
    ACCESS_PERMISSION_FLAGS,
    AccessLevelArgs,
    AccessLevelName,
    DEFAULT_OIDC_PREFIX,
    ExternalSecretsArgs,
    LimitsArgs,
    NetworkArgs,
    PSS_LEVELS,
    PssLevel,
    QuotaArgs,
    SecureNamespaceArgs,
    TrafficRuleArgs,
} from "./types";

const DEFAULT_PSS_VERSION = "v1.34";

export const DEFAULT_QUOTA: Required<QuotaArgs> = {
    requestsCpu: "4",
    requestsMemory: "8Gi",
    limitsCpu: "8",
    limitsMemory: "16Gi",
    pods: 50,
    services: 20,
    secrets: 50,
    configmaps: 50,
    persistentvolumeclaims: 10,
    loadBalancers: 0,
    nodePorts: 0,
};

export const DEFAULT_LIMITS: Required<LimitsArgs> = {
    defaultRequestCpu: "100m",
    defaultRequestMemory: "128Mi",
    defaultLimitCpu: "500m",
    defaultLimitMemory: "512Mi",
    maxCpu: "2",
    maxMemory: "4Gi",
};

export interface ResolvedSecureNamespaceArgs {
    namespaceName: string;
    labels: Record<string, string>;
    podSecurity: { enforce: PssLevel; audit: PssLevel; warn: PssLevel; version: string };
    quota: Required<QuotaArgs>;
    limits: Required<LimitsArgs>;
    network: { allowSameNamespace: boolean; allowDns: boolean; ingress: TrafficRuleArgs[]; egress: TrafficRuleArgs[] };
    workloadServiceAccounts: string[];
    access: Partial<Record<AccessLevelName, AccessLevelArgs>>;
    oidcGroupsPrefix: string;
    externalSecrets?: {
        storeName: string;
        provider: Record<string, unknown>;
        secrets: Array<{ name: string; refreshInterval: string; data: ExternalSecretsArgs["secrets"][number]["data"] }>;
    };
}

const DEFAULT_REFRESH_INTERVAL = "1h";
/** A Go duration above zero, e.g. `30s`, `15m`, `1h30m`. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

const TOP_KEYS = [
    "namespaceName",
    "labels",
    "podSecurity",
    "quota",
    "limits",
    "network",
    "workloadServiceAccounts",
    "access",
    "oidcGroupsPrefix",
    "externalSecrets",
];
const INT_QUOTA_KEYS = [
    "pods",
    "services",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "loadBalancers",
    "nodePorts",
] as const;
const QTY_QUOTA_KEYS = ["requestsCpu", "requestsMemory", "limitsCpu", "limitsMemory"] as const;

function checkRules(key: string, rules: unknown): void {
    if (rules === undefined) {
        return;
    }
    if (!Array.isArray(rules)) {
        throw new ConfigError(key, "must be a list of rules");
    }
    const names = new Set<string>();
    rules.forEach((r: TrafficRuleArgs, i) => {
        const k = `${key}[${i}]`;
        checkKnownKeys(k, r, ["name", "podLabels", "peers", "ports"]);
        checkLabels(`${k}.podLabels`, r.podLabels);
        checkDnsLabel(`${k}.name`, r.name);
        if (names.has(r.name)) {
            throw new ConfigError(`${k}.name`, `duplicate rule name '${r.name}'`);
        }
        names.add(r.name);
        if (!Array.isArray(r.peers) || r.peers.length === 0) {
            throw new ConfigError(`${k}.peers`, "must list at least one peer (namespaces, podLabels or cidr)");
        }
        r.peers.forEach((p, j) => {
            const pk = `${k}.peers[${j}]`;
            checkKnownKeys(pk, p, ["namespaces", "podLabels", "cidr", "except"]);
            checkLabels(`${pk}.podLabels`, p.podLabels);
            if (p.cidr !== undefined) {
                checkCidr(`${pk}.cidr`, p.cidr);
                if (p.namespaces !== undefined || p.podLabels !== undefined) {
                    throw new ConfigError(pk, "cidr cannot be combined with namespaces or podLabels in one peer");
                }
                if (p.except !== undefined && !Array.isArray(p.except))
                    throw new ConfigError(`${pk}.except`, "must be a list of CIDR blocks");
                (p.except ?? []).forEach((e, n) => {
                    checkCidr(`${pk}.except[${n}]`, e);
                    checkCidrExcept(`${pk}.except[${n}]`, e, p.cidr as string);
                });
            } else if (p.namespaces === undefined && p.podLabels === undefined) {
                throw new ConfigError(pk, "needs namespaces, podLabels or cidr");
            }
            if (p.namespaces !== undefined) {
                checkStringList(`${pk}.namespaces`, p.namespaces, { nonEmpty: true });
                p.namespaces.forEach((n, m) => checkDnsLabel(`${pk}.namespaces[${m}]`, n));
            }
        });
        (r.ports ?? []).forEach((p, j) => {
            checkKnownKeys(`${k}.ports[${j}]`, p, ["port", "protocol"]);
            checkPort(`${k}.ports[${j}].port`, p.port);
            if (p.protocol !== undefined) {
                checkOneOf(`${k}.ports[${j}].protocol`, p.protocol, ["TCP", "UDP", "SCTP"]);
            }
        });
    });
}

/**
 * The API server refuses a LimitRange whose default request is above its default limit or whose
 * default limit is above its max, and a quota whose requests exceed its limits admits no pod that
 * uses them: checked here on the resolved values (defaults included), naming the key that was set.
 */
function checkQuantityOrder(args: SecureNamespaceArgs, keyPrefix: string): void {
    const q = { ...DEFAULT_QUOTA, ...(args.quota ?? {}) };
    const l = { ...DEFAULT_LIMITS, ...(args.limits ?? {}) };
    const at = <T extends object>(
        group: "quota" | "limits",
        values: T,
        given: Partial<T> | undefined,
        k: keyof T & string,
    ) => ({
        key: `${keyPrefix}.${group}.${k}`,
        value: values[k] as unknown as string | number,
        set: given?.[k] !== undefined,
    });
    for (const r of ["Cpu", "Memory"] as const) {
        checkNotAbove(
            at("limits", l, args.limits, `defaultRequest${r}`),
            at("limits", l, args.limits, `defaultLimit${r}`),
        );
        checkNotAbove(at("limits", l, args.limits, `defaultLimit${r}`), at("limits", l, args.limits, `max${r}`));
        checkNotAbove(at("quota", q, args.quota, `requests${r}`), at("quota", q, args.quota, `limits${r}`));
    }
}

/** Every string of a provider block on one line; every URL in it (Vault's `server`, …) https. */
function checkProviderBlock(key: string, v: unknown): void {
    if (typeof v === "string") {
        checkSingleLine(key, v);
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) checkServiceUrl(key, v, "https://vault.example.com:8200");
    } else if (Array.isArray(v)) {
        v.forEach((x, i) => checkProviderBlock(`${key}[${i}]`, x));
    } else if (v !== null && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) checkProviderBlock(`${key}.${k}`, x);
    }
}

/**
 * Throws a ConfigError naming the full key (`<keyPrefix>.podSecurity.enforce`) and the allowed
 * values for any invalid argument. Pure: call it before creating anything.
 */
export function validateSecureNamespaceArgs(args: SecureNamespaceArgs, keyPrefix: string): void {
    checkKnownKeys(keyPrefix, args, TOP_KEYS);
    if (args.namespaceName !== undefined) {
        checkDnsLabel(`${keyPrefix}.namespaceName`, args.namespaceName);
        checkTeamNamespaceName(`${keyPrefix}.namespaceName`, args.namespaceName);
    }
    checkLabels(`${keyPrefix}.labels`, args.labels);
    const ps = args.podSecurity;
    checkKnownKeys(`${keyPrefix}.podSecurity`, ps, ["enforce", "audit", "warn", "version"]);
    for (const mode of ["enforce", "audit", "warn"] as const) {
        if (ps?.[mode] !== undefined) {
            checkOneOf(`${keyPrefix}.podSecurity.${mode}`, ps[mode], PSS_LEVELS);
        }
    }
    if (ps?.version !== undefined && !/^(latest|v1\.\d+)$/.test(ps.version)) {
        throw new ConfigError(
            `${keyPrefix}.podSecurity.version`,
            `'${ps.version}' is not a Pod Security version; use v1.<minor> (e.g. v1.34) or latest`,
        );
    }
    const q = args.quota;
    checkKnownKeys(`${keyPrefix}.quota`, q, Object.keys(DEFAULT_QUOTA));
    for (const k of QTY_QUOTA_KEYS) {
        if (q?.[k] !== undefined) {
            checkQuantity(`${keyPrefix}.quota.${k}`, q[k]);
        }
    }
    for (const k of INT_QUOTA_KEYS) {
        const v = q?.[k];
        if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
            throw new ConfigError(
                `${keyPrefix}.quota.${k}`,
                `'${String(v)}' must be a whole number of objects, 0 or more`,
            );
        }
    }
    checkKnownKeys(`${keyPrefix}.limits`, args.limits, Object.keys(DEFAULT_LIMITS));
    for (const [k, v] of Object.entries(args.limits ?? {})) {
        checkQuantity(`${keyPrefix}.limits.${k}`, v);
    }
    checkQuantityOrder(args, keyPrefix);
    const net: NetworkArgs | undefined = args.network;
    checkKnownKeys(`${keyPrefix}.network`, net, ["allowSameNamespace", "allowDns", "ingress", "egress"]);
    checkRules(`${keyPrefix}.network.ingress`, net?.ingress);
    checkRules(`${keyPrefix}.network.egress`, net?.egress);
    if (args.workloadServiceAccounts !== undefined) {
        checkStringList(`${keyPrefix}.workloadServiceAccounts`, args.workloadServiceAccounts);
        const seen = new Set<string>();
        args.workloadServiceAccounts.forEach((sa, i) => {
            checkDnsLabel(`${keyPrefix}.workloadServiceAccounts[${i}]`, sa);
            if (sa === "default") {
                throw new ConfigError(
                    `${keyPrefix}.workloadServiceAccounts[${i}]`,
                    "'default' is the namespace's own ServiceAccount; give workloads their own",
                );
            }
            if (seen.has(sa)) {
                throw new ConfigError(`${keyPrefix}.workloadServiceAccounts[${i}]`, `duplicate ServiceAccount '${sa}'`);
            }
            seen.add(sa);
        });
    }
    checkKnownKeys(`${keyPrefix}.access`, args.access, ACCESS_LEVELS);
    for (const [level, a] of Object.entries(args.access ?? {})) {
        const k = `${keyPrefix}.access.${level}`;
        checkKnownKeys(k, a, ACCESS_FLAGS);
        if (a.groups !== undefined) checkStringList(`${k}.groups`, a.groups);
        if (a.users !== undefined) checkStringList(`${k}.users`, a.users);
        if (a.oidcGroups !== undefined) checkStringList(`${k}.oidcGroups`, a.oidcGroups);
        if ((a.groups ?? []).length + (a.users ?? []).length + (a.oidcGroups ?? []).length === 0) {
            throw new ConfigError(
                k,
                "binds nobody: give at least one entry in groups, oidcGroups or users (or remove the level)",
            );
        }
        for (const flag of ACCESS_PERMISSION_FLAGS) {
            const v = (a as Record<string, unknown>)[flag];
            if (v !== undefined && typeof v !== "boolean") {
                throw new ConfigError(`${k}.${flag}`, `'${String(v)}' must be true or false`);
            }
        }
    }
    checkOidcPrefix(`${keyPrefix}.oidcGroupsPrefix`, args.oidcGroupsPrefix);
    if (args.externalSecrets !== undefined)
        validateExternalSecrets(args.externalSecrets, `${keyPrefix}.externalSecrets`);
}

function validateExternalSecrets(e: ExternalSecretsArgs, key: string): void {
    if (e === null || typeof e !== "object") throw new ConfigError(key, "must be an object with provider and secrets");
    checkKnownKeys(key, e, ["storeName", "provider", "secrets"]);
    if (e.storeName !== undefined) checkDnsLabel(`${key}.storeName`, e.storeName);
    const providers =
        e.provider !== null && typeof e.provider === "object" && !Array.isArray(e.provider)
            ? Object.keys(e.provider)
            : [];
    if (providers.length !== 1 || typeof e.provider[providers[0]] !== "object" || e.provider[providers[0]] === null) {
        throw new ConfigError(
            `${key}.provider`,
            "must hold exactly one provider block, e.g. {vault: {...}} or {aws: {...}}",
        );
    }
    checkProviderBlock(`${key}.provider`, e.provider);
    if (!Array.isArray(e.secrets) || e.secrets.length === 0)
        throw new ConfigError(`${key}.secrets`, "must list at least one secret");
    const seen = new Set<string>();
    e.secrets.forEach((x, i) => {
        const k = `${key}.secrets[${i}]`;
        checkKnownKeys(k, x, ["name", "refreshInterval", "data"]);
        checkDnsLabel(`${k}.name`, x?.name);
        if (seen.has(x.name)) throw new ConfigError(`${k}.name`, `duplicate secret '${x.name}'`);
        seen.add(x.name);
        if (
            x.refreshInterval !== undefined &&
            (typeof x.refreshInterval !== "string" ||
                !DURATION.test(x.refreshInterval) ||
                !/[1-9]/.test(x.refreshInterval))
        ) {
            throw new ConfigError(
                `${k}.refreshInterval`,
                `'${String(x.refreshInterval)}' must be a duration above zero such as 15m or 1h`,
            );
        }
        if (!Array.isArray(x.data) || x.data.length === 0)
            throw new ConfigError(`${k}.data`, "must map at least one key");
        x.data.forEach((d, j) => {
            const dk = `${k}.data[${j}]`;
            checkKnownKeys(dk, d, ["secretKey", "remoteKey", "property", "version"]);
            if (typeof d?.secretKey !== "string" || !/^[-._a-zA-Z0-9]+$/.test(d.secretKey))
                throw new ConfigError(`${dk}.secretKey`, `'${String(d?.secretKey)}' is not a valid Secret key`);
            if (typeof d.remoteKey !== "string" || d.remoteKey === "")
                throw new ConfigError(`${dk}.remoteKey`, "must name the key in the secret manager");
            checkSingleLine(`${dk}.remoteKey`, d.remoteKey);
            for (const opt of ["property", "version"] as const) {
                if (d[opt] !== undefined && (typeof d[opt] !== "string" || d[opt] === ""))
                    throw new ConfigError(`${dk}.${opt}`, "must be a non-empty string");
                checkSingleLine(`${dk}.${opt}`, d[opt]);
            }
        });
    });
}

/** Every default, applied once. */
export function resolveSecureNamespaceArgs(name: string, args: SecureNamespaceArgs): ResolvedSecureNamespaceArgs {
    const enforce = args.podSecurity?.enforce ?? "restricted";
    return {
        namespaceName: args.namespaceName ?? name,
        labels: { ...(args.labels ?? {}) },
        podSecurity: {
            enforce,
            audit: args.podSecurity?.audit ?? enforce,
            warn: args.podSecurity?.warn ?? enforce,
            version: args.podSecurity?.version ?? DEFAULT_PSS_VERSION,
        },
        quota: { ...DEFAULT_QUOTA, ...(args.quota ?? {}) },
        limits: { ...DEFAULT_LIMITS, ...(args.limits ?? {}) },
        network: {
            allowSameNamespace: args.network?.allowSameNamespace ?? false,
            allowDns: args.network?.allowDns ?? true,
            ingress: [...(args.network?.ingress ?? [])],
            egress: [...(args.network?.egress ?? [])],
        },
        workloadServiceAccounts: [...(args.workloadServiceAccounts ?? [])],
        access: { ...(args.access ?? {}) },
        oidcGroupsPrefix: args.oidcGroupsPrefix ?? DEFAULT_OIDC_PREFIX,
        ...(args.externalSecrets
            ? {
                  externalSecrets: {
                      storeName: args.externalSecrets.storeName ?? "secret-store",
                      provider: structuredClone(args.externalSecrets.provider),
                      secrets: args.externalSecrets.secrets.map(x => ({
                          name: x.name,
                          refreshInterval: x.refreshInterval ?? DEFAULT_REFRESH_INTERVAL,
                          data: x.data.map(d => ({ ...d })),
                      })),
                  },
              }
            : {}),
    };
}
