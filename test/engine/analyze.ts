/** Runs the real Pulumi CLI's `policy analyze` offline, in a throwaway PULUMI_HOME. */
import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";

export const REPO = path.resolve(__dirname, "../..");
export const PACK_DIR = path.join(REPO, "policy-packs", "hardened-k8s");

export interface PolicyEvent {
    resourceUrn?: string;
    message: string;
    policyName: string;
    policyPackName: string;
    enforcementLevel: "mandatory" | "advisory" | "disabled" | "remediate";
}

export interface AnalyzeResult {
    code: number;
    stdout: string;
    stderr: string;
    events: PolicyEvent[];
    seconds: number;
}

function required(name: string): string {
    const v = process.env[name];
    if (!v) {
        throw new Error(`${name} is not set: run this suite through \`npm run test:engine\``);
    }
    return v;
}

/** Analyze a deployment (stack export format) with the pack and an optional pack config object. */
export function analyze(deployment: object, packConfig?: object): AnalyzeResult {
    const dir = mkdtempSync(path.join(tmpdir(), "hc-engine-"));
    try {
        const file = path.join(dir, "deployment.json");
        writeFileSync(file, JSON.stringify(deployment));
        const args = ["policy", "analyze", "--json", "--non-interactive", "--policy-pack", PACK_DIR, "--file", file];
        if (packConfig) {
            const cfg = path.join(dir, "policy-config.json");
            writeFileSync(cfg, JSON.stringify(packConfig));
            args.push("--policy-pack-config", cfg);
        }
        const started = Date.now();
        const res = spawnSync(required("HC_PULUMI_BIN"), args, {
            cwd: dir,
            encoding: "utf8",
            timeout: 170_000,
            env: {
                ...process.env,
                PULUMI_HOME: path.join(dir, ".pulumi-home"),
                PULUMI_SKIP_UPDATE_CHECK: "true",
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                PULUMI_CONFIG_PASSPHRASE: "engine-test",
                PULUMI_BACKEND_URL: `file://${dir}`,
                // The engine starts this analyzer plugin from PATH (no Node.js language host here).
                PATH: `${path.join(REPO, "scripts", "engine")}${path.delimiter}${process.env.PATH}`,
                HC_REPO_ROOT: REPO,
            },
        });
        if (res.error) {
            throw res.error;
        }
        const events: PolicyEvent[] = [];
        for (const line of res.stdout.split("\n")) {
            if (line.trim().startsWith("{")) {
                const ev = JSON.parse(line);
                if (ev.policyEvent) {
                    events.push(ev.policyEvent);
                }
            }
        }
        return {
            code: res.status ?? -1,
            stdout: res.stdout,
            stderr: res.stderr,
            events,
            seconds: (Date.now() - started) / 1000,
        };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
