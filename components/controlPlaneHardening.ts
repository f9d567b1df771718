/**
 * ControlPlaneHardening: the hardening artefacts of a self-managed (kubeadm) control plane, for
 * node bootstrap to write: EncryptionConfiguration with generated keys, audit policy, hardened
 * kube-apiserver flags, KubeletConfiguration, kubeadm ClusterConfiguration, and the PKI a
 * self-managed control plane needs. Private keys and encryption keys are Pulumi secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { stringify } from "yaml";
import { ControlPlaneHardeningArgs, resolveControlPlaneArgs, validateControlPlaneArgs } from "./controlPlane/args";
import {
    apiServerFlags,
    artefactPaths,
    auditPolicy,
    encryptionConfiguration,
    flagArgs,
    kubeadmClusterConfiguration,
    kubeletConfiguration,
} from "./controlPlane/builders";

export * from "./controlPlane/args";
export * from "./controlPlane/builders";

const yaml = (o: unknown) => stringify(o, { lineWidth: 0 });

/** The first IP of a service CIDR (the `kubernetes` Service's ClusterIP). */
function firstServiceIp(cidr: string): string {
    const [ip] = cidr.split("/");
    const parts = ip.split(".").map(Number);
    parts[3] += 1;
    return parts.join(".");
}

export class ControlPlaneHardening extends pulumi.ComponentResource {
    public readonly encryptionKeys: random.RandomBytes[];
    public readonly serviceAccountKey: tls.PrivateKey;
    public readonly caKey: tls.PrivateKey;
    public readonly caCert: tls.SelfSignedCert;
    public readonly apiServerKey: tls.PrivateKey;
    public readonly apiServerCert: tls.LocallySignedCert;
    /** EncryptionConfiguration YAML (secret: it holds the keys). */
    public readonly encryptionConfiguration: pulumi.Output<string>;
    public readonly auditPolicy: pulumi.Output<string>;
    /** kube-apiserver flags, name → value (no leading dashes). */
    public readonly apiServerFlags: pulumi.Output<Record<string, string>>;
    /** kube-apiserver flags as `--name=value` arguments. */
    public readonly apiServerArgs: pulumi.Output<string[]>;
    public readonly kubeletConfiguration: pulumi.Output<string>;
    public readonly kubeadmConfiguration: pulumi.Output<string>;
    public readonly caCertPem: pulumi.Output<string>;
    public readonly serviceAccountPublicKeyPem: pulumi.Output<string>;
    /** Every artefact as node path → file content (secret: it holds private keys). */
    public readonly files: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: ControlPlaneHardeningArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
        super("hardened:k8s:ControlPlaneHardening", name, {}, opts);
        validateControlPlaneArgs(args, name);
        const a = resolveControlPlaneArgs(args);
        const paths = artefactPaths(a.root);
        const child = { parent: this };

        this.encryptionKeys = a.encryption.keys.map(
            k => new random.RandomBytes(`${name}-enc-${k}`, { length: 32 }, child),
        );
        const keys = pulumi
            .all(this.encryptionKeys.map(k => k.base64))
            .apply(secrets => secrets.map((secret, i) => ({ name: a.encryption.keys[i], secret })));
        this.encryptionConfiguration = pulumi.secret(
            keys.apply(ks =>
                yaml(
                    encryptionConfiguration({
                        provider: a.encryption.provider,
                        keys: ks,
                        resources: a.encryption.resources,
                    }),
                ),
            ),
        );
        this.auditPolicy = pulumi.output(yaml(auditPolicy()));

        const flags = apiServerFlags({
            paths,
            etcdServers: a.apiServer.etcdServers,
            etcdTls: a.apiServer.etcdServers.every(u => u.startsWith("https://")),
            serviceAccountIssuer: a.apiServer.serviceAccountIssuer,
            serviceClusterIpRange: a.apiServer.serviceClusterIpRange,
            tlsMinVersion: a.apiServer.tlsMinVersion,
            auditLogMaxAge: a.apiServer.auditLogMaxAge,
            auditLogMaxBackup: a.apiServer.auditLogMaxBackup,
            auditLogMaxSize: a.apiServer.auditLogMaxSize,
            allowPrivileged: a.apiServer.allowPrivileged,
            oidc: a.oidc,
        });
        this.apiServerFlags = pulumi.output(flags);
        this.apiServerArgs = pulumi.output(flagArgs(flags));
        const clusterDns = firstServiceIp(a.apiServer.serviceClusterIpRange).replace(/\.1$/, ".10");
        this.kubeletConfiguration = pulumi.output(
            yaml(
                kubeletConfiguration({
                    caFile: paths.caCert,
                    tlsMinVersion: a.apiServer.tlsMinVersion,
                    clusterDns: [clusterDns],
                }),
            ),
        );
        const endpointHost = a.apiServer.controlPlaneEndpoint.split(":")[0];
        const sans = [
            ...new Set([
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local",
                endpointHost,
                ...a.apiServer.certSANs,
            ]),
        ];
        this.kubeadmConfiguration = pulumi.output(
            yaml(
                kubeadmClusterConfiguration({
                    kubernetesVersion: a.kubernetesVersion,
                    controlPlaneEndpoint: a.apiServer.controlPlaneEndpoint,
                    certSANs: sans,
                    flags,
                    paths,
                    serviceSubnet: a.apiServer.serviceClusterIpRange,
                    podSubnet: a.apiServer.podSubnet,
                }),
            ),
        );

        // PKI: service-account signing key, cluster CA, API server serving certificate.
        this.serviceAccountKey = new tls.PrivateKey(`${name}-sa`, { algorithm: "RSA", rsaBits: 2048 }, child);
        this.caKey = new tls.PrivateKey(`${name}-ca`, { algorithm: "RSA", rsaBits: 4096 }, child);
        this.caCert = new tls.SelfSignedCert(
            `${name}-ca`,
            {
                privateKeyPem: this.caKey.privateKeyPem,
                isCaCertificate: true,
                validityPeriodHours: a.pki.caValidityHours,
                subject: { commonName: "kubernetes", organization: "hardened-cluster" },
                allowedUses: ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
            },
            child,
        );
        this.apiServerKey = new tls.PrivateKey(`${name}-apiserver`, { algorithm: "RSA", rsaBits: 2048 }, child);
        const csr = new tls.CertRequest(
            `${name}-apiserver`,
            {
                privateKeyPem: this.apiServerKey.privateKeyPem,
                subject: { commonName: "kube-apiserver" },
                dnsNames: sans.filter(s => !/^[\d.:]+$/.test(s)),
                ipAddresses: [
                    firstServiceIp(a.apiServer.serviceClusterIpRange),
                    ...sans.filter(s => /^[\d.:]+$/.test(s)),
                ],
            },
            child,
        );
        this.apiServerCert = new tls.LocallySignedCert(
            `${name}-apiserver`,
            {
                certRequestPem: csr.certRequestPem,
                caPrivateKeyPem: this.caKey.privateKeyPem,
                caCertPem: this.caCert.certPem,
                validityPeriodHours: a.pki.certValidityHours,
                allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
            },
            child,
        );

        this.caCertPem = this.caCert.certPem;
        this.serviceAccountPublicKeyPem = this.serviceAccountKey.publicKeyPem;
        this.files = pulumi.secret(
            pulumi
                .all({
                    enc: this.encryptionConfiguration,
                    audit: this.auditPolicy,
                    kubelet: this.kubeletConfiguration,
                    kubeadm: this.kubeadmConfiguration,
                    ca: this.caCert.certPem,
                    caKey: this.caKey.privateKeyPem,
                    apiCert: this.apiServerCert.certPem,
                    apiKey: this.apiServerKey.privateKeyPem,
                    saKey: this.serviceAccountKey.privateKeyPem,
                    saPub: this.serviceAccountKey.publicKeyPem,
                })
                .apply(f => ({
                    [paths.encryptionConfig]: f.enc,
                    [paths.auditPolicy]: f.audit,
                    [paths.kubeletConfig]: f.kubelet,
                    [paths.kubeadmConfig]: f.kubeadm,
                    [paths.caCert]: f.ca,
                    [paths.caKey]: f.caKey,
                    [paths.apiserverCert]: f.apiCert,
                    [paths.apiserverKey]: f.apiKey,
                    [paths.saKey]: f.saKey,
                    [paths.saPub]: f.saPub,
                })),
        );
        this.registerOutputs({
            encryptionConfiguration: this.encryptionConfiguration,
            auditPolicy: this.auditPolicy,
            apiServerArgs: this.apiServerArgs,
            kubeletConfiguration: this.kubeletConfiguration,
            kubeadmConfiguration: this.kubeadmConfiguration,
            caCertPem: this.caCertPem,
            files: this.files,
        });
    }
}
