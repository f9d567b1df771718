import { strict as assert } from "assert";
import { privilegedContainer } from "../../rules/pod/ps01-privileged";
import { evaluate, resolveRules } from "../../rules/engine";
import { UNKNOWN } from "../../rules/unknown";
import { K8sObject } from "../../rules/types";

const pod = (sc: Record<string, unknown> | undefined, field = "containers") => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "team-a" },
    spec: { [field]: [{ name: "app", image: "registry.example.com/app:1.0", securityContext: sc }] },
});

describe("PS-01 no-privileged-containers", () => {
    const run = (obj: K8sObject, cfg = {}) => evaluate(resolveRules([privilegedContainer], cfg), [obj]);
    it("passes a container without privileged", () => assert.equal(run(pod({})).length, 0));
    it("passes privileged: false", () => assert.equal(run(pod({ privileged: false })).length, 0));
    it("flags privileged: true with container and path", () => {
        const [f] = run(pod({ privileged: true }));
        assert.equal(f.controlId, "PS-01");
        assert.equal(f.enforcementLevel, "mandatory");
        assert.equal(f.path, "spec.containers[0].securityContext.privileged");
        assert.match(f.message, /container "app"/);
    });
    it("flags an ephemeral container", () => assert.equal(run(pod({ privileged: true }, "ephemeralContainers")).length, 1));
    it("reports unknown as unknown, not as a pass", () => {
        const [f] = run(pod({ privileged: UNKNOWN }));
        assert.equal(f.unknown, true);
    });
    it("skips the Falco namespace by default", () => {
        const p = pod({ privileged: true });
        p.metadata.namespace = "falco";
        assert.equal(run(p).length, 0);
    });
});
