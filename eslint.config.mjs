// Lint configuration, run by `npm run lint` after `prettier --check`, zero warnings allowed: ESLint's and
// typescript-eslint's recommended rules on every TypeScript and JavaScript file of the repository, plus
// one local rule, no line over 120 characters (Prettier wraps code at 120 but leaves long strings and
// comments as they are).
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

const MAX_LINE = 120;

/** @type {import("eslint").Rule.RuleModule} */
const maxLine = {
    meta: {
        type: "layout",
        docs: { description: `Lines of at most ${MAX_LINE} characters` },
        schema: [],
    },
    create(context) {
        return {
            Program() {
                context.sourceCode.lines.forEach((line, i) => {
                    const length = [...line].length;
                    if (length <= MAX_LINE) return;
                    context.report({
                        loc: { start: { line: i + 1, column: MAX_LINE }, end: { line: i + 1, column: line.length } },
                        message: `Line of ${length} characters (at most ${MAX_LINE}): split the string or the comment.`,
                    });
                });
            },
        };
    },
};

export default defineConfig(
    // Git-ignored output (ESLint does not read .gitignore; node_modules/ is ignored by default).
    { ignores: ["dist/", "tmp/", ".pulumi/", "bin-cache/", "incident-evidence/"] },
    js.configs.recommended,
    tseslint.configs.recommended,
    {
        plugins: { local: { rules: { "max-line": maxLine } } },
        rules: {
            "local/max-line": "error",
            // `const { dropped: _, ...rest } = o` is how a copy without a key is written.
            "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
        },
        linterOptions: { reportUnusedDisableDirectives: "error" },
    },
    {
        // The package's bins and build helpers: CommonJS run by Node as they are, so require() is their import.
        files: ["**/*.js", "bin/hardened-scan", "bin/hardened-deploy"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { __dirname: "readonly", process: "readonly", console: "readonly" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
