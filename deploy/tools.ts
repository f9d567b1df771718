/**
 * Where the deploy runner finds what the Pulumi engine needs, with no download: the Pulumi CLI,
 * the Kubernetes provider plugin and the policy-pack analyzer (all built from pinned Go modules
 * by scripts/toolchain, or installed by the user), and this package's own policy pack.
 */
import { execFileSync } from "child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError } from "./project";

/** The tool cache: $HC_CACHE_DIR, else $XDG_CACHE_HOME/hardened-cluster, else ~/.cache/hardened-cluster. */
export function cacheDir(): string {
    return (
        process.env.HC_CACHE_DIR ??
        path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "hardened-cluster")
    );
}
const toolsDir = () => process.env.HC_TOOLS_DIR ?? path.join(cacheDir(), "tools");

/** The root of this package (holds package.json), whether running from sources or from dist/. */
export function packageRoot(): string {
    for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
        const pj = path.join(d, "package.json");
        if (existsSync(pj) && JSON.parse(readFileSync(pj, "utf8")).name === "hardened-cluster") return d;
    }
    throw new Error(`hardened-cluster: package.json not found above ${__dirname}`);
}

/**
 * The policy pack directory. The compiled pack (dist/, from `npm run build`, which `npm run setup`
 * runs) whenever it is at least as new as every source file of the pack, the rule core and the
 * CrossGuard adapter; else the TypeScript pack. The engine's policy host type-checks a TypeScript
 * pack on every start (about 8 s here, most of the pack's cost on a preview of the dev stack);
 * the compiled one was checked when it was built.
 */
export function policyPackDir(): string {
    const root = packageRoot();
    const compiled = path.join(root, "dist", "policy-packs", "hardened-k8s");
    // bin/compiled.js ships with the package; it is plain JavaScript shared with the bins.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a JavaScript file at a path known at run time
    const { compiledIsFresh } = require(path.join(root, "bin", "compiled.js")) as {
        compiledIsFresh(root: string, dirs: string[]): boolean;
    };
    const fresh =
        existsSync(path.join(compiled, "PulumiPolicy.yaml")) && compiledIsFresh(root, ["rules", "policy-packs"]);
    return fresh ? compiled : path.join(root, "policy-packs", "hardened-k8s");
}

/**
 * Writes the engine's analyzer plugin for Node.js policy packs into `dir` and returns `dir`.
 * With no Node.js language host installed, the engine starts `pulumi-analyzer-policy-nodejs
 * ENGINE_ADDRESS PACK_DIR` from PATH; this one runs the policy-pack host that ships inside the
 * project's own @pulumi/pulumi, with this Node.js.
 */
export function writeAnalyzer(dir: string, projectDir: string): string {
    const host = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [projectDir] });
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(
        path.join(dir, "pulumi-analyzer-policy-nodejs"),
        `#!/bin/sh\nexec ${q(process.execPath)} ${q(host)} "$@"\n`,
        { mode: 0o755 },
    );
    return dir;
}

function onPath(name: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const full = path.join(dir, name);
        if (dir && existsSync(full)) return full;
    }
    return undefined;
}

function versionOf(pkg: string, from: string): string | undefined {
    try {
        return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`, { paths: [from] }), "utf8")).version;
    } catch {
        return undefined;
    }
}

export interface Tools {
    /** Directory whose bin/pulumi is the CLI (what PulumiCommand.get takes as root). */
    pulumiRoot: string;
    pulumiVersion: string;
    /** Directory holding pulumi-resource-kubernetes. */
    providerDir: string;
    providerVersion: string;
}

/**
 * Finds the CLI at the version of the project's @pulumi/pulumi and the Kubernetes provider at the
 * version of its @pulumi/kubernetes: $HC_PULUMI_BIN / $HC_K8S_PROVIDER_DIR, then the tool cache,
 * then PATH. A missing tool is a usage error that names the command that builds it.
 */
export function findTools(projectDir: string): Tools {
    const want = versionOf("@pulumi/pulumi", projectDir);
    if (!want)
        throw new UsageError(`${projectDir}: @pulumi/pulumi is not installed there (run npm install in the project)`);
    const candidates = [
        process.env.HC_PULUMI_BIN,
        path.join(toolsDir(), `pulumi-v${want}`, "bin", "pulumi"),
        onPath("pulumi"),
    ].filter((x): x is string => !!x && existsSync(x));
    let pulumiBin: string | undefined;
    for (const c of candidates) {
        const v = execFileSync(c, ["version"], { encoding: "utf8" }).trim().replace(/^v/, "");
        if (v === want) {
            pulumiBin = c;
            break;
        }
    }
    if (!pulumiBin) {
        throw new UsageError(
            `the Pulumi CLI v${want} (the version of @pulumi/pulumi) was not found in $HC_PULUMI_BIN,` +
                ` ${toolsDir()} or PATH; build it with: npm run tools:pulumi`,
        );
    }
    const k8sWant = versionOf("@pulumi/kubernetes", projectDir);
    if (!k8sWant)
        throw new UsageError(
            `${projectDir}: @pulumi/kubernetes is not installed there (run npm install in the project)`,
        );
    const providerDirs = [
        process.env.HC_K8S_PROVIDER_DIR,
        ...(existsSync(toolsDir())
            ? readdirSync(toolsDir())
                  .filter(d => d.startsWith("pulumi-resource-kubernetes-"))
                  .map(d => path.join(toolsDir(), d, "bin"))
            : []),
    ].filter((x): x is string => !!x);
    let provider: { dir: string; version: string } | undefined;
    for (const dir of providerDirs) {
        const marker = path.join(dir, ".version");
        const version = existsSync(marker) ? readFileSync(marker, "utf8").trim() : undefined;
        if (
            existsSync(path.join(dir, "pulumi-resource-kubernetes")) &&
            (version === k8sWant || dir === process.env.HC_K8S_PROVIDER_DIR)
        ) {
            provider = { dir, version: version ?? "unknown" };
            break;
        }
    }
    const fromPath = onPath("pulumi-resource-kubernetes");
    if (!provider && fromPath) provider = { dir: path.dirname(fromPath), version: "from PATH" };
    if (!provider) {
        throw new UsageError(
            `the Kubernetes provider plugin ${k8sWant} (the version of @pulumi/kubernetes) was not ` +
                `found in $HC_K8S_PROVIDER_DIR, ${toolsDir()} or PATH; build it with: npm run tools:k8s-` +
                `provider`,
        );
    }
    return {
        pulumiRoot: path.dirname(path.dirname(pulumiBin)),
        pulumiVersion: want,
        providerDir: provider.dir,
        providerVersion: provider.version,
    };
}
