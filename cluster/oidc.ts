/**
 * A minimal OpenID Connect provider for the local control plane, on loopback only: it serves the
 * discovery document and the signing key set, so kube-apiserver's `--oidc-*` flags (from the
 * component) verify real ID tokens. Tokens are minted in-process by the e2e with the key kept in
 * the cluster's state directory. Run as `node -r ts-node/register/transpile-only cluster/oidc.ts
 * <issuer> <cert> <key> <jwks>`; `startOidcProvider` does that as a recorded, detached process.
 */
import { createPrivateKey, createSign, generateKeyPairSync, randomUUID } from "crypto";
import { mkdirSync, readFileSync, writeFileSync } from "fs";
import * as https from "https";
import * as path from "path";
import { startDetached } from "./procs";

export interface OidcProvider {
    issuer: string;
    /** PEM private key that signs the provider's tokens (test material, in the state directory). */
    signingKey: string;
    kid: string;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** A signed RS256 JWT with the given claims (iat/exp added). */
export function signJwt(keyPem: string, kid: string, claims: Record<string, unknown>, lifetimeSeconds = 600): string {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid }));
    const payload = b64url(JSON.stringify({ iat: now, nbf: now - 5, exp: now + lifetimeSeconds, ...claims }));
    const sig = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(createPrivateKey(keyPem));
    return `${header}.${payload}.${b64url(sig)}`;
}

/** Write a fresh signing key and its JWKS, start the provider detached, wait until discovery answers. */
export async function startOidcProvider(
    stateDir: string,
    issuer: string,
    tls: { cert: string; key: string; ca: string },
): Promise<OidcProvider> {
    const dir = path.join(stateDir, "oidc");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const kid = randomUUID();
    const signingKey = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    writeFileSync(path.join(dir, "signing.key"), signingKey, { mode: 0o600 });
    const jwk = publicKey.export({ format: "jwk" });
    const jwks = path.join(dir, "jwks.json");
    writeFileSync(jwks, JSON.stringify({ keys: [{ ...jwk, kid, alg: "RS256", use: "sig" }] }));
    startDetached(stateDir, "oidc-provider", process.execPath, [
        "-r",
        require.resolve("ts-node/register/transpile-only"),
        __filename,
        issuer,
        tls.cert,
        tls.key,
        jwks,
    ]);
    const discovery = `${issuer}/.well-known/openid-configuration`;
    for (let i = 0; i < 100; i++) {
        const ok = await new Promise<boolean>(resolve => {
            https
                .get(discovery, { ca: readFileSync(tls.ca), timeout: 1000 }, res => {
                    res.resume();
                    resolve(res.statusCode === 200);
                })
                .on("error", () => resolve(false));
        });
        if (ok) return { issuer, signingKey, kid };
        await new Promise(r => setTimeout(r, 200));
    }
    throw new Error(
        `the local OIDC provider did not answer at ${discovery} (log: ${path.join(stateDir, "oidc-provider.log")})`,
    );
}

function serve(issuer: string, certFile: string, keyFile: string, jwksFile: string): void {
    const url = new URL(issuer);
    const base = url.pathname.replace(/\/$/, "");
    const discovery = JSON.stringify({
        issuer,
        jwks_uri: `${issuer}/keys`,
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
    });
    const jwks = readFileSync(jwksFile, "utf8");
    const server = https.createServer(
        { cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: "TLSv1.2" },
        (req, res) => {
            const body =
                req.url === `${base}/.well-known/openid-configuration`
                    ? discovery
                    : req.url === `${base}/keys`
                      ? jwks
                      : undefined;
            res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
            res.end(body ?? "{}");
        },
    );
    server.listen(Number(url.port), "127.0.0.1", () => console.log(`oidc provider for ${issuer} listening`));
    process.on("SIGTERM", () => server.close(() => process.exit(0)));
}

if (require.main === module) {
    const [issuer, cert, key, jwks] = process.argv.slice(2);
    if (!issuer?.startsWith("https://127.0.0.1:") || !cert || !key || !jwks) {
        console.error("usage: oidc.ts https://127.0.0.1:<port>/<path> <cert> <key> <jwks>");
        process.exit(2);
    }
    serve(issuer, cert, key, jwks);
}
