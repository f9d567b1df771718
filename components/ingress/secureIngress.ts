/**
 * SecureIngress (`hardened:k8s:SecureIngress`): an Ingress that only serves HTTPS — TLS for every
 * host with a certificate from cert-manager, plain HTTP redirected — and a NetworkPolicy letting
 * only the ingress controller's pods reach the backend pods, on the backend port only.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { allowPodSelector } from "../namespace/builders";
import {
    checkDnsLabel,
    checkKnownKeys,
    checkLabels,
    checkOneOf,
    checkPort,
    checkSingleLine,
    ConfigError,
    isIp,
} from "../validate";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects as plain JSON
type Obj = Record<string, any>;

export interface SecureIngressArgs {
    /**
     * Name of the Ingress object; its NetworkPolicy is `allow-ingress-controller-<name>`. Default: the
     * component's name (ClusterBaseline passes the entry's `name`, its component being `<baseline>-<name>`).
     */
    readonly ingressName?: string;
    /** Namespace of the Ingress and its backend. */
    readonly namespace: string;
    /** Host names served; each must be specific (no wildcard) and gets TLS. */
    readonly hosts: string[];
    /** The backend Service. */
    readonly service: { readonly name: string; readonly port: number };
    /** Labels of the backend pods (the NetworkPolicy admits the controller to these pods only). */
    readonly podLabels: Record<string, string>;
    /** Port the backend pods listen on. Default: `service.port`. */
    readonly targetPort?: number;
    /** URL path prefix. Default `/`. */
    readonly path?: string;
    /** cert-manager issuer that signs the certificate. */
    readonly issuer: string;
    /** `ClusterIssuer` (default) or a namespaced `Issuer`. */
    readonly issuerKind?: "ClusterIssuer" | "Issuer";
    /** Secret cert-manager writes the certificate into. Default `<name>-tls`. */
    readonly tlsSecretName?: string;
    /** IngressClass. Default `nginx`. */
    readonly ingressClassName?: string;
    /** Namespace of the ingress controller. Default `ingress-nginx`. */
    readonly controllerNamespace?: string;
    /** Labels of the controller's pods. Default `{app.kubernetes.io/name: ingress-nginx}`. */
    readonly controllerPodLabels?: Record<string, string>;
}

const HOST = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

export function validateSecureIngressArgs(a: SecureIngressArgs, key: string): void {
    if (a === null || typeof a !== "object") throw new ConfigError(key, "must be an object");
    checkKnownKeys(key, a, [
        "name",
        "ingressName",
        "namespace",
        "hosts",
        "service",
        "podLabels",
        "targetPort",
        "path",
        "issuer",
        "issuerKind",
        "tlsSecretName",
        "ingressClassName",
        "controllerNamespace",
        "controllerPodLabels",
    ]);
    checkDnsLabel(`${key}.namespace`, a.namespace);
    if (a.ingressName !== undefined) checkDnsLabel(`${key}.ingressName`, a.ingressName);
    if (!Array.isArray(a.hosts) || a.hosts.length === 0)
        throw new ConfigError(`${key}.hosts`, "must list at least one host name");
    a.hosts.forEach((h, i) => {
        if (typeof h !== "string" || !HOST.test(h) || isIp(h)) {
            throw new ConfigError(
                `${key}.hosts[${i}]`,
                `'${String(h)}' must be a specific DNS name such as app.example.com (no wildcard, no IP)`,
            );
        }
    });
    checkKnownKeys(`${key}.service`, a.service, ["name", "port"]);
    checkDnsLabel(`${key}.service.name`, a.service?.name);
    for (const [k, v] of [
        ["service.port", a.service?.port],
        ["targetPort", a.targetPort],
    ] as const) {
        if (v === undefined && k === "targetPort") continue;
        if (typeof v !== "number") throw new ConfigError(`${key}.${k}`, `'${String(v)}' must be a port number`);
        checkPort(`${key}.${k}`, v);
    }
    if (a.podLabels === null || typeof a.podLabels !== "object" || Object.keys(a.podLabels).length === 0) {
        throw new ConfigError(
            `${key}.podLabels`,
            "must name the backend pods' labels (an empty selector would open every pod to the controller)",
        );
    }
    checkSingleLine(`${key}.path`, a.path);
    if (a.path !== undefined && (typeof a.path !== "string" || !a.path.startsWith("/")))
        throw new ConfigError(`${key}.path`, `'${String(a.path)}' must start with /`);
    if (typeof a.issuer !== "string" || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(a.issuer))
        throw new ConfigError(`${key}.issuer`, `'${String(a.issuer)}' must name the cert-manager issuer`);
    if (a.issuerKind !== undefined) checkOneOf(`${key}.issuerKind`, a.issuerKind, ["ClusterIssuer", "Issuer"] as const);
    if (a.tlsSecretName !== undefined) checkDnsLabel(`${key}.tlsSecretName`, a.tlsSecretName);
    if (a.ingressClassName !== undefined) checkDnsLabel(`${key}.ingressClassName`, a.ingressClassName);
    if (a.controllerNamespace !== undefined) checkDnsLabel(`${key}.controllerNamespace`, a.controllerNamespace);
    checkLabels(`${key}.podLabels`, a.podLabels);
    checkLabels(`${key}.controllerPodLabels`, a.controllerPodLabels);
    if (
        a.controllerPodLabels !== undefined &&
        (a.controllerPodLabels === null ||
            typeof a.controllerPodLabels !== "object" ||
            Object.keys(a.controllerPodLabels).length === 0)
    ) {
        throw new ConfigError(`${key}.controllerPodLabels`, "must name the controller pods' labels");
    }
}

/** The Ingress: TLS for every host, HTTP redirected to HTTPS, certificate from the cert-manager issuer. */
export function secureIngressObject(name: string, a: SecureIngressArgs): { metadata: Obj; spec: Obj } {
    return {
        metadata: {
            name,
            namespace: a.namespace,
            annotations: {
                [a.issuerKind === "Issuer" ? "cert-manager.io/issuer" : "cert-manager.io/cluster-issuer"]: a.issuer,
                "nginx.ingress.kubernetes.io/ssl-redirect": "true",
                "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
            },
        },
        spec: {
            ingressClassName: a.ingressClassName ?? "nginx",
            tls: [{ hosts: [...a.hosts], secretName: a.tlsSecretName ?? `${name}-tls` }],
            rules: a.hosts.map(host => ({
                host,
                http: {
                    paths: [
                        {
                            path: a.path ?? "/",
                            pathType: "Prefix",
                            backend: { service: { name: a.service.name, port: { number: a.service.port } } },
                        },
                    ],
                },
            })),
        },
    };
}

/** Ingress to the backend pods from the controller's pods in the controller's namespace, on the backend port only. */
export function ingressControllerPolicySpec(
    a: SecureIngressArgs,
): k8s.types.input.networking.v1.NetworkPolicySpec & Obj {
    return {
        podSelector: allowPodSelector(a.podLabels),
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [
                    {
                        namespaceSelector: {
                            matchLabels: { "kubernetes.io/metadata.name": a.controllerNamespace ?? "ingress-nginx" },
                        },
                        podSelector: {
                            matchLabels: {
                                ...(a.controllerPodLabels ?? { "app.kubernetes.io/name": "ingress-nginx" }),
                            },
                        },
                    },
                ],
                ports: [{ protocol: "TCP", port: a.targetPort ?? a.service.port }],
            },
        ],
    };
}

export class SecureIngress extends pulumi.ComponentResource {
    public readonly ingress: k8s.networking.v1.Ingress;
    public readonly networkPolicy: k8s.networking.v1.NetworkPolicy;

    constructor(name: string, args: SecureIngressArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("hardened:k8s:SecureIngress", name, {}, opts);
        validateSecureIngressArgs(args, name);
        const child = { parent: this, ...(opts.provider ? { provider: opts.provider } : {}) };
        const ingressName = args.ingressName ?? name;
        const obj = secureIngressObject(ingressName, args);
        this.ingress = new k8s.networking.v1.Ingress(name, obj, child);
        this.networkPolicy = new k8s.networking.v1.NetworkPolicy(
            `${name}-from-controller`,
            {
                metadata: { name: `allow-ingress-controller-${ingressName}`, namespace: args.namespace },
                spec: ingressControllerPolicySpec(args),
            },
            child,
        );
        this.registerOutputs({ hosts: args.hosts });
    }
}
