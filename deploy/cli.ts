/**
 * hardened-deploy: a stack's preview, up, refresh or destroy through the Pulumi Automation API,
 * with the hardened-k8s policy pack and the stack's policy config attached.
 *
 *   hardened-deploy <preview|up|refresh|destroy> --stack NAME [--kubeconfig FILE] [--yes]
 *                   [--expect-no-changes] [--policy-pack-config FILE] [--config-file FILE]
 *                   [--dir PROJECT] [--no-policy-pack]
 *
 * Exit codes: 0 success; 1 a mandatory policy violation (printed with control IDs) or a failed
 * operation; 2 usage errors (unknown stack, missing file, missing tool, no passphrase).
 */
import { Argument, Command, CommanderError, Option } from "commander";
import { DeployResult, Operation, OPERATIONS, PolicyViolation, runDeploy } from "./run";

export interface CliIO {
    stdout: (s: string) => void;
    stderr: (s: string) => void;
    /** Whether a person can answer a confirmation (stdin is a terminal). */
    interactive: boolean;
    confirm?: (question: string) => Promise<boolean>;
}

function formatViolations(vs: readonly PolicyViolation[]): string {
    const order = (v: PolicyViolation) => (v.level === "mandatory" ? 0 : 1);
    return [...vs]
        .sort(
            (a, b) =>
                order(a) - order(b) ||
                (a.controlId ?? "").localeCompare(b.controlId ?? "") ||
                (a.resourceUrn ?? "").localeCompare(b.resourceUrn ?? ""),
        )
        .map(
            v =>
                `  ${v.level === "mandatory" ? "MANDATORY" : "advisory "} [${v.controlId ?? "?"}] ` +
                `${v.policyName}: ${v.message.split("\n")[0]}` +
                `${v.resourceUrn ? `\n      resource: ${v.resourceUrn}` : ""}`,
        )
        .join("\n");
}

export async function main(argv: string[], io: CliIO): Promise<number> {
    const cmd = new Command("hardened-deploy")
        .description(
            "Run a stack's preview, up, refresh or destroy through the Pulumi Automation API, with " +
                "the hardened-k8s policy pack attached.",
        )
        .addArgument(new Argument("<operation>", "what to run").choices(OPERATIONS as string[]))
        .requiredOption("--stack <name>", "the stack: any stacks/Pulumi.<name>.yaml of the project")
        .option("--kubeconfig <file>", "kubeconfig for the Kubernetes provider (default: the ambient one)")
        .option("--config-file <file>", "use this stack config file instead of the project's Pulumi.<stack>.yaml")
        .option("--yes", "run up, refresh or destroy without asking")
        .option("--expect-no-changes", "fail if the operation would change anything")
        .option(
            "--policy-pack-config <file>",
            "policy config (default: policy-config.<stack>.json in the project's stack config " +
                "directory, else the pack's defaults)",
        )
        .option("--dir <project>", "another Pulumi project directory (an app team's program using this library)")
        .addOption(new Option("--no-policy-pack", "do not attach the policy pack"))
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    try {
        cmd.parse(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
        throw e;
    }
    const operation = cmd.args[0] as Operation;
    const opts = cmd.opts<{
        stack: string;
        kubeconfig?: string;
        configFile?: string;
        yes?: boolean;
        expectNoChanges?: boolean;
        policyPackConfig?: string;
        dir?: string;
        policyPack: boolean;
    }>();
    const common = {
        stack: opts.stack,
        kubeconfig: opts.kubeconfig,
        configFile: opts.configFile,
        policyPackConfig: opts.policyPackConfig,
        policyPack: opts.policyPack,
        projectDir: opts.dir,
        out: io.stdout,
        err: io.stderr,
        // This package's own project runs the shared program function; another project its main module.
        program: opts.dir ? undefined : async () => (await import("../program")).hardenedClusterProgram(),
    };
    if (operation !== "preview" && !opts.yes) {
        if (!io.interactive || !io.confirm) {
            io.stderr(
                `hardened-deploy: ${operation} changes the cluster or the state; pass --yes to run ` +
                    `it without a terminal\n`,
            );
            return 2;
        }
        if (operation !== "refresh") {
            const pre = await runDeploy({ ...common, operation: "preview" });
            report(pre, "preview", io);
            if (pre.code !== 0) return pre.code;
        }
        if (!(await io.confirm(`Run ${operation} on stack ${opts.stack}? [y/N] `))) {
            io.stderr("hardened-deploy: cancelled\n");
            return 2;
        }
    }
    const result = await runDeploy({ ...common, operation, expectNoChanges: opts.expectNoChanges });
    report(result, operation, io);
    return result.code;
}

function report(r: DeployResult, operation: Operation, io: CliIO): void {
    if (r.violations.length)
        io.stderr(
            `\nPolicy violations (${r.violations.filter(v => v.level === "mandatory").length} ` +
                `mandatory):\n${formatViolations(r.violations)}\n`,
        );
    if (r.changes)
        io.stderr(
            `\n${operation}: ${Object.entries(r.changes)
                .map(([k, n]) => `${n} ${k}`)
                .join(", ")}\n`,
        );
    if (r.code !== 0) io.stderr(`hardened-deploy: ${operation} failed: ${r.error ?? "see above"}\n`);
}
