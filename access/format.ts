/**
 * Outputs of the access review: a text table, JSON (schema `hardened-cluster.access/v1`, see
 * docs/access.md; fields are only ever added) and a Markdown report.
 */
import { isNonResourceRequest, PolicyRule, Request } from "../rules/rbac/authorize";
import { describeRequest } from "./request";
import { AccessReview, AccessSubject, Chain, Grantee, PRIVILEGED_CHAIN_NOTE, RuleGrant, subjectLabel } from "./review";
import { POWERS, RiskyEntry } from "./risky";

const SCHEMA = "hardened-cluster.access/v1";
export type Format = "text" | "json" | "markdown";

const subjectJson = (s: AccessSubject) => ({
    kind: s.kind,
    name: s.name,
    ...(s.namespace ? { namespace: s.namespace } : {}),
});
const chainJson = (c: Chain) => ({
    binding: c.binding,
    role: c.role,
    subject: subjectJson(c.via),
    ruleIndex: c.ruleIndex,
    rule: c.rule,
    ...(c.default ? { default: true } : {}),
});
const requestJson = (r: Request) =>
    isNonResourceRequest(r)
        ? { verb: r.verb, nonResourceURL: r.path }
        : {
              verb: r.verb,
              apiGroup: r.apiGroup,
              resource: r.resource,
              subresource: r.subresource ?? "",
              name: r.name ?? "",
              namespace: r.namespace ?? "",
          };

const ref = (x: { kind: string; name: string; namespace?: string }) =>
    `${x.kind} ${x.namespace ? `${x.namespace}/` : ""}${x.name}`;
/** `ClusterRoleBinding x → ClusterRole y (via Group g)` */
const chainText = (c: Chain) =>
    `${ref(c.binding)} → ${ref(c.role)} rules[${c.ruleIndex}] (via ` +
    `${subjectLabel(c.via)})${c.default ? " [default]" : ""}`;
const ruleText = (r: PolicyRule) => {
    if (r.nonResourceURLs?.length) return `${(r.verbs ?? []).join(",")} ${r.nonResourceURLs.join(",")}`;
    const res = (r.resources ?? []).flatMap(x => (r.apiGroups ?? []).map(g => (g ? `${x}.${g}` : x)));
    return (
        `${(r.verbs ?? []).join(",")} ${res.join(",")}` +
        `${r.resourceNames?.length ? ` names=${r.resourceNames.join(",")}` : ""}`
    );
};
const md = (s: string) => s.replace(/[|\\`*_[\]<>]/g, c => `\\${c}`);

function table(rows: string[][]): string {
    const w = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
    return (
        rows
            .map(r =>
                r
                    .map((c, i) => c.padEnd(w[i]))
                    .join("  ")
                    .trimEnd(),
            )
            .join("\n") + "\n"
    );
}

export function formatWhoCan(req: Request, grantees: Grantee[], format: Format): string {
    if (format === "json") {
        return (
            JSON.stringify(
                {
                    schema: SCHEMA,
                    kind: "WhoCan",
                    request: requestJson(req),
                    subjects: grantees.map(g => ({
                        ...subjectJson(g.subject),
                        ...(g.privileged ? { privileged: true } : {}),
                        grantedBy: g.chains.map(chainJson),
                    })),
                },
                null,
                2,
            ) + "\n"
        );
    }
    const title = `Who can ${describeRequest(req)}: ${grantees.length} subject${grantees.length === 1 ? "" : "s"}`;
    const lines = grantees.flatMap(g => [
        ...(g.privileged ? [[subjectLabel(g.subject), PRIVILEGED_CHAIN_NOTE]] : []),
        ...g.chains.map(c => [subjectLabel(g.subject), chainText(c)]),
    ]);
    if (format === "markdown") {
        return [
            `### ${md(title)}`,
            "",
            "| subject | granted by |",
            "|---|---|",
            ...lines.map(([s, c]) => `| ${md(s)} | ${md(c)} |`),
            "",
        ].join("\n");
    }
    return `${title}\n` + (lines.length ? table([["SUBJECT", "GRANTED BY"], ...lines]) : "");
}

export function formatCan(subject: AccessSubject, result: ReturnType<AccessReview["can"]>, format: Format): string {
    const group = (gs: RuleGrant[]) => gs.map(g => ({ rule: g.rule, grantedBy: chainJson(g.chain) }));
    if (format === "json") {
        return (
            JSON.stringify(
                {
                    schema: SCHEMA,
                    kind: "Can",
                    subject: subjectJson(subject),
                    identity: { user: result.identity.name, groups: result.identity.groups },
                    ...(result.privileged ? { privileged: true } : {}),
                    clusterWide: group(result.clusterWide),
                    namespaces: Object.fromEntries(
                        Object.entries(result.namespaces).map(([ns, gs]) => [ns, group(gs)]),
                    ),
                },
                null,
                2,
            ) + "\n"
        );
    }
    const rows: string[][] = [];
    if (result.privileged) rows.push(["*", "everything", PRIVILEGED_CHAIN_NOTE]);
    for (const g of result.clusterWide) rows.push(["* (cluster-wide)", ruleText(g.rule), chainText(g.chain)]);
    for (const [ns, gs] of Object.entries(result.namespaces))
        for (const g of gs) rows.push([ns, ruleText(g.rule), chainText(g.chain)]);
    const title =
        `What ${subjectLabel(subject)} can do (` +
        `${result.identity.name ? `as user "${result.identity.name}" in groups` : "as a member of groups"}` +
        ` ${result.identity.groups.join(", ")}): ${rows.length} rule${rows.length === 1 ? "" : "s"}`;
    if (format === "markdown") {
        return [
            `### ${md(title)}`,
            "",
            "| namespace | rule | granted by |",
            "|---|---|---|",
            ...rows.map(r => `| ${r.map(md).join(" | ")} |`),
            "",
        ].join("\n");
    }
    return `${title}\n` + (rows.length ? table([["NAMESPACE", "RULE", "GRANTED BY"], ...rows]) : "");
}

export function formatRisky(entries: RiskyEntry[], format: Format, includeDefaults: boolean): string {
    if (format === "json") {
        return (
            JSON.stringify(
                {
                    schema: SCHEMA,
                    kind: "Risky",
                    includeDefaults,
                    powers: POWERS.map(p => ({ id: p.id, title: p.title, controlId: p.controlId })),
                    findings: entries.map(e => ({
                        subject: subjectJson(e.subject),
                        power: e.power,
                        controlId: e.controlId,
                        scope: e.scope,
                        ...(e.privileged ? { privileged: true } : {}),
                        grantedBy: e.chains.map(chainJson),
                    })),
                },
                null,
                2,
            ) + "\n"
        );
    }
    const n = new Set(entries.map(e => subjectLabel(e.subject))).size;
    const title =
        `Risky powers: ${n} subject${n === 1 ? "" : "s"}, ${entries.length} ` +
        `grant${entries.length === 1 ? "" : "s"}` +
        `${includeDefaults ? "" : " (the API server's default bindings left out; --include-defaults shows them)"}`;
    if (format === "markdown") return riskyMarkdown(entries, title);
    const rows = entries.flatMap(e =>
        (e.chains.length ? e.chains.map(chainText) : [PRIVILEGED_CHAIN_NOTE]).map(c => [
            subjectLabel(e.subject),
            e.power,
            e.controlId,
            e.scope,
            c,
        ]),
    );
    return (
        `${title}\n` + (rows.length ? table([["SUBJECT", "POWER", "CONTROL", "NAMESPACE", "GRANTED BY"], ...rows]) : "")
    );
}

/** Per namespace (`*` = cluster-wide), a subjects × powers matrix; then the chains. */
function riskyMarkdown(entries: RiskyEntry[], title: string): string {
    const out = [
        `## ${md(title)}`,
        "",
        "Powers: " + POWERS.map(p => `**${p.id}** (${p.controlId}): ${p.title}`).join("; ") + ".",
        "",
    ];
    const scopes = [...new Set(entries.map(e => e.scope))].sort((a, b) =>
        a === "*" ? -1 : b === "*" ? 1 : a.localeCompare(b),
    );
    const used = POWERS.filter(p => entries.some(e => e.power === p.id));
    for (const scope of scopes) {
        const here = entries.filter(e => e.scope === scope);
        out.push(`### ${scope === "*" ? "Cluster-wide (every namespace)" : `Namespace ${md(scope)}`}`, "");
        out.push(`| subject | ${used.map(p => p.id).join(" | ")} |`, `|---|${used.map(() => ":---:").join("|")}|`);
        for (const s of [...new Set(here.map(e => subjectLabel(e.subject)))]) {
            const held = (power: string) => here.some(e => subjectLabel(e.subject) === s && e.power === power);
            out.push(`| ${md(s)} | ${used.map(p => (held(p.id) ? "✔" : "")).join(" | ")} |`);
        }
        out.push("");
    }
    if (entries.length) {
        out.push("### Binding chains", "", "| subject | power | namespace | granted by |", "|---|---|---|---|");
        for (const e of entries)
            for (const c of e.chains.length ? e.chains.map(chainText) : [PRIVILEGED_CHAIN_NOTE])
                out.push(`| ${md(subjectLabel(e.subject))} | ${e.power} | ${md(e.scope)} | ${md(c)} |`);
        out.push("");
    }
    return out.join("\n");
}
