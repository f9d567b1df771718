/**
 * Linear-time matching: every rule, on objects whose every string (values and map keys) is a
 * 1 MiB adversarial string, must finish within a generous budget. Backtracking patterns such as
 * `/\/+$/` on a path of slashes or a JWT-like pattern on `eyJ…` runs take minutes at this size.
 */
import { strict as assert } from "assert";
import { RULES } from "../../rules";
import { evaluate, resolveRules } from "../../rules/evaluate";
import { K8sObject } from "../../rules/types";
import { apiserverPod, AUDIT_FLAGS, ingress, mutated } from "../../rules/cases";
import { fixtureObjects, Json } from "./fuzz-support";

const MIB = 1 << 20;
/** Per rule, per object, per pattern: seconds, far above the milliseconds a linear scan takes. */
const BUDGET_MS = 5000;

const fill = (unit: string, tail = "") =>
    unit.repeat(Math.ceil((MIB - tail.length) / unit.length)).slice(0, MIB - tail.length) + tail;

/** Strings that make backtracking regular expressions quadratic (or worse). */
const ADVERSARIAL: Array<[string, string]> = [
    ["slashes then a letter", fill("/", "x")],
    ["JWT-like prefixes without dots", fill("eyJ-")],
    ["JWT-like segments, one dot short", fill("eyJ" + "a".repeat(12) + ".", "")],
    ["scheme separators without @", fill("a://b:c")],
    ["word characters then no separator", fill("a")],
    ["spaces", fill(" ", "x")],
    ["key=value runs", fill("a=", "")],
    ["newline-separated assignments", fill("password: x\n")],
    ["AKIA prefixes", fill("AKIA")],
    ["colons", fill(":")],
];

/** Maps whose keys are free text (labels, annotations, ConfigMap data): they get a hostile key too. */
const FREE_KEYS = new Set(["labels", "annotations", "data", "matchLabels", "stringData", "extraArgs"]);

/** A copy of `o` with every string value replaced by `s`, and a key `s` added to every free-text map. */
function saturate(o: Json, s: string, key = ""): Json {
    if (typeof o === "string") return key === "kind" || key === "apiVersion" ? o : s;
    if (Array.isArray(o)) return o.map(x => saturate(x, s, key));
    if (o && typeof o === "object") {
        const out: Json = {};
        for (const [k, v] of Object.entries(o)) out[k] = saturate(v, s, k);
        if (FREE_KEYS.has(key)) out[s] = s;
        return out;
    }
    return o;
}

/** A Deployment using every field a pod rule reads as text. */
const RICH = mutated(
    "Deployment",
    spec => {
        const c = spec.containers[0];
        c.env = [
            { name: "DB_PASSWORD", value: "x" },
            { name: "A", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
        ];
        c.envFrom = [{ secretRef: { name: "s" } }];
        c.command = ["kube-apiserver", "--audit-log-path=x"];
        c.securityContext.capabilities.add = ["NET_ADMIN"];
        c.securityContext.procMount = "Unmasked";
        c.securityContext.seLinuxOptions = { type: "spc_t", user: "u", role: "r" };
        c.securityContext.appArmorProfile = { type: "Localhost", localhostProfile: "p" };
        c.livenessProbe.httpGet.host = "h";
        c.lifecycle = { preStop: { tcpSocket: { port: 80, host: "h" } } };
        spec.volumes.push({ name: "h", hostPath: { path: "/var/run/docker.sock" } });
        c.volumeMounts.push({ name: "h", mountPath: "/h" });
        spec.securityContext.sysctls = [{ name: "kernel.shm_rmid_forced", value: "1" }];
    },
    {
        annotations: {
            "container.apparmor.security.beta.kubernetes.io/app": "unconfined",
            "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
        },
    },
);

describe("linear-time matching: every rule on megabyte-sized strings", function () {
    this.timeout(600_000);
    // One object per kind from the fixtures, so every rule sees input of its kinds.
    const byKind = new Map<string, Json>();
    for (const o of fixtureObjects()) if (!byKind.has(o.kind)) byKind.set(o.kind, o);
    const objects = [
        ...byKind.values(),
        RICH,
        ingress(
            {},
            { "nginx.ingress.kubernetes.io/configuration-snippet": "x", "nginx.ingress.kubernetes.io/auth-url": "x" },
        ),
        apiserverPod(AUDIT_FLAGS),
    ];

    for (const [name, s] of ADVERSARIAL) {
        it(`${name}: each rule within ${BUDGET_MS} ms per object`, () => {
            const slow: string[] = [];
            for (const base of objects) {
                const obj = saturate(base, s) as K8sObject;
                for (const r of resolveRules(RULES, { all: "mandatory" })) {
                    const t = performance.now();
                    const f = evaluate([r], [obj]);
                    const ms = performance.now() - t;
                    assert.ok(
                        !f.some(x => x.error),
                        `${r.rule.id} threw on ${base.kind}: ${f.find(x => x.error)?.message}`,
                    );
                    if (ms > BUDGET_MS) slow.push(`${r.rule.id} on ${base.kind}: ${ms.toFixed(0)} ms`);
                }
            }
            assert.deepEqual(slow, []);
        });
    }

    it(
        "ConfigMap values just under the parse limit (parsed as YAML/JSON before judging keys) stay " +
            "within the budget",
        () => {
            const KIB = 250 * 1024;
            const values: Record<string, string> = {
                "nested.yaml":
                    "a:\n" +
                    Array.from({ length: 400 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:\n`)
                        .join("")
                        .padEnd(KIB, " "),
                "flow.json": "[".repeat(KIB / 2) + "]".repeat(KIB / 2),
                "many.yaml": "password_hint: x\n".repeat(KIB / 17),
                "anchors.yaml":
                    "a: &a [x, x, x, x, x, x, x, x, x, x]\n" +
                    Array.from(
                        { length: 12 },
                        (_, i) =>
                            `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} ` +
                            `[*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, ` +
                            `*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, ` +
                            `*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, ` +
                            `*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, ` +
                            `*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
                    ).join("\n"),
                "app.properties": "a.b.c=d\n".repeat(KIB / 8),
            };
            for (const [k, v] of Object.entries(values)) {
                const t = performance.now();
                const f = evaluate(resolveRules(RULES.filter(r => r.id === "SEC-03")), [
                    {
                        apiVersion: "v1",
                        kind: "ConfigMap",
                        metadata: { name: "c", namespace: "team-a" },
                        data: { [k]: v },
                    } as K8sObject,
                ]);
                const ms = performance.now() - t;
                assert.ok(!f.some(x => x.error), `${k}: ${f.find(x => x.error)?.message}`);
                assert.ok(ms < BUDGET_MS, `${k} took ${ms.toFixed(0)} ms`);
            }
        },
    );

    it("the saturated objects really carry megabyte strings where rules read", () => {
        const o = saturate(byKind.get("ConfigMap"), "x".repeat(MIB));
        assert.ok(Object.keys(o.data as Record<string, string>).some(k => k.length === MIB));
        const d = saturate(RICH, "/".repeat(MIB));
        assert.equal(d.spec.template.spec.containers[0].image.length, MIB);
        assert.equal(d.spec.template.spec.volumes[1].hostPath.path.length, MIB);
        assert.equal(d.spec.template.spec.containers[0].env[0].value.length, MIB);
    });
});
