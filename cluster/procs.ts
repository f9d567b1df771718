/**
 * Process bookkeeping for the local cluster: free loopback ports, detached processes recorded in
 * the state directory with their command line and start time, and a stop that signals a recorded
 * pid only after checking it is still the process that was started (same start time, same command
 * line, which names the state directory), then verifies it is gone.
 */
import { ChildProcess, spawn, SpawnOptions } from "child_process";
import { existsSync, openSync, readFileSync } from "fs";
import * as net from "net";
import * as path from "path";
import { writeAtomic } from "./state";

export interface Started {
    name: string;
    pid: number;
    log: string;
    /** The command line as started: the binary, then the arguments. */
    argv: string[];
    /** Field 22 of /proc/<pid>/stat (clock ticks after boot): tells a reused pid apart. */
    startTime: string;
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

/** The start time of `pid` from /proc (undefined when there is no such process). */
export function startTimeOf(pid: number): string | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    } catch {
        return undefined;
    }
}

/** The command line of `pid` from /proc (undefined when there is no such process). */
export function cmdlineOf(pid: number): string[] | undefined {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
    } catch {
        return undefined;
    }
}

/**
 * Start a process in its own process group (so a signal reaches all its children), output to a
 * log file in the state directory, and record its pid, command line and start time before
 * returning. The command line must name the state directory (that is how down recognises it).
 */
export function startDetached(
    stateDir: string,
    name: string,
    bin: string,
    args: string[],
    opts: SpawnOptions = {},
): { child: ChildProcess; started: Started } {
    if (![bin, ...args].some(a => a.includes(stateDir)))
        throw new Error(`${name}: its command line must name the state directory ${stateDir}`);
    const log = path.join(stateDir, `${name}.log`);
    const fd = openSync(log, "a");
    const child = spawn(bin, args, { ...opts, detached: true, stdio: ["ignore", fd, fd] });
    if (child.pid === undefined) {
        throw new Error(`could not start ${name} (${bin})`);
    }
    child.unref();
    const started: Started = {
        name,
        pid: child.pid,
        log,
        argv: [bin, ...args],
        startTime: startTimeOf(child.pid) ?? "",
    };
    const all = recordedPids(stateDir).filter(p => p.name !== name);
    all.push(started);
    writeAtomic(pidsFile(stateDir), JSON.stringify(all, null, 2));
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

/**
 * Why the live process `p.pid` is not the one recorded (undefined when it is): its start time
 * differs (the pid was reused), or its command line is not the recorded one, or that command line
 * does not name the state directory.
 */
export function notOurs(p: Started, stateDir: string): string | undefined {
    if (!Number.isInteger(p.pid) || p.pid <= 1)
        return `recorded pid ${String(p.pid)} is not a process this tool starts`;
    const start = startTimeOf(p.pid);
    if (start === undefined) return undefined; // gone: nothing to signal
    if (!p.startTime || start !== p.startTime)
        return (
            `pid ${p.pid} started at tick ${start}, not at the recorded ${p.startTime || "(none)"}: ` +
            `another process holds the pid`
        );
    const cmd = cmdlineOf(p.pid);
    if (!cmd || !Array.isArray(p.argv) || JSON.stringify(cmd) !== JSON.stringify(p.argv))
        return `pid ${p.pid} runs '${(cmd ?? []).join(" ").slice(0, 200)}', not the recorded command line`;
    if (!cmd.some(a => a.includes(stateDir)))
        return `pid ${p.pid}'s command line does not name the state directory ${stateDir}`;
    return undefined;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** True while the recorded process still runs (same pid and start time). */
const running = (p: Started) => startTimeOf(p.pid) !== undefined && startTimeOf(p.pid) === p.startTime;

/**
 * Stop one recorded process group: TERM, wait up to `graceMs`, then KILL. True when it is gone.
 * A pid that is not the recorded process (see `notOurs`) is never signalled: that is an error.
 */
export async function stopProcess(p: Started, stateDir: string, graceMs = 10_000): Promise<boolean> {
    const why = notOurs(p, stateDir);
    if (why) throw new Error(`${p.name}: not signalled: ${why}`);
    if (!running(p)) return true;
    const signal = (sig: NodeJS.Signals) => {
        try {
            process.kill(-p.pid, sig); // the whole process group (the leader was checked above)
        } catch {
            try {
                process.kill(p.pid, sig);
            } catch {
                /* already gone */
            }
        }
    };
    signal("SIGTERM");
    const deadline = Date.now() + graceMs;
    while (running(p) && Date.now() < deadline) {
        await sleep(100);
    }
    if (running(p)) {
        signal("SIGKILL");
        for (let i = 0; i < 30 && running(p); i++) await sleep(100);
    }
    return !running(p);
}

/** Stop every recorded process, newest first; returns a line for each one left running or refused. */
export async function stopAll(stateDir: string): Promise<string[]> {
    const problems: string[] = [];
    for (const p of recordedPids(stateDir).reverse()) {
        try {
            if (!(await stopProcess(p, stateDir))) problems.push(`${p.name} (pid ${p.pid}) still running`);
        } catch (e) {
            problems.push((e as Error).message);
        }
    }
    return problems;
}
