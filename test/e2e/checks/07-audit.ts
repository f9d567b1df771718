/**
 * e2e check 7: the audit policy at work: a Secret write logged at Metadata without its value, an
 * RBAC change at RequestResponse, an exec attempt at Request, no RequestReceived stage. The check
 * makes its own Secret, Role and pod, and waits for their events rather than for a fixed time.
 */
import { readFileSync } from "fs";
import * as https from "https";
import { stringify } from "yaml";
import { assert, Check, podYaml, waitFor } from "../harness";

type AuditEvent = {
    stage?: string;
    level?: string;
    verb?: string;
    requestObject?: unknown;
    responseObject?: unknown;
    objectRef?: { resource?: string; subresource?: string; name?: string; namespace?: string };
};

export const check: Check = {
    name: "7. audit: Secret writes at Metadata without values; RBAC changes at RequestResponse; exec attempts logged",
    run: async e => {
        const { c, k, ns } = e;
        const secretValue = "hc-plaintext-canary-audit";
        assert(
            k(["create", "secret", "generic", "audit-canary", "-n", ns, `--from-literal=token=${secretValue}`]).code ===
                0,
            "could not create the probe Secret",
        );
        assert(k(["create", "-f", "-"], podYaml(e, "audit-exec")).code === 0, "could not create the pod to exec into");
        const role = stringify({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: { name: "audit-probe", namespace: ns },
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }],
        });
        assert(k(["create", "-f", "-"], role).code === 0, "could not create the probe Role");
        // An exec request straight to the API: the pod's image is not served here, so the pod never runs and
        // the request fails after admission and audit.
        await new Promise<void>(resolve => {
            const req = https.request(
                `${c.server}/api/v1/namespaces/${ns}/pods/audit-exec/exec?command=true&container=app&stdout=true`,
                {
                    method: "POST",
                    ca: readFileSync(c.pki.caCert),
                    cert: readFileSync(c.pki.adminCert),
                    key: readFileSync(c.pki.adminKey),
                    timeout: 5000,
                },
                res => {
                    res.resume();
                    res.on("end", () => resolve());
                },
            );
            req.on("error", () => resolve());
            req.end();
        });
        const events = (): AuditEvent[] =>
            readFileSync(c.auditLog, "utf8")
                .split("\n")
                .filter(Boolean)
                .map(l => JSON.parse(l));
        const ours = (evs: AuditEvent[]) => ({
            secret: evs.filter(
                e => e.objectRef?.resource === "secrets" && e.objectRef?.name === "audit-canary" && e.verb === "create",
            ),
            rbac: evs.find(
                e => e.objectRef?.resource === "roles" && e.objectRef?.name === "audit-probe" && e.verb === "create",
            ),
            exec: evs.find(e => e.objectRef?.subresource === "exec" && e.objectRef?.name === "audit-exec"),
        });
        // The API server writes audit events in batches: wait until the three requests' events are in the log.
        await waitFor(() => {
            const o = ours(events());
            return o.secret.length > 0 && o.rbac !== undefined && o.exec !== undefined;
        }, 15_000);
        const evs = events();
        const { secret: secretEvs, rbac, exec } = ours(evs);
        assert(
            secretEvs.length > 0 &&
                secretEvs.every(e => e.level === "Metadata" && !e.requestObject && !e.responseObject),
            "Secret create not at Metadata level",
        );
        assert(
            !readFileSync(c.auditLog, "utf8").includes("hc-plaintext-canary"),
            "a Secret value reached the audit log",
        );
        assert(rbac?.level === "RequestResponse" && rbac.requestObject, "RBAC change not at RequestResponse");
        assert(
            exec && (exec.level === "Request" || exec.level === "RequestResponse"),
            "exec attempt not logged at Request level",
        );
        assert(!evs.some(e => e.stage === "RequestReceived"), "RequestReceived stage was logged");
    },
};
