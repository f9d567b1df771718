// After `tsc -p tsconfig.build.json`: makes dist/policy-packs/hardened-k8s a loadable policy pack
// (its PulumiPolicy.yaml and a package.json whose main is the compiled index.js) and stamps the
// build time (bin/hardened-scan runs the compiled scanner only when it is newer than the sources).
const { copyFileSync, readFileSync, writeFileSync } = require("fs");
const path = require("path");
const root = path.join(__dirname, "..");
const src = path.join(root, "policy-packs", "hardened-k8s");
const out = path.join(root, "dist", "policy-packs", "hardened-k8s");
copyFileSync(path.join(src, "PulumiPolicy.yaml"), path.join(out, "PulumiPolicy.yaml"));
const pkg = JSON.parse(readFileSync(path.join(src, "package.json"), "utf8"));
writeFileSync(
    path.join(out, "package.json"),
    JSON.stringify({ ...pkg, main: "index.js", devDependencies: undefined }, null, 2) + "\n",
);
writeFileSync(path.join(root, "dist", ".stamp"), "");
