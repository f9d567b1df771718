/**
 * hardened-scan: the policy pack's rules over plain manifests (YAML, `helm template`,
 * `kustomize build` output), without Pulumi.
 *
 *   hardened-scan [--format text|json|sarif] [--config policy-config.json] PATH...
 *
 * Exit codes: 0 no mandatory violation; 1 at least one mandatory violation; 2 usage or input
 * errors (unreadable files, invalid YAML, invalid config) when there is no mandatory violation.
 * A file that fails to parse is reported with file and line; the other files are still scanned.
 */
import { Command, CommanderError, Option } from "commander";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { RULES } from "../rules";
import { evaluate, PackConfig, resolveRules } from "../rules/engine";
import { ConfigFileError, loadPackConfig } from "../rules/packConfig";
import { loadPaths, Located } from "./load";
import { formatJson, formatSarif, formatText, toResult } from "./report";

/** The package's version, from the repository root (this file runs from `scanner/` or, compiled, from `dist/scanner/`). */
function packageVersion(): string {
    for (const up of ["..", "../.."]) {
        const file = path.join(__dirname, up, "package.json");
        if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")).version;
    }
    return "unknown";
}
const VERSION = packageVersion();

export interface RunIO {
    stdout: (s: string) => void;
    stderr: (s: string) => void;
    readStdin?: () => string;
}

export function run(argv: string[], io: RunIO): number {
    const cmd = new Command("hardened-scan")
        .description("Check Kubernetes manifests against the hardened-cluster controls.")
        .argument("<paths...>", "files, directories (searched for *.yaml, *.yml, *.json) or - for stdin")
        .addOption(new Option("--format <format>", "output format").choices(["text", "json", "sarif"]).default("text"))
        .option("--config <file>", "policy config (the --policy-pack-config format)")
        .version(VERSION)
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    try {
        cmd.parse(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
        throw e;
    }
    const opts = cmd.opts<{ format: "text" | "json" | "sarif"; config?: string }>();
    let packConfig: PackConfig = {};
    if (opts.config) {
        try {
            packConfig = loadPackConfig(opts.config, RULES);
        } catch (e) {
            if (e instanceof ConfigFileError) {
                io.stderr(`hardened-scan: ${e.message}\n`);
                return 2;
            }
            throw e;
        }
    }
    const { objects, errors, files } = loadPaths(cmd.args, io.readStdin);
    const where = new Map<object, Located>(objects.map(o => [o.object, o]));
    const findings = evaluate(resolveRules(RULES, packConfig), objects.map(o => o.object));
    const result = toResult(findings, where, errors, files, objects.length);
    if (opts.format === "json") io.stdout(formatJson(result));
    else if (opts.format === "sarif") io.stdout(formatSarif(result, RULES, VERSION));
    else io.stdout(formatText(result));
    if (opts.format !== "text") for (const e of errors) io.stderr(`${e.file}${e.line ? `:${e.line}` : ""}: error: ${e.message}\n`);
    if (result.summary.mandatory > 0) return 1;
    return errors.length > 0 ? 2 : 0;
}

if (require.main === module) {
    process.exitCode = run(process.argv.slice(2), { stdout: s => process.stdout.write(s), stderr: s => process.stderr.write(s) });
}
