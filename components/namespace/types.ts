/** Argument types of SecureNamespace. Every default lives in `defaults.ts`. */

import type { PssLevel } from "../../rules/vocabulary";

export type { PssLevel } from "../../rules/vocabulary";
export { PSS_LEVELS } from "../../rules/vocabulary";

export interface PodSecurityArgs {
    /** Level enforced by Pod Security admission. Default `restricted`: the hardened profile. */
    readonly enforce?: PssLevel;
    /** Level recorded in audit annotations. Default: the `enforce` level. */
    readonly audit?: PssLevel;
    /** Level that warns clients. Default: the `enforce` level. */
    readonly warn?: PssLevel;
    /**
     * Pod Security Standards version each level is pinned to (`v1.34`), so a control-plane
     * upgrade never silently changes what is enforced. Default `v1.34`.
     */
    readonly version?: string;
}

/** ResourceQuota hard limits. See https://kubernetes.io/docs/concepts/policy/resource-quotas/ */
export interface QuotaArgs {
    /** Sum of CPU requests. Default `4`. */
    readonly requestsCpu?: string;
    /** Sum of memory requests. Default `8Gi`. */
    readonly requestsMemory?: string;
    /** Sum of CPU limits. Default `8`. */
    readonly limitsCpu?: string;
    /** Sum of memory limits. Default `16Gi`. */
    readonly limitsMemory?: string;
    /** Pods. Default `50`. */
    readonly pods?: number;
    /** Services. Default `20`. */
    readonly services?: number;
    /** Secrets. Default `50`. */
    readonly secrets?: number;
    /** ConfigMaps. Default `50`. */
    readonly configmaps?: number;
    /** PersistentVolumeClaims. Default `10`. */
    readonly persistentvolumeclaims?: number;
    /**
     * LoadBalancer Services. Default `0`: exposing a namespace outside the cluster is an explicit platform decision.
     */
    readonly loadBalancers?: number;
    /** NodePort Services. Default `0`: NodePorts open every node's address. */
    readonly nodePorts?: number;
}

/** LimitRange values per container. See https://kubernetes.io/docs/concepts/policy/limit-range/ */
export interface LimitsArgs {
    /** CPU request given to containers that set none. Default `100m`. */
    readonly defaultRequestCpu?: string;
    /** Memory request given to containers that set none. Default `128Mi`. */
    readonly defaultRequestMemory?: string;
    /** CPU limit given to containers that set none. Default `500m`. */
    readonly defaultLimitCpu?: string;
    /** Memory limit given to containers that set none. Default `512Mi`. */
    readonly defaultLimitMemory?: string;
    /** Largest CPU limit one container may set. Default `2`. */
    readonly maxCpu?: string;
    /** Largest memory limit one container may set. Default `4Gi`. */
    readonly maxMemory?: string;
}

/** One side of an allowed connection. Fields combine like a NetworkPolicy peer. */
export interface PeerArgs {
    /** Namespaces (by name) whose pods are allowed. */
    readonly namespaces?: string[];
    /** Pods (by labels) that are allowed; with `namespaces`, pods with these labels in those namespaces. */
    readonly podLabels?: Record<string, string>;
    /** An IP block (CIDR) that is allowed. Cannot be combined with `namespaces`/`podLabels`. */
    readonly cidr?: string;
    /** Sub-blocks of `cidr` that stay denied. */
    readonly except?: string[];
}

export interface PortArgs {
    /** Port number (1-65535) or a named container port. */
    readonly port: number | string;
    /** `TCP` (default), `UDP` or `SCTP`. */
    readonly protocol?: "TCP" | "UDP" | "SCTP";
}

/** An allowed flow added on top of default-deny. */
export interface TrafficRuleArgs {
    /** Short name used in the NetworkPolicy's name. */
    readonly name: string;
    /** The pods of this namespace the rule applies to (labels). Default: every pod. */
    readonly podLabels?: Record<string, string>;
    /** Where traffic may come from (ingress) or go to (egress). */
    readonly peers: PeerArgs[];
    /** Ports allowed. Default: none, which NetworkPolicy reads as every port — so give them. */
    readonly ports?: PortArgs[];
}

/** See https://kubernetes.io/docs/concepts/services-networking/network-policies/ */
export interface NetworkArgs {
    /** Allow pods of this namespace to reach each other. Default `false`: least privilege; declare flows. */
    readonly allowSameNamespace?: boolean;
    /** Allow DNS egress to kube-dns. Default `true`: without it nothing resolves. */
    readonly allowDns?: boolean;
    /** Allowed inbound flows. */
    readonly ingress?: TrafficRuleArgs[];
    /** Allowed outbound flows. */
    readonly egress?: TrafficRuleArgs[];
}

export type AccessLevelName = "admin" | "developer" | "viewer";
export const ACCESS_LEVELS: readonly AccessLevelName[] = ["admin", "developer", "viewer"];

/**
 * Who gets an access level, and the dangerous permissions it opts into. See
 * https://kubernetes.io/docs/reference/access-authn-authz/rbac/
 */
export interface AccessLevelArgs {
    /** Groups bound to the level (as your authenticator names them, e.g. with an OIDC prefix). */
    readonly groups?: string[];
    /** Users bound to the level. */
    readonly users?: string[];
    /**
     * Groups from the OpenID Connect provider, as the provider names them; bound with the
     * namespace's `oidcGroupsPrefix` (the API server's `--oidc-groups-prefix`), e.g. `payments-devs`
     * → `oidc:payments-devs`.
     */
    readonly oidcGroups?: string[];
    /** Grant `pods/exec` and `pods/attach`. Default `false`: a shell in a pod reads its secrets. */
    readonly allowExec?: boolean;
    /** Grant `pods/portforward`. Default `false`: it tunnels around NetworkPolicies. */
    readonly allowPortForward?: boolean;
    /** Grant get/list/watch on Secrets. Default `false`: listing Secrets reveals every credential. */
    readonly allowSecretsRead?: boolean;
    /**
     * Grant managing Roles/RoleBindings with `bind`/`escalate`. Default `false`: it lets holders grant themselves more.
     */
    readonly allowRoleManagement?: boolean;
    /** Grant `impersonate` on ServiceAccounts of the namespace. Default `false`: impersonation bypasses the level. */
    readonly allowImpersonate?: boolean;
}

/** Default prefix of names from the OpenID Connect provider (users and groups). */
export const DEFAULT_OIDC_PREFIX = "oidc:";

export const ACCESS_SUBJECT_KEYS = ["groups", "users", "oidcGroups"] as const;
export const ACCESS_PERMISSION_FLAGS = [
    "allowExec",
    "allowPortForward",
    "allowSecretsRead",
    "allowRoleManagement",
    "allowImpersonate",
] as const;
export const ACCESS_FLAGS = [...ACCESS_SUBJECT_KEYS, ...ACCESS_PERMISSION_FLAGS] as const;

/** One Secret synchronised from an external secret manager by the External Secrets Operator. */
export interface ExternalSecretArgs {
    /** Name of the ExternalSecret and of the Kubernetes Secret it writes. */
    readonly name: string;
    /** How often the Secret is refreshed from the provider (Go duration, e.g. `15m`, `1h`). Default `1h`. */
    readonly refreshInterval?: string;
    /** Keys of the Secret and where each comes from in the provider. */
    readonly data: Array<{
        readonly secretKey: string;
        readonly remoteKey: string;
        readonly property?: string;
        readonly version?: string;
    }>;
}

/**
 * External Secrets Operator integration (https://external-secrets.io): a namespaced SecretStore
 * and ExternalSecrets, so credentials live in a secret manager instead of in Git or Pulumi config.
 * Needs the operator and its CRDs (external-secrets.io/v1) in the cluster.
 */
export interface ExternalSecretsArgs {
    /** SecretStore name. Default `secret-store`. */
    readonly storeName?: string;
    /**
     * The store's `spec.provider`: exactly one provider block, e.g. `{vault: {...}}` or `{aws: {service:
     * SecretsManager, region: eu-west-1}}`.
     */
    readonly provider: Record<string, unknown>;
    /** Secrets to synchronise. */
    readonly secrets: ExternalSecretArgs[];
}

export interface SecureNamespaceArgs {
    /** Kubernetes name of the namespace. Default: the component's name. */
    readonly namespaceName?: string;
    /** Extra labels on the namespace (the Pod Security labels cannot be overridden here). */
    readonly labels?: Record<string, string>;
    /** Pod Security Standards labels. Default: `restricted` enforce/audit/warn, pinned to `v1.34`. */
    readonly podSecurity?: PodSecurityArgs;
    /** ResourceQuota. Default: modest limits with no LoadBalancer or NodePort Services. */
    readonly quota?: QuotaArgs;
    /** LimitRange. Default: every container gets requests and limits. */
    readonly limits?: LimitsArgs;
    /** NetworkPolicies. Default: deny all ingress and egress except DNS to kube-dns. */
    readonly network?: NetworkArgs;
    /** ServiceAccounts to create for workloads, each with `automountServiceAccountToken: false`. */
    readonly workloadServiceAccounts?: string[];
    /** Access levels bound to groups/users. Default: none. */
    readonly access?: Partial<Record<AccessLevelName, AccessLevelArgs>>;
    /** Prefix for `oidcGroups` of the access levels (the API server's `--oidc-groups-prefix`). Default `oidc:`. */
    readonly oidcGroupsPrefix?: string;
    /** SecretStore + ExternalSecrets of the namespace. Default: none. */
    readonly externalSecrets?: ExternalSecretsArgs;
}
