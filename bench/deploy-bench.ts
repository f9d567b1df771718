/**
 * Deployment cost through the real engine (`npm run bench`, last section; alone:
 * `node -r ts-node/register/transpile-only bench/deploy-bench.ts`): wall time of `preview` and
 * `up` (then `destroy`) for the dev stack and for a stack of 50 SecureNamespaces, with the policy
 * pack attached and without, on a local control plane started for the purpose. The pack's
 * overhead is the ratio of the two. Needs the tools of `npm run test:deploy` (built if missing).
 */
import { execFileSync, spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";

const REPO = path.resolve(__dirname, "..");
const work = mkdtempSync(path.join(os.tmpdir(), "hc-deploy-bench-"));

function timed(args: string[], env: NodeJS.ProcessEnv): number {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [path.join(REPO, "bin", "hardened-deploy"), ...args], {
        cwd: REPO,
        env,
        encoding: "utf8",
        maxBuffer: 1 << 30,
    });
    if (r.status !== 0)
        throw new Error(
            `hardened-deploy ${args.join(" ")} exited ${r.status}:\n` +
                `${(r.stderr ?? "").split("\n").slice(-20).join("\n")}`,
        );
    return Number(process.hrtime.bigint() - t) / 1e9;
}

/** A stack file with `n` team namespaces shaped like the dev stack's first one. */
function stackOf(n: number): string {
    const dev = parse(readFileSync(path.join(REPO, "stacks", "Pulumi.dev.yaml"), "utf8"));
    const first = dev.config["hardened-cluster:namespaces"][0];
    const namespaces = Array.from({ length: n }, (_, i) => ({ ...first, name: `bench-${i}` }));
    const file = path.join(work, `Pulumi.ns${n}.yaml`);
    writeFileSync(file, stringify({ config: { "hardened-cluster:namespaces": namespaces } }));
    return file;
}

function main(): void {
    const tools = ["build-pulumi.sh", "build-k8s-provider.sh", "build-k8s.sh"];
    for (const t of tools)
        execFileSync("bash", [path.join(REPO, "scripts", "toolchain", t)], { stdio: ["ignore", "ignore", "inherit"] });
    const cache = path.join(work, "cache");
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        HC_TOOLS_DIR:
            process.env.HC_TOOLS_DIR ??
            path.join(process.env.HC_CACHE_DIR ?? path.join(os.homedir(), ".cache", "hardened-cluster"), "tools"),
        HC_CACHE_DIR: cache,
        PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: "bench",
    };
    execFileSync("mkdir", ["-p", path.join(work, "state")]);
    const up = spawnSync("npm", ["run", "--silent", "cluster:up"], { cwd: REPO, env, encoding: "utf8" });
    if (up.status !== 0) throw new Error(`cluster:up failed:\n${up.stderr}`);
    env.KUBECONFIG = /^export KUBECONFIG=['"]?([^'"\n]+)/m.exec(up.stdout)![1];
    try {
        console.log(
            "\nReal engine on the local control plane (wall time, s; `up` includes the runner's gate " +
                "preview when the pack is on):",
        );
        console.log("| stack | resources | pack | preview s | up s | destroy s |");
        console.log("|---|---:|---|---:|---:|---:|");
        const rows: Array<{ stack: string; pack: boolean; preview: number; up: number }> = [];
        for (const [label, stack, file] of [
            ["dev", "dev", undefined],
            ["50 namespaces", "ns50", stackOf(50)],
        ] as const) {
            for (const pack of [true, false]) {
                // The 50-namespace stack copies dev's namespaces, so it is judged with dev's policy config.
                const config = file
                    ? [
                          "--config-file",
                          file,
                          ...(pack
                              ? ["--policy-pack-config", path.join(REPO, "stacks", "policy-config.dev.json")]
                              : []),
                      ]
                    : [];
                const common = ["--stack", stack, ...config, ...(pack ? [] : ["--no-policy-pack"])];
                const preview = timed(["preview", ...common], env);
                const upS = timed(["up", ...common, "--yes"], env);
                const state = JSON.parse(
                    readFileSync(
                        path.join(work, "state", ".pulumi", "stacks", "hardened-cluster", `${stack}.json`),
                        "utf8",
                    ),
                );
                const resources = state.checkpoint.latest.resources.length;
                const destroy = timed(["destroy", ...common, "--yes"], env);
                rows.push({ stack: label, pack, preview, up: upS });
                console.log(
                    `| ${label} | ${resources} | ${pack ? "on" : "off"} | ${preview.toFixed(1)} | ` +
                        `${upS.toFixed(1)} | ${destroy.toFixed(1)} |`,
                );
            }
        }
        for (const label of ["dev", "50 namespaces"]) {
            const on = rows.find(r => r.stack === label && r.pack)!;
            const off = rows.find(r => r.stack === label && !r.pack)!;
            console.log(
                `${label}: pack overhead ×${(on.preview / off.preview).toFixed(2)} on preview, ` +
                    `×${(on.up / off.up).toFixed(2)} on up`,
            );
        }
    } finally {
        spawnSync("npm", ["run", "--silent", "cluster:down"], { cwd: REPO, env, stdio: "ignore" });
        rmSync(work, { recursive: true, force: true });
    }
}

main();
