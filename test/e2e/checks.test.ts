import { strict as assert } from "assert";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { loadChecks } from "./harness";

// The e2e runs every module of test/e2e/checks in the order of its number: these tests load them
// without a cluster (loading has no side effect) and show that a misnamed or misnumbered check is
// refused rather than silently skipped.
describe("e2e checks", () => {
    it("are one module per check, numbered uniquely, in ascending order", () => {
        const numbers = loadChecks().map(c => Number(c.name.split(".")[0]));
        assert.ok(numbers.length >= 17, `only ${numbers.length} checks`);
        assert.deepEqual(
            numbers,
            [...numbers].sort((a, b) => a - b),
        );
        assert.equal(new Set(numbers).size, numbers.length);
    });

    describe("a checks directory that is not well-formed is refused", () => {
        let dir: string;
        beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "hc-e2e-checks-"))));
        afterEach(() => rmSync(dir, { recursive: true, force: true }));
        const write = (file: string, name: string) =>
            writeFileSync(
                path.join(dir, file),
                `export const check = { name: ${JSON.stringify(name)}, run: () => undefined };\n`,
            );

        it("a file name without its number", () => {
            write("audit.ts", "7. audit");
            assert.throws(() => loadChecks(dir), /audit\.ts: a check's file name is <two-digit number>-<name>\.ts/);
        });
        it("a title whose number is not the file's", () => {
            write("07-audit.ts", "8. audit");
            assert.throws(() => loadChecks(dir), /07-audit\.ts does not export check: Check named "7\. \.\.\."/);
        });
        it("a module that exports no check", () => {
            writeFileSync(path.join(dir, "07-audit.ts"), "export const other = 1;\n");
            assert.throws(() => loadChecks(dir), /07-audit\.ts does not export check/);
        });
        it("two files with the same number", () => {
            write("07-audit.ts", "7. audit");
            write("07-audit-again.ts", "7. audit again");
            assert.throws(() => loadChecks(dir), /check number 7 is used twice/);
        });
        it("a well-formed directory loads in number order", () => {
            write("10-b.ts", "10. b");
            write("02-a.ts", "2. a");
            assert.deepEqual(
                loadChecks(dir).map(c => c.name),
                ["2. a", "10. b"],
            );
        });
    });
});
