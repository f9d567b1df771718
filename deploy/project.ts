/**
 * A Pulumi project on disk as the deploy runner sees it: its settings (Pulumi.yaml), one stack's
 * config file, and the program to run inline. The stack config file in the project is the source
 * of truth; the runner never writes into the project directory.
 */
import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";

export class UsageError extends Error {}

export interface ProjectInfo {
    /** Absolute project directory (holds Pulumi.yaml). */
    dir: string;
    /** Project name from Pulumi.yaml. */
    name: string;
    /** Pulumi.yaml as parsed (handed to the workspace as project settings). */
    settings: Record<string, unknown>;
    /** The program's entry file (Pulumi.yaml `main`, default index.ts/index.js). */
    main: string;
}

export interface StackFile {
    /** Absolute path of Pulumi.<stack>.yaml. */
    file: string;
    /** The whole file as parsed (config, and the secrets-provider keys when the project keeps them). */
    doc: Record<string, unknown>;
}

/** Reads Pulumi.yaml of `dir`; a clear error names the file when it is missing or malformed. */
export function readProject(dir: string): ProjectInfo {
    const abs = path.resolve(dir);
    const file = ["Pulumi.yaml", "Pulumi.yml"].map(f => path.join(abs, f)).find(existsSync);
    if (!file) throw new UsageError(`${abs}: no Pulumi.yaml (not a Pulumi project directory)`);
    let settings: Record<string, unknown>;
    try {
        settings = parse(readFileSync(file, "utf8")) ?? {};
    } catch (e) {
        throw new UsageError(`${file}: ${(e as Error).message}`);
    }
    if (
        typeof settings !== "object" ||
        Array.isArray(settings) ||
        typeof settings.name !== "string" ||
        settings.name === ""
    ) {
        throw new UsageError(`${file}: must be a mapping with a non-empty 'name'`);
    }
    const runtime =
        typeof settings.runtime === "string"
            ? settings.runtime
            : (settings.runtime as { name?: string } | undefined)?.name;
    if (runtime !== "nodejs")
        throw new UsageError(`${file}: runtime is '${runtime}'; the deploy runner runs Node.js programs only`);
    const main =
        typeof settings.main === "string"
            ? settings.main
            : (["index.ts", "index.js"].find(f => existsSync(path.join(abs, f))) ?? "index.ts");
    return { dir: abs, name: settings.name, settings, main: path.resolve(abs, main) };
}

/** Where the project keeps stack config files (Pulumi.yaml `stackConfigDir`, default the project dir). */
export function stackConfigDir(p: ProjectInfo): string {
    const d = p.settings.stackConfigDir;
    return typeof d === "string" ? path.resolve(p.dir, d) : p.dir;
}

/** The stacks a project declares: every Pulumi.<name>.yaml in its stack config directory. */
export function knownStacks(p: ProjectInfo): string[] {
    const dir = stackConfigDir(p);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
        .map(f => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}

/** Reads Pulumi.<stack>.yaml; a stack the project does not declare is a usage error naming the known ones. */
export function readStackFile(p: ProjectInfo, stack: string, configFile?: string): StackFile {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack))
        throw new UsageError(`--stack '${stack}': a stack name may only hold letters, digits, '-', '_' and '.'`);
    const dir = stackConfigDir(p);
    if (configFile !== undefined && !existsSync(configFile))
        throw new UsageError(`--config-file ${configFile}: no such file`);
    const file =
        configFile !== undefined
            ? path.resolve(configFile)
            : [`Pulumi.${stack}.yaml`, `Pulumi.${stack}.yml`].map(f => path.join(dir, f)).find(existsSync);
    if (!file) {
        const known = knownStacks(p);
        throw new UsageError(
            `--stack '${stack}': no ${path.join(dir, `Pulumi.${stack}.yaml`)}; stacks of ${p.name}: ` +
                `${known.length ? known.join(", ") : "none"}`,
        );
    }
    let doc: Record<string, unknown> | null;
    try {
        doc = parse(readFileSync(file, "utf8"));
    } catch (e) {
        throw new UsageError(`${file}: ${(e as Error).message}`);
    }
    doc = doc ?? {};
    if (typeof doc !== "object" || Array.isArray(doc)) throw new UsageError(`${file}: must be a mapping`);
    const config = doc.config ?? {};
    if (typeof config !== "object" || Array.isArray(config))
        throw new UsageError(`${file}: 'config' must be a mapping`);
    return { file, doc };
}
