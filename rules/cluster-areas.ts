/** RBAC, networking and control-plane artefact rules, in catalog order. */
import { auditEnabled, auditPolicyContent, encryptionAtRest } from "./controlplane/controlplane";
import { externalIps, ingressHost, ingressTls, loadBalancer, namespaceDefaultDeny, nginxSnippets, nodePort, quarantineExcluded, workloadIsolation } from "./network/network";
import { anonymousSubjects, authenticatedSubjects, bindingChain, clusterAdminBinding, mastersSubjects } from "./rbac/bindings";
import {
    approveCsr, clusterConfigMaps, createPods, deleteEvidence, endpoints, escalateBind, execAttach, impersonate, nodesProxy, persistentVolumes, saTokens,
    secretsRead, webhooks, wildcards,
} from "./rbac/roles";
import { Rule } from "./types";

export const CLUSTER_AREA_RULES: readonly Rule[] = [
    wildcards, secretsRead, execAttach, escalateBind, impersonate, clusterAdminBinding, anonymousSubjects, authenticatedSubjects, mastersSubjects,
    createPods, nodesProxy, approveCsr, webhooks, saTokens, persistentVolumes, bindingChain, deleteEvidence, clusterConfigMaps, endpoints,
    nodePort, loadBalancer, externalIps, ingressTls, ingressHost, nginxSnippets, workloadIsolation, namespaceDefaultDeny, quarantineExcluded,
    encryptionAtRest, auditEnabled, auditPolicyContent,
];
