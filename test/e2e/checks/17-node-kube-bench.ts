/**
 * e2e check 17: kube-bench's CronJob as a Job on the node: host PID, read-only host paths, no
 * capability, no token, observed from inside the container; its pods are refused in a team namespace.
 */
import { readFileSync } from "fs";
import { stringify } from "yaml";
import { NODE_TAINT } from "../../../cluster/node";
import { assert, Check, pause } from "../harness";

/* eslint-disable @typescript-eslint/no-explicit-any -- kubectl's JSON output is read by path, untyped */
export const check: Check = {
    name:
        "17. node kube-bench: a Job from the stack's CronJob runs with host PID, read-only host paths, " +
        "no capability and no token (seen inside the container); its pods are refused in a team namespace",
    run: async e => {
        const { c, k, ns } = e;
        const cj = JSON.parse(k(["get", "cronjob", "kube-bench", "-n", "kube-bench", "-o", "json"]).out);
        const tpl = cj.spec.jobTemplate.spec.template.spec;
        const ctr0 = tpl.containers[0];
        const mounts = ctr0.volumeMounts.filter((m: any) => m.readOnly).map((m: any) => m.mountPath);
        assert(
            tpl.hostPID === true && tpl.automountServiceAccountToken === false && mounts.length >= 5,
            "the CronJob does not declare what this check observes",
        );
        // The kube-bench module is not served here: the stand-in is the test image printing what it sees.
        const script = [
            "echo uid=$(id -u)",
            "grep -E '^(CapInh|CapPrm|CapEff|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status | tr -d " +
                "' \\t' | sed 's/:/=/'",
            "echo pid1=$(tr '\\0' ' ' </proc/1/cmdline)",
            `for m in ${mounts.join(" ")}; do echo mount=$m=$(awk -v m=$m '$5==m {split($6,o,","); ` +
                `print o[1]}' /proc/self/mountinfo); done`,
            "if [ -e /var/run/secrets/kubernetes.io/serviceaccount/token ]; then echo token=present; " +
                "else echo token=absent; fi",
            "echo end=1",
        ].join("; ");
        const job = (namespace: string) => {
            const spec = JSON.parse(JSON.stringify(cj.spec.jobTemplate.spec));
            const t = spec.template.spec;
            // Elsewhere it runs under that namespace's workload ServiceAccount (kube-bench's exists only in its own).
            if (namespace !== "kube-bench") t.serviceAccountName = c.workloadServiceAccount;
            t.tolerations = [
                ...(t.tolerations ?? []),
                { key: NODE_TAINT.key, operator: "Exists", effect: NODE_TAINT.effect },
            ];
            Object.assign(t.containers[0], {
                image: c.testImage,
                imagePullPolicy: "IfNotPresent",
                command: ["/bin/sh", "-c", script],
            });
            return stringify({
                apiVersion: "batch/v1",
                kind: "Job",
                metadata: { name: "e2e-kube-bench", namespace },
                spec,
            });
        };
        assert(
            k(["create", "-f", "-"], job("kube-bench")).code === 0,
            "the kube-bench Job was not created in its namespace",
        );
        let logs = "";
        for (let t = 0; t < 240 && !/end=1/.test(logs); t++) {
            await pause(500);
            logs = k(["logs", "-n", "kube-bench", "job/e2e-kube-bench"]).out;
        }
        assert(
            /end=1/.test(logs),
            `the kube-bench Job did not run to the end: ${logs}` +
                `${k(["describe", "job", "e2e-kube-bench", "-n", "kube-bench"]).out.slice(-800)}`,
        );
        const seen = new Map(
            logs
                .split("\n")
                .filter(l => l.includes("="))
                .map(l => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as [string, string]),
        );
        assert(seen.get("uid") === "0", `uid ${seen.get("uid")}, the CronJob declares root`);
        for (const cap of ["CapInh", "CapPrm", "CapEff", "CapAmb"])
            assert(/^0+$/.test(seen.get(cap) ?? "x"), `${cap}=${seen.get(cap)}: capabilities remain`);
        assert(
            seen.get("NoNewPrivs") === "1" && seen.get("Seccomp") === "2",
            `NoNewPrivs=${seen.get("NoNewPrivs")} Seccomp=${seen.get("Seccomp")}`,
        );
        const hostPid1 = readFileSync("/proc/1/cmdline", "utf8").split("\0").join(" ").trim();
        assert(
            seen.get("pid1")?.trim() === hostPid1,
            `pid 1 in the container is '${seen.get("pid1")}', not the host's '${hostPid1}': no host PID namespace`,
        );
        const mountLines = logs.split("\n").filter(l => l.startsWith("mount="));
        assert(
            mountLines.length === mounts.length && mountLines.every(l => l.endsWith("=ro")),
            `host paths not all mounted read-only:\n${mountLines.join("\n")}`,
        );
        assert(seen.get("token") === "absent", "a ServiceAccount token is mounted");
        // In a restricted team namespace, Pod Security refuses the Job's pods.
        // (Pod Security warns on a Job and enforces on its pods; an admission policy may refuse the Job itself.)
        const created = k(["create", "-f", "-"], job(ns));
        if (created.code !== 0) {
            assert(
                /denied|violates|forbidden/i.test(created.err),
                `creating the Job in ${ns} failed for another reason: ${created.err}`,
            );
        } else {
            let events = "";
            for (let t = 0; t < 60 && !/violates PodSecurity/.test(events); t++) {
                await pause(500);
                events = k([
                    "get",
                    "events",
                    "-n",
                    ns,
                    "--field-selector",
                    "involvedObject.name=e2e-kube-bench",
                    "-o",
                    "jsonpath={.items[*].message}",
                ]).out;
            }
            assert(
                /violates PodSecurity "restricted/.test(events),
                `the Job's pods were not refused in ${ns}: ${events}`,
            );
        }
        assert(
            k(["get", "pods", "-n", ns, "-l", "job-name=e2e-kube-bench", "-o", "name"]).out.trim() === "",
            "a kube-bench pod exists in the team namespace",
        );
    },
};
