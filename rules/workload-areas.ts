/**
 * Images, resources/quotas, probes, service accounts, namespaces, secrets, other security-relevant and hygiene rules,
 * in catalog order.
 */
import { deprecatedApi, minReplicas, pdb, priorityClass, requiredLabels } from "./hygiene/hygiene";
import { allowedRegistries, deprecatedRegistry, digestPinned, latestTag, pullAlways } from "./images/images";
import { defaultNamespace, namespacePss, systemNamespace } from "./namespaces/namespaces";
import { barePod, dashboard, sshPort, tiller } from "./other/other";
import { livenessProbe, readinessProbe } from "./probes/probes";
import {
    cpuLimit,
    cpuRequest,
    ephemeralLimit,
    memoryLimit,
    memoryRequest,
    namespaceLimitRange,
    namespaceQuota,
} from "./resources/resources";
import { configMapCredentials, literalCredentialEnv, secretEnv } from "./secrets/secrets";
import {
    automountToken,
    bindingToDefaultSa,
    defaultSaAutomount,
    defaultServiceAccount,
    deprecatedSaField,
    legacyTokens,
} from "./serviceaccounts/serviceaccounts";
import { Rule } from "./types";

export const WORKLOAD_AREA_RULES: readonly Rule[] = [
    latestTag,
    digestPinned,
    allowedRegistries,
    pullAlways,
    deprecatedRegistry,
    cpuRequest,
    cpuLimit,
    memoryRequest,
    memoryLimit,
    ephemeralLimit,
    namespaceQuota,
    namespaceLimitRange,
    livenessProbe,
    readinessProbe,
    automountToken,
    defaultServiceAccount,
    defaultSaAutomount,
    bindingToDefaultSa,
    legacyTokens,
    deprecatedSaField,
    defaultNamespace,
    systemNamespace,
    namespacePss,
    secretEnv,
    literalCredentialEnv,
    configMapCredentials,
    barePod,
    tiller,
    dashboard,
    sshPort,
    deprecatedApi,
    requiredLabels,
    minReplicas,
    pdb,
    priorityClass,
];
