/**
 * Live mode: read the RBAC objects, Namespaces and ServiceAccounts of a cluster through a
 * kubeconfig. Read-only: only `list` requests (paginated) on
 *   rbac.authorization.k8s.io/v1 roles, rolebindings, clusterroles, clusterrolebindings;
 *   v1 namespaces, serviceaccounts.
 * The kubeconfig's current context (or `context`) picks the cluster and the credentials: client
 * certificates, a bearer token or a token file, with the cluster's CA (files or inline data).
 * Exec plugins and auth providers are not supported (a clear error says so).
 */
import { readFileSync } from "fs";
import * as https from "https";
import * as path from "path";
import { parse } from "yaml";
import { K8sObject } from "../rules/types";

export class KubeconfigError extends Error {}

export interface Connection {
    server: string;
    agent: https.Agent;
    headers: Record<string, string>;
}

/** The endpoints read, in this order (what the reader role must allow to `list`). */
export const LIVE_LISTS: ReadonlyArray<{ path: string; apiVersion: string; kind: string }> = [
    { path: "/api/v1/namespaces", apiVersion: "v1", kind: "Namespace" },
    { path: "/api/v1/serviceaccounts", apiVersion: "v1", kind: "ServiceAccount" },
    {
        path: "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
    },
    {
        path: "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
    },
    { path: "/apis/rbac.authorization.k8s.io/v1/roles", apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
    {
        path: "/apis/rbac.authorization.k8s.io/v1/rolebindings",
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
    },
];

/** The fields of a kubeconfig (clientcmd v1) the review reads; a file is taken as it parses. */
interface KubeconfigCluster {
    server?: string;
    "certificate-authority-data"?: string;
    "certificate-authority"?: string;
    "insecure-skip-tls-verify"?: boolean;
    "tls-server-name"?: string;
}
interface KubeconfigUser {
    token?: string;
    tokenFile?: string;
    "client-certificate-data"?: string;
    "client-certificate"?: string;
    "client-key-data"?: string;
    "client-key"?: string;
    exec?: unknown;
    "auth-provider"?: unknown;
}
type Named<K extends string, T> = { name?: unknown } & { [key in K]?: T };
interface Kubeconfig {
    "current-context"?: string;
    contexts?: Named<"context", { cluster?: string; user?: string }>[];
    clusters?: Named<"cluster", KubeconfigCluster>[];
    users?: Named<"user", KubeconfigUser>[];
}

export function connect(kubeconfigFile: string, context?: string): Connection {
    let doc: Kubeconfig | null | undefined;
    try {
        doc = parse(readFileSync(kubeconfigFile, "utf8"));
    } catch (e) {
        throw new KubeconfigError(`${kubeconfigFile}: ${(e as Error).message}`);
    }
    const base = path.dirname(path.resolve(kubeconfigFile));
    const file = (p: string) => readFileSync(path.isAbsolute(p) ? p : path.join(base, p));
    const ctxName = context ?? doc?.["current-context"];
    const named = <L extends "contexts" | "clusters" | "users">(list: L, name: string | undefined) => {
        const entries: Kubeconfig[L] = doc?.[list];
        const e = (Array.isArray(entries) ? entries : []).find(x => x?.name === name) as
            NonNullable<Kubeconfig[L]>[number] | undefined;
        if (!e) throw new KubeconfigError(`${kubeconfigFile}: no ${list.replace(/s$/, "")} named '${name}'`);
        return e;
    };
    if (!ctxName) throw new KubeconfigError(`${kubeconfigFile}: no current-context (pass --context)`);
    const ctx = named("contexts", ctxName).context ?? {};
    const cluster = named("clusters", ctx.cluster).cluster ?? {};
    const user = ctx.user ? (named("users", ctx.user).user ?? {}) : {};
    if (typeof cluster.server !== "string" || !cluster.server.startsWith("https://"))
        throw new KubeconfigError(`${kubeconfigFile}: cluster '${ctx.cluster}' needs an https:// server`);
    if (user.exec || user["auth-provider"])
        throw new KubeconfigError(
            `${kubeconfigFile}: user '${ctx.user}' uses an exec plugin or auth provider, which the ` +
                `access review does not run; use a token or client certificate`,
        );
    const b64 = (s: string) => Buffer.from(s, "base64");
    const opts: https.AgentOptions = { keepAlive: true, maxSockets: 8 };
    if (cluster["certificate-authority-data"]) opts.ca = b64(cluster["certificate-authority-data"]);
    else if (cluster["certificate-authority"]) opts.ca = file(cluster["certificate-authority"]);
    if (cluster["insecure-skip-tls-verify"] === true) opts.rejectUnauthorized = false;
    if (cluster["tls-server-name"]) opts.servername = cluster["tls-server-name"];
    if (user["client-certificate-data"]) opts.cert = b64(user["client-certificate-data"]);
    else if (user["client-certificate"]) opts.cert = file(user["client-certificate"]);
    if (user["client-key-data"]) opts.key = b64(user["client-key-data"]);
    else if (user["client-key"]) opts.key = file(user["client-key"]);
    const headers: Record<string, string> = { accept: "application/json" };
    const token = user.token ?? (user.tokenFile ? file(user.tokenFile).toString("utf8").trim() : undefined);
    if (token) headers.authorization = `Bearer ${token}`;
    return { server: cluster.server.replace(/\/$/, ""), agent: new https.Agent(opts), headers };
}

/** A response body: the API server's JSON, read by each caller as the endpoint defines it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON whose shape each caller knows
type ApiJson = any;

/** One HTTPS request; resolves with status and parsed JSON body. */
export function request(
    c: Connection,
    method: string,
    urlPath: string,
    body?: unknown,
): Promise<{ status: number; body: ApiJson }> {
    return new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const req = https.request(
            `${c.server}${urlPath}`,
            {
                method,
                agent: c.agent,
                timeout: 30_000,
                headers: {
                    ...c.headers,
                    ...(data ? { "content-type": "application/json", "content-length": String(data.length) } : {}),
                },
            },
            res => {
                const chunks: Buffer[] = [];
                res.on("data", d => chunks.push(d));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    try {
                        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
                    } catch {
                        resolve({ status: res.statusCode ?? 0, body: text });
                    }
                });
            },
        );
        req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
        req.on("error", reject);
        if (data) req.write(data);
        req.end();
    });
}

/** Every object of one list endpoint, 500 per page; apiVersion and kind filled in (lists leave them out). */
export async function listAll(
    c: Connection,
    list: { path: string; apiVersion: string; kind: string },
): Promise<K8sObject[]> {
    const out: K8sObject[] = [];
    let cont = "";
    do {
        const r = await request(
            c,
            "GET",
            `${list.path}${list.path.includes("?") ? "&" : "?"}limit=500` +
                `${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`,
        );
        if (r.status !== 200)
            throw new Error(
                `list ${list.path}: HTTP ${r.status}: ${typeof r.body === "object" ? r.body?.message : r.body}`,
            );
        for (const item of r.body.items ?? []) out.push({ ...item, apiVersion: list.apiVersion, kind: list.kind });
        cont = r.body.metadata?.continue ?? "";
    } while (cont);
    return out;
}

/** The cluster's objects the review reads (see LIVE_LISTS). */
export async function readCluster(c: Connection): Promise<K8sObject[]> {
    const lists = await Promise.all(LIVE_LISTS.map(l => listAll(c, l)));
    return lists.flat();
}
