/** Node teardown helpers that touch host paths, exercised on a temp directory. */
import { strict as assert } from "assert";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { CNI_NETWORK, ownCniResults } from "../../cluster/node";

describe("node teardown: libcni result files", () => {
    it(
        "takes this node's network and any result whose netns is in the state dir (containerd's cni-" +
            "loopback); leaves others' and non-results",
        () => {
            const dir = mkdtempSync(path.join(os.tmpdir(), "hc-cni-results-"));
            const state = "/tmp/hc-cluster-abc";
            const put = (name: string, body: string) => {
                writeFileSync(path.join(dir, name), body);
                return path.join(dir, name);
            };
            try {
                const mine = [
                    put(`${CNI_NETWORK}-1234-eth0`, "{}"),
                    put(
                        "cni-loopback-aaaa-lo",
                        JSON.stringify({
                            kind: "cniCacheV1",
                            networkName: "cni-loopback",
                            netns: `${state}/node/containerd/state/netns/cni-1`,
                        }),
                    ),
                ];
                put(
                    "cni-loopback-bbbb-lo",
                    JSON.stringify({ kind: "cniCacheV1", networkName: "cni-loopback", netns: "/var/run/netns/cni-2" }),
                );
                put(
                    "cni-loopback-cccc-lo",
                    JSON.stringify({
                        kind: "cniCacheV1",
                        networkName: "cni-loopback",
                        netns: `${state}-other/node/netns/cni-3`,
                    }),
                );
                put("notes.txt", "not json");
                assert.deepEqual(ownCniResults(dir, state).sort(), mine.sort());
                assert.deepEqual(ownCniResults(path.join(dir, "missing"), state), []);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        },
    );
});
