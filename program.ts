/**
 * The hardened-cluster program as one function: reads the typed stack config and builds the
 * ClusterBaseline; returns the stack outputs. `index.ts` (for `pulumi up` with the Node.js
 * language host) and the Automation API runner (`npm run deploy`, an inline program) both call
 * it, so both paths run the same code. Secrets only leave as Pulumi secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ClusterBaseline } from "./components/clusterBaseline";
import { readStackConfig } from "./config";
import { PROJECT } from "./rules/vocabulary";

export function hardenedClusterProgram(): Record<string, unknown> {
    const config = readStackConfig();
    const provider = config.kubeconfig ? new k8s.Provider("cluster", { kubeconfig: config.kubeconfig }) : undefined;
    const baseline = new ClusterBaseline("baseline", config.baseline, provider ? { provider } : {}, PROJECT);
    return {
        namespaces: baseline.namespaces.map(n => n.namespaceName),
        workloadServiceAccounts: pulumi
            .all(baseline.namespaces.map(n => pulumi.all([n.namespaceName, n.serviceAccountNames])))
            .apply(pairs => Object.fromEntries(pairs)),
        admission: baseline.admission ? "enabled" : "disabled",
        addons: {
            falco: baseline.falco ? baseline.falco.namespace.namespaceName : "disabled",
            trivy: baseline.trivy ? baseline.trivy.namespace.namespaceName : "disabled",
        },
        controlPlane: baseline.controlPlane
            ? {
                  apiServerArgs: baseline.controlPlane.apiServerArgs,
                  auditPolicy: baseline.controlPlane.auditPolicy,
                  kubeletConfiguration: baseline.controlPlane.kubeletConfiguration,
                  kubeadmConfiguration: baseline.controlPlane.kubeadmConfiguration,
                  caCertPem: baseline.controlPlane.caCertPem,
                  serviceAccountPublicKeyPem: baseline.controlPlane.serviceAccountPublicKeyPem,
              }
            : "disabled",
        /** Node path → content of every control-plane artefact. Secret: holds encryption and private keys. */
        controlPlaneFiles: baseline.controlPlane ? baseline.controlPlane.files : pulumi.secret({}),
    };
}
