/**
 * Runs the program (index.ts) for one stack under Pulumi mocks and returns every resource it
 * registers, with resolved inputs, plus the stack outputs. The policy-pack dogfooding test, the
 * real-engine test, the benchmark and the local cluster all take the stack's resources from here.
 *
 *   gatherStack(stack)            → { resources, outputs }   (runs in a child process: the
 *                                   Pulumi runtime keeps global state, so one program per process)
 *   kubernetesObjects(resources)  → plain Kubernetes manifests of every `kubernetes:*` resource
 *
 * CLI: `npm run --silent gather -- STACK [--format yaml|json|resources] [--show-secrets]`.
 * Secrets (encryption keys, private keys) are only printed with --show-secrets.
 */
import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { apiOfType } from "../rules/typeToken";
import { PROJECT } from "../rules/vocabulary";

export const REPO = path.resolve(__dirname, "..");

export interface GatheredResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent?: string;
    /* eslint-disable @typescript-eslint/no-explicit-any -- a resource's inputs as the program gave them */
    inputs: Record<string, any>;
    /* eslint-enable @typescript-eslint/no-explicit-any */
}

export interface Gathered {
    stack: string;
    resources: GatheredResource[];
    /** Stack outputs with secrets resolved (in memory only). */
    outputs: Record<string, unknown>;
    /** Output names whose values are (or contain) secrets. */
    secretOutputs: string[];
}

/**
 * The `config:` of stacks/Pulumi.<stack>.yaml as the engine passes it: `project:key` → string (objects JSON-encoded).
 */
export function stackConfig(stack: string, dir = path.join(REPO, "stacks")): Record<string, string> {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    let doc: { config?: Record<string, unknown> };
    try {
        doc = parse(readFileSync(file, "utf8")) ?? {};
    } catch (e) {
        throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc.config ?? {})) {
        const key = k.includes(":") ? k : `${PROJECT}:${k}`;
        out[key] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return out;
}

/** Plain Kubernetes manifests of the custom `kubernetes:*` resources (Patch resources become their object). */
/* eslint-disable @typescript-eslint/no-explicit-any -- a resource's inputs as the program gave them */
export function kubernetesObjects(resources: readonly GatheredResource[]): Record<string, any>[] {
    /* eslint-enable @typescript-eslint/no-explicit-any */
    /* eslint-disable @typescript-eslint/no-explicit-any -- a resource's inputs as the program gave them */
    const out: Record<string, any>[] = [];
    /* eslint-enable @typescript-eslint/no-explicit-any */
    for (const r of resources) {
        const api = r.custom ? apiOfType(r.type) : undefined;
        if (api) {
            out.push({ ...r.inputs, ...api });
        }
    }
    return out;
}

/** Run the program for `stack` in a child process (fresh Pulumi runtime) and return what it registered. */
export function gatherStack(stack: string): Gathered {
    const out = execFileSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", __filename, stack, "--format", "resources", "--show-secrets"],
        {
            cwd: REPO,
            encoding: "utf8",
            maxBuffer: 512 * 1024 * 1024,
            env: { ...process.env, TS_NODE_PROJECT: path.join(REPO, "tsconfig.json") },
        },
    );
    return JSON.parse(out);
}

/** In this process: install mocks, run index.ts inside a Pulumi stack, wait for every registration. */
export async function gatherInProcess(stack: string, config = stackConfig(stack)): Promise<Gathered> {
    const pulumi = await import("@pulumi/pulumi");
    const { mockResource } = await import("./mock-outputs");
    const resources: GatheredResource[] = [];
    const parents = new Map<string, Promise<string> | undefined>();
    pulumi.runtime.setAllConfig(config);
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                resources.push({
                    urn: "",
                    type: args.type,
                    name: args.name,
                    custom: args.custom ?? true,
                    inputs: args.inputs,
                });
                return mockResource(args);
            },
            call(args) {
                return args.inputs;
            },
        },
        PROJECT,
        stack,
        false,
    );
    let exported: Record<string, unknown> = {};
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation(args => {
            const parent = args.opts.parent;
            parents.set(
                `${args.type}::${args.name}`,
                parent
                    ? new Promise(res =>
                          parent.urn.apply(u => {
                              res(u);
                              return u;
                          }),
                      )
                    : undefined,
            );
            return undefined;
        });
        exported = await import(path.join(REPO, "index.ts"));
        return exported;
    });
    // Not in the published typings, but exported: waits until every registration has settled.
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    const stackUrn = `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
    const urnOf = new Map<string, string>();
    // URNs follow Pulumi's rule: the type chain of the parents, then the name.
    const typeChain = async (key: string): Promise<string> => {
        const p = parents.get(key);
        const parentUrn = p ? await p : undefined;
        const [type] = key.split("::");
        if (
            !parentUrn ||
            parentUrn === stackUrn ||
            parentUrn.endsWith("::pulumi:pulumi:Stack::" + `${PROJECT}-${stack}`)
        ) {
            return type;
        }
        const parentType = parentUrn.split("::")[2].replace(/^pulumi:pulumi:Stack\$/, "");
        return `${parentType}$${type}`;
    };
    for (const r of resources) {
        const key = `${r.type}::${r.name}`;
        const p = parents.get(key);
        r.parent = p ? await p : stackUrn;
        r.urn = `urn:pulumi:${stack}::${PROJECT}::${await typeChain(key)}::${r.name}`;
        urnOf.set(key, r.urn);
    }
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [k, v] of Object.entries(exported)) {
        if (k === "default" || k === "__esModule") continue;
        const out = pulumi.output(v as never) as import("@pulumi/pulumi").Output<unknown>;
        outputs[k] = await new Promise(res =>
            out.apply((x: unknown) => {
                res(x);
                return x;
            }),
        );
        if ((await pulumi.isSecret(out)) || JSON.stringify(outputs[k] ?? "").includes("PRIVATE KEY")) {
            secretOutputs.push(k);
        }
    }
    return { stack, resources: resources.filter(r => r.type !== "pulumi:pulumi:Stack"), outputs, secretOutputs };
}

function redact(g: Gathered): Gathered {
    const outputs = { ...g.outputs };
    for (const k of g.secretOutputs) outputs[k] = "[secret]";
    return { ...g, outputs };
}

async function main(argv: string[]): Promise<void> {
    const { Command } = await import("commander");
    const cmd = new Command("gather")
        .argument("<stack>", "stack name (stacks/Pulumi.<stack>.yaml)")
        .option(
            "--format <format>",
            "yaml | json (Kubernetes objects) | resources (every resource and the outputs, JSON)",
            "yaml",
        )
        .option("--show-secrets", "include secret outputs in plaintext", false)
        .parse(argv);
    const stack = cmd.args[0];
    const { format, showSecrets } = cmd.opts<{ format: string; showSecrets: boolean }>();
    const g = await gatherInProcess(stack);
    const shown = showSecrets ? g : redact(g);
    let text: string;
    if (format === "resources") {
        text = JSON.stringify(shown);
    } else if (format === "json") {
        text =
            JSON.stringify({ apiVersion: "v1", kind: "List", items: kubernetesObjects(g.resources) }, null, 2) + "\n";
    } else if (format === "yaml") {
        text = kubernetesObjects(g.resources)
            .map(o => stringify(o, { lineWidth: 0 }))
            .join("---\n");
    } else {
        throw new Error(`--format: '${format}' is not one of yaml, json, resources`);
    }
    // Writes to a pipe are asynchronous: wait until the output is flushed before the process exits.
    await new Promise<void>((resolve, reject) => process.stdout.write(text, e => (e ? reject(e) : resolve())));
}

if (require.main === module) {
    main(process.argv).then(
        () => process.exit(0),
        e => {
            process.stderr.write(`gather: ${(e as Error).message}\n`);
            process.exit(2);
        },
    );
}
