/**
 * Writes resources in `pulumi stack export` format (deployment version 3), so the real engine can
 * analyze them with `pulumi policy analyze --file`. Resources come from the program run under
 * mocks (scripts/gather.ts) or from plain Kubernetes manifests.
 */
import { kubernetesTypeToken } from "../../rules/typeToken";

export interface DeploymentResource {
    urn: string;
    type: string;
    name?: string;
    custom: boolean;
    parent?: string;
    inputs?: Record<string, unknown>;
}

const STACK_TYPE = "pulumi:pulumi:Stack";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Secret values as the checkpoint format stores them unencrypted: the signature plus JSON `plaintext`. */
function checkpointValue(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(checkpointValue);
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[SECRET_SIG] === SECRET_VALUE) {
            return { [SECRET_SIG]: SECRET_VALUE, plaintext: JSON.stringify(checkpointValue(o.value)) };
        }
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, checkpointValue(x)]));
    }
    return v;
}

/** A plain manifest as a custom resource of a stack (named after kind, namespace and name). */
export function manifestResource(
    obj: { metadata?: { namespace?: string; name?: string } } & Record<string, unknown>,
    stack: string,
    project: string,
): DeploymentResource {
    const md = obj.metadata ?? {};
    const type = kubernetesTypeToken(String(obj.apiVersion), String(obj.kind));
    const name = [md.namespace, md.name].filter(Boolean).join("-");
    return { urn: `urn:pulumi:${stack}::${project}::${type}::${name}`, type, name, custom: true, inputs: obj };
}

/** A deployment file holding a stack resource and every given resource (parented to the stack when parentless). */
export function toDeployment(resources: readonly DeploymentResource[], stack: string, project: string): object {
    const stackUrn = `urn:pulumi:${stack}::${project}::${STACK_TYPE}::${project}-${stack}`;
    const out: object[] = [{ urn: stackUrn, custom: false, type: STACK_TYPE }];
    for (const r of resources) {
        if (r.type === STACK_TYPE) {
            continue;
        }
        const inputs = checkpointValue(r.inputs ?? {});
        out.push({
            urn: r.urn,
            custom: r.custom,
            ...(r.custom ? { id: r.name ?? r.urn } : {}),
            type: r.type,
            inputs,
            outputs: inputs,
            parent: r.parent ?? stackUrn,
        });
    }
    return {
        version: 3,
        deployment: { manifest: { time: new Date(0).toISOString(), magic: "", version: "v3.259.0" }, resources: out },
    };
}
