/**
 * Test PKI for the local control plane, made with openssl in the cluster's state directory:
 * a cluster CA, the API server's serving certificate (loopback SANs), client certificates for the
 * bootstrap admin and kube-controller-manager, and the service-account signing key pair; and a
 * separate etcd CA (as kubeadm lays it out) with etcd's serving/peer certificate and the two etcd
 * clients: the API server and a read-only-by-convention client for the e2e's raw reads.
 */
import { execFileSync } from "child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "fs";
import * as path from "path";

export interface Pki {
    dir: string;
    caCert: string;
    caKey: string;
    apiserverCert: string;
    apiserverKey: string;
    adminCert: string;
    adminKey: string;
    kcmCert: string;
    kcmKey: string;
    saKey: string;
    saPub: string;
}

function openssl(args: string[], cwd: string): void {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * A leaf key and certificate `<name>.{key,crt}` in `dir`, signed by `ca` (paths without extension, relative to `dir`).
 */
function clientOrServerCert(dir: string, name: string, subject: string, ext: string, ca = "ca"): void {
    openssl(["genrsa", "-out", `${name}.key`, "2048"], dir);
    openssl(["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`], dir);
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(
        [
            "x509",
            "-req",
            "-in",
            `${name}.csr`,
            "-CA",
            `${ca}.crt`,
            "-CAkey",
            `${ca}.key`,
            "-CAcreateserial",
            "-days",
            "2",
            "-sha256",
            "-extfile",
            `${name}.ext`,
            "-out",
            `${name}.crt`,
        ],
        dir,
    );
}

/** A client certificate `<name>.{crt,key}` in the cluster PKI directory, signed by the cluster CA. */
export function makeClientCert(pki: Pki, name: string, subject: string): { cert: string; key: string } {
    clientOrServerCert(pki.dir, name, subject, CLIENT_EXT);
    return { cert: path.join(pki.dir, `${name}.crt`), key: path.join(pki.dir, `${name}.key`) };
}

const CLIENT_EXT =
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n";

export interface EtcdPki {
    caCert: string;
    /** etcd's serving and peer certificate (loopback SANs; server and client auth for peers). */
    serverCert: string;
    serverKey: string;
    /** The API server's etcd client certificate (the component's `--etcd-certfile`/`--etcd-keyfile` paths). */
    apiserverClientCert: string;
    apiserverClientKey: string;
    /**
     * A directory holding `ca.crt`, `client.crt`, `client.key`: the client the e2e's raw etcd reads use
     * (`HC_ETCD_CERT_DIR`).
     */
    clientDir: string;
}

/**
 * The etcd CA and certificates. `paths` are where the component's flags expect the etcd CA and the
 * API server's etcd client pair (already mapped into the state directory); the rest goes in `dir`.
 */
export function makeEtcdPki(
    dir: string,
    paths: { caCert: string; apiserverClientCert: string; apiserverClientKey: string },
): EtcdPki {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    openssl(["genrsa", "-out", "ca.key", "2048"], dir);
    openssl(
        [
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=hardened-cluster-local-etcd-ca",
            "-days",
            "2",
            "-sha256",
            "-out",
            "ca.crt",
        ],
        dir,
    );
    clientOrServerCert(
        dir,
        "server",
        "/CN=etcd-local",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature," +
            "keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1," +
            "DNS:localhost\n",
    );
    clientOrServerCert(dir, "apiserver-etcd-client", "/CN=kube-apiserver-etcd-client", CLIENT_EXT);
    clientOrServerCert(dir, "e2e-client", "/CN=hc-e2e-etcd-reader", CLIENT_EXT);
    const clientDir = path.join(dir, "client");
    mkdirSync(clientDir, { mode: 0o700 });
    copyFileSync(path.join(dir, "ca.crt"), path.join(clientDir, "ca.crt"));
    copyFileSync(path.join(dir, "e2e-client.crt"), path.join(clientDir, "client.crt"));
    copyFileSync(path.join(dir, "e2e-client.key"), path.join(clientDir, "client.key"));
    for (const [from, to] of [
        ["ca.crt", paths.caCert],
        ["apiserver-etcd-client.crt", paths.apiserverClientCert],
        ["apiserver-etcd-client.key", paths.apiserverClientKey],
    ]) {
        mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
        if (path.resolve(dir, from) !== path.resolve(to)) copyFileSync(path.join(dir, from), to);
    }
    return {
        caCert: paths.caCert,
        serverCert: path.join(dir, "server.crt"),
        serverKey: path.join(dir, "server.key"),
        apiserverClientCert: paths.apiserverClientCert,
        apiserverClientKey: paths.apiserverClientKey,
        clientDir,
    };
}

export function makePki(dir: string, saKeyPath: string): Pki {
    mkdirSync(dir, { recursive: true });
    openssl(["genrsa", "-out", "ca.key", "2048"], dir);
    openssl(
        [
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=hardened-cluster-local-ca",
            "-days",
            "2",
            "-sha256",
            "-out",
            "ca.crt",
        ],
        dir,
    );
    clientOrServerCert(
        dir,
        "apiserver",
        "/CN=kube-apiserver",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature," +
            "keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost," +
            "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.96.0.1\n",
    );
    // The bootstrap admin is in system:masters: it is the break-glass identity that creates the
    // baseline itself. Day-to-day access goes through the SecureNamespace access levels.
    clientOrServerCert(
        dir,
        "admin",
        "/O=system:masters/CN=hc-bootstrap-admin",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
    );
    clientOrServerCert(
        dir,
        "controller-manager",
        "/CN=system:kube-controller-manager",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
    );
    // The API server's kubelet client certificate (the flags name it; no kubelet runs here).
    clientOrServerCert(
        dir,
        "apiserver-kubelet-client",
        "/O=kubeadm:cluster-admins/CN=kube-apiserver-kubelet-client",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
    );
    // The service-account key pair comes from the component when it wrote one; otherwise make it.
    if (!existsSync(saKeyPath)) {
        openssl(["genrsa", "-out", "sa.key", "2048"], dir);
        openssl(["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
    }
    const p = (f: string) => path.join(dir, f);
    return {
        dir,
        caCert: p("ca.crt"),
        caKey: p("ca.key"),
        apiserverCert: p("apiserver.crt"),
        apiserverKey: p("apiserver.key"),
        adminCert: p("admin.crt"),
        adminKey: p("admin.key"),
        kcmCert: p("controller-manager.crt"),
        kcmKey: p("controller-manager.key"),
        saKey: p("sa.key"),
        saPub: p("sa.pub"),
    };
}

export function kubeconfig(server: string, pki: Pki, user: { cert: string; key: string; name: string }): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: local",
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority: ${pki.caCert}`,
        "users:",
        `- name: ${user.name}`,
        "  user:",
        `    client-certificate: ${user.cert}`,
        `    client-key: ${user.key}`,
        "contexts:",
        "- name: local",
        "  context:",
        "    cluster: local",
        `    user: ${user.name}`,
        "current-context: local",
        "",
    ].join("\n");
}
