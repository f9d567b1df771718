/**
 * The hardened-cluster program: reads typed stack config and builds the ClusterBaseline.
 * Outputs name what was built; secrets only leave as Pulumi secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ClusterBaseline } from "./components/clusterBaseline";
import { PROJECT, readStackConfig } from "./config";

const config = readStackConfig();
const provider = config.kubeconfig ? new k8s.Provider("cluster", { kubeconfig: config.kubeconfig }) : undefined;
const baseline = new ClusterBaseline("baseline", config.baseline, provider ? { provider } : {}, PROJECT);

export const namespaces = baseline.namespaces.map(n => n.namespaceName);
export const workloadServiceAccounts = pulumi
    .all(baseline.namespaces.map(n => pulumi.all([n.namespaceName, n.serviceAccountNames])))
    .apply(pairs => Object.fromEntries(pairs));
export const admission = baseline.admission ? "enabled" : "disabled";
export const addons = {
    falco: baseline.falco ? baseline.falco.namespace.namespaceName : "disabled",
    trivy: baseline.trivy ? baseline.trivy.namespace.namespaceName : "disabled",
};
export const controlPlane = baseline.controlPlane
    ? {
          apiServerArgs: baseline.controlPlane.apiServerArgs,
          auditPolicy: baseline.controlPlane.auditPolicy,
          kubeletConfiguration: baseline.controlPlane.kubeletConfiguration,
          kubeadmConfiguration: baseline.controlPlane.kubeadmConfiguration,
          caCertPem: baseline.controlPlane.caCertPem,
          serviceAccountPublicKeyPem: baseline.controlPlane.serviceAccountPublicKeyPem,
      }
    : "disabled";
/** Node path → content of every control-plane artefact. Secret: holds encryption and private keys. */
export const controlPlaneFiles = baseline.controlPlane ? baseline.controlPlane.files : pulumi.secret({});
