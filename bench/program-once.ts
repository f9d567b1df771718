/** The program with N SecureNamespaces under mocks, then the pack over its resources; prints JSON timings. */
import { performance } from "perf_hooks";
import { toPolicies } from "../policy-packs/crossguard/policies";
import { RULES } from "../rules";
import { evaluate, resolveRules } from "../rules/evaluate";
import { gatherInProcess, kubernetesObjects } from "../scripts/gather";
import { PROJECT } from "../rules/vocabulary";
import { runPolicies } from "../scripts/policy-harness";

async function main(): Promise<void> {
    const n = Number(process.argv[2]);
    const namespaces = Array.from({ length: n }, (_, i) => ({
        name: `team-${i}`,
        workloadServiceAccounts: ["api", "worker"],
        network: { ingress: [{ name: "web", peers: [{ namespaces: ["ingress-nginx"] }], ports: [{ port: 8080 }] }] },
        access: {
            admin: { groups: [`team-${i}-admins`] },
            developer: { groups: [`team-${i}-devs`] },
            viewer: { groups: [`team-${i}-view`] },
        },
    }));
    const t0 = performance.now();
    const g = await gatherInProcess("bench", { [`${PROJECT}:namespaces`]: JSON.stringify(namespaces) });
    const t1 = performance.now();
    const objects = kubernetesObjects(g.resources);
    const findings = evaluate(resolveRules(RULES), objects);
    const t2 = performance.now();
    const violations = await runPolicies(
        toPolicies(RULES),
        g.resources.filter(r => r.custom).map(r => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs })),
    );
    const t3 = performance.now();
    process.stdout.write(
        JSON.stringify({
            namespaces: n,
            resources: g.resources.length,
            objects: objects.length,
            findings: findings.length,
            violations: violations.length,
            programMs: t1 - t0,
            coreMs: t2 - t1,
            crossguardMs: t3 - t2,
            maxRssMiB: process.resourceUsage().maxRSS / 1024,
        }),
    );
}
main().then(
    () => process.exit(0),
    e => {
        console.error(e);
        process.exit(1);
    },
);
