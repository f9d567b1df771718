/**
 * The hardened-cluster component library: what app teams and platform programs import
 * (`import { SecureNamespace } from "hardened-cluster"`). Components and their argument types,
 * plus the pure builders they are made of. The Pulumi program of this repository (index.ts,
 * program.ts) is separate and not part of the library.
 */
export { SecureNamespace } from "./secureNamespace";
export * from "./namespace/types";
export { ClusterBaseline, ClusterBaselineArgs, TeamNamespaceArgs } from "./clusterBaseline";
export { ClusterAdmission, ClusterAdmissionArgs } from "./admission/clusterAdmission";
export { SecureIngress, SecureIngressArgs } from "./ingress/secureIngress";
export { SecurityAlerts, SecurityAlertsArgs } from "./alerts/securityAlerts";
export { Falco, TrivyOperator, AddonArgs } from "./addons/runtimeSecurity";
export { KubeBench, KubeBenchArgs } from "./addons/kubeBench";
export { ControlPlaneHardening } from "./controlPlaneHardening";
export { ControlPlaneHardeningArgs, OidcArgs } from "./controlPlane/args";
export { ConfigError } from "./validate";
export { pssLabels, defaultDenySpec, dnsEgressSpec, quarantineSpec } from "./namespace/builders";
export { QUARANTINE_LABEL } from "../rules/vocabulary";
