/**
 * `npm run yaml:table`: asks the Kubernetes decoder (scripts/toolchain/yaml-oracle: apimachinery's
 * YAMLReader + sigs.k8s.io/yaml YAMLToJSONStrict) how it reads every input of
 * scripts/yaml-cases.ts and writes its answers to test/scanner/yaml-oracle-table.json.
 */
import { execFileSync } from "child_process";
import { writeFileSync } from "fs";
import * as path from "path";
import { yamlCaseInputs } from "./yaml-cases";

const REPO = path.join(__dirname, "..");

/** The oracle's answers for the given YAML streams (builds the tool when needed). */
export function askOracle(
    inputs: readonly string[],
): Array<{ documents: Array<{ json?: unknown; error?: string }>; error?: string }> {
    const bin = execFileSync("bash", [path.join(REPO, "scripts/toolchain/build-yaml-oracle.sh")], { encoding: "utf8" })
        .trim()
        .split("\n")
        .pop()!;
    return JSON.parse(
        execFileSync(path.join(bin, "yaml-oracle"), {
            input: JSON.stringify(inputs),
            encoding: "utf8",
            maxBuffer: 1 << 28,
        }),
    );
}

function oracleVersions(): string {
    const bin = execFileSync("bash", [path.join(REPO, "scripts/toolchain/build-yaml-oracle.sh")], { encoding: "utf8" })
        .trim()
        .split("\n")
        .pop()!;
    return execFileSync(path.join(bin, "yaml-oracle"), ["-version"], { encoding: "utf8" })
        .trim()
        .split("\n")
        .join(", ");
}

if (require.main === module) {
    const inputs = yamlCaseInputs();
    const answers = askOracle(inputs);
    const table = { decoder: oracleVersions(), cases: inputs.map((yaml, i) => ({ yaml, ...answers[i] })) };
    // one case per line: reviewable diffs
    writeFileSync(
        path.join(REPO, "test/scanner/yaml-oracle-table.json"),
        `{"decoder": ${JSON.stringify(table.decoder)}, "cases": ` +
            `[\n${table.cases.map(c => JSON.stringify(c)).join(",\n")}\n]}\n`,
    );
    console.log(`yaml-oracle-table.json: ${inputs.length} cases from ${table.decoder}`);
}
