/**
 * Internals of @pulumi/policy 1.21 that the adapter relies on (marked @internal, so absent from
 * its typings): the unknown-value sentinels of deserialized props and the proxy escape hatch.
 * The pack test suite exercises them through the SDK's own unknownCheckingProxy, so a change in
 * a future SDK fails a test instead of silently passing.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module absent from the SDK's typings
const internals = require("@pulumi/policy/proxy") as {
    unknownBooleanValue: unknown;
    unknownNumberValue: unknown;
    unknownStringValue: unknown;
    unknownArrayValue: unknown;
    unknownAssetValue: unknown;
    unknownArchiveValue: unknown;
    unknownObjectValue: unknown;
    isSpecialProxy: string;
    getSpecialProxyTarget: string;
    unknownCheckingProxy<T>(o: T): T;
};
export default internals;
