/** Where the local cluster keeps its state, and how cluster:down finds it again. */
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";

export function cacheDir(): string {
    return process.env.HC_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "hardened-cluster");
}

/** A file naming the state directory of the running local cluster. */
export function pointerFile(): string {
    return path.join(cacheDir(), "local-cluster.json");
}

export interface ClusterInfo {
    stateDir: string;
    kubeconfig: string;
    server: string;
    etcdEndpoint: string;
    etcdCertDir: string;
    toolsBin: string;
    auditLog: string;
    namespace: string;
    workloadServiceAccount: string;
}

export function saveInfo(info: ClusterInfo): void {
    mkdirSync(path.dirname(pointerFile()), { recursive: true });
    writeFileSync(pointerFile(), JSON.stringify(info, null, 2));
    writeFileSync(path.join(info.stateDir, "cluster.json"), JSON.stringify(info, null, 2));
}

export function loadInfo(): ClusterInfo | undefined {
    return existsSync(pointerFile()) ? JSON.parse(readFileSync(pointerFile(), "utf8")) : undefined;
}

export function clearPointer(stateDir: string): void {
    const info = loadInfo();
    if (info && info.stateDir === stateDir) {
        rmSync(pointerFile(), { force: true });
    }
}
