/**
 * A value that is not known yet (a Pulumi output during preview). The CrossGuard face replaces
 * the engine's unknown sentinels with UNKNOWN before handing objects to the rules; rules that
 * meet it on a deciding field return a Finding with `unknown: true` instead of passing.
 */
export const UNKNOWN: unique symbol = Symbol.for("hardened-cluster.unknown");
export type Unknown = typeof UNKNOWN;

export function isUnknown(v: unknown): v is Unknown {
    return v === UNKNOWN;
}
