/**
 * `npm run access -- COMMAND [options] [PATH...]`: who can do what, from manifests (offline) or
 * a live cluster (read-only), decided as the API server's RBAC authorizer decides.
 *
 *   who-can VERB RESOURCE[.GROUP][/SUBRESOURCE] [-n NS] [--name NAME]   (or VERB /non-resource/url)
 *   can SUBJECT          (User:NAME, Group:NAME, ServiceAccount:NS/NAME)
 *   risky [--include-defaults] [--power ID...]
 * Common: --format text|json|markdown; --kubeconfig FILE [--context NAME] for a live cluster,
 * else PATH... (files, directories, - for stdin; the scanner's loader) plus the API server's
 * default RBAC (--no-defaults to leave it out).
 *
 * Exit codes: 0 answered; 2 usage or input errors (the answer is still printed for the objects
 * that loaded; the errors go to stderr with file and line).
 */
import { Command, CommanderError, Option } from "commander";
import { loadPaths } from "../scanner/load";
import { K8sObject } from "../rules/types";
import { withDefaults } from "./defaults";
import { Format, formatCan, formatRisky, formatWhoCan } from "./format";
import { connect, readCluster } from "./live";
import { parseRequest } from "./request";
import { AccessReview, parseSubject } from "./review";
import { POWERS, risky } from "./risky";

export interface RunIO {
    stdout: (s: string) => void;
    stderr: (s: string) => void;
    readStdin?: () => string;
}

interface Common {
    format: Format;
    kubeconfig?: string;
    context?: string;
    defaults: boolean;
}

/** The review over the chosen source; `errors` counts input problems already reported. */
export async function openReview(
    paths: string[],
    o: Common,
    io: RunIO,
): Promise<{ review: AccessReview; errors: number }> {
    if (o.kubeconfig) {
        if (paths.length) throw new UsageError("give either --kubeconfig or PATH..., not both");
        const c = connect(o.kubeconfig, o.context);
        try {
            // The cluster's ClusterRoles already hold what the aggregation controller wrote.
            return { review: new AccessReview(await readCluster(c), { aggregate: false }), errors: 0 };
        } finally {
            c.agent.destroy();
        }
    }
    if (!paths.length) throw new UsageError("give PATH... (files, directories or - for stdin) or --kubeconfig FILE");
    const { objects, errors } = loadPaths(paths, io.readStdin);
    for (const e of errors) io.stderr(`${e.file}${e.line ? `:${e.line}` : ""}: error: ${e.message}\n`);
    const objs: K8sObject[] = objects.map(l => l.object);
    const review = new AccessReview(o.defaults ? withDefaults(objs) : objs);
    for (const w of review.warnings) io.stderr(`warning: ${w}\n`);
    return { review, errors: errors.length };
}

class UsageError extends Error {}

export async function run(argv: string[], io: RunIO): Promise<number> {
    let code = 0;
    const common = (c: Command) =>
        c
            .addOption(
                new Option("--format <format>", "output format").choices(["text", "json", "markdown"]).default("text"),
            )
            .option(
                "--kubeconfig <file>",
                "read a live cluster (read-only: lists RBAC objects, namespaces, ServiceAccounts)",
            )
            .option("--context <name>", "kubeconfig context (default: current-context)")
            .option("--no-defaults", "offline: leave out the API server's default (bootstrap) RBAC")
            .exitOverride()
            .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    const program = new Command("access")
        .description("RBAC access review: who can do what, decided as the Kubernetes RBAC authorizer decides.")
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    const finish = (errors: number) => {
        code = errors ? 2 : 0;
    };

    common(
        program
            .command("who-can")
            .description(
                "every subject allowed VERB on RESOURCE[.GROUP][/SUBRESOURCE] (or a /non-resource/" +
                    "url), with the bindings that grant it",
            )
            .argument("<verb>")
            .argument("<resource>")
            .argument("[paths...]")
            .option(
                "-n, --namespace <ns>",
                "namespace of the request (default: cluster-wide, i.e. in every namespace)",
                "",
            )
            .option(
                "--name <name>",
                "object name (grants limited by resourceNames only count for a named request)",
                "",
            ),
    ).action(
        async (verb: string, resource: string, paths: string[], o: Common & { namespace: string; name: string }) => {
            const req = parseRequest(verb, resource, o.name, o.namespace);
            const { review, errors } = await openReview(paths, o, io);
            io.stdout(formatWhoCan(req, review.whoCan(req), o.format));
            finish(errors);
        },
    );
    common(
        program
            .command("can")
            .description(
                "a subject's effective rules, cluster-wide and per namespace (like kubectl auth can-" +
                    "i --list, for any subject)",
            )
            .argument("<subject>", "User:NAME, Group:NAME or ServiceAccount:NAMESPACE/NAME")
            .argument("[paths...]"),
    ).action(async (subject: string, paths: string[], o: Common) => {
        const s = parseSubject(subject);
        const { review, errors } = await openReview(paths, o, io);
        io.stdout(formatCan(s, review.can(s), o.format));
        finish(errors);
    });
    common(
        program
            .command("risky")
            .description(
                "subjects holding dangerous powers (Secret reads, exec, escalate/bind/impersonate, " +
                    "pod creation, nodes/proxy, tokens, CSR approval, webhooks, PersistentVolumes, *)",
            )
            .argument("[paths...]")
            .option("--include-defaults", "also report grants made only by the API server's default bindings", false)
            .addOption(new Option("--power <id...>", "only these powers").choices(POWERS.map(p => p.id))),
    ).action(async (paths: string[], o: Common & { includeDefaults: boolean; power?: string[] }) => {
        const { review, errors } = await openReview(paths, o, io);
        io.stdout(
            formatRisky(
                risky(review, { includeDefaults: o.includeDefaults, powers: o.power }),
                o.format,
                o.includeDefaults,
            ),
        );
        finish(errors);
    });

    try {
        await program.parseAsync(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
        io.stderr(`access: ${(e as Error).message}\n`);
        return 2;
    }
    return code;
}

if (require.main === module) {
    run(process.argv.slice(2), { stdout: s => process.stdout.write(s), stderr: s => process.stderr.write(s) }).then(
        c => {
            process.exitCode = c;
        },
    );
}
