/**
 * Provider-computed outputs for programs run under Pulumi mocks (scripts/gather.ts, the component
 * and program tests): random bytes are real random bytes, TLS private keys are real PEM keys, so
 * consumers of the outputs see what a real deployment would give them.
 */
import { generateKeyPairSync, randomBytes } from "crypto";

/* eslint-disable @typescript-eslint/no-explicit-any -- resource inputs and outputs are untyped property bags */
/** Provider-computed outputs for the resource types the blueprint uses. */
export function mockOutputs(type: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case "random:index/randomBytes:RandomBytes": {
            const bytes = randomBytes(inputs.length ?? 32);
            return { ...inputs, base64: bytes.toString("base64"), hex: bytes.toString("hex") };
        }
        case "random:index/randomId:RandomId": {
            const bytes = randomBytes(inputs.byteLength ?? 8);
            return {
                ...inputs,
                hex: bytes.toString("hex"),
                b64Std: bytes.toString("base64"),
                dec: BigInt("0x" + bytes.toString("hex")).toString(),
            };
        }
        case "tls:index/privateKey:PrivateKey": {
            const algorithm = inputs.algorithm ?? "RSA";
            const { privateKey, publicKey } =
                algorithm === "ECDSA"
                    ? generateKeyPairSync("ec", { namedCurve: inputs.ecdsaCurve === "P384" ? "P-384" : "P-256" })
                    : algorithm === "ED25519"
                      ? generateKeyPairSync("ed25519")
                      : generateKeyPairSync("rsa", { modulusLength: inputs.rsaBits ?? 2048 });
            return {
                ...inputs,
                privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
                privateKeyPemPkcs8: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
                publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
            };
        }
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            return {
                ...inputs,
                certPem: `-----BEGIN CERTIFICATE-----\nmock-${type.split(":").pop()}\n-----END CERTIFICATE-----\n`,
            };
        default:
            return inputs;
    }
}

/**
 * What a mock answers for a new resource: a Kubernetes object's id is `namespace/name` (as the provider's), any other
 * resource's `<name>-id`; its state is its inputs plus the provider-computed outputs above.
 */
export function mockResource(args: { type: string; name: string; inputs: Record<string, any> }): {
    id: string;
    state: Record<string, any>;
} {
    const meta = args.inputs?.metadata;
    const id = meta?.name ? `${meta.namespace ?? ""}/${meta.name}` : `${args.name}-id`;
    return { id, state: mockOutputs(args.type, args.inputs) };
}
