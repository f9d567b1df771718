/**
 * SecureNamespace: what an application team instantiates. A namespace with Pod Security
 * Standards labels, a ResourceQuota and LimitRange, default-deny NetworkPolicies with DNS egress,
 * a `default` ServiceAccount that does not automount its token, workload ServiceAccounts, and
 * least-privilege access levels bound to the team's groups.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    accessRoleRules,
    accessSubjects,
    allowRuleSpec,
    defaultDenySpec,
    dnsEgressSpec,
    externalSecretSpec,
    limitRangeSpec,
    pssLabels,
    quarantineSpec,
    quotaSpec,
    sameNamespaceSpec,
    secretStoreSpec,
} from "./namespace/builders";
import { resolveSecureNamespaceArgs, validateSecureNamespaceArgs } from "./namespace/defaults";
import { AccessLevelName, SecureNamespaceArgs } from "./namespace/types";

export * from "./namespace/types";
export { validateSecureNamespaceArgs, resolveSecureNamespaceArgs } from "./namespace/defaults";

export class SecureNamespace extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly quota: k8s.core.v1.ResourceQuota;
    public readonly limitRange: k8s.core.v1.LimitRange;
    public readonly networkPolicies: k8s.networking.v1.NetworkPolicy[] = [];
    public readonly defaultServiceAccount: k8s.core.v1.ServiceAccountPatch;
    public readonly serviceAccounts: k8s.core.v1.ServiceAccount[] = [];
    public readonly roles: k8s.rbac.v1.Role[] = [];
    public readonly roleBindings: k8s.rbac.v1.RoleBinding[] = [];
    /** SecretStore and ExternalSecrets (External Secrets Operator), when configured. */
    public readonly externalSecrets: k8s.apiextensions.CustomResource[] = [];
    /** The namespace's Kubernetes name. */
    public readonly namespaceName: pulumi.Output<string>;
    /** Names of the workload ServiceAccounts. */
    public readonly serviceAccountNames: pulumi.Output<string[]>;

    constructor(name: string, args: SecureNamespaceArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
        super("hardened:k8s:SecureNamespace", name, {}, opts);
        validateSecureNamespaceArgs(args, name);
        const a = resolveSecureNamespaceArgs(name, args);
        const child: pulumi.CustomResourceOptions = {
            parent: this,
            ...(opts.provider ? { provider: opts.provider } : {}),
        };

        this.namespace = new k8s.core.v1.Namespace(
            name,
            {
                metadata: {
                    name: a.namespaceName,
                    labels: { ...a.labels, ...pssLabels(a.podSecurity, a.podSecurity.version) },
                },
            },
            child,
        );
        const ns = this.namespace.metadata.name;
        const inNs = { ...child, dependsOn: [this.namespace] };
        const meta = (suffix: string, extra: Record<string, unknown> = {}) => ({
            name: suffix,
            namespace: ns,
            ...extra,
        });

        this.quota = new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            { metadata: meta("baseline-quota"), spec: quotaSpec(a.quota) },
            inNs,
        );
        this.limitRange = new k8s.core.v1.LimitRange(
            `${name}-limits`,
            { metadata: meta("baseline-limits"), spec: limitRangeSpec(a.limits) },
            inNs,
        );

        const policy = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
            this.networkPolicies.push(
                new k8s.networking.v1.NetworkPolicy(`${name}-${suffix}`, { metadata: meta(suffix), spec }, inNs),
            );
        policy("default-deny", defaultDenySpec());
        // Incident isolation: `npm run isolate NAMESPACE POD` labels a pod, this policy cuts it off.
        policy("quarantine", quarantineSpec());
        if (a.network.allowDns) {
            policy("allow-dns-egress", dnsEgressSpec());
        }
        if (a.network.allowSameNamespace) {
            policy("allow-same-namespace", sameNamespaceSpec());
        }
        for (const r of a.network.ingress) {
            policy(`allow-ingress-${r.name}`, allowRuleSpec("ingress", r));
        }
        for (const r of a.network.egress) {
            policy(`allow-egress-${r.name}`, allowRuleSpec("egress", r));
        }

        // The `default` ServiceAccount exists already (the API server's controller makes it):
        // patch it with server-side apply instead of creating it.
        this.defaultServiceAccount = new k8s.core.v1.ServiceAccountPatch(
            `${name}-default-sa`,
            {
                metadata: { name: "default", namespace: ns, annotations: { "pulumi.com/patchForce": "true" } },
                automountServiceAccountToken: false,
            },
            inNs,
        );

        for (const sa of a.workloadServiceAccounts) {
            this.serviceAccounts.push(
                new k8s.core.v1.ServiceAccount(
                    `${name}-sa-${sa}`,
                    {
                        metadata: meta(sa),
                        automountServiceAccountToken: false,
                    },
                    inNs,
                ),
            );
        }

        for (const [level, access] of Object.entries(a.access) as [
            AccessLevelName,
            NonNullable<(typeof a.access)[AccessLevelName]>,
        ][]) {
            const role = new k8s.rbac.v1.Role(
                `${name}-${level}`,
                {
                    metadata: meta(`team-${level}`),
                    rules: accessRoleRules(level, access),
                },
                inNs,
            );
            this.roles.push(role);
            this.roleBindings.push(
                new k8s.rbac.v1.RoleBinding(
                    `${name}-${level}`,
                    {
                        metadata: meta(`team-${level}`),
                        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                        subjects: accessSubjects(access, a.oidcGroupsPrefix),
                    },
                    inNs,
                ),
            );
        }

        const es = a.externalSecrets;
        if (es) {
            const store = new k8s.apiextensions.CustomResource(
                `${name}-secret-store`,
                {
                    apiVersion: "external-secrets.io/v1",
                    kind: "SecretStore",
                    metadata: meta(es.storeName),
                    spec: secretStoreSpec(es.provider),
                },
                inNs,
            );
            this.externalSecrets.push(store);
            for (const s of es.secrets) {
                this.externalSecrets.push(
                    new k8s.apiextensions.CustomResource(
                        `${name}-external-secret-${s.name}`,
                        {
                            apiVersion: "external-secrets.io/v1",
                            kind: "ExternalSecret",
                            metadata: meta(s.name),
                            spec: externalSecretSpec(es.storeName, s),
                        },
                        { ...inNs, dependsOn: [this.namespace, store] },
                    ),
                );
            }
        }

        this.namespaceName = ns;
        this.serviceAccountNames = pulumi.output(a.workloadServiceAccounts);
        this.registerOutputs({ namespaceName: this.namespaceName, serviceAccountNames: this.serviceAccountNames });
    }
}
