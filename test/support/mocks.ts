/**
 * Pulumi mocks shared by the component and program tests. Records every registered resource
 * (type, name, inputs, URN) and gives provider-generated values realistic shapes: random bytes
 * are real random bytes, TLS private keys are real PEM keys, so consumers of the outputs see
 * what a real deployment would give them.
 */
import * as pulumi from "@pulumi/pulumi";
import { generateKeyPairSync, randomBytes } from "crypto";

export interface RegisteredResource {
    type: string;
    name: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the inputs as registered, read by tests as JSON
    inputs: Record<string, any>;
    urn: string;
    custom: boolean;
}

export class MockRecorder {
    readonly resources: RegisteredResource[] = [];

    ofType(type: string): RegisteredResource[] {
        return this.resources.filter(r => r.type === type);
    }

    named(type: string, name: string): RegisteredResource {
        const r = this.resources.find(x => x.type === type && x.name === name);
        if (!r) {
            const have = this.ofType(type).map(x => x.name).join(", ") || "none";
            throw new Error(`no ${type} named ${name} was registered (have: ${have})`);
        }
        return r;
    }

    clear(): void {
        this.resources.length = 0;
    }
}

/** Provider-computed outputs for the resource types the blueprint uses. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs and outputs as the engine passes them
export function mockOutputs(type: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case "random:index/randomBytes:RandomBytes": {
            const bytes = randomBytes(inputs.length ?? 32);
            return { ...inputs, base64: bytes.toString("base64"), hex: bytes.toString("hex") };
        }
        case "random:index/randomId:RandomId": {
            const bytes = randomBytes(inputs.byteLength ?? 8);
            return { ...inputs, hex: bytes.toString("hex"), b64Std: bytes.toString("base64"), dec: BigInt("0x" + bytes.toString("hex")).toString() };
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
            return { ...inputs, certPem: `-----BEGIN CERTIFICATE-----\nmock-${type.split(":").pop()}\n-----END CERTIFICATE-----\n` };
        default:
            return inputs;
    }
}

/**
 * Install mocks and return the recorder. Call before constructing resources (in `before`).
 * `config` is a map of fully qualified keys (`project:key`) to string values, as the engine passes them.
 */
export function setupMocks(opts: { preview?: boolean; project?: string; stack?: string; config?: Record<string, string> } = {}): MockRecorder {
    const recorder = new MockRecorder();
    const project = opts.project ?? "hardened-cluster";
    const stack = opts.stack ?? "test";
    pulumi.runtime.setAllConfig(opts.config ?? {});
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                const urn = `urn:pulumi:${stack}::${project}::${args.type}::${args.name}`;
                recorder.resources.push({ type: args.type, name: args.name, inputs: args.inputs, urn, custom: args.custom ?? true });
                const id = args.inputs?.metadata?.name ? `${args.inputs.metadata.namespace ?? ""}/${args.inputs.metadata.name}` : `${args.name}-id`;
                return { id, state: mockOutputs(args.type, args.inputs) };
            },
            call(args) {
                return args.inputs;
            },
        },
        project,
        stack,
        opts.preview ?? false,
    );
    return recorder;
}

/** Resolve an Output (or plain value) to its value in a test. */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
    return new Promise(resolve => pulumi.output(o).apply(v => { resolve(v as T); return v; }));
}

/** True when the Output is marked secret. */
export function isSecret(o: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(o);
}

/** Resolve a resource's URN (its type chain shows the parent: `parentType$childType`). */
export function urnOf(r: pulumi.Resource): Promise<string> {
    return valueOf(r.urn);
}
