/**
 * Pure builders for the control-plane hardening artefacts of a self-managed (kubeadm) cluster.
 * File paths are parameters, so a bootstrap step (or the local test cluster) renders the same
 * artefacts for its own layout.
 */

import type { EncryptionProvider, ResolvedOidc, TlsVersion } from "./args";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects as plain JSON
type Obj = Record<string, any>;

/** Where the artefacts live on a control-plane node. */
export interface ArtefactPaths {
    encryptionConfig: string;
    auditPolicy: string;
    auditLog: string;
    kubeletConfig: string;
    kubeadmConfig: string;
    pkiDir: string;
    caCert: string;
    caKey: string;
    apiserverCert: string;
    apiserverKey: string;
    saKey: string;
    saPub: string;
    etcdCaCert: string;
    etcdClientCert: string;
    etcdClientKey: string;
    kubeletClientCert: string;
    kubeletClientKey: string;
}

/** Default kubeadm layout under `root` (`/etc/kubernetes`). */
export function artefactPaths(root = "/etc/kubernetes", logDir = "/var/log/kubernetes"): ArtefactPaths {
    const pki = `${root}/pki`;
    return {
        encryptionConfig: `${root}/enc/encryption-config.yaml`,
        auditPolicy: `${root}/audit/audit-policy.yaml`,
        auditLog: `${logDir}/audit/audit.log`,
        kubeletConfig: `${root}/kubelet-config.yaml`,
        kubeadmConfig: `${root}/kubeadm-config.yaml`,
        pkiDir: pki,
        caCert: `${pki}/ca.crt`,
        caKey: `${pki}/ca.key`,
        apiserverCert: `${pki}/apiserver.crt`,
        apiserverKey: `${pki}/apiserver.key`,
        saKey: `${pki}/sa.key`,
        saPub: `${pki}/sa.pub`,
        etcdCaCert: `${pki}/etcd/ca.crt`,
        etcdClientCert: `${pki}/apiserver-etcd-client.crt`,
        etcdClientKey: `${pki}/apiserver-etcd-client.key`,
        kubeletClientCert: `${pki}/apiserver-kubelet-client.crt`,
        kubeletClientKey: `${pki}/apiserver-kubelet-client.key`,
    };
}

export interface EncryptionKey {
    /** Key name as it appears in the stored prefix `k8s:enc:<provider>:v1:<name>:`. */
    name: string;
    /** 32 random bytes, base64. */
    secret: string;
}

/**
 * EncryptionConfiguration: every listed resource is written with the first key of the chosen
 * provider; older keys stay as read-only providers (rotation); `identity` comes last so data
 * written before encryption was turned on can still be read.
 */
export function encryptionConfiguration(opts: {
    provider: EncryptionProvider;
    keys: EncryptionKey[];
    resources: string[];
}): Obj {
    return {
        apiVersion: "apiserver.config.k8s.io/v1",
        kind: "EncryptionConfiguration",
        resources: [
            {
                resources: [...opts.resources],
                providers: [
                    { [opts.provider]: { keys: opts.keys.map(k => ({ name: k.name, secret: k.secret })) } },
                    { identity: {} },
                ],
            },
        ],
    };
}

const RBAC_RESOURCES = ["roles", "rolebindings", "clusterroles", "clusterrolebindings"];

/**
 * Audit policy. Order matters (the first matching rule decides):
 *  1. never log the RequestReceived stage;
 *  2. drop noisy read-only system traffic (health checks, kube-proxy and node watches, events);
 *  3. Secrets, ConfigMaps and TokenReviews at Metadata only, so their values never reach the log;
 *  4. exec/attach/port-forward at Request; RBAC changes at RequestResponse;
 *  5. everything else at Metadata.
 */
export function auditPolicy(): Obj {
    return {
        apiVersion: "audit.k8s.io/v1",
        kind: "Policy",
        omitStages: ["RequestReceived"],
        rules: [
            { level: "None", nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version", "/metrics"] },
            {
                level: "None",
                users: ["system:kube-proxy"],
                verbs: ["watch"],
                resources: [
                    { group: "", resources: ["endpoints", "services", "services/status"] },
                    { group: "discovery.k8s.io", resources: ["endpointslices"] },
                ],
            },
            {
                level: "None",
                userGroups: ["system:nodes"],
                verbs: ["get", "list", "watch"],
                resources: [{ group: "", resources: ["nodes", "nodes/status"] }],
            },
            {
                level: "None",
                users: [
                    "system:kube-controller-manager",
                    "system:kube-scheduler",
                    "system:serviceaccount:kube-system:endpoint-controller",
                ],
                verbs: ["get", "update"],
                namespaces: ["kube-system"],
                resources: [
                    { group: "", resources: ["endpoints"] },
                    { group: "coordination.k8s.io", resources: ["leases"] },
                ],
            },
            {
                level: "None",
                resources: [
                    { group: "", resources: ["events"] },
                    { group: "events.k8s.io", resources: ["events"] },
                ],
            },
            {
                level: "Metadata",
                resources: [
                    { group: "", resources: ["secrets", "configmaps"] },
                    { group: "authentication.k8s.io", resources: ["tokenreviews"] },
                ],
            },
            {
                level: "Request",
                resources: [{ group: "", resources: ["pods/exec", "pods/attach", "pods/portforward"] }],
            },
            {
                level: "RequestResponse",
                verbs: ["create", "update", "patch", "delete", "deletecollection"],
                resources: [{ group: "rbac.authorization.k8s.io", resources: [...RBAC_RESOURCES] }],
            },
            { level: "Metadata" },
        ],
    };
}

/** AEAD, forward-secret cipher suites only (TLS 1.2; TLS 1.3 suites are not configurable). */
export const STRONG_CIPHER_SUITES: readonly string[] = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

export interface ApiServerFlagOptions {
    paths: ArtefactPaths;
    etcdServers: string[];
    /** Use TLS client certificates towards etcd (true on real nodes). */
    etcdTls: boolean;
    serviceAccountIssuer: string;
    serviceClusterIpRange: string;
    tlsMinVersion: TlsVersion;
    auditLogMaxAge: number;
    auditLogMaxBackup: number;
    auditLogMaxSize: number;
    /** Extra admission plugins besides the hardened set. */
    extraAdmissionPlugins?: string[];
    /** Allow privileged pods at all (Pod Security admission still limits them per namespace). */
    allowPrivileged: boolean;
    bindAddress?: string;
    securePort?: number;
    advertiseAddress?: string;
    /** OpenID Connect sign-in. */
    oidc?: ResolvedOidc;
}

export const ADMISSION_PLUGINS: readonly string[] = [
    "NodeRestriction",
    "PodSecurity",
    "ServiceAccount",
    "NamespaceLifecycle",
    "LimitRanger",
    "ResourceQuota",
];

/** Hardened kube-apiserver flags (valid for Kubernetes 1.34), as a map without the leading `--`. */
export function apiServerFlags(o: ApiServerFlagOptions): Record<string, string> {
    const p = o.paths;
    const flags: Record<string, string> = {
        "anonymous-auth": "false",
        "authorization-mode": "Node,RBAC",
        "enable-admission-plugins": [...ADMISSION_PLUGINS, ...(o.extraAdmissionPlugins ?? [])].join(","),
        profiling: "false",
        "audit-policy-file": p.auditPolicy,
        "audit-log-path": p.auditLog,
        "audit-log-maxage": String(o.auditLogMaxAge),
        "audit-log-maxbackup": String(o.auditLogMaxBackup),
        "audit-log-maxsize": String(o.auditLogMaxSize),
        "encryption-provider-config": p.encryptionConfig,
        "encryption-provider-config-automatic-reload": "false",
        "tls-min-version": o.tlsMinVersion,
        "tls-cipher-suites": STRONG_CIPHER_SUITES.join(","),
        "tls-cert-file": p.apiserverCert,
        "tls-private-key-file": p.apiserverKey,
        "client-ca-file": p.caCert,
        "service-account-key-file": p.saPub,
        "service-account-signing-key-file": p.saKey,
        "service-account-issuer": o.serviceAccountIssuer,
        "service-account-lookup": "true",
        "service-cluster-ip-range": o.serviceClusterIpRange,
        "etcd-servers": o.etcdServers.join(","),
        "allow-privileged": String(o.allowPrivileged),
        "kubelet-certificate-authority": p.caCert,
        "kubelet-client-certificate": p.kubeletClientCert,
        "kubelet-client-key": p.kubeletClientKey,
        "secure-port": String(o.securePort ?? 6443),
        "bind-address": o.bindAddress ?? "0.0.0.0",
    };
    if (o.advertiseAddress) {
        flags["advertise-address"] = o.advertiseAddress;
    }
    if (o.oidc) {
        flags["oidc-issuer-url"] = o.oidc.issuerUrl;
        flags["oidc-client-id"] = o.oidc.clientId;
        flags["oidc-username-claim"] = o.oidc.usernameClaim;
        flags["oidc-username-prefix"] = o.oidc.usernamePrefix;
        flags["oidc-groups-claim"] = o.oidc.groupsClaim;
        flags["oidc-groups-prefix"] = o.oidc.groupsPrefix;
        flags["oidc-signing-algs"] = o.oidc.signingAlgs.join(",");
        if (o.oidc.caFile) flags["oidc-ca-file"] = o.oidc.caFile;
    }
    if (o.etcdTls) {
        flags["etcd-cafile"] = p.etcdCaCert;
        flags["etcd-certfile"] = p.etcdClientCert;
        flags["etcd-keyfile"] = p.etcdClientKey;
    }
    return flags;
}

/** Flags as `--name=value` arguments, sorted by name. */
export function flagArgs(flags: Record<string, string>): string[] {
    return Object.keys(flags)
        .sort()
        .map(k => `--${k}=${flags[k]}`);
}

/** Hardened KubeletConfiguration. */
export function kubeletConfiguration(o: { caFile: string; tlsMinVersion: TlsVersion; clusterDns: string[] }): Obj {
    return {
        apiVersion: "kubelet.config.k8s.io/v1beta1",
        kind: "KubeletConfiguration",
        authentication: {
            anonymous: { enabled: false },
            webhook: { enabled: true, cacheTTL: "2m0s" },
            x509: { clientCAFile: o.caFile },
        },
        authorization: { mode: "Webhook" },
        readOnlyPort: 0,
        protectKernelDefaults: true,
        makeIPTablesUtilChains: true,
        rotateCertificates: true,
        serverTLSBootstrap: true,
        tlsMinVersion: o.tlsMinVersion,
        tlsCipherSuites: [...STRONG_CIPHER_SUITES],
        streamingConnectionIdleTimeout: "5m0s",
        eventRecordQPS: 5,
        seccompDefault: true,
        clusterDNS: [...o.clusterDns],
        clusterDomain: "cluster.local",
        cgroupDriver: "systemd",
    };
}

/** kubeadm ClusterConfiguration (v1beta4: extraArgs are name/value lists) mounting the artefacts. */
export function kubeadmClusterConfiguration(o: {
    kubernetesVersion: string;
    controlPlaneEndpoint: string;
    certSANs: string[];
    flags: Record<string, string>;
    paths: ArtefactPaths;
    serviceSubnet: string;
    podSubnet: string;
}): Obj {
    // kubeadm sets the certificate, etcd and service-account flags itself.
    const managed = new Set([
        "tls-cert-file",
        "tls-private-key-file",
        "client-ca-file",
        "service-account-key-file",
        "service-account-signing-key-file",
        "etcd-servers",
        "etcd-cafile",
        "etcd-certfile",
        "etcd-keyfile",
        "kubelet-client-certificate",
        "kubelet-client-key",
        "secure-port",
        "bind-address",
        "advertise-address",
        "service-cluster-ip-range",
        "allow-privileged",
    ]);
    const dir = (f: string) => f.slice(0, f.lastIndexOf("/"));
    return {
        apiVersion: "kubeadm.k8s.io/v1beta4",
        kind: "ClusterConfiguration",
        kubernetesVersion: o.kubernetesVersion,
        controlPlaneEndpoint: o.controlPlaneEndpoint,
        networking: { serviceSubnet: o.serviceSubnet, podSubnet: o.podSubnet },
        apiServer: {
            certSANs: [...o.certSANs],
            extraArgs: Object.keys(o.flags)
                .filter(k => !managed.has(k))
                .sort()
                .map(name => ({ name, value: o.flags[name] })),
            extraVolumes: [
                {
                    name: "encryption-config",
                    hostPath: dir(o.paths.encryptionConfig),
                    mountPath: dir(o.paths.encryptionConfig),
                    readOnly: true,
                    pathType: "DirectoryOrCreate",
                },
                {
                    name: "audit-policy",
                    hostPath: dir(o.paths.auditPolicy),
                    mountPath: dir(o.paths.auditPolicy),
                    readOnly: true,
                    pathType: "DirectoryOrCreate",
                },
                {
                    name: "audit-log",
                    hostPath: dir(o.paths.auditLog),
                    mountPath: dir(o.paths.auditLog),
                    readOnly: false,
                    pathType: "DirectoryOrCreate",
                },
            ],
        },
        controllerManager: {
            extraArgs: [
                { name: "profiling", value: "false" },
                { name: "use-service-account-credentials", value: "true" },
                { name: "terminated-pod-gc-threshold", value: "1000" },
                { name: "bind-address", value: "127.0.0.1" },
            ],
        },
        scheduler: {
            extraArgs: [
                { name: "profiling", value: "false" },
                { name: "bind-address", value: "127.0.0.1" },
            ],
        },
    };
}
