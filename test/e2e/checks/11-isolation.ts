/**
 * e2e check 11: `npm run isolate` / `npm run release` on the API server: bad input changes nothing
 * (exit 2, named), isolate labels and annotates the pod so that the namespace's quarantine policy
 * selects it (and not a bystander), writes evidence with a manifest of checksums; release undoes it.
 */
import { createHash } from "crypto";
import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ANNOTATION_AT, ANNOTATION_REASON, QUARANTINE_LABEL } from "../../../ops/isolate";
import { assert, Check, isolateCli, podYaml } from "../harness";

export const check: Check = {
    name:
        "11. isolation: isolate labels the pod, the quarantine policy selects it, evidence is written, " +
        "release removes it; bad input changes nothing",
    run: e => {
        const { c, k, ns } = e;
        // The CLI as `npm run isolate` / `npm run release` run it, with the cluster's kubectl and kubeconfig.
        const cli = (args: string[]) => isolateCli(e, args);
        const evidence = path.join(c.stateDir, "evidence");
        const pod = () => JSON.parse(k(["get", "pod", "suspect", "-n", ns, "-o", "json"]).out);
        assert(k(["create", "-f", "-"], podYaml(e, "suspect")).code === 0, "could not create the pod to isolate");
        assert(k(["create", "-f", "-"], podYaml(e, "bystander")).code === 0, "could not create the bystander pod");
        // Bad input: a clear error naming what is missing, exit 2, no pod touched, no evidence written.
        const versions = () =>
            k([
                "get",
                "pods",
                "-n",
                ns,
                "-o",
                "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}",
            ]).out;
        const before = versions();
        for (const [args, says] of [
            [
                ["isolate", "no-such-namespace", "suspect", "--evidence-dir", evidence],
                "namespace 'no-such-namespace' not found",
            ],
            [
                ["isolate", ns, "no-such-pod", "--evidence-dir", evidence],
                `pod 'no-such-pod' not found in namespace '${ns}'`,
            ],
            [["release", ns, "no-such-pod"], `pod 'no-such-pod' not found in namespace '${ns}'`],
        ] as const) {
            const r = cli([...args]);
            assert(
                r.status === 2 && r.stderr.includes(says),
                `${args.join(" ")}: expected exit 2 and "${says}", got ${r.status}: ${r.stderr}`,
            );
        }
        assert(versions() === before, `bad input changed pods:\n${before}\n${versions()}`);
        assert(!existsSync(evidence), "bad input wrote evidence");
        // The namespace's quarantine policy: denies all traffic (both directions, no rule) of the pods it selects.
        const pol = k(["get", "networkpolicy", "quarantine", "-n", ns, "-o", "json"]);
        assert(pol.code === 0, `namespace ${ns} has no NetworkPolicy 'quarantine': ${pol.err}`);
        const spec = JSON.parse(pol.out).spec;
        assert(
            ["Ingress", "Egress"].every(t => spec.policyTypes?.includes(t)) &&
                !spec.ingress?.length &&
                !spec.egress?.length,
            `the quarantine policy does not deny all traffic: ${JSON.stringify(spec)}`,
        );
        const sel = [
            ...Object.entries(spec.podSelector?.matchLabels ?? {}).map(([key, v]) => `${key}=${v}`),
            ...(spec.podSelector?.matchExpressions ?? []).map(
                (e: { key: string; operator: string; values?: string[] }) =>
                    (
                        ({
                            In: `${e.key} in (${e.values?.join(",")})`,
                            NotIn: `${e.key} notin (${e.values?.join(",")})`,
                            Exists: e.key,
                            DoesNotExist: `!${e.key}`,
                        }) as Record<string, string>
                    )[e.operator],
            ),
        ].join(",");
        assert(sel !== "", "the quarantine policy's podSelector is empty: it would select every pod");
        const selected = () => k(["get", "pods", "-n", ns, "-l", sel, "-o", "name"]).out.split("\n").filter(Boolean);
        assert(!selected().includes("pod/suspect"), `the quarantine policy (${sel}) selects the pod before isolation`);
        // isolate: label + annotations, the policy now selects the pod (and not the others), evidence on disk.
        const iso = cli(["isolate", ns, "suspect", "--evidence-dir", evidence, "--reason", "e2e incident"]);
        assert(iso.status === 0, `isolate failed (${iso.status}): ${iso.stderr}${iso.stdout}`);
        for (const w of iso.stderr.split("\n").filter(l => l.startsWith("warning:"))) console.log(`      isolate ${w}`);
        const meta = pod().metadata;
        assert(meta.labels?.[QUARANTINE_LABEL] === "true", `pod not labelled: ${JSON.stringify(meta.labels)}`);
        assert(
            meta.annotations?.[ANNOTATION_REASON] === "e2e incident" &&
                !isNaN(Date.parse(meta.annotations?.[ANNOTATION_AT])),
            `annotations missing: ${JSON.stringify(meta.annotations)}`,
        );
        const sel1 = selected();
        assert(
            sel1.includes("pod/suspect") && !sel1.includes("pod/bystander"),
            `the quarantine policy (${sel}) selects ${JSON.stringify(sel1)}, expected pod/suspect ` +
                `and not pod/bystander`,
        );
        const folders = readdirSync(evidence);
        assert(
            folders.length === 1 && new RegExp(`^${ns}-suspect-\\d{8}T\\d{6}Z$`).test(folders[0]),
            `evidence folders: ${folders.join(", ")}`,
        );
        const dir = path.join(evidence, folders[0]);
        const files = readdirSync(dir).sort();
        // No kubelet here: the pod stays Pending, it has no logs and no previous container; the
        // log files are still written (empty, or holding kubectl's error).
        const want = [
            "describe.txt",
            "events.txt",
            "logs-app.txt",
            "logs-previous-app.txt",
            "manifest.json",
            "pod.yaml",
        ];
        assert(
            JSON.stringify(files) === JSON.stringify(want),
            `evidence files: ${files.join(", ")}; expected ${want.join(", ")}`,
        );
        for (const f of files.filter(x => !x.startsWith("logs-")))
            assert(readFileSync(path.join(dir, f)).length > 0, `${f} is empty`);
        const saved = parse(readFileSync(path.join(dir, "pod.yaml"), "utf8"));
        assert(
            saved.metadata.uid === meta.uid && saved.metadata.labels[QUARANTINE_LABEL] === "true",
            "pod.yaml is not the labelled pod",
        );
        assert(
            readFileSync(path.join(dir, "describe.txt"), "utf8").includes("suspect"),
            "describe.txt does not describe the pod",
        );
        const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
        assert(
            JSON.stringify(manifest.files.map((f: { name: string }) => f.name).sort()) ===
                JSON.stringify(want.filter(f => f !== "manifest.json")),
            "manifest does not list every file",
        );
        for (const f of manifest.files)
            assert(
                f.sha256 ===
                    createHash("sha256")
                        .update(readFileSync(path.join(dir, f.name)))
                        .digest("hex"),
                `sha256 of ${f.name} differs from the manifest`,
            );
        // release: label and annotations gone, the policy no longer selects the pod.
        const rel = cli(["release", ns, "suspect"]);
        assert(rel.status === 0, `release failed (${rel.status}): ${rel.stderr}`);
        const after = pod().metadata;
        assert(
            after.labels?.[QUARANTINE_LABEL] === undefined &&
                after.annotations?.[ANNOTATION_AT] === undefined &&
                after.annotations?.[ANNOTATION_REASON] === undefined,
            `release left ${JSON.stringify({ labels: after.labels, annotations: after.annotations })}`,
        );
        assert(!selected().includes("pod/suspect"), "the quarantine policy still selects the released pod");
    },
};
