/** ControlPlaneHardening arguments, their defaults (applied here only) and validation. */
import {
    checkCidr,
    checkDnsLabel,
    checkKnownKeys,
    checkOidcPrefix,
    checkOneOf,
    checkServiceUrl,
    checkSingleLine,
    checkStringList,
    ConfigError,
    isIp,
} from "../validate";
import { DEFAULT_OIDC_PREFIX } from "../namespace/types";

export type EncryptionProvider = "aescbc" | "secretbox";
export const ENCRYPTION_PROVIDERS: readonly EncryptionProvider[] = ["aescbc", "secretbox"];
export type TlsVersion = "VersionTLS12" | "VersionTLS13";
export const TLS_VERSIONS: readonly TlsVersion[] = ["VersionTLS12", "VersionTLS13"];

export interface ControlPlaneHardeningArgs {
    /** Encryption at rest. See https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/ */
    readonly encryption?: {
        /**
         * `aescbc` (default: the provider kubeadm clusters commonly use) or `secretbox` (XSalsa20-Poly1305,
         * authenticated).
         */
        readonly provider?: EncryptionProvider;
        /**
         * Key names, newest first. The first key encrypts new writes; the others stay as read
         * keys so data written before a rotation still decrypts. To rotate, put a new name first.
         * Default `["key1"]`. Each key is 32 random bytes from `@pulumi/random`, kept secret.
         */
        readonly keys?: string[];
        /** Resources to encrypt. Default `["secrets"]`; must include `secrets`. */
        readonly resources?: string[];
    };
    /**
     * kube-apiserver settings. See https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/
     */
    readonly apiServer?: {
        /** Address clients use, `host:port`. Default `kubernetes.internal:6443`. */
        readonly controlPlaneEndpoint?: string;
        /** Extra SANs (DNS names or IPs) on the serving certificate. Default: none besides the built-in names. */
        readonly certSANs?: string[];
        /** Service CIDR. Default `10.96.0.0/12`. */
        readonly serviceClusterIpRange?: string;
        /** Pod CIDR (kubeadm networking). Default `10.244.0.0/16`. */
        readonly podSubnet?: string;
        /** Service-account token issuer URL. Default `https://kubernetes.default.svc.cluster.local`. */
        readonly serviceAccountIssuer?: string;
        /** Minimum TLS version. Default `VersionTLS12`; `VersionTLS13` is stricter. Lower is refused. */
        readonly tlsMinVersion?: TlsVersion;
        /** etcd endpoints. Default `https://127.0.0.1:2379` (with TLS client certificates). */
        readonly etcdServers?: string[];
        /** Days to keep audit logs. Default 30. */
        readonly auditLogMaxAge?: number;
        /** Rotated audit files to keep. Default 10. */
        readonly auditLogMaxBackup?: number;
        /** Megabytes per audit file before rotation. Default 100. */
        readonly auditLogMaxSize?: number;
        /**
         * Whether privileged pods may exist at all. Default `true` only because runtime security (Falco) needs it; Pod
         * Security admission keeps them out of every other namespace.
         */
        readonly allowPrivileged?: boolean;
    };
    /** Kubernetes version for kubeadm. Default `v1.34.4`. */
    readonly kubernetesVersion?: string;
    /** PKI validity. */
    readonly pki?: {
        /** CA validity in hours. Default 87600 (10 years, as kubeadm). */
        readonly caValidityHours?: number;
        /** Serving certificate validity in hours. Default 8760 (1 year, as kubeadm). */
        readonly certValidityHours?: number;
    };
    /** Directory the artefacts are written under on nodes. Default `/etc/kubernetes`. */
    readonly root?: string;
    /** Sign-in through an OpenID Connect identity provider (kube-apiserver `--oidc-*` flags). Default: off. */
    readonly oidc?: OidcArgs;
}

/**
 * OpenID Connect for the API server. See
 * https://kubernetes.io/docs/reference/access-authn-authz/authentication/#openid-connect-tokens
 * Users and groups from the provider always get a prefix, so a group claim such as
 * `system:masters` can never name a Kubernetes system group.
 */
export interface OidcArgs {
    /** Issuer URL; must be `https://` without query or fragment (the API server only accepts https). */
    readonly issuerUrl: string;
    /** Client ID the ID tokens must be issued for (their `aud`). */
    readonly clientId: string;
    /** Claim holding the user name. Default `email`. */
    readonly usernameClaim?: string;
    /** Prefix of every user name. Default `oidc:`; must not be empty, `-` or start with `system:`. */
    readonly usernamePrefix?: string;
    /** Claim holding the groups. Default `groups`. */
    readonly groupsClaim?: string;
    /** Prefix of every group; SecureNamespace access levels bind `oidcGroups` with it. Default `oidc:`. */
    readonly groupsPrefix?: string;
    /** Accepted signing algorithms. Default `["RS256"]`. */
    readonly signingAlgs?: string[];
    /** CA bundle of the provider on the control-plane nodes (absolute path). Default: the host's roots. */
    readonly caFile?: string;
}

export const OIDC_SIGNING_ALGS = [
    "RS256",
    "RS384",
    "RS512",
    "ES256",
    "ES384",
    "ES512",
    "PS256",
    "PS384",
    "PS512",
] as const;

export interface ResolvedOidc {
    issuerUrl: string;
    clientId: string;
    usernameClaim: string;
    usernamePrefix: string;
    groupsClaim: string;
    groupsPrefix: string;
    signingAlgs: string[];
    caFile?: string;
}

export function resolveOidc(o: OidcArgs): ResolvedOidc {
    return {
        issuerUrl: o.issuerUrl,
        clientId: o.clientId,
        usernameClaim: o.usernameClaim ?? "email",
        usernamePrefix: o.usernamePrefix ?? DEFAULT_OIDC_PREFIX,
        groupsClaim: o.groupsClaim ?? "groups",
        groupsPrefix: o.groupsPrefix ?? DEFAULT_OIDC_PREFIX,
        signingAlgs: [...(o.signingAlgs ?? ["RS256"])],
        ...(o.caFile ? { caFile: o.caFile } : {}),
    };
}

/** Throws a ConfigError naming the key. The issuer must be https (the API server refuses anything else). */
export function validateOidcArgs(o: OidcArgs, key: string): void {
    if (o === null || typeof o !== "object")
        throw new ConfigError(key, "must be an object with issuerUrl and clientId");
    checkKnownKeys(key, o, [
        "issuerUrl",
        "clientId",
        "usernameClaim",
        "usernamePrefix",
        "groupsClaim",
        "groupsPrefix",
        "signingAlgs",
        "caFile",
    ]);
    // (The URL parser drops newlines and tabs silently: check the raw string first.)
    checkSingleLine(`${key}.issuerUrl`, o.issuerUrl);
    let url: URL | undefined;
    try {
        url = typeof o.issuerUrl === "string" ? new URL(o.issuerUrl) : undefined;
    } catch {
        url = undefined;
    }
    if (!url || url.protocol !== "https:" || url.search || url.hash || url.username || url.password || !url.hostname) {
        throw new ConfigError(
            `${key}.issuerUrl`,
            `'${String(o.issuerUrl)}' must be an https:// URL without query, fragment or credentials`,
        );
    }
    if (typeof o.clientId !== "string" || o.clientId.trim() === "")
        throw new ConfigError(`${key}.clientId`, "must be the client ID tokens are issued for");
    checkSingleLine(`${key}.clientId`, o.clientId);
    for (const claim of ["usernameClaim", "groupsClaim"] as const) {
        const v = o[claim];
        if (v !== undefined && (typeof v !== "string" || !/^[A-Za-z0-9_.:/-]+$/.test(v)))
            throw new ConfigError(`${key}.${claim}`, `'${String(v)}' is not a claim name`);
    }
    for (const prefix of ["usernamePrefix", "groupsPrefix"] as const) checkOidcPrefix(`${key}.${prefix}`, o[prefix]);
    if (o.signingAlgs !== undefined) {
        checkStringList(`${key}.signingAlgs`, o.signingAlgs, { nonEmpty: true });
        o.signingAlgs.forEach((a, i) => checkOneOf(`${key}.signingAlgs[${i}]`, a, OIDC_SIGNING_ALGS));
    }
    checkSingleLine(`${key}.caFile`, o.caFile);
    if (o.caFile !== undefined && (typeof o.caFile !== "string" || !/^\/[^\s]*$/.test(o.caFile))) {
        throw new ConfigError(`${key}.caFile`, `'${String(o.caFile)}' must be an absolute path`);
    }
}

export interface ResolvedControlPlaneArgs {
    encryption: { provider: EncryptionProvider; keys: string[]; resources: string[] };
    apiServer: {
        controlPlaneEndpoint: string;
        certSANs: string[];
        serviceClusterIpRange: string;
        podSubnet: string;
        serviceAccountIssuer: string;
        tlsMinVersion: TlsVersion;
        etcdServers: string[];
        auditLogMaxAge: number;
        auditLogMaxBackup: number;
        auditLogMaxSize: number;
        allowPrivileged: boolean;
    };
    kubernetesVersion: string;
    pki: { caValidityHours: number; certValidityHours: number };
    root: string;
    oidc?: ResolvedOidc;
}

export function resolveControlPlaneArgs(a: ControlPlaneHardeningArgs = {}): ResolvedControlPlaneArgs {
    return {
        encryption: {
            provider: a.encryption?.provider ?? "aescbc",
            keys: [...(a.encryption?.keys ?? ["key1"])],
            resources: [...(a.encryption?.resources ?? ["secrets"])],
        },
        apiServer: {
            controlPlaneEndpoint: a.apiServer?.controlPlaneEndpoint ?? "kubernetes.internal:6443",
            certSANs: [...(a.apiServer?.certSANs ?? [])],
            serviceClusterIpRange: a.apiServer?.serviceClusterIpRange ?? "10.96.0.0/12",
            podSubnet: a.apiServer?.podSubnet ?? "10.244.0.0/16",
            serviceAccountIssuer: a.apiServer?.serviceAccountIssuer ?? "https://kubernetes.default.svc.cluster.local",
            tlsMinVersion: a.apiServer?.tlsMinVersion ?? "VersionTLS12",
            etcdServers: [...(a.apiServer?.etcdServers ?? ["https://127.0.0.1:2379"])],
            auditLogMaxAge: a.apiServer?.auditLogMaxAge ?? 30,
            auditLogMaxBackup: a.apiServer?.auditLogMaxBackup ?? 10,
            auditLogMaxSize: a.apiServer?.auditLogMaxSize ?? 100,
            allowPrivileged: a.apiServer?.allowPrivileged ?? true,
        },
        kubernetesVersion: a.kubernetesVersion ?? "v1.34.4",
        pki: { caValidityHours: a.pki?.caValidityHours ?? 87600, certValidityHours: a.pki?.certValidityHours ?? 8760 },
        root: a.root ?? "/etc/kubernetes",
        ...(a.oidc ? { oidc: resolveOidc(a.oidc) } : {}),
    };
}

const HOST = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function positiveInt(key: string, v: unknown): void {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) {
        throw new ConfigError(key, `'${String(v)}' must be a whole number of at least 1`);
    }
}

/** Throws a ConfigError naming the full key and the allowed values. Pure: call before creating anything. */
export function validateControlPlaneArgs(a: ControlPlaneHardeningArgs, keyPrefix: string): void {
    checkKnownKeys(keyPrefix, a, ["encryption", "apiServer", "kubernetesVersion", "pki", "root", "oidc"]);
    if (a.oidc !== undefined) validateOidcArgs(a.oidc, `${keyPrefix}.oidc`);
    const e = a.encryption;
    checkKnownKeys(`${keyPrefix}.encryption`, e, ["provider", "keys", "resources"]);
    if (e?.provider !== undefined) {
        checkOneOf(`${keyPrefix}.encryption.provider`, e.provider, ENCRYPTION_PROVIDERS);
    }
    if (e?.keys !== undefined) {
        checkStringList(`${keyPrefix}.encryption.keys`, e.keys);
        if (e.keys.length === 0) {
            throw new ConfigError(
                `${keyPrefix}.encryption.keys`,
                "must name at least one key: the first encrypts, the rest stay readable after a rotation",
            );
        }
        const seen = new Set<string>();
        e.keys.forEach((k, i) => {
            checkDnsLabel(`${keyPrefix}.encryption.keys[${i}]`, k);
            if (seen.has(k)) {
                throw new ConfigError(`${keyPrefix}.encryption.keys[${i}]`, `duplicate key name '${k}'`);
            }
            seen.add(k);
        });
    }
    if (e?.resources !== undefined) {
        checkStringList(`${keyPrefix}.encryption.resources`, e.resources);
        if (!e.resources.includes("secrets")) {
            throw new ConfigError(`${keyPrefix}.encryption.resources`, "must include 'secrets'");
        }
    }
    const s = a.apiServer;
    const sk = `${keyPrefix}.apiServer`;
    checkKnownKeys(sk, s, [
        "controlPlaneEndpoint",
        "certSANs",
        "serviceClusterIpRange",
        "podSubnet",
        "serviceAccountIssuer",
        "tlsMinVersion",
        "etcdServers",
        "auditLogMaxAge",
        "auditLogMaxBackup",
        "auditLogMaxSize",
        "allowPrivileged",
    ]);
    if (s?.tlsMinVersion !== undefined) {
        checkOneOf(`${sk}.tlsMinVersion`, s.tlsMinVersion, TLS_VERSIONS);
    }
    if (s?.serviceClusterIpRange !== undefined) checkCidr(`${sk}.serviceClusterIpRange`, s.serviceClusterIpRange);
    if (s?.podSubnet !== undefined) checkCidr(`${sk}.podSubnet`, s.podSubnet);
    (s?.certSANs ?? []).forEach((san, i) => {
        if (typeof san !== "string" || !(isIp(san) || HOST.test(san))) {
            throw new ConfigError(`${sk}.certSANs[${i}]`, `'${String(san)}' is neither an IP address nor a DNS name`);
        }
    });
    checkSingleLine(`${sk}.serviceAccountIssuer`, s?.serviceAccountIssuer);
    if (s?.serviceAccountIssuer !== undefined && !/^https:\/\/[^\s]+$/.test(s.serviceAccountIssuer)) {
        throw new ConfigError(`${sk}.serviceAccountIssuer`, `'${s.serviceAccountIssuer}' must be an https:// URL`);
    }
    (s?.etcdServers ?? []).forEach((u, i) => {
        if (typeof u !== "string" || !/^https?:\/\/[^\s/]+$/.test(u)) {
            throw new ConfigError(
                `${sk}.etcdServers[${i}]`,
                `'${String(u)}' must be a URL such as https://10.0.0.5:2379`,
            );
        }
        checkServiceUrl(`${sk}.etcdServers[${i}]`, u, "https://10.0.0.5:2379");
    });
    if (s?.controlPlaneEndpoint !== undefined && !/^[a-z0-9.-]+(:\d{1,5})?$/i.test(s.controlPlaneEndpoint)) {
        throw new ConfigError(`${sk}.controlPlaneEndpoint`, `'${s.controlPlaneEndpoint}' must be host or host:port`);
    }
    positiveInt(`${sk}.auditLogMaxAge`, s?.auditLogMaxAge);
    positiveInt(`${sk}.auditLogMaxBackup`, s?.auditLogMaxBackup);
    positiveInt(`${sk}.auditLogMaxSize`, s?.auditLogMaxSize);
    if (s?.allowPrivileged !== undefined && typeof s.allowPrivileged !== "boolean") {
        throw new ConfigError(`${sk}.allowPrivileged`, "must be true or false");
    }
    if (a.kubernetesVersion !== undefined && !/^v1\.\d+\.\d+$/.test(a.kubernetesVersion)) {
        throw new ConfigError(`${keyPrefix}.kubernetesVersion`, `'${a.kubernetesVersion}' must look like v1.34.4`);
    }
    checkKnownKeys(`${keyPrefix}.pki`, a.pki, ["caValidityHours", "certValidityHours"]);
    positiveInt(`${keyPrefix}.pki.caValidityHours`, a.pki?.caValidityHours);
    positiveInt(`${keyPrefix}.pki.certValidityHours`, a.pki?.certValidityHours);
    checkSingleLine(`${keyPrefix}.root`, a.root);
    if (a.root !== undefined && !/^\/[^\s]*$/.test(a.root)) {
        throw new ConfigError(`${keyPrefix}.root`, `'${a.root}' must be an absolute path`);
    }
}
