/**
 * Large inputs are parsed and checked by worker threads together with the main thread; the report
 * must be byte for byte the one a single thread writes, in the same order.
 */
import { strict as assert } from "assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { stringify } from "yaml";
import { corpus } from "../../bench/corpus";
import { keptObjects } from "../../scanner/worker";
import { run } from "../../scanner/cli";

function scan(
    args: string[],
    parsesHere = true,
    workersExitOn?: number,
    workerSilenceMs?: number,
): { code: number; out: string; byWorkers: number; here: number } {
    let out = "";
    let byWorkers = 0;
    let here = 0;
    const code = run(args, {
        stdout: s => (out += s),
        stderr: () => undefined,
        threads: (_f, w, h) => {
            byWorkers += w;
            here += h;
        },
        parsesHere,
        workersExitOn,
        workerSilenceMs,
    });
    return { code, out, byWorkers, here };
}

describe("scanner: worker threads give the single-threaded report", function () {
    this.timeout(300_000);
    let dir: string;
    let batches = 0;
    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), "hc-parallel-"));
        // over 2 MiB (the size from which workers are used), with a broken document in the middle
        const docs = corpus(3000).map(o => stringify(o, { lineWidth: 0 }));
        docs.splice(1500, 0, "kind: Pod\nmetadata: {name: broken\n");
        // a value JSON changes (-0): a worker leaves that batch to the main thread, which reads it itself
        docs.splice(
            2100,
            0,
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: minus-zero\nspec:\n  securityContext:\n" +
                "    runAsUser: -0.0\n  containers:\n  - name: c\n    image: nginx:1.27\n",
        );
        const text = docs.join("---\n");
        batches = Math.ceil(docs.length / 100);
        assert.ok(text.length > 2.2 * 1024 * 1024, `${text.length} characters: too small for the worker threads`);
        writeFileSync(path.join(dir, "big.yaml"), text);
        // the same documents as 30 files of 100 (each far under 2 MiB; together over it)
        mkdirSync(path.join(dir, "split"));
        for (let i = 0; i < 30; i++)
            writeFileSync(
                path.join(dir, "split", `part-${String(i).padStart(2, "0")}.yaml`),
                docs.slice(i * 100, (i + 1) * 100).join("---\n"),
            );
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const format of ["json"]) {
        it(`--format ${format}: --jobs 2 and --jobs 3 write exactly what --jobs 0 writes`, () => {
            const file = path.join(dir, "big.yaml");
            const one = scan(["--format", format, "--jobs", "0", file]);
            assert.ok(one.out.length > 100_000, "a large report");
            assert.match(one.out, /broken|flow mapping|unexpected end/);
            assert.match(one.out, /minus-zero/);
            // cross-resource findings too: with every batch read by workers, those come from the objects they sent
            assert.match(one.out, /"controlId": ?"(RBAC-0[2-6]|NET-0[78]|RES-0[67])"/);
            for (const jobs of ["2", "3"]) {
                // every batch checked by the workers, then shared out by the threads' speeds
                const workers = scan(["--format", format, "--jobs", jobs, file], false);
                assert.equal(workers.here, 1, "only the batch holding -0 is read by this thread");
                assert.ok(workers.byWorkers >= 30, `--jobs ${jobs}: ${workers.byWorkers} batches read by workers`);
                const shared = scan(["--format", format, "--jobs", jobs, file]);
                assert.equal(shared.byWorkers + shared.here, workers.byWorkers + workers.here);
                for (const many of [workers, shared]) {
                    assert.equal(many.code, one.code);
                    assert.ok(many.out === one.out, `--jobs ${jobs} differs from --jobs 0`);
                }
            }
        });
    }

    it("a worker thread that stops dead (as when it runs out of memory) loses nothing and stalls nothing", () => {
        const file = path.join(dir, "big.yaml");
        const one = scan(["--format", "json", "--jobs", "0", file]);
        for (const jobs of ["2", "3"]) {
            // the workers read every batch while one lives; the one that takes batch 5 ends its thread there
            const started = Date.now();
            // silent workers are given up on after 60 s here (10 minutes by default): a lost batch is seen far sooner
            const stopped = scan(["--format", "json", "--jobs", jobs, file], false, 5, 60_000);
            const took = Date.now() - started;
            assert.ok(took < 30_000, `--jobs ${jobs}: ${took} ms (a lost batch must not wait for the silence limit)`);
            assert.ok(stopped.here >= 1, `--jobs ${jobs}: the lost batch is read by this thread`);
            if (jobs === "2")
                assert.ok(stopped.byWorkers <= 5, `${stopped.byWorkers} batches read by the stopped worker`);
            assert.equal(stopped.byWorkers + stopped.here, batches, "every batch read once");
            assert.equal(stopped.code, one.code);
            assert.ok(stopped.out === one.out, `--jobs ${jobs} with a stopped worker differs from --jobs 0`);
        }
    });

    it("a directory of many small files is shared out too, with the single-threaded report", () => {
        const split = path.join(dir, "split");
        const one = scan(["--format", "json", "--jobs", "0", split]);
        const workers = scan(["--format", "json", "--jobs", "2", split], false);
        assert.equal(workers.here, 1, "only the batch holding -0 is read by this thread");
        assert.ok(workers.byWorkers >= 29, `${workers.byWorkers} batches read by workers`);
        assert.equal(workers.code, one.code);
        assert.ok(workers.out === one.out, "--jobs 2 differs from --jobs 0 on the directory");
    });
});

describe("scanner: objects kept for the cross-resource rules", () => {
    it("are the objects as read, or their JSON copy when they hold a value JSON changes", () => {
        const plain = {
            kind: "Deployment",
            metadata: { name: "a", labels: { x: "1" } },
            spec: { replicas: 2, paused: false, list: [null, "s", 1.5] },
        };
        const odd = [
            { kind: "Deployment", spec: { replicas: NaN } },
            { kind: "Deployment", spec: { replicas: -0 } },
            { kind: "Deployment", spec: { items: [Infinity] } },
            { kind: "Deployment", spec: { x: -Infinity } },
            { kind: "Deployment", spec: { x: undefined, y: [undefined] } },
        ];
        const located = [plain, ...odd].map(object => ({
            object,
            file: "f.yaml",
            pos: 0,
            digest: new Float64Array(0),
        }));
        const kept = keptObjects(located);
        assert.equal(kept[0], plain);
        odd.forEach((o, i) => {
            assert.notEqual(kept[i + 1], o);
            assert.ok(Object.is(JSON.stringify(kept[i + 1]), JSON.stringify(o)));
            assert.deepStrictEqual(kept[i + 1], JSON.parse(JSON.stringify(o)));
        });
        assert.equal((kept[1] as { spec: { replicas: unknown } }).spec.replicas, null);
        assert.ok(Object.is((kept[2] as { spec: { replicas: unknown } }).spec.replicas, 0));
    });
});
