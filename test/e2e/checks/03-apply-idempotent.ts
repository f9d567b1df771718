/** e2e check 3: the local stack's manifests apply cleanly, and a second apply changes nothing. */
import * as path from "path";
import { assert, Check, waitForSync } from "../harness";

export const check: Check = {
    name: "3. every resource of the local stack applies cleanly; a second apply changes nothing",
    run: ({ c, k }) => {
        const file = path.join(c.stateDir, "local-stack.yaml");
        // Status updates (e.g. a policy's type-checking status) bump resourceVersion; generation
        // only moves when the spec does, which is what an apply could change.
        const generations = () =>
            k([
                "get",
                "-f",
                file,
                "-o",
                "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.generation}/{.metadata.labels} {end}",
            ]).out;
        // A new ValidatingAdmissionPolicy's status (type checking) is written by the API server a
        // moment after creation and shows in the diff until then: allow up to 10 s for it to settle.
        const statusOnly = (out: string) =>
            !/^[-+]\s+(?!resourceVersion|status|observedGeneration|typeChecking)/m.test(
                out
                    .split("\n")
                    .filter(l => !/^(\+\+\+|---) /.test(l))
                    .join("\n"),
            );
        let diff = k(["diff", "--server-side", "--field-manager=hardened-cluster", "-f", file]);
        if (diff.code !== 0 && statusOnly(diff.out)) {
            diff =
                waitForSync(() => {
                    const d = k(["diff", "--server-side", "--field-manager=hardened-cluster", "-f", file]);
                    return d.code === 0 || !statusOnly(d.out) ? d : undefined;
                }, 10_000) ?? k(["diff", "--server-side", "--field-manager=hardened-cluster", "-f", file]);
        }
        assert(diff.code === 0, `kubectl diff finds changes after the first apply:\n${diff.out}${diff.err}`);
        const before = generations();
        const again = k(["apply", "--server-side", "--field-manager=hardened-cluster", "-f", file]);
        assert(again.code === 0, `re-apply failed: ${again.err}`);
        const after = generations();
        assert(before.split(" ").length > 10 && before === after, `generations changed:\n${before}\n${after}`);
    },
};
