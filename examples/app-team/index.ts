/**
 * An app team's program: its namespace as a SecureNamespace (restricted Pod Security, quota,
 * LimitRange, default-deny NetworkPolicies with DNS egress, a non-automounting default
 * ServiceAccount, a workload ServiceAccount) and a Deployment that Pod Security `restricted`
 * and the hardened-k8s policy pack both admit.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { SecureNamespace } from "hardened-cluster";

const config = new pulumi.Config();
const namespaceName = config.require("namespace");
const image = config.require("image");
const replicas = config.requireNumber("replicas");
// `false` where no node runs the pods (the local control plane): Pulumi then does not wait for the rollout.
const waitForRollout = config.getBoolean("waitForRollout") ?? true;

const ns = new SecureNamespace("payments", {
    namespaceName,
    workloadServiceAccounts: ["payments-api"],
    network: {
        ingress: [
            {
                name: "from-ingress",
                podLabels: { "app.kubernetes.io/name": "payments-api" },
                peers: [{ namespaces: ["ingress-nginx"] }],
                ports: [{ port: 8080 }],
            },
        ],
    },
    access: { developer: { groups: ["oidc:payments-devs"] } },
});

const labels = { "app.kubernetes.io/name": "payments-api" };
const api = new k8s.apps.v1.Deployment("payments-api", {
    metadata: {
        name: "payments-api",
        namespace: ns.namespaceName,
        labels,
        annotations: waitForRollout ? {} : { "pulumi.com/skipAwait": "true" },
    },
    spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                serviceAccountName: "payments-api",
                automountServiceAccountToken: false,
                securityContext: {
                    runAsNonRoot: true,
                    runAsUser: 10001,
                    runAsGroup: 10001,
                    seccompProfile: { type: "RuntimeDefault" },
                },
                containers: [
                    {
                        name: "api",
                        image,
                        ports: [{ containerPort: 8080, name: "http" }],
                        securityContext: {
                            allowPrivilegeEscalation: false,
                            readOnlyRootFilesystem: true,
                            capabilities: { drop: ["ALL"] },
                        },
                        resources: {
                            requests: { cpu: "100m", memory: "128Mi" },
                            limits: { cpu: "500m", memory: "256Mi" },
                        },
                        livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
                        readinessProbe: { httpGet: { path: "/ready", port: "http" } },
                    },
                ],
            },
        },
    },
});

export const namespace = ns.namespaceName;
export const deployment = api.metadata.name;
