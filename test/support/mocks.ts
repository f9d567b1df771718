/**
 * Pulumi mocks shared by the component and program tests. Records every registered resource
 * (type, name, inputs, URN) and gives provider-generated values realistic shapes: random bytes
 * are real random bytes, TLS private keys are real PEM keys, so consumers of the outputs see
 * what a real deployment would give them.
 */
import * as pulumi from "@pulumi/pulumi";
import { mockResource } from "../../scripts/mock-outputs";

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
            const have =
                this.ofType(type)
                    .map(x => x.name)
                    .join(", ") || "none";
            throw new Error(`no ${type} named ${name} was registered (have: ${have})`);
        }
        return r;
    }

    clear(): void {
        this.resources.length = 0;
    }
}

/**
 * Install mocks and return the recorder. Call before constructing resources (in `before`).
 * `config` is a map of fully qualified keys (`project:key`) to string values, as the engine passes them.
 */
export function setupMocks(
    opts: { preview?: boolean; project?: string; stack?: string; config?: Record<string, string> } = {},
): MockRecorder {
    const recorder = new MockRecorder();
    const project = opts.project ?? "hardened-cluster";
    const stack = opts.stack ?? "test";
    pulumi.runtime.setAllConfig(opts.config ?? {});
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                const urn = `urn:pulumi:${stack}::${project}::${args.type}::${args.name}`;
                recorder.resources.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    urn,
                    custom: args.custom ?? true,
                });
                return mockResource(args);
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
    return new Promise(resolve =>
        pulumi.output(o).apply(v => {
            resolve(v as T);
            return v;
        }),
    );
}

/** True when the Output is marked secret. */
export function isSecret(o: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(o);
}

/** Resolve a resource's URN (its type chain shows the parent: `parentType$childType`). */
export function urnOf(r: pulumi.Resource): Promise<string> {
    return valueOf(r.urn);
}
