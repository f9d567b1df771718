/**
 * Process bookkeeping for the local control plane: free loopback ports, detached processes whose
 * pids are recorded in the state directory, and a stop that verifies every pid is gone.
 */
import { ChildProcess, spawn } from "child_process";
import { existsSync, openSync, readFileSync, writeFileSync } from "fs";
import * as net from "net";
import * as path from "path";

export interface Started {
    name: string;
    pid: number;
    log: string;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

const pidsFile = (stateDir: string) => path.join(stateDir, "pids.json");

export function recordedPids(stateDir: string): Started[] {
    return existsSync(pidsFile(stateDir)) ? JSON.parse(readFileSync(pidsFile(stateDir), "utf8")) : [];
}

/**
 * Start a process in its own process group (so a signal reaches all its children), output to a
 * log file in the state directory, and record its pid before returning.
 */
export function startDetached(stateDir: string, name: string, bin: string, args: string[]): { child: ChildProcess; started: Started } {
    const log = path.join(stateDir, `${name}.log`);
    const fd = openSync(log, "a");
    const child = spawn(bin, args, { detached: true, stdio: ["ignore", fd, fd] });
    if (child.pid === undefined) {
        throw new Error(`could not start ${name} (${bin})`);
    }
    child.unref();
    const started = { name, pid: child.pid, log };
    const all = recordedPids(stateDir).filter(p => p.name !== name);
    all.push(started);
    writeFileSync(pidsFile(stateDir), JSON.stringify(all, null, 2));
    return { child, started };
}

export function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Stop one recorded process group: TERM, wait up to `graceMs`, then KILL. True when it is gone. */
export async function stopProcess(p: Started, graceMs = 10_000): Promise<boolean> {
    const signal = (sig: NodeJS.Signals) => {
        try {
            process.kill(-p.pid, sig); // the whole process group
        } catch {
            try {
                process.kill(p.pid, sig);
            } catch {
                /* already gone */
            }
        }
    };
    if (!alive(p.pid)) {
        return true;
    }
    signal("SIGTERM");
    const deadline = Date.now() + graceMs;
    while (alive(p.pid) && Date.now() < deadline) {
        await sleep(100);
    }
    if (alive(p.pid)) {
        signal("SIGKILL");
        await sleep(300);
    }
    return !alive(p.pid);
}

/** Stop every recorded process, newest first; returns the names of any that survived. */
export async function stopAll(stateDir: string): Promise<string[]> {
    const survivors: string[] = [];
    for (const p of recordedPids(stateDir).reverse()) {
        if (!(await stopProcess(p))) {
            survivors.push(`${p.name} (pid ${p.pid})`);
        }
    }
    return survivors;
}

export function removeRecord(stateDir: string, name: string): void {
    writeFileSync(pidsFile(stateDir), JSON.stringify(recordedPids(stateDir).filter(p => p.name !== name), null, 2));
}
