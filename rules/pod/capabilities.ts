/** PS-12 … PS-16: Linux capabilities. */
import { getIn, keysOf, show } from "../fields";
import { ContainerRef, Json } from "../podspec";
import { isUnknown, UNKNOWN } from "../unknown";
import { containerRule, NONE, PSS_URL, UNKNOWN_VERDICT, Verdict } from "../define";
import { FALCO_NS } from "../vocabulary";

const CAPS_URL =
    "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container";

/** Capability names without the CAP_ prefix, upper-case. */
function capName(c: unknown): string {
    const s = show(c).toUpperCase();
    return s.startsWith("CAP_") ? s.slice(4) : s;
}

/** The capability names of a configured list as a set, made once per list (and again if the list changes). */
const capSets = new WeakMap<object, { names: unknown[]; set: ReadonlySet<string> }>();
function capSet(list: unknown[]): ReadonlySet<string> {
    const cached = capSets.get(list);
    if (cached !== undefined && sameItems(cached.names, list)) return cached.set;
    const set = new Set(list.map(capName));
    capSets.set(list, { names: [...list], set });
    return set;
}

function sameItems(a: unknown[], b: unknown[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
}

/** Does the list name the capability (`capName` of an item equals `name`; holes are no items)? */
function hasCap(list: Json[], name: string): boolean {
    for (let i = 0; i < list.length; i++) {
        const x = list[i];
        if (x === name) return true;
        if (x === undefined && !(i in list)) continue;
        if (capName(x) === name) return true;
    }
    return false;
}

const ADD = "securityContext.capabilities.add";
const DROP = "securityContext.capabilities.drop";
const CAP_KEYS = { add: keysOf(ADD), drop: keysOf(DROP) };

function capList(c: ContainerRef, which: "add" | "drop"): Json[] | typeof UNKNOWN_VERDICT {
    const v = getIn(c.container, CAP_KEYS[which]);
    if (isUnknown(v)) return UNKNOWN_VERDICT;
    return Array.isArray(v) ? v : [];
}

/**
 * Verdict over added capabilities: the offending ones are those of `names` (a configured list, or a
 * set made from one), or with `outside` those not in it.
 */
function addedVerdict(
    c: ContainerRef,
    names: unknown[] | ReadonlySet<string>,
    outside: boolean,
    what: string,
): Array<[string, Verdict]> {
    const add = capList(c, "add");
    if (add === UNKNOWN_VERDICT) return [[ADD, UNKNOWN_VERDICT]];
    if (add.length === 0) return NONE;
    for (let i = 0; i < add.length; i++) if (add[i] === UNKNOWN) return [[ADD, UNKNOWN_VERDICT]];
    const set = Array.isArray(names) ? capSet(names) : (names as ReadonlySet<string>);
    const offending: string[] = [];
    for (let i = 0; i < add.length; i++) {
        if (!(i in add)) continue; // a hole is no capability
        const cap = capName(add[i]);
        if (set.has(cap) !== outside) offending.push(cap);
    }
    return offending.length ? [[ADD, `The ${c.label} adds ${what}: ${offending.join(", ")}.`]] : NONE;
}

const BASELINE_CAPABILITIES = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];
const DANGEROUS_CAPABILITIES = [
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "BPF",
    "PERFMON",
    "DAC_READ_SEARCH",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
];

export const baselineCapabilities = containerRule(
    {
        id: "PS-12",
        name: "capabilities-baseline-only",
        description:
            "Containers may only add capabilities from the Pod Security baseline allow-list. " +
            "Anything beyond it widens what a compromised process can do to the kernel.",
        remediation:
            "Remove the extra entries from `securityContext.capabilities.add`; keep only " +
            "capabilities from the baseline list (better: drop ALL and add only NET_BIND_SERVICE).",
        url: `${PSS_URL}#baseline`,
        defaultExemptNamespaces: [FALCO_NS],
        config: {
            allowedCapabilities: {
                type: "array",
                items: { type: "string" },
                description: "Capabilities that may be added (Pod Security baseline list).",
                default: BASELINE_CAPABILITIES,
            },
        },
    },
    (c, _pod, cfg) => {
        const list = cfg.allowedCapabilities;
        // A list is made a set when a container adds capabilities; anything else as it always was (a TypeError).
        const allowed = Array.isArray(list) ? list : new Set((cfg.allowedCapabilities as string[]).map(capName));
        return addedVerdict(c, allowed, true, "capabilities outside the baseline allow-list");
    },
);

export const dangerousCapabilities = containerRule(
    {
        id: "PS-13",
        name: "no-dangerous-capabilities",
        description:
            "Containers must not add dangerous capabilities such as SYS_ADMIN, SYS_MODULE, NET_ADMIN," +
            " SYS_PTRACE or ALL. Each of them is enough to escape the container or take over the " +
            "node's network.",
        remediation:
            "Remove the capability from `securityContext.capabilities.add`. If a node agent truly " +
            "needs it, run it in a dedicated namespace exempted in the policy config.",
        url: CAPS_URL,
        defaultExemptNamespaces: [FALCO_NS],
        config: {
            dangerousCapabilities: {
                type: "array",
                items: { type: "string" },
                description: "Capabilities that must never be added.",
                default: DANGEROUS_CAPABILITIES,
            },
        },
    },
    (c, _pod, cfg) => {
        const list = cfg.dangerousCapabilities;
        const bad = Array.isArray(list) ? list : new Set((cfg.dangerousCapabilities as string[]).map(capName));
        return addedVerdict(c, bad, false, "dangerous capabilities");
    },
);

export const dropNetRaw = containerRule(
    {
        id: "PS-14",
        name: "drop-net-raw",
        description:
            "Containers must drop NET_RAW (directly or by dropping ALL) and must not add it back. " +
            "NET_RAW allows packet spoofing and sniffing on the pod network.",
        remediation:
            'Set `securityContext.capabilities.drop: ["ALL"]` (the restricted profile) and do not add NET_RAW.',
        url: CAPS_URL,
        defaultExemptNamespaces: [FALCO_NS],
    },
    c => {
        const drop = capList(c, "drop");
        const add = capList(c, "add");
        if (drop === UNKNOWN_VERDICT || add === UNKNOWN_VERDICT)
            return [["securityContext.capabilities", UNKNOWN_VERDICT]];
        if (hasCap(add, "NET_RAW") || hasCap(add, "ALL")) return [[ADD, `The ${c.label} adds NET_RAW.`]];
        return hasCap(drop, "NET_RAW") || hasCap(drop, "ALL")
            ? NONE
            : [[DROP, `The ${c.label} does not drop NET_RAW (or ALL).`]];
    },
);

export const dropAll = containerRule(
    {
        id: "PS-15",
        name: "drop-all-capabilities",
        description:
            "Containers must drop ALL capabilities, as the Pod Security restricted profile requires. " +
            "Starting from nothing and adding back only what is needed keeps the kernel attack " +
            "surface minimal.",
        remediation: 'Set `securityContext.capabilities.drop: ["ALL"]` on the container.',
        url: `${PSS_URL}#restricted`,
        defaultExemptNamespaces: [FALCO_NS],
    },
    c => {
        const drop = capList(c, "drop");
        if (drop === UNKNOWN_VERDICT) return [[DROP, UNKNOWN_VERDICT]];
        // Pod Security admission (restricted) matches the literal "ALL" only (check_capabilities_restricted.go:
        // `c == capabilityAll`): `all`, `All` or `CAP_ALL` is refused there, whatever the runtime makes of it.
        if (drop.some(x => x === "ALL")) return NONE;
        if (!hasCap(drop, "ALL")) return [[DROP, `The ${c.label} does not drop ALL capabilities.`]];
        return [
            [
                DROP,
                `The ${c.label} drops "ALL" spelt otherwise; Pod Security admission (restricted) accepts only "ALL".`,
            ],
        ];
    },
);

const NET_BIND_SERVICE_ONLY: ReadonlySet<string> = new Set(["NET_BIND_SERVICE"]);

export const onlyNetBindService = containerRule(
    {
        id: "PS-16",
        name: "add-only-net-bind-service",
        description: "Containers may add back only NET_BIND_SERVICE, as the Pod Security restricted profile requires.",
        remediation: "Remove every capability other than NET_BIND_SERVICE from `securityContext.capabilities.add`.",
        url: `${PSS_URL}#restricted`,
        defaultExemptNamespaces: [FALCO_NS],
    },
    c => {
        const pairs = addedVerdict(c, NET_BIND_SERVICE_ONLY, true, "capabilities other than NET_BIND_SERVICE");
        if (pairs !== NONE) return pairs;
        // Pod Security admission (restricted) matches the literal "NET_BIND_SERVICE" only, as it does "ALL" (PS-15)
        const add = capList(c, "add");
        const odd = add === UNKNOWN_VERDICT ? [] : add.filter((x, i) => i in add && x !== "NET_BIND_SERVICE");
        return odd.length === 0
            ? NONE
            : [
                  [
                      ADD,
                      `The ${c.label} adds NET_BIND_SERVICE spelt otherwise (${odd.map(show).join(", ")}); Pod ` +
                          `Security admission (restricted) accepts only "NET_BIND_SERVICE".`,
                  ],
              ];
    },
);
