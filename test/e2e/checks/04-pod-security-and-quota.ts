/**
 * e2e check 4: Pod Security admission holds the team namespace at restricted (privileged, hostPath
 * and root pods refused; a compliant pod admitted), the LimitRange gives defaults, and the quota
 * forbids NodePort and LoadBalancer Services.
 */
import { stringify } from "yaml";
import { assert, Check, podYaml } from "../harness";

export const check: Check = {
    name:
        "4. PodSecurity rejects privileged, hostPath and root pods; admits a compliant one; LimitRange " +
        "defaults; quota forbids NodePort/LoadBalancer",
    run: e => {
        const { k, ns } = e;
        /* eslint-disable @typescript-eslint/no-explicit-any -- a pod manifest mutated freely */
        const bad: Array<[string, (p: any) => void]> = [
            /* eslint-enable @typescript-eslint/no-explicit-any */
            [
                "privileged",
                p =>
                    Object.assign(p.spec.containers[0].securityContext, {
                        privileged: true,
                        allowPrivilegeEscalation: true,
                    }),
            ],
            [
                "hostpath",
                p => {
                    p.spec.volumes = [{ name: "h", hostPath: { path: "/etc" } }];
                    p.spec.containers[0].volumeMounts = [{ name: "h", mountPath: "/h" }];
                },
            ],
            [
                "root",
                p => {
                    p.spec.securityContext.runAsUser = 0;
                    delete p.spec.securityContext.runAsNonRoot;
                },
            ],
        ];
        for (const [name, mutate] of bad) {
            const r = k(["create", "-f", "-"], podYaml(e, `bad-${name}`, mutate));
            assert(
                r.code !== 0 && /violates PodSecurity "restricted/.test(r.err),
                `${name} pod was not rejected by PodSecurity: ${r.err || r.out}`,
            );
        }
        const ok = k(["create", "-f", "-"], podYaml(e, "compliant"));
        assert(ok.code === 0, `compliant pod rejected: ${ok.err}`);
        const res = JSON.parse(k(["get", "pod", "compliant", "-n", ns, "-o", "json"]).out).spec.containers[0].resources;
        assert(
            res.requests?.cpu === "100m" && res.limits?.memory === "512Mi",
            `LimitRange defaults not applied: ${JSON.stringify(res)}`,
        );
        for (const type of ["NodePort", "LoadBalancer"]) {
            const svc = stringify({
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: type.toLowerCase(), namespace: ns },
                spec: { type, selector: { a: "b" }, ports: [{ port: 80 }] },
            });
            const r = k(["create", "-f", "-"], svc);
            assert(
                r.code !== 0 && /exceeded quota/.test(r.err),
                `${type} Service was not refused by the quota: ${r.err || r.out}`,
            );
        }
    },
};
