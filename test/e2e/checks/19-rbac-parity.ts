/**
 * RBAC parity: the rule core's RBAC verdicts against the real kube-apiserver's authorizer.
 *
 * Every Role and ClusterRole of the RBAC fixtures of the rule tests (rules/<area>/cases.ts and
 * rules/rbac/authorizer-cases.ts, compliant and failing sides) is created on the local control plane, bound to a
 * fresh user of its own, and for every role control the API server answers the control's
 * question with SubjectAccessReviews (e.g. RBAC-02 "can read any Secret" ⟺ get, list or watch on
 * secrets, without a name, allowed). The rule fires exactly when the answer is yes: 100% agreement
 * or the check fails. Aggregated ClusterRoles are judged once the aggregation controller (in
 * kube-controller-manager) has filled their rules.
 */
import { RULES } from "../../../rules";
import { evaluate, resolveRules } from "../../../rules/evaluate";
import { aggregateClusterRoles, ResourceRequest } from "../../../rules/rbac/authorize";
import { BINDING_CHAIN } from "../../../rules/rbac/bindings";
import { atClusterScope, QuestionOf, QUESTIONS } from "../../../rules/rbac/roles";
import { CASES, Json, RBAC_CASES } from "../../../rules/cases";
import { Check, Kubectl } from "../harness";

const RBAC = "rbac.authorization.k8s.io";
const LABEL = "hardened-cluster/rbac-parity";
/**
 * Controls judged on a role (by its rules) and the question each asks; RBAC-16 is judged through a binding to the role.
 */
const CONTROLS: Record<string, QuestionOf> = { ...QUESTIONS, "RBAC-16": () => BINDING_CHAIN };
const ONLY_CLUSTER_ROLES = new Set(["RBAC-18"]);

interface Fixture {
    label: string;
    roles: Json[];
}

/** Every distinct set of roles among the RBAC fixtures, renamed so that fixtures cannot see each other. */
function fixtures(namespace: string): Fixture[] {
    const seen = new Set<string>();
    const out: Fixture[] = [];
    for (const c of [...CASES, ...RBAC_CASES].filter(x => x.id.startsWith("RBAC-"))) {
        for (const [side, objs] of [
            ["good", c.good()],
            ["bad", c.bad()],
        ] as const) {
            const roles = objs.filter((o: Json) => o.kind === "Role" || o.kind === "ClusterRole");
            if (roles.length === 0) continue;
            const key = JSON.stringify(roles);
            if (seen.has(key)) continue;
            seen.add(key);
            const tag = `p${out.length}`;
            out.push({
                label: `${c.id} ${c.what} (${side})`,
                roles: roles.map((r: Json) => {
                    const o = structuredClone(r);
                    o.metadata = {
                        ...o.metadata,
                        name: `${tag}-${o.metadata.name}`,
                        labels: { ...(o.metadata.labels ?? {}), [LABEL]: tag },
                    };
                    if (o.kind === "Role") o.metadata.namespace = namespace;
                    // Aggregation stays inside the fixture: every selector also requires the fixture's label.
                    for (const sel of o.aggregationRule?.clusterRoleSelectors ?? [])
                        sel.matchLabels = { ...(sel.matchLabels ?? {}), [LABEL]: tag };
                    return o;
                }),
            });
        }
    }
    return out;
}

const userOf = (role: Json) => `rbac-parity:${role.metadata.name}`;

function bindingOf(role: Json): Json {
    const meta = {
        name: `${role.metadata.name}-binding`,
        labels: { [LABEL]: role.metadata.labels[LABEL] },
        ...(role.kind === "Role" ? { namespace: role.metadata.namespace } : {}),
    };
    return {
        apiVersion: `${RBAC}/v1`,
        kind: role.kind === "Role" ? "RoleBinding" : "ClusterRoleBinding",
        metadata: meta,
        roleRef: { apiGroup: RBAC, kind: role.kind, name: role.metadata.name },
        subjects: [{ apiGroup: RBAC, kind: "User", name: userOf(role) }],
    };
}

function sar(role: Json, r: ResourceRequest): Json {
    return {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: {
            user: userOf(role),
            resourceAttributes: {
                verb: r.verb,
                group: r.apiGroup,
                resource: r.resource,
                ...(r.subresource ? { subresource: r.subresource } : {}),
                ...(r.name ? { name: r.name } : {}),
                // As the API server builds it: a request authorized at the cluster scope carries no namespace (a
                // SubjectAccessReview given one would answer a request that cannot be made).
                ...(role.kind === "Role" && !atClusterScope(r) ? { namespace: role.metadata.namespace } : {}),
            },
        },
    };
}

function run(k: Kubectl, args: string[], input?: string): string {
    const r = k(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.err || r.out}`);
    return r.out;
}

/** Wait (bounded) until every aggregated ClusterRole holds the rules the aggregation controller will give it. */
async function awaitAggregation(k: Kubectl, clusterRoles: Json[]): Promise<void> {
    const want = aggregateClusterRoles(clusterRoles);
    const pending = clusterRoles
        .filter(o => o.aggregationRule)
        .map(o => ({ name: o.metadata.name as string, rules: want.get(o.metadata.name)!.length }));
    const deadline = Date.now() + 120_000;
    for (const p of pending) {
        for (;;) {
            const got = JSON.parse(run(k, ["get", "clusterrole", p.name, "-o", "json"])).rules ?? [];
            if (got.length === p.rules) break;
            if (Date.now() > deadline)
                throw new Error(`ClusterRole ${p.name} holds ${got.length} aggregated rules, expected ${p.rules}`);
            await new Promise(r => setTimeout(r, 200));
        }
    }
}

const BATCH = 200;

/** The request a SubjectAccessReview asks about, as one string (to pair answers with questions). */
const reviewKey = (r: Json): string => {
    const a = r.spec?.resourceAttributes ?? {};
    return [r.spec?.user, a.verb, a.group, a.resource, a.subresource, a.name, a.namespace].map(v => v ?? "").join("|");
};

/**
 * The JSON documents of a stream of concatenated documents (what `kubectl create -o json` prints for several objects).
 */
export function jsonDocuments(text: string): Json[] {
    const docs: Json[] = [];
    let depth = 0;
    let start = -1;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (inString) {
            if (ch === "\\") i++;
            else if (ch === '"') inString = false;
        } else if (ch === '"') inString = true;
        else if (ch === "{" || ch === "[") {
            if (depth++ === 0) start = i;
        } else if (ch === "}" || ch === "]") {
            if (--depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)));
            if (depth < 0) throw new Error(`unbalanced JSON at offset ${i}`);
        } else if (depth === 0 && !/\s/.test(ch))
            throw new Error(`unexpected ${JSON.stringify(ch)} between JSON documents at offset ${i}`);
    }
    if (depth !== 0 || inString) throw new Error("truncated JSON document");
    const out: Json[] = [];
    for (const d of docs) out.push(...(d?.kind === "List" && Array.isArray(d.items) ? d.items : [d]));
    return out;
}

/** Runs the parity check; returns the printed table, throws when any verdict disagrees. */
export async function rbacParity(k: Kubectl, namespace: string): Promise<string> {
    const fx = fixtures(namespace);
    const roles = fx.flatMap(f => f.roles);
    const bindings = roles.map(bindingOf);
    // JSON, not YAML: kubectl reads YAML 1.1, where an unquoted `y` or `on` would be a boolean.
    const asList = (objs: Json[]) => JSON.stringify({ apiVersion: "v1", kind: "List", items: objs });
    try {
        run(k, ["apply", "-f", "-"], asList([...roles, ...bindings]));
        await awaitAggregation(
            k,
            roles.filter(o => o.kind === "ClusterRole"),
        );

        // Every question of every role, asked in one batch.
        const asked: Array<{ role: Json; control: string; group: number }> = [];
        const reviews: Json[] = [];
        const groups = new Map<string, number>();
        const aggregated = aggregateClusterRoles(roles.filter(o => o.kind === "ClusterRole"));
        for (const role of roles) {
            // The rules the API server holds for the role (aggregated ClusterRoles: what the controller wrote).
            const rules = role.aggregationRule ? aggregated.get(role.metadata.name) : role.rules;
            for (const [control, questionOf] of Object.entries(CONTROLS)) {
                if (ONLY_CLUSTER_ROLES.has(control) && role.kind !== "ClusterRole") continue;
                const q = questionOf(rules);
                groups.set(`${role.metadata.name}|${control}`, q.length);
                q.forEach((group, gi) =>
                    group.forEach(r => {
                        asked.push({ role, control, group: gi });
                        reviews.push(sar(role, r));
                    }),
                );
            }
        }
        // In batches: kubectl prints one JSON document per created object (not a List), and all
        // of them at once would overflow the output buffer of the kubectl helper (1 MiB).
        const items: Json[] = [];
        for (let i = 0; i < reviews.length; i += BATCH) {
            const batch = reviews.slice(i, i + BATCH);
            const answers = jsonDocuments(run(k, ["create", "-o", "json", "-f", "-"], asList(batch)));
            if (answers.length !== batch.length)
                throw new Error(`asked ${batch.length} SubjectAccessReviews, got ${answers.length} answers`);
            answers.forEach((a, j) => {
                if (reviewKey(a) !== reviewKey(batch[j]))
                    throw new Error(`answer ${i + j} is for ${reviewKey(a)}, asked ${reviewKey(batch[j])}`);
            });
            items.push(...answers);
        }

        // The API server's answer per (role, control): every group has an allowed request.
        const allowed = new Map<string, boolean[]>();
        asked.forEach((a, i) => {
            const key = `${a.role.metadata.name}|${a.control}`;
            const answers = allowed.get(key) ?? Array.from({ length: groups.get(key)! }, () => false);
            if (items[i].status?.allowed === true) answers[a.group] = true;
            allowed.set(key, answers);
        });

        const rows: string[] = [];
        const perControl = new Map<string, { n: number; yes: number; agree: number }>();
        const mismatches: string[] = [];
        for (const f of fx) {
            for (const role of f.roles) {
                for (const control of Object.keys(CONTROLS)) {
                    const key = `${role.metadata.name}|${control}`;
                    if (!allowed.has(key)) continue;
                    const server = allowed.get(key)!.every(Boolean);
                    const objs = control === "RBAC-16" ? [...f.roles, bindingOf(role)] : f.roles;
                    const findings = evaluate(resolveRules(RULES.filter(r => r.id === control)), objs).filter(
                        x =>
                            !x.unknown &&
                            !x.error &&
                            (control === "RBAC-16"
                                ? x.object.metadata?.name === bindingOf(role).metadata.name
                                : x.object === role),
                    );
                    const rule = findings.length > 0;
                    const s = perControl.get(control) ?? { n: 0, yes: 0, agree: 0 };
                    s.n++;
                    if (server) s.yes++;
                    if (rule === server) s.agree++;
                    perControl.set(control, s);
                    if (rule !== server)
                        mismatches.push(
                            `${control} on ${role.kind} ${role.metadata.name} [${f.label}]: rule ` +
                                `${rule ? "fires" : "passes"}, API server says ` +
                                `${server ? "allowed" : "denied"}`,
                        );
                }
            }
        }
        rows.push(
            "| control | roles judged | API server: allowed | rule agrees | parity |",
            "|---|---:|---:|---:|---:|",
        );
        let n = 0;
        let agree = 0;
        for (const [control, s] of [...perControl].sort()) {
            rows.push(`| ${control} | ${s.n} | ${s.yes} | ${s.agree} | ${((100 * s.agree) / s.n).toFixed(1)}% |`);
            n += s.n;
            agree += s.agree;
        }
        rows.push(
            `| all (${fx.length} fixtures, ${roles.length} roles, ${reviews.length} ` +
                `SubjectAccessReviews) | ${n} | | ${agree} | ${((100 * agree) / n).toFixed(1)}% |`,
        );
        const table = rows.join("\n");
        if (mismatches.length > 0) throw new Error(`RBAC parity below 100%:\n${table}\n${mismatches.join("\n")}`);
        if (perControl.size !== Object.keys(CONTROLS).length)
            throw new Error(
                `controls without a verdict: ${Object.keys(CONTROLS)
                    .filter(c => !perControl.has(c))
                    .join(", ")}`,
            );
        if ([...perControl.values()].some(s => s.yes === 0 || s.yes === s.n))
            throw new Error(`every control needs both an allowed and a denied fixture:\n${table}`);
        return table;
    } finally {
        k(["delete", "-f", "-", "--ignore-not-found", "--wait=false"], asList([...bindings, ...roles]));
    }
}

export const check: Check = {
    name:
        "19. RBAC parity: every role control's verdict on the RBAC fixtures equals the API server's " +
        "SubjectAccessReview answers (100%)",
    run: async ({ k, ns }) => {
        console.log(await rbacParity(k, ns));
    },
};
