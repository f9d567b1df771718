/** Where the local cluster keeps its state, and how cluster:down finds it again (and checks it). */
import { randomBytes } from "crypto";
import {
    existsSync,
    lstatSync,
    mkdirSync,
    mkdtempSync,
    readFileSync,
    realpathSync,
    renameSync,
    rmSync,
    writeFileSync,
} from "fs";
import * as os from "os";
import * as path from "path";

export function cacheDir(): string {
    return (
        process.env.HC_CACHE_DIR ??
        path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "hardened-cluster")
    );
}

/** A file naming the state directory of the running local cluster (`HC_CLUSTER_POINTER` overrides where). */
export function pointerFile(): string {
    return process.env.HC_CLUSTER_POINTER ?? path.join(cacheDir(), "local-cluster.json");
}

export interface ClusterInfo {
    stateDir: string;
    /** Random token also written in the state directory's marker file: down only acts on a directory holding it. */
    token: string;
    kubeconfig: string;
    server: string;
    etcdEndpoint: string;
    etcdCertDir: string;
    toolsBin: string;
    auditLog: string;
    namespace: string;
    workloadServiceAccount: string;
    /** With `--node`: the node's name and an image reference its pods can run (busybox applets). */
    node?: string;
    testImage?: string;
}

const STATE_PREFIX = "hc-cluster-";
const MARKER = ".hc-cluster-state";

/** A fresh private state directory under the system temp dir, marked with a random token. */
export function newStateDir(): { stateDir: string; token: string } {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), STATE_PREFIX));
    const token = randomBytes(16).toString("hex");
    writeFileSync(path.join(stateDir, MARKER), token, { mode: 0o600 });
    return { stateDir, token };
}

/**
 * Why `dir` is not a state directory this tool made with `token` (undefined when it is): a real
 * directory (no symlink) directly in the temp dir, named `hc-cluster-*`, owned by this user, whose
 * marker holds the token. cluster:down removes nothing and signals nothing otherwise.
 */
export function notOurStateDir(dir: string, token: string | undefined): string | undefined {
    if (typeof dir !== "string" || !path.isAbsolute(dir)) return `'${dir}' is not an absolute path`;
    let st;
    try {
        st = lstatSync(dir);
    } catch {
        return `'${dir}' does not exist`;
    }
    if (!st.isDirectory()) return `'${dir}' is not a directory (or is a symlink)`;
    if (path.dirname(realpathSync(dir)) !== realpathSync(os.tmpdir()) || !path.basename(dir).startsWith(STATE_PREFIX))
        return `'${dir}' is not a ${STATE_PREFIX}* directory in ${os.tmpdir()}`;
    if (typeof process.getuid === "function" && st.uid !== process.getuid())
        return `'${dir}' is owned by uid ${st.uid}, not by this user`;
    const marker = path.join(dir, MARKER);
    if (!existsSync(marker) || !token || readFileSync(marker, "utf8") !== token)
        return `'${dir}' has no marker matching the recorded token`;
    return undefined;
}

/** Write a file atomically (a reader never sees half of it). */
export function writeAtomic(file: string, content: string, mode = 0o600): void {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, content, { mode });
    renameSync(tmp, file);
}

export function saveInfo(info: ClusterInfo): void {
    mkdirSync(path.dirname(pointerFile()), { recursive: true });
    writeAtomic(pointerFile(), JSON.stringify(info, null, 2));
    writeAtomic(path.join(info.stateDir, "cluster.json"), JSON.stringify(info, null, 2));
}

export function loadInfo(): ClusterInfo | undefined {
    if (!existsSync(pointerFile())) return undefined;
    try {
        return JSON.parse(readFileSync(pointerFile(), "utf8"));
    } catch (e) {
        throw new Error(
            `the cluster pointer ${pointerFile()} is not valid JSON (${(e as Error).message}); ` +
                `remove it after checking no local cluster runs`,
            { cause: e },
        );
    }
}

export function clearPointer(stateDir: string): void {
    let info: ClusterInfo | undefined;
    try {
        info = loadInfo();
    } catch {
        return;
    }
    if (info && info.stateDir === stateDir) {
        rmSync(pointerFile(), { force: true });
    }
}
