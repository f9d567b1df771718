/**
 * Runs CrossGuard policies the way the engine's analyzer server does: props deserialized with
 * the SDK's unknown sentinels and wrapped in its unknown-checking proxy, the policy's config
 * from a pack config (engine-filled defaults are NOT applied, as in unit tests), every
 * validation awaited, UnknownValueError turned into the SDK's advisory "can't run" diagnostic.
 */
import { Policy, ResourceValidationPolicy, StackValidationPolicy, UnknownValueError } from "@pulumi/policy";
import proxy from "../policy-packs/crossguard/sdk";
import { defaultEnforcement } from "../rules/catalog";
import { RULES } from "../rules";

export interface Violation {
    policy: string;
    message: string;
    urn?: string;
    enforcementLevel: string;
}

export interface EngineResource {
    type: string;
    name: string;
    urn?: string;
    props: Record<string, unknown>;
}

type PackConfig = Record<string, string | Record<string, unknown>>;

function levelOf(p: Policy, cfg: PackConfig): string {
    const entry = cfg[p.name];
    const specific = typeof entry === "string" ? entry : (entry?.enforcementLevel as string | undefined);
    const all = typeof cfg.all === "string" ? cfg.all : (cfg.all?.enforcementLevel as string | undefined);
    return specific ?? all ?? p.enforcementLevel ?? "advisory";
}

function configOf(p: Policy, cfg: PackConfig): Record<string, unknown> {
    const entry = cfg[p.name];
    if (!entry || typeof entry === "string") return {};
    const { enforcementLevel: _l, ...rest } = entry;
    return rest;
}

/** Replace `UNKNOWN_<type>` marker strings with the SDK's unknown sentinels, as deserialization does. */
function withSentinels(v: unknown): unknown {
    if (v === "UNKNOWN_STRING") return proxy.unknownStringValue;
    if (v === "UNKNOWN_BOOL") return proxy.unknownBooleanValue;
    if (v === "UNKNOWN_ARRAY") return proxy.unknownArrayValue;
    if (v === "UNKNOWN_OBJECT") return proxy.unknownObjectValue;
    if (Array.isArray(v)) return v.map(withSentinels);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withSentinels(x)]));
    return v;
}

async function guarded(p: Policy, out: Violation[], fn: () => unknown): Promise<void> {
    try {
        await Promise.resolve(fn());
    } catch (e) {
        if (e instanceof UnknownValueError) {
            out.push({
                policy: p.name,
                message: `can't run policy '${p.name}' during preview: ${(e as Error).message}`,
                enforcementLevel: "advisory",
            });
            return;
        }
        throw e;
    }
}

export async function runPolicies(
    policies: readonly Policy[],
    resources: readonly EngineResource[],
    cfg: PackConfig = {},
): Promise<Violation[]> {
    const out: Violation[] = [];
    for (const p of policies) {
        const level = levelOf(p, cfg);
        if (level === "disabled") continue;
        const base = level === "remediate" ? "mandatory" : level;
        // As the SDK's server: a violation is a message, or an object whose fields (level included) win.
        const report =
            (urn?: string) => (m: string | { message: string; urn?: string; enforcementLevel?: string }, u?: string) =>
                out.push(
                    typeof m === "object"
                        ? {
                              policy: p.name,
                              message: m.message,
                              urn: m.urn ?? urn,
                              enforcementLevel: m.enforcementLevel ?? base,
                          }
                        : { policy: p.name, message: m, urn: u ?? urn, enforcementLevel: base },
                );
        const getConfig = <T>() => configOf(p, cfg) as T;
        const notApplicable = (reason?: string) => {
            throw new Error(`not applicable: ${reason}`);
        };
        if ("validateResource" in p && (p as ResourceValidationPolicy).validateResource) {
            const validations = ([] as unknown[]).concat((p as ResourceValidationPolicy).validateResource) as Array<
                (a: unknown, r: unknown) => unknown
            >;
            for (const r of resources) {
                const urn = r.urn ?? `urn:pulumi:test::hc::${r.type}::${r.name}`;
                for (const validate of validations) {
                    const props = proxy.unknownCheckingProxy(withSentinels(r.props) as Record<string, unknown>);
                    await guarded(p, out, () =>
                        validate(
                            {
                                type: r.type,
                                props,
                                urn,
                                name: r.name,
                                opts: {},
                                stackTags: new Map(),
                                getConfig,
                                notApplicable,
                                isType: () => false,
                                asType: () => undefined,
                            },
                            report(urn),
                        ),
                    );
                }
            }
        } else if ((p as StackValidationPolicy).validateStack) {
            const stackResources = resources.map(r => {
                const props = proxy.unknownCheckingProxy(withSentinels(r.props) as Record<string, unknown>);
                return {
                    type: r.type,
                    name: r.name,
                    urn: r.urn ?? `urn:pulumi:test::hc::${r.type}::${r.name}`,
                    props,
                    opts: {},
                    dependencies: [],
                    propertyDependencies: {},
                    isType: () => false,
                    asType: () => undefined,
                };
            });
            await guarded(p, out, () =>
                (p as StackValidationPolicy).validateStack(
                    { resources: stackResources, getConfig, stackTags: new Map(), notApplicable } as never,
                    report(),
                ),
            );
        }
    }
    return out;
}

/**
 * The resource as the Kubernetes provider registers it: `kubernetes:<group>/<version>:<Kind>` with the object as props.
 */
export function k8sResource(
    obj: { metadata?: { namespace?: unknown; name?: unknown } } & Record<string, unknown>,
): EngineResource {
    const av = typeof obj.apiVersion === "string" ? obj.apiVersion : "v1";
    const [group, version] = av.includes("/") ? av.split("/") : ["core", av];
    // hostile objects: names may be anything
    const s = (v: unknown, dflt: string) => (typeof v === "string" ? v : dflt);
    return {
        type: `kubernetes:${group}/${version}:${s(obj.kind, "Unknown")}`,
        name: `${s(obj.metadata?.namespace, "")}-${s(obj.metadata?.name, s(obj.kind, "Unknown"))}`,
        props: obj,
    };
}

export const ruleNamed = (id: string) => RULES.find(r => r.id === id)!.name;
export { defaultEnforcement };
