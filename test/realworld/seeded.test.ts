/**
 * Seeded defects of issue 13 that the real-world manifests showed, as scanner-level cases: one
 * small manifest each (`seeded/`), scanned through the CLI. (The YAML 1.1 cases — `privileged:
 * yes`, `hostPID: on` — are covered by the scanner's own tests.)
 *
 * A case the scanner still gets wrong carries `stillWrong` with the issue it belongs to: the test
 * then checks the wrong answer is still given (so it fails once the fix lands, and the mark is
 * dropped to keep the fix). No case is skipped.
 */
import { strict as assert } from "assert";
import { readdirSync } from "fs";
import * as path from "path";
import { run } from "../../scanner/cli";

const DIR = path.join(__dirname, "seeded");

interface Case {
    file: string;
    control: string;
    /** What a correct scanner does: raise the control as a mandatory finding or not. */
    raise: boolean;
    why: string;
    stillWrong?: string;
}

const CASES: Case[] = [
    // RBAC decided as the authorizer
    {
        file: "rbac-secret-get-by-name.yaml",
        control: "RBAC-02",
        raise: false,
        why: "get on Secrets limited by resourceNames to one Secret (RBAC-02's own remediation)",
    },
    { file: "rbac-secret-get-any.yaml", control: "RBAC-02", raise: true, why: "get on every Secret of the namespace" },
    {
        file: "rbac-csr-approval-only.yaml",
        control: "RBAC-12",
        raise: false,
        why: "update on certificatesigningrequests/approval without approve on any signer cannot approve",
    },
    {
        file: "rbac-csr-signer-only.yaml",
        control: "RBAC-12",
        raise: false,
        why: "approve on a signer without update on the approval subresource cannot approve",
    },
    {
        file: "rbac-csr-both-halves.yaml",
        control: "RBAC-12",
        raise: true,
        why: "both halves: the approval subresource and approve on a signer",
    },
    // Credentials with precision
    {
        file: "env-passenger-app-env.yaml",
        control: "SEC-02",
        raise: false,
        why: "an environment name, not a credential",
    },
    {
        file: "env-secret-store-backend.yaml",
        control: "SEC-02",
        raise: false,
        why: "the name of a backend, not a credential",
    },
    {
        file: "env-token-audience.yaml",
        control: "SEC-02",
        raise: false,
        why: "a token audience is a public identifier",
    },
    { file: "env-numeric-password.yaml", control: "SEC-02", raise: true, why: "a literal password, digits only" },
    { file: "env-url-userinfo.yaml", control: "SEC-02", raise: true, why: "a password in a URL's userinfo" },
    {
        file: "configmap-empty-secret-list.yaml",
        control: "SEC-03",
        raise: false,
        why: "an empty list under a key named secrets holds no credential",
    },
    {
        file: "configmap-properties-password.yaml",
        control: "SEC-03",
        raise: true,
        why: "a literal password in a properties file",
    },
];

function scan(file: string): { mandatory: string[]; code: number; errors: unknown[] } {
    let out = "";
    const code = run(["--format", "json", path.join(DIR, file)], { stdout: s => (out += s), stderr: () => undefined });
    const report = JSON.parse(out) as {
        violations: Array<{ controlId: string; enforcementLevel: string }>;
        errors: unknown[];
    };
    return {
        mandatory: report.violations.filter(v => v.enforcementLevel === "mandatory").map(v => v.controlId),
        code,
        errors: report.errors,
    };
}

describe("seeded defects (issue 13), through the scanner", () => {
    it("every fixture has a case and every case a fixture", () => {
        assert.deepEqual(readdirSync(DIR).sort(), CASES.map(c => c.file).sort());
    });
    for (const c of CASES) {
        const correct = `${c.raise ? "raises" : "does not raise"} ${c.control}`;
        it(
            `${c.file}: ${c.stillWrong ? `still wrong (${c.stillWrong}); correct: ${correct}` : correct}:` +
                ` ${c.why}`,
            () => {
                const { mandatory, code, errors } = scan(c.file);
                assert.deepEqual(errors, []);
                const raised = mandatory.includes(c.control);
                if (c.stillWrong) {
                    assert.equal(
                        raised,
                        !c.raise,
                        `${c.file}: the scanner now ${correct}: the fix landed, drop stillWrong from its case`,
                    );
                } else {
                    assert.equal(
                        raised,
                        c.raise,
                        `${c.file}: expected the scanner to ${c.raise ? "raise" : "not raise"} ` +
                            `${c.control}; mandatory findings: ${mandatory.join(", ") || "none"}`,
                    );
                }
                assert.equal(code, mandatory.length > 0 ? 1 : 0, "exit code");
            },
        );
    }
});
