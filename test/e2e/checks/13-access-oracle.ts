/**
 * e2e check: the access review answers exactly as the API server's authorizer.
 *
 * On the local control plane, with the local stack's RBAC plus a generated set of
 * Roles/ClusterRoles/bindings (scripts/rbac-generate.ts) applied, every (subject, question) of a
 * generated set of at least 5,000 is asked three ways: the offline review (the manifests as
 * written plus the default RBAC snapshot, aggregation recomputed), the live review (read from the
 * cluster with the admin kubeconfig) and the API server itself (a SubjectAccessReview per
 * question, sent through the API, concurrently over keep-alive connections, no impersonation).
 * Every answer must agree; the table of agreements is printed.
 */
import { writeFileSync } from "fs";
import * as path from "path";
import { openReview } from "../../../access/cli";
import { connect, request } from "../../../access/live";
import { describeRequest } from "../../../access/request";
import { AccessSubject, canAllows, identity, subjectKey, subjectLabel } from "../../../access/review";
import { isNonResourceRequest, Request } from "../../../rules/rbac/authorize";
import { generate, questions } from "../../../scripts/rbac-generate";
import { assert, Check } from "../harness";

const MIN_QUESTIONS = 5000;
const CONCURRENCY = 16;

const category = (q: Request) =>
    isNonResourceRequest(q)
        ? "non-resource URL"
        : `${q.subresource ? "subresource" : "resource"}${q.name ? ", named" : ""}` +
          `${q.namespace ? ", namespaced" : ", cluster-wide"}`;

export const check: Check = {
    name:
        "13. access review: who-can/can answers equal SubjectAccessReview for >= 5,000 questions; " +
        "offline (manifests) and live (kubeconfig) agree",
    run: async ({ c, k: kubectl }) => {
        const gen = generate({ seed: 16, prefix: "oracle", clusterRoleBindings: 16, roleBindingsPerNamespace: 8 });
        const genFile = path.join(c.stateDir, "access-oracle.yaml");
        // JSON documents: YAML 1.1 readers (kubectl) would take label values like `y` for booleans.
        writeFileSync(genFile, gen.objects.map(o => JSON.stringify(o)).join("\n---\n"));
        const applied = kubectl([
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=access-oracle",
            "-f",
            genFile,
        ]);
        assert(applied.code === 0, `applying the generated RBAC failed: ${applied.err}`);

        const silent = { stdout: () => undefined, stderr: (s: string) => process.stdout.write(`      ${s}`) };
        const offline = (
            await openReview(
                [path.join(c.stateDir, "local-stack.yaml"), genFile],
                { format: "json", defaults: true },
                silent,
            )
        ).review;
        // Wait for the aggregation controller: the live aggregated ClusterRoles must hold the
        // rules the offline review computed (up to 60 s); a difference left is caught below.
        const conn = connect(c.kubeconfig);
        const aggregated = gen.objects
            .filter(o => o.kind === "ClusterRole" && o.aggregationRule)
            .map(o => o.metadata!.name!);
        const ruleSet = (rules: unknown[]) =>
            JSON.stringify(rules.map(r => JSON.stringify(r, Object.keys(r as object).sort())).sort());
        for (let t = 0; t < 120; t++) {
            const live = await Promise.all(
                aggregated.map(n => request(conn, "GET", `/apis/rbac.authorization.k8s.io/v1/clusterroles/${n}`)),
            );
            if (
                live.every(
                    (r, i) =>
                        ruleSet(r.body?.rules ?? []) ===
                        ruleSet(offline.snapshot.clusterRoleRules.get(aggregated[i]) ?? []),
                )
            )
                break;
            await new Promise(r => setTimeout(r, 500));
        }
        const live = (await openReview([], { format: "json", defaults: true, kubeconfig: c.kubeconfig }, silent))
            .review;

        // Subjects: every subject the offline review knows (generated, the stack's, the defaults').
        const subjects: AccessSubject[] = offline.subjects;
        const perSubject = Math.ceil((MIN_QUESTIONS * 1.1) / subjects.length);
        const qs = questions(
            [...gen.namespaces, ...offline.namespaces.filter(n => !n.startsWith("oracle-")).slice(0, 3)],
            Math.max(perSubject, 60),
        );
        const total = subjects.length * qs.length;
        assert(total >= MIN_QUESTIONS, `only ${total} questions`);

        // The review's answers: who-can per question (offline and live), and can per subject (offline).
        const whoOffline = qs.map(q => new Set(offline.whoCan(q, subjects).map(g => subjectKey(g.subject))));
        const whoLive = qs.map(q => new Set(live.whoCan(q, subjects).map(g => subjectKey(g.subject))));
        const canOffline = new Map(subjects.map(s => [subjectKey(s), offline.can(s)]));

        // The authorizer's answers.
        const t0 = Date.now();
        const sar: boolean[] = new Array(total);
        let next = 0;
        const worker = async () => {
            for (let i = next++; i < total; i = next++) {
                const s = subjects[Math.floor(i / qs.length)];
                const q = qs[i % qs.length];
                const who = identity(s);
                const spec: Record<string, unknown> = { groups: who.groups, ...(who.name ? { user: who.name } : {}) };
                if (isNonResourceRequest(q)) spec.nonResourceAttributes = { verb: q.verb, path: q.path };
                else
                    spec.resourceAttributes = {
                        verb: q.verb,
                        group: q.apiGroup,
                        resource: q.resource,
                        subresource: q.subresource ?? "",
                        name: q.name ?? "",
                        namespace: q.namespace ?? "",
                    };
                const r = await request(conn, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
                    apiVersion: "authorization.k8s.io/v1",
                    kind: "SubjectAccessReview",
                    spec,
                });
                assert(
                    r.status === 201,
                    `SubjectAccessReview: HTTP ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`,
                );
                sar[i] = r.body.status?.allowed === true;
            }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        const sarMs = Date.now() - t0;
        conn.agent.destroy();

        const rows = new Map<
            string,
            { n: number; allowed: number; off: number; live: number; can: number; offLive: number }
        >();
        const wrong: string[] = [];
        for (let i = 0; i < total; i++) {
            const s = subjects[Math.floor(i / qs.length)];
            const qi = i % qs.length;
            const q = qs[qi];
            const k = subjectKey(s);
            const off = whoOffline[qi].has(k);
            const liv = whoLive[qi].has(k);
            const can = canAllows(canOffline.get(k)!, q);
            const row = rows.get(category(q)) ?? { n: 0, allowed: 0, off: 0, live: 0, can: 0, offLive: 0 };
            row.n++;
            if (sar[i]) row.allowed++;
            if (off === sar[i]) row.off++;
            if (liv === sar[i]) row.live++;
            if (can === sar[i]) row.can++;
            if (off === liv) row.offLive++;
            rows.set(category(q), row);
            if ((off !== sar[i] || liv !== sar[i] || can !== sar[i]) && wrong.length < 15) {
                wrong.push(
                    `${subjectLabel(s)} ${describeRequest(q)}: API server ` +
                        `${sar[i] ? "allows" : "denies"}, offline who-can ${off}, live who-can ${liv}, ` +
                        `offline can ${can}`,
                );
            }
        }
        const all = [...rows.values()].reduce((a, r) => ({
            n: a.n + r.n,
            allowed: a.allowed + r.allowed,
            off: a.off + r.off,
            live: a.live + r.live,
            can: a.can + r.can,
            offLive: a.offLive + r.offLive,
        }));
        console.log(
            `      ${subjects.length} subjects × ${qs.length} questions = ${total} ` +
                `SubjectAccessReviews in ${(sarMs / 1000).toFixed(1)} s (${CONCURRENCY} concurrent)`,
        );
        console.log(
            "      | question | asked | allowed by the API server | offline who-can = API | live who-" +
                "can = API | offline can = API | offline = live |",
        );
        console.log("      |---|---:|---:|---:|---:|---:|---:|");
        for (const [cat, r] of [...[...rows].sort(), ["all", all] as const]) {
            console.log(`      | ${cat} | ${r.n} | ${r.allowed} | ${r.off} | ${r.live} | ${r.can} | ${r.offLive} |`);
        }
        assert(
            all.allowed > total / 50 && all.allowed < total - total / 50,
            `the question set is degenerate: ${all.allowed} of ${total} allowed`,
        );
        assert(wrong.length === 0, `the review disagrees with the API server:\n      ${wrong.join("\n      ")}`);
        assert(
            all.off === total && all.live === total && all.can === total && all.offLive === total,
            "disagreements (see table)",
        );
    },
};
