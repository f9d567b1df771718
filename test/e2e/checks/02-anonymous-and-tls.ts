/** e2e check 2: anonymous requests get 401; TLS below 1.2 is refused. */
import { readFileSync } from "fs";
import * as https from "https";
import * as tls from "tls";
import { UpResult } from "../../../cluster/local";
import { assert, Check } from "../harness";

function httpsStatus(c: UpResult, pathname: string, withClientCert: boolean): Promise<number> {
    return new Promise((resolve, reject) => {
        const opts: https.RequestOptions = { ca: readFileSync(c.pki.caCert), timeout: 5000 };
        if (withClientCert)
            Object.assign(opts, { cert: readFileSync(c.pki.adminCert), key: readFileSync(c.pki.adminKey) });
        https
            .get(`${c.server}${pathname}`, opts, res => {
                res.resume();
                resolve(res.statusCode ?? 0);
            })
            .on("error", reject);
    });
}

export const check: Check = {
    name: "2. anonymous requests get 401; TLS below 1.2 is refused",
    run: async ({ c }) => {
        assert((await httpsStatus(c, "/api", false)) === 401, "anonymous request was not refused with 401");
        assert((await httpsStatus(c, "/api", true)) === 200, "authenticated request failed");
        const url = new URL(c.server);
        const handshake = (maxVersion: tls.SecureVersion) =>
            new Promise<boolean>(resolve => {
                const s = tls.connect(
                    {
                        host: url.hostname,
                        port: Number(url.port),
                        maxVersion,
                        minVersion: "TLSv1",
                        ca: readFileSync(c.pki.caCert),
                        ciphers: "DEFAULT@SECLEVEL=0",
                    },
                    () => {
                        s.end();
                        resolve(true);
                    },
                );
                s.on("error", () => resolve(false));
            });
        assert(!(await handshake("TLSv1.1")), "a TLS 1.1 handshake was accepted");
        assert(await handshake("TLSv1.2"), "a TLS 1.2 handshake was refused");
    },
};
