/**
 * e2e check 6: Secrets are aescbc-encrypted in etcd under the generated key; rotating (new key
 * first, the old one kept for reads) keeps old Secrets readable and writes new ones with the new key.
 */
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import { readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { localPath, startApiServer, UpResult } from "../../../cluster/local";
import { recordedPids, stopProcess } from "../../../cluster/procs";
import { encryptionConfiguration } from "../../../components/controlPlane/builders";
import { assert, Check } from "../harness";

/** A key's raw value in etcd, read with the client certificate HC_ETCD_CERT_DIR names (etcd requires one). */
function etcdGet(c: UpResult, key: string): Buffer {
    const r = spawnSync(
        path.join(c.toolsBin, "etcdctl"),
        [
            `--endpoints=${c.etcdEndpoint}`,
            `--cacert=${c.etcdCertDir}/ca.crt`,
            `--cert=${c.etcdCertDir}/client.crt`,
            `--key=${c.etcdCertDir}/client.key`,
            "get",
            key,
            "--print-value-only",
        ],
        { encoding: "buffer" },
    );
    assert(r.status === 0, `etcdctl failed: ${r.stderr.toString()}`);
    return r.stdout;
}

export const check: Check = {
    name:
        "6. encryption at rest: Secrets in etcd are aescbc-encrypted; rotation keeps old ones readable " +
        "and writes with the new key",
    run: async ({ c, k, ns }) => {
        const secret = (name: string, value: string) =>
            k(["create", "secret", "generic", name, "-n", ns, `--from-literal=token=${value}`]);
        assert(secret("canary-old", "hc-plaintext-canary-1").code === 0, "could not create a Secret");
        const raw = etcdGet(c, `/registry/secrets/${ns}/canary-old`);
        assert(
            raw.toString("latin1").startsWith(`k8s:enc:aescbc:v1:${c.encryptionKeyName}:`),
            `unexpected prefix: ${raw.subarray(0, 40).toString("latin1")}`,
        );
        assert(!raw.includes("hc-plaintext-canary-1"), "plaintext found in etcd");
        // Rotate: new key first, the generated one kept as a read key (the component's builder).
        const encPath = localPath(c.stateDir, "/etc/kubernetes/enc/encryption-config.yaml");
        const old = readFileSync(encPath, "utf8");
        const oldSecret = /secret: (\S+)/.exec(old)![1];
        const fresh = randomBytes(32).toString("base64");
        writeFileSync(
            encPath,
            stringify(
                encryptionConfiguration({
                    provider: "aescbc",
                    resources: ["secrets"],
                    keys: [
                        { name: "rotated-key", secret: fresh },
                        { name: c.encryptionKeyName, secret: oldSecret },
                    ],
                }),
            ),
            { mode: 0o600 },
        );
        const rec = recordedPids(c.stateDir).find(p => p.name === "kube-apiserver")!;
        assert(await stopProcess(rec, c.stateDir), "kube-apiserver did not stop for the restart");
        const port = Number(new URL(c.server).port);
        c.apiserverPid = await startApiServer(c.stateDir, c.toolsBin, c.apiserverArgs, c.pki, port);
        const got = k(["get", "secret", "canary-old", "-n", ns, "-o", "jsonpath={.data.token}"]).out;
        assert(
            Buffer.from(got, "base64").toString() === "hc-plaintext-canary-1",
            "old Secret not readable after rotation",
        );
        assert(secret("canary-new", "hc-plaintext-canary-2").code === 0, "could not create a Secret after rotation");
        const raw2 = etcdGet(c, `/registry/secrets/${ns}/canary-new`);
        assert(
            raw2.toString("latin1").startsWith("k8s:enc:aescbc:v1:rotated-key:"),
            `new Secret not written with the new key: ${raw2.subarray(0, 40).toString("latin1")}`,
        );
    },
};
