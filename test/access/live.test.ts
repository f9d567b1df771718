/**
 * Live mode against a loopback HTTPS server speaking the list API (client-certificate auth,
 * pagination): only GET list requests on the documented endpoints, and the same answers as the
 * offline review of the same objects (the e2e repeats this against the real API server).
 */
import { strict as assert } from "assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as https from "https";
import { tmpdir } from "os";
import * as path from "path";
import { stringify } from "yaml";
import { run } from "../../access/cli";
import { connect, LIVE_LISTS, readCluster } from "../../access/live";
import { AccessReview, subjectKey } from "../../access/review";
import { makePki } from "../../cluster/pki";
import { K8sObject } from "../../rules/types";
import { generate, questions } from "../../scripts/rbac-generate";

describe("access review, live mode (loopback API)", function () {
    this.timeout(60_000);
    const dir = mkdtempSync(path.join(tmpdir(), "hc-access-live-"));
    const gen = generate({ seed: 9, prefix: "l" });
    // What a cluster stores: aggregated ClusterRoles already hold their aggregated rules.
    const offline = new AccessReview(gen.objects);
    const stored: K8sObject[] = gen.objects.map(o =>
        o.kind === "ClusterRole" && o.aggregationRule
            ? { ...o, rules: offline.snapshot.clusterRoleRules.get(o.metadata!.name!) }
            : o,
    );
    const seen: string[] = [];
    let server: https.Server;
    let kubeconfig = "";

    before(async () => {
        const pki = makePki(path.join(dir, "pki"), path.join(dir, "pki", "sa.key"));
        server = https.createServer(
            {
                cert: readFileSync(pki.apiserverCert),
                key: readFileSync(pki.apiserverKey),
                ca: readFileSync(pki.caCert),
                requestCert: true,
                rejectUnauthorized: true,
            },
            (req, res) => {
                seen.push(`${req.method} ${req.url}`);
                const url = new URL(req.url!, "https://x");
                const list = LIVE_LISTS.find(l => l.path === url.pathname);
                if (req.method !== "GET" || !list) {
                    res.writeHead(404);
                    res.end();
                    return;
                }
                // Two items per page, whatever the limit asked: the client must follow `continue`.
                const items = stored
                    .filter(o => o.kind === list.kind)
                    .map(o => ({ ...o, apiVersion: undefined, kind: undefined }));
                const from = Number(url.searchParams.get("continue") ?? 0);
                const page = items.slice(from, from + 2);
                res.writeHead(200, { "content-type": "application/json" });
                res.end(
                    JSON.stringify({
                        items: page,
                        metadata: from + 2 < items.length ? { continue: String(from + 2) } : {},
                    }),
                );
            },
        );
        await new Promise<void>(r => server.listen(0, "127.0.0.1", () => r()));
        const port = (server.address() as { port: number }).port;
        kubeconfig = path.join(dir, "kubeconfig");
        writeFileSync(
            kubeconfig,
            stringify({
                apiVersion: "v1",
                kind: "Config",
                "current-context": "t",
                clusters: [
                    {
                        name: "c",
                        cluster: { server: `https://127.0.0.1:${port}`, "certificate-authority": "pki/ca.crt" },
                    },
                ],
                users: [{ name: "u", user: { "client-certificate": "pki/admin.crt", "client-key": "pki/admin.key" } }],
                contexts: [{ name: "t", context: { cluster: "c", user: "u" } }],
            }),
        );
    });
    after(() => {
        server?.close();
        rmSync(dir, { recursive: true, force: true });
    });

    it("reads every object through paginated GET lists only", async () => {
        const c = connect(kubeconfig);
        const objs = await readCluster(c);
        c.agent.destroy();
        assert.equal(objs.length, stored.length);
        assert.ok(
            seen.every(s => s.startsWith("GET ")),
            seen.join("\n"),
        );
        assert.deepEqual(
            [...new Set(seen.map(s => s.slice(4).split("?")[0]))].sort(),
            LIVE_LISTS.map(l => l.path).sort(),
        );
        assert.ok(
            seen.some(s => s.includes("continue=")),
            "pagination was not followed",
        );
    });

    it("answers as the offline review of the same manifests", async () => {
        const c = connect(kubeconfig);
        const live = new AccessReview(await readCluster(c), { aggregate: false });
        c.agent.destroy();
        for (const q of questions(gen.namespaces, 300, 11)) {
            assert.deepEqual(
                live.whoCan(q).map(g => subjectKey(g.subject)),
                offline.whoCan(q).map(g => subjectKey(g.subject)),
                JSON.stringify(q),
            );
        }
    });

    it("the CLI with --kubeconfig prints the same JSON as from the manifests", async () => {
        const outOf = async (args: string[]) => {
            let out = "";
            const code = await run(args, { stdout: s => (out += s), stderr: () => undefined });
            assert.equal(code, 0);
            return JSON.parse(out);
        };
        const file = path.join(dir, "objects.yaml");
        writeFileSync(file, gen.objects.map(o => stringify(o)).join("---\n"));
        const a = await outOf(["risky", "--format", "json", "--kubeconfig", kubeconfig]);
        const b = await outOf(["risky", "--format", "json", "--no-defaults", file]);
        assert.ok(a.findings.length > 0);
        assert.deepEqual(a, b);
    });

    it("a kubeconfig with an exec plugin is refused with a clear message", async () => {
        const f = path.join(dir, "exec.kubeconfig");
        writeFileSync(
            f,
            stringify({
                "current-context": "t",
                clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }],
                users: [{ name: "u", user: { exec: { command: "x" } } }],
                contexts: [{ name: "t", context: { cluster: "c", user: "u" } }],
            }),
        );
        let err = "";
        const code = await run(["risky", "--kubeconfig", f], { stdout: () => undefined, stderr: s => (err += s) });
        assert.equal(code, 2);
        assert.match(err, /exec plugin or auth provider/);
    });
});
