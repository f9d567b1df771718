/**
 * `npm run yaml:table`: asks the Kubernetes decoder (scripts/toolchain/yaml-oracle: apimachinery's
 * YAMLReader + sigs.k8s.io/yaml YAMLToJSONStrict) how it reads every input of
 * scripts/yaml-cases.ts and writes its answers to test/scanner/yaml-oracle-table.json.
 */
import { execFileSync } from "child_process";
import { writeFileSync } from "fs";
import * as path from "path";
import { yamlByteCaseInputs, yamlCaseInputs, yamlStreamCaseInputs } from "./yaml-cases";

const REPO = path.join(__dirname, "..");

export interface OracleAnswer {
    documents: Array<{ json?: unknown; error?: string }>;
    error?: string;
    /** For a stream given as bytes: the text kubectl decodes them to. */
    text?: string;
}

/** The oracle's answers for the given YAML streams, as text or as a file's bytes (builds the tool when needed). */
export function askOracle(inputs: ReadonlyArray<string | Buffer | { stream: string }>): OracleAnswer[] {
    const bin = execFileSync("bash", [path.join(REPO, "scripts/toolchain/build-yaml-oracle.sh")], { encoding: "utf8" })
        .trim()
        .split("\n")
        .pop()!;
    return JSON.parse(
        execFileSync(path.join(bin, "yaml-oracle"), {
            input: JSON.stringify(inputs.map(i => (Buffer.isBuffer(i) ? { bytes: i.toString("base64") } : i))),
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
    const files = yamlByteCaseInputs();
    const fileAnswers = askOracle(files);
    const streams = yamlStreamCaseInputs();
    const streamAnswers = askOracle(streams.map(stream => ({ stream })));
    const table = {
        decoder: oracleVersions(),
        cases: inputs.map((yaml, i) => ({ yaml, ...answers[i] })),
        files: files.map((b, i) => ({ bytes: b.toString("base64"), ...fileAnswers[i] })),
        streams: streams.map((stream, i) => ({ stream, ...streamAnswers[i] })),
    };
    // one case per line: reviewable diffs
    const lines = (cases: readonly object[]) => `[\n${cases.map(c => JSON.stringify(c)).join(",\n")}\n]`;
    writeFileSync(
        path.join(REPO, "test/scanner/yaml-oracle-table.json"),
        `{"decoder": ${JSON.stringify(table.decoder)}, "cases": ${lines(table.cases)},\n` +
            `"files": ${lines(table.files)},\n"streams": ${lines(table.streams)}}\n`,
    );
    console.log(
        `yaml-oracle-table.json: ${inputs.length} cases, ${files.length} files and ${streams.length} streams ` +
            `from ${table.decoder}`,
    );
}
