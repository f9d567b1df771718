/**
 * Runs one operation (preview, up, refresh, destroy) of a Pulumi project's stack through the
 * Automation API, with an inline program: the Node process runs the program itself and the CLI
 * talks to it (`--client`), so no Node.js language host is needed. The hardened-k8s policy pack
 * and the stack's policy config are attached by default, exactly as `pulumi preview
 * --policy-pack DIR --policy-pack-config FILE` would attach them.
 *
 * Nothing is written into the project: the runner's working directory (project settings and a
 * copy of the stack's config file, plus the secrets provider's salt once the stack exists) lives
 * under the cache directory. State goes to $PULUMI_BACKEND_URL (default: a local file backend
 * under the cache directory).
 */
import { createHash } from "crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { createRequire } from "module";
import * as path from "path";
import { parse, stringify } from "yaml";
import type * as automation from "@pulumi/pulumi/automation";
import { ProjectInfo, readProject, readStackFile, stackConfigDir, UsageError } from "./project";
import { cacheDir, findTools, packageRoot, policyPackDir, writeAnalyzer } from "./tools";

export type Operation = "preview" | "up" | "refresh" | "destroy";
export const OPERATIONS: readonly Operation[] = ["preview", "up", "refresh", "destroy"];

export interface DeployOptions {
    operation: Operation;
    stack: string;
    /** The Pulumi project directory (default: this package's own project). */
    projectDir?: string;
    /** The program to run inline; default: the project's `main` module (its exports are the outputs). */
    program?: () => Promise<Record<string, unknown> | void>;
    /** Use this file as the stack's config file instead of <stack config dir>/Pulumi.<stack>.yaml. */
    configFile?: string;
    /** Kubeconfig file for the engine's Kubernetes provider (as KUBECONFIG). */
    kubeconfig?: string;
    /** Fail if the operation would change anything (preview, up, refresh). */
    expectNoChanges?: boolean;
    /**
     * Policy config file; default: <stack config dir>/policy-config.<stack>.json when present, else the pack's
     * defaults.
     */
    policyPackConfig?: string;
    /** Attach the hardened-k8s policy pack (default true). */
    policyPack?: boolean;
    /** Progress and messages (the engine's output is streamed here). */
    out: (s: string) => void;
    err: (s: string) => void;
}

export interface PolicyViolation {
    controlId?: string;
    policyName: string;
    level: "mandatory" | "advisory";
    message: string;
    resourceUrn?: string;
}

export interface DeployResult {
    /** 0 success; 1 a mandatory policy violation or a failed operation; 2 usage error. */
    code: 0 | 1 | 2;
    violations: PolicyViolation[];
    /**
     * Resource changes by kind of operation (create, update, same, delete, replace, ...), when the engine reported
     * them.
     */
    changes?: Record<string, number>;
    /** Stack outputs after up (secrets stay wrapped as secrets). */
    outputs?: Record<string, unknown>;
    error?: string;
}

const ENCRYPTION_KEYS = ["secretsprovider", "encryptionsalt", "encryptedkey"];

/** The runner's working directory for one project and backend (never inside the project). */
function workDirFor(project: ProjectInfo, backend: string): string {
    const id = createHash("sha256").update(`${backend}\n${project.dir}`).digest("hex").slice(0, 12);
    return path.join(cacheDir(), "deploy", `${project.name}-${id}`);
}

/** The project's stack file copied into the working directory, keeping the salt the engine wrote there. */
function syncStackFile(project: ProjectInfo, stack: string, workDir: string, configFile?: string): void {
    const source = readStackFile(project, stack, configFile);
    const target = path.join(workDir, `Pulumi.${stack}.yaml`);
    const doc: Record<string, unknown> = { ...source.doc };
    if (existsSync(target)) {
        const previous = (parse(readFileSync(target, "utf8")) ?? {}) as Record<string, unknown>;
        for (const k of ENCRYPTION_KEYS) if (doc[k] === undefined && previous[k] !== undefined) doc[k] = previous[k];
    }
    writeFileSync(target, stringify(doc), { mode: 0o600 });
}

const registered = new Set<string>();

/** require() as the project's own modules see it: its dependencies resolve from its directory. */
function projectRequire(project: ProjectInfo): NodeJS.Require {
    return createRequire(path.join(project.dir, "package.json"));
}

/** Loads the project's main module as its program (TypeScript through the project's own ts-node). */
function moduleProgram(project: ProjectInfo): () => Promise<Record<string, unknown>> {
    return async () => {
        if (project.main.endsWith(".ts") && !registered.has(project.dir)) {
            const tsNode = projectRequire(project)("ts-node");
            tsNode.register({ transpileOnly: true, project: path.join(project.dir, "tsconfig.json") });
            registered.add(project.dir);
        }
        // A module registers its resources when it is first loaded: load the project's own modules
        // afresh for each run (the runner previews before `up` in the same process).
        const own = (f: string) =>
            f.startsWith(project.dir + path.sep) && !f.includes(`${path.sep}node_modules${path.sep}`);
        for (const f of Object.keys(require.cache)) if (own(f)) delete require.cache[f];
        const mod = projectRequire(project)(project.main);
        return mod && typeof mod === "object" ? { ...mod } : {};
    };
}

function controlIdOf(policyName: string, message: string): string | undefined {
    const m = /\[([A-Z]+-\d+)\]/.exec(message);
    if (m) return m[1];
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded for an unnamed message only
        const { RULES } = require("../rules") as typeof import("../rules");
        return RULES.find(r => r.name === policyName)?.id;
    } catch {
        return undefined;
    }
}

export async function runDeploy(o: DeployOptions): Promise<DeployResult> {
    let project: ProjectInfo;
    try {
        project = readProject(o.projectDir ?? packageProjectDir());
        readStackFile(project, o.stack, o.configFile);
        if (o.kubeconfig !== undefined && !existsSync(o.kubeconfig))
            throw new UsageError(`--kubeconfig ${o.kubeconfig}: no such file`);
        if (o.policyPackConfig !== undefined && !existsSync(o.policyPackConfig))
            throw new UsageError(`--policy-pack-config ${o.policyPackConfig}: no such file`);
    } catch (e) {
        if (e instanceof UsageError) return { code: 2, violations: [], error: e.message };
        throw e;
    }
    const backend = process.env.PULUMI_BACKEND_URL ?? `file://${path.join(cacheDir(), "pulumi-state")}`;
    const stackDoc = readStackFile(project, o.stack, o.configFile).doc;
    const passphraseProvider = stackDoc.secretsprovider === undefined || stackDoc.secretsprovider === "passphrase";
    if (
        passphraseProvider &&
        !process.env.PULUMI_CONFIG_PASSPHRASE &&
        !process.env.PULUMI_CONFIG_PASSPHRASE_FILE &&
        !backend.startsWith("https://")
    ) {
        return {
            code: 2,
            violations: [],
            error:
                "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE): it encrypts the " +
                "stack's secrets in the state",
        };
    }
    let tools;
    try {
        tools = findTools(project.dir);
    } catch (e) {
        if (e instanceof UsageError) return { code: 2, violations: [], error: e.message };
        throw e;
    }
    if (backend.startsWith("file://")) mkdirSync(backend.slice("file://".length), { recursive: true });
    const workDir = workDirFor(project, backend);
    mkdirSync(workDir, { recursive: true });
    syncStackFile(project, o.stack, workDir, o.configFile);

    // The Automation API of the project's own @pulumi/pulumi: the inline program registers its
    // resources with that copy's runtime, so runner and program must share it.
    const auto: typeof automation = projectRequire(project)("@pulumi/pulumi/automation");
    const { main: _main, stackConfigDir: _dir, ...settings } = project.settings;
    void _main;
    void _dir;
    const envVars: Record<string, string> = {
        PULUMI_BACKEND_URL: backend,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // The engine starts plugins from PATH: the Kubernetes provider and the policy analyzer.
        PATH: [
            tools.providerDir,
            writeAnalyzer(path.join(workDir, "bin"), project.dir),
            path.dirname(process.execPath),
            process.env.PATH ?? "",
        ].join(path.delimiter),
        ...(o.kubeconfig ? { KUBECONFIG: path.resolve(o.kubeconfig) } : {}),
    };
    const pulumiCommand = await auto.PulumiCommand.get({
        root: tools.pulumiRoot,
        version: undefined,
        skipVersionCheck: true,
    });
    const program = o.program ?? moduleProgram(project);
    const stack = await auto.LocalWorkspace.createOrSelectStack(
        { stackName: o.stack, projectName: project.name, program: async () => (await program()) ?? {} },
        { workDir, pulumiCommand, envVars, projectSettings: settings as unknown as automation.ProjectSettings },
    );

    const packConfig =
        o.policyPackConfig ?? [path.join(stackConfigDir(project), `policy-config.${o.stack}.json`)].find(existsSync);
    const policyOpts =
        o.policyPack === false
            ? {}
            : {
                  policyPacks: [policyPackDir()],
                  ...(packConfig ? { policyPackConfigs: [path.resolve(packConfig)] } : {}),
              };
    if (o.policyPack !== false)
        o.err(`deploy: policy pack ${policyPackDir()}${packConfig ? ` with ${packConfig}` : " with its defaults"}\n`);

    const violations: PolicyViolation[] = [];
    const onEvent = (ev: automation.EngineEvent) => {
        const p = ev.policyEvent;
        if (p)
            violations.push({
                policyName: p.policyName,
                controlId: controlIdOf(p.policyName, p.message),
                level: p.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
                message: p.message.trim(),
                resourceUrn: p.resourceUrn,
            });
    };
    const common = { onOutput: o.out, onEvent, color: "never" as const };
    try {
        let changes: Record<string, number> | undefined;
        let outputs: Record<string, unknown> | undefined;
        switch (o.operation) {
            case "preview": {
                const r = await stack.preview({ ...common, ...policyOpts, expectNoChanges: o.expectNoChanges });
                changes = r.changeSummary as Record<string, number>;
                break;
            }
            case "up": {
                // The Automation API's up skips the preview; policies would then stop the update
                // only at the first violating resource, after creating those before it. A preview
                // with the pack first means a violation creates nothing.
                if (o.policyPack !== false) {
                    const pre = await stack.preview({ ...common, ...policyOpts, expectNoChanges: o.expectNoChanges });
                    if (violations.some(v => v.level === "mandatory")) {
                        return {
                            code: 1,
                            violations,
                            changes: pre.changeSummary as Record<string, number>,
                            error: "mandatory policy violations in the preview; nothing was changed",
                        };
                    }
                    violations.length = 0;
                }
                const r = await stack.up({ ...common, ...policyOpts, expectNoChanges: o.expectNoChanges });
                changes = r.summary.resourceChanges as Record<string, number> | undefined;
                outputs = r.outputs;
                break;
            }
            case "refresh": {
                const r = await stack.refresh({ ...common, expectNoChanges: o.expectNoChanges });
                changes = r.summary.resourceChanges as Record<string, number> | undefined;
                break;
            }
            case "destroy": {
                const r = await stack.destroy({ onOutput: o.out, color: "never" });
                changes = r.summary.resourceChanges as Record<string, number> | undefined;
                break;
            }
        }
        if (violations.some(v => v.level === "mandatory"))
            return { code: 1, violations, changes, error: "mandatory policy violations" };
        return { code: 0, violations, changes, outputs };
    } catch (e) {
        const mandatory = violations.filter(v => v.level === "mandatory");
        const msg = (e as Error).message ?? String(e);
        return {
            code: 1,
            violations,
            error: mandatory.length ? `${mandatory.length} mandatory policy violation(s)` : lastLines(msg),
        };
    }
}

/** The directory of this package's own Pulumi project (Pulumi.yaml beside package.json). */
function packageProjectDir(): string {
    return packageRoot();
}

function lastLines(s: string, n = 25): string {
    const lines = s.trim().split("\n");
    return lines.length > n ? `...\n${lines.slice(-n).join("\n")}` : lines.join("\n");
}
