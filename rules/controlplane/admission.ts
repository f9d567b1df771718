/** CFG-01 … CFG-03: control-plane configuration files, never API objects. */
import { Admission } from "../types";

export const CONTROLPLANE_ADMISSION: Record<string, Admission> = {
    "CFG-01": {
        none: {
            kind: "not-an-api-object",
            reason:
                "An EncryptionConfiguration is a file the kube-apiserver reads at start (--encryption-" +
                "provider-config); it is never sent to the API server as an object.",
        },
    },
    "CFG-02": {
        none: {
            kind: "not-an-api-object",
            reason:
                "The kube-apiserver's static pod manifest and kubeadm's ClusterConfiguration are files " +
                "on the control-plane nodes; the API server runs with those flags before any admission " +
                "policy exists, and the static pod's mirror Pod is created by the kubelet in kube-system," +
                " which the bindings exempt.",
        },
    },
    "CFG-03": {
        none: {
            kind: "not-an-api-object",
            reason:
                "An audit Policy is a file the kube-apiserver reads at start (--audit-policy-file); it " +
                "is never sent to the API server as an object.",
        },
    },
};
