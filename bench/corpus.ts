/** Generated corpora of mixed Kubernetes objects for the benchmark (deterministic). */
import { K8sObject } from "../rules/types";

/* eslint-disable @typescript-eslint/no-explicit-any -- generated Kubernetes objects as plain JSON */

function container(i: number, insecure: boolean): any {
    return {
        name: `c${i}`,
        image: insecure ? "nginx:latest" : `registry.example.com/app${i % 17}:1.${i % 9}.0`,
        ports: [{ containerPort: insecure ? 80 : 8080 }],
        resources: insecure
            ? {}
            : { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        securityContext: insecure
            ? { privileged: i % 3 === 0, allowPrivilegeEscalation: true }
            : {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  runAsUser: 10001,
                  capabilities: { drop: ["ALL"] },
                  seccompProfile: { type: "RuntimeDefault" },
              },
        env: insecure ? [{ name: "DB_PASSWORD", value: "hunter2hunter2" }] : [{ name: "LOG_LEVEL", value: "info" }],
    };
}

/**
 * `n` objects: a namespace per 20 objects with its quota, policies and a mix of workloads, RBAC, Services and
 * ConfigMaps.
 */
export function corpus(n: number): any[] {
    const out: any[] = [];
    let i = 0;
    while (out.length < n) {
        const ns = `team-${Math.floor(i / 20)}`;
        const insecure = i % 4 === 0;
        switch (i % 10) {
            case 0:
                out.push({
                    apiVersion: "v1",
                    kind: "Namespace",
                    metadata: {
                        name: ns,
                        labels: insecure ? {} : { "pod-security.kubernetes.io/enforce": "restricted" },
                    },
                });
                break;
            case 1:
                out.push({
                    apiVersion: "networking.k8s.io/v1",
                    kind: "NetworkPolicy",
                    metadata: { name: `deny-${i}`, namespace: ns },
                    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
                });
                break;
            case 2:
            case 3:
            case 4:
                out.push({
                    apiVersion: "apps/v1",
                    kind: i % 2 ? "Deployment" : "StatefulSet",
                    metadata: { name: `app-${i}`, namespace: ns, labels: { "app.kubernetes.io/name": `app-${i}` } },
                    spec: {
                        replicas: 2,
                        selector: { matchLabels: { app: `app-${i}` } },
                        template: {
                            metadata: { labels: { app: `app-${i}` } },
                            spec: {
                                serviceAccountName: `sa-${i}`,
                                automountServiceAccountToken: insecure,
                                hostPID: insecure && i % 3 === 0,
                                containers: [container(i, insecure), container(i + 1, false)],
                                initContainers: [container(i + 2, insecure)],
                            },
                        },
                    },
                });
                break;
            case 5:
                out.push({
                    apiVersion: "batch/v1",
                    kind: "CronJob",
                    metadata: { name: `job-${i}`, namespace: ns },
                    spec: {
                        schedule: "0 * * * *",
                        jobTemplate: {
                            spec: {
                                template: {
                                    spec: { containers: [container(i, insecure)], restartPolicy: "OnFailure" },
                                },
                            },
                        },
                    },
                });
                break;
            case 6:
                out.push({
                    apiVersion: "v1",
                    kind: "Service",
                    metadata: { name: `svc-${i}`, namespace: ns },
                    spec: {
                        type: insecure ? "NodePort" : "ClusterIP",
                        selector: { app: `app-${i - 4}` },
                        ports: [{ port: 80, targetPort: 8080 }],
                    },
                });
                break;
            case 7:
                out.push({
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "Role",
                    metadata: { name: `role-${i}`, namespace: ns },
                    rules: [
                        {
                            apiGroups: [""],
                            resources: insecure ? ["*"] : ["pods", "configmaps"],
                            verbs: insecure ? ["*"] : ["get", "list"],
                        },
                    ],
                });
                break;
            case 8:
                out.push({
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "RoleBinding",
                    metadata: { name: `rb-${i}`, namespace: ns },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `role-${i - 1}` },
                    subjects: [{ kind: "Group", name: insecure ? "system:authenticated" : `team-${i}` }],
                });
                break;
            default:
                out.push({
                    apiVersion: "v1",
                    kind: "ConfigMap",
                    metadata: { name: `cm-${i}`, namespace: ns },
                    data: insecure
                        ? { "app.yaml": "port: 8080\napi_token: 9f8e7d6c5b4a3210\n" }
                        : { "app.yaml": "port: 8080\nlogLevel: info\n" },
                });
        }
        i++;
    }
    return out;
}

/**
 * N Deployments, N NetworkPolicies and N PodDisruptionBudgets in one namespace: each policy and budget selects one app,
 * and half the Deployments (`lonely-*`) are selected by nothing. The cross-resource rules' worst case at scale.
 */
export function selectorCorpus(n: number): K8sObject[] {
    const objects: K8sObject[] = [];
    for (let i = 0; i < n; i++) {
        const app = i % 2 === 0 ? `app-${i}` : `lonely-${i}`;
        objects.push({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: `d${i}`, namespace: "bulk" },
            spec: {
                replicas: 2,
                selector: { matchLabels: { app } },
                template: {
                    metadata: { labels: { app, tier: "web" } },
                    spec: { containers: [{ name: "c", image: "r.example/a:1" }] },
                },
            },
        });
        objects.push({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: `np${i}`, namespace: "bulk" },
            spec: { podSelector: { matchLabels: { app: `app-${i}` } }, policyTypes: ["Ingress"] },
        });
        objects.push({
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: `pdb${i}`, namespace: "bulk" },
            spec: { maxUnavailable: 1, selector: { matchLabels: { app: `app-${i}` } } },
        });
    }
    return objects;
}
