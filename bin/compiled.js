// Whether dist/ (written by `npm run build`, stamped by scripts/finish-build.js) may stand in for
// the TypeScript sources: true when the stamp is at least as new as every .ts/.json file under the
// given source directories. An installed package ships no sources: its dist/ is all there is.
const { existsSync, readdirSync, statSync } = require("fs");
const path = require("path");

function newestSource(dir) {
    let newest = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) newest = e.name === "node_modules" ? newest : Math.max(newest, newestSource(full));
        else if (/\.(ts|json)$/.test(e.name)) newest = Math.max(newest, statSync(full).mtimeMs);
    }
    return newest;
}

/** @param {string} root package root @param {string[]} sourceDirs directories relative to root */
function compiledIsFresh(root, sourceDirs) {
    const stamp = path.join(root, "dist", ".stamp");
    if (!existsSync(stamp)) return false;
    const dirs = sourceDirs.map(d => path.join(root, d)).filter(d => existsSync(d));
    if (dirs.length === 0) return true;
    return statSync(stamp).mtimeMs >= Math.max(...dirs.map(newestSource));
}

module.exports = { compiledIsFresh };
