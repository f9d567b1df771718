/**
 * Every finding points at the offending field: `Finding.path` is well formed (dotted keys, `[i]`
 * indices, `["quoted"]` keys holding dots, slashes or other characters) and resolves in the
 * object, or, for a missing field, walks existing objects up to where the field would be (never
 * through a string, a number or a list indexed by name). The scanner turns it into line:column.
 */
import { strict as assert } from "assert";
import { RULES } from "../../rules";
import { evaluate, resolveRules } from "../../rules/evaluate";
import { K8sObject } from "../../rules/types";
import { CASES, Json, mutated, WORKLOAD_KIND_LIST, workload, POD_CASES } from "../../rules/cases";
import { CRD_FIXTURES } from "./crd-fixtures";

/** Split a Finding path into keys and indices; throws on a malformed path. */
export function parsePath(path: string): Array<string | number> {
    const out: Array<string | number> = [];
    const re = /(^|\.)([A-Za-z0-9_-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
    let at = 0;
    while (at < path.length) {
        re.lastIndex = at;
        const m = re.exec(path);
        if (!m || (m[1] === "" && at !== 0 && m[2] !== undefined)) throw new Error(`malformed path '${path}' at ${at}`);
        if (m[2] !== undefined) out.push(m[2]);
        else if (m[3] !== undefined) out.push(Number(m[3]));
        else out.push(JSON.parse(m[4]) as string);
        at = re.lastIndex;
    }
    if (out.length === 0) throw new Error("empty path");
    return out;
}

/** How much of the path exists; throws when the path goes through a value that cannot hold it. */
function resolve(obj: Json, keys: Array<string | number>): number {
    let cur: Json = obj;
    for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        if (typeof k === "number") {
            if (!Array.isArray(cur)) throw new Error(`index [${k}] applied to ${JSON.stringify(cur)?.slice(0, 60)}`);
            if (k >= cur.length) throw new Error(`index [${k}] beyond a list of ${cur.length}`);
        } else if (cur === null || typeof cur !== "object" || Array.isArray(cur)) {
            throw new Error(`key '${k}' applied to ${JSON.stringify(cur)?.slice(0, 60)}`);
        }
        if (!(k in cur) || cur[k] === undefined) {
            // A key holding dots written unquoted reads as missing: `data.app.yaml` for data["app.yaml"].
            if (typeof k === "string" && Object.keys(cur).some(x => x.startsWith(`${k}.`) || x.startsWith(`${k}/`)))
                throw new Error(`key '${k}' is part of a dotted key: quote it`);
            return i;
        }
        cur = cur[k];
    }
    return keys.length;
}

function fixtures(): K8sObject[][] {
    const sets: K8sObject[][] = [];
    for (const c of CASES) sets.push(c.good(), c.bad());
    for (const kind of WORKLOAD_KIND_LIST) {
        sets.push([workload(kind)]);
        for (const c of POD_CASES) sets.push([mutated(kind, c.mutate, c.meta)]);
    }
    sets.push(...CRD_FIXTURES.map(o => [o]));
    return sets;
}

describe("finding paths point at the offending field", () => {
    const resolved = resolveRules(RULES, { all: "mandatory" });
    const all = fixtures().flatMap(objs => evaluate(resolved, objs));
    it("the fixtures give findings of (nearly) every control", () => {
        const ids = new Set(all.map(f => f.controlId));
        assert.ok(ids.size >= 85, `only ${ids.size} controls fired`);
    });
    it("every finding has a well-formed path that resolves in its object, or up to the missing field", () => {
        const bad: string[] = [];
        for (const f of all) {
            if (f.error) continue;
            try {
                if (!f.path) throw new Error("no path");
                const keys = parsePath(f.path);
                const found = resolve(f.object, keys);
                // A missing field hangs off an existing object: at most the field and its own missing parents.
                if (found === 0 && keys.length > 1) throw new Error("not even the first key exists");
            } catch (e) {
                bad.push(`${f.controlId} ${f.path}: ${(e as Error).message}`);
            }
        }
        assert.deepEqual([...new Set(bad)], []);
    });
    it("keys holding dots or slashes are bracketed and quoted", () => {
        assert.deepEqual(parsePath('metadata.labels["pod-security.kubernetes.io/enforce"]'), [
            "metadata",
            "labels",
            "pod-security.kubernetes.io/enforce",
        ]);
        assert.deepEqual(parsePath("spec.template.spec.containers[0].securityContext.privileged"), [
            "spec",
            "template",
            "spec",
            "containers",
            0,
            "securityContext",
            "privileged",
        ]);
        assert.throws(() => parsePath("data.app.yaml["));
        const cm = {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "c", namespace: "team-a" },
            data: { "app.properties": "db.password=s3cr3tvalue99" },
        };
        const f = evaluate(resolveRules(RULES.filter(r => r.id === "SEC-03")), [cm]);
        assert.equal(f.length, 1);
        assert.match(f[0].path!, /^data\["app\.properties"\]/);
    });
});
