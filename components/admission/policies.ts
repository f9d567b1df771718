/**
 * In-cluster enforcement: catalog controls that Pod Security admission does not cover and that
 * can be decided from one object at admission time, as ValidatingAdmissionPolicies (CEL, run by
 * the API server itself). Pure builders; the e2e proves each one gives the same verdict as the
 * rule core on the policy-pack fixtures (parity table).
 *
 * Break-glass: every binding skips requests from `system:masters` (matchConditions), so a broken
 * policy can never lock the cluster's break-glass administrators out.
 */

import { RULES } from "../../rules";
import { PackConfig, resolveRules } from "../../rules/engine";
import { RuleConfig } from "../../rules/types";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export type AdmissionAction = "Deny" | "Warn" | "Audit";

/** A value fixed for the control, or derived from the control's resolved policy config. */
type FromConfig<T> = T | ((cfg: RuleConfig) => T);

interface ControlSpec {
    /** Catalog control ID (the same ID the policy pack reports; its policy name is the pack's). */
    id: string;
    resources: Array<{ apiGroups: string[]; apiVersions: string[]; resources: string[] }>;
    variables?: Array<{ name: string; expression: string }>;
    /** CEL that must be true for the object to be admitted. */
    expression: FromConfig<string>;
    /** Extra matchConditions of this control (e.g. the controllers that must never be blocked). */
    matchConditions?: Array<{ name: string; expression: string }>;
    message: FromConfig<string>;
    /** Installed only when this holds for the stack's config (e.g. IMG-03 needs a registry list). */
    when?: (cfg: RuleConfig) => boolean;
    /**
     * Pod Security admission already refuses these settings in namespaces enforcing `baseline` or
     * `restricted`: the binding selects only the namespaces that enforce neither (privileged or unlabelled).
     */
    outsidePodSecurity?: boolean;
}

export interface AdmissionControl extends ControlSpec {
    /** The pack's policy name of the control (the key of its entry in the policy config file). */
    name: string;
}

const WORKLOADS = [
    { apiGroups: [""], apiVersions: ["v1"], resources: ["pods", "replicationcontrollers", "podtemplates"] },
    { apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments", "replicasets", "statefulsets", "daemonsets"] },
    { apiGroups: ["batch"], apiVersions: ["v1"], resources: ["jobs", "cronjobs"] },
];
const ROLES = [{ apiGroups: ["rbac.authorization.k8s.io"], apiVersions: ["v1"], resources: ["roles", "clusterroles"] }];
const BINDINGS = [{ apiGroups: ["rbac.authorization.k8s.io"], apiVersions: ["v1"], resources: ["rolebindings", "clusterrolebindings"] }];
const SERVICES = [{ apiGroups: [""], apiVersions: ["v1"], resources: ["services"] }];
const INGRESSES = [{ apiGroups: ["networking.k8s.io"], apiVersions: ["v1"], resources: ["ingresses"] }];

const POD_SPEC = "object.kind == 'Pod' ? object.spec : object.kind == 'PodTemplate' ? object.template.spec : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec";
const CONTAINERS = "(has(variables.spec.containers) ? variables.spec.containers : []) + (has(variables.spec.initContainers) ? variables.spec.initContainers : []) + (has(variables.spec.ephemeralContainers) ? variables.spec.ephemeralContainers : [])";
const celString = (v: string) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
/**
 * Every image as `registry/repository` with the tag and digest removed, the way the pack's
 * parseImage reads it: a first segment with a dot, a colon or `localhost` is a registry host;
 * otherwise the image is on Docker Hub (`docker.io/library/` for single-segment names).
 */
const IMAGE_REFS = "variables.containers.map(c, c.image.split('@')[0])" +
    ".map(x, x.contains('/') && (x.split('/')[0].contains('.') || x.split('/')[0].contains(':') || x.split('/')[0] == 'localhost') ? x : (x.contains('/') ? 'docker.io/' + x : 'docker.io/library/' + x))" +
    ".map(x, x.lastIndexOf(':') > x.lastIndexOf('/') ? x.substring(0, x.lastIndexOf(':')) : x)" +
    ".map(x, x.startsWith('index.docker.io/') ? 'docker.io/' + x.substring(16) : x)";
const registryList = (cfg: RuleConfig, key: string): string[] => ((cfg[key] as string[] | undefined) ?? []).map(p => p.replace(/\/+$/, ""));
/** `variables.spec` (the pod spec of any workload kind) and `variables.containers` (all of its containers). */
const POD_VARIABLES = [{ name: "spec", expression: POD_SPEC }, { name: "containers", expression: CONTAINERS }];
const NOT_SYSTEM = "object.metadata.name.startsWith('system:')";
const subjectsNone = (names: string[]) =>
    `!has(object.subjects) || object.subjects.all(s, !(s.kind in ['Group', 'User'] && s.name in [${names.map(n => `'${n}'`).join(", ")}]))`;

const SPECS: ControlSpec[] = [
    {
        id: "IMG-01", resources: WORKLOADS,
        variables: POD_VARIABLES,
        expression: "variables.containers.all(c, c.image.contains('@') || (!c.image.endsWith(':latest') && c.image.split('/')[size(c.image.split('/')) - 1].contains(':')))",
        message: "[IMG-01] Images must name a specific tag or digest, never latest or no tag.",
    },
    {
        id: "IMG-02", resources: WORKLOADS,
        variables: POD_VARIABLES,
        expression: "variables.containers.all(c, c.image.matches('@sha256:[a-f0-9]{64}$'))",
        message: "[IMG-02] Images should be pinned by digest (@sha256:).",
    },
    {
        id: "SA-01",
        resources: [...WORKLOADS, { apiGroups: [""], apiVersions: ["v1"], resources: ["serviceaccounts"] }],
        variables: [{ name: "spec", expression: POD_SPEC }],
        expression: "object.kind == 'ServiceAccount' ? (has(object.automountServiceAccountToken) && object.automountServiceAccountToken == false) : (has(variables.spec.automountServiceAccountToken) && variables.spec.automountServiceAccountToken == false)",
        message: "[SA-01] Pods and ServiceAccounts must set automountServiceAccountToken: false.",
    },
    {
        id: "SA-03", resources: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["serviceaccounts"] }],
        expression: "object.metadata.name != 'default' || (has(object.automountServiceAccountToken) && object.automountServiceAccountToken == false)",
        // The controller that creates every namespace's `default` ServiceAccount must never be blocked,
        // or a Deny here would stop namespaces from working; SecureNamespace patches the account after.
        matchConditions: [{ name: "not-serviceaccount-controller", expression: "!(request.userInfo.username in ['system:serviceaccount:kube-system:service-account-controller', 'system:kube-controller-manager'])" }],
        message: "[SA-03] The default ServiceAccount must set automountServiceAccountToken: false.",
    },
    {
        id: "RBAC-01", resources: ROLES,
        expression: `${NOT_SYSTEM} || !has(object.rules) || object.rules.all(r, !(has(r.verbs) && '*' in r.verbs) && !(has(r.resources) && '*' in r.resources) && !(has(r.apiGroups) && '*' in r.apiGroups))`,
        message: "[RBAC-01] Roles must not use * in verbs, resources or apiGroups.",
    },
    {
        id: "RBAC-02", resources: ROLES,
        expression: `${NOT_SYSTEM} || !has(object.rules) || object.rules.all(r, !(has(r.verbs) && (r.verbs.exists(v, v in ['get', 'list', 'watch', '*'])) && has(r.apiGroups) && (r.apiGroups.exists(g, g in ['', '*'])) && has(r.resources) && r.resources.exists(x, x in ['secrets', '*'])))`,
        message: "[RBAC-02] Roles must not grant get, list or watch on Secrets.",
    },
    {
        id: "RBAC-04", resources: ROLES,
        expression: `${NOT_SYSTEM} || !has(object.rules) || object.rules.all(r, !(has(r.verbs) && r.verbs.exists(v, v in ['escalate', 'bind', '*']) && has(r.apiGroups) && r.apiGroups.exists(g, g in ['rbac.authorization.k8s.io', '*']) && has(r.resources) && r.resources.exists(x, x in ['roles', 'clusterroles', '*'])))`,
        message: "[RBAC-04] Roles must not grant escalate or bind on roles.",
    },
    {
        id: "RBAC-05", resources: ROLES,
        expression: `${NOT_SYSTEM} || !has(object.rules) || object.rules.all(r, !(has(r.verbs) && r.verbs.exists(v, v in ['impersonate', '*']) && has(r.resources) && r.resources.exists(x, x in ['users', 'groups', 'serviceaccounts', 'userextras', 'uids', '*'])))`,
        message: "[RBAC-05] Roles must not grant impersonate.",
    },
    {
        id: "RBAC-06", resources: BINDINGS,
        expression: `${NOT_SYSTEM} || !(object.roleRef.kind == 'ClusterRole' && object.roleRef.name == 'cluster-admin')`,
        message: "[RBAC-06] Nothing may be bound to cluster-admin.",
    },
    {
        id: "RBAC-07", resources: BINDINGS,
        expression: subjectsNone(["system:anonymous", "system:unauthenticated"]),
        message: "[RBAC-07] Roles must not be bound to system:anonymous or system:unauthenticated.",
    },
    {
        id: "RBAC-08", resources: BINDINGS,
        expression: `object.roleRef.name in ['system:basic-user', 'system:discovery', 'system:public-info-viewer'] || (${subjectsNone(["system:authenticated"])})`,
        message: "[RBAC-08] Roles other than the discovery roles must not be bound to system:authenticated.",
    },
    {
        id: "RBAC-09", resources: BINDINGS,
        expression: subjectsNone(["system:masters"]),
        message: "[RBAC-09] Bindings must not name system:masters.",
    },
    {
        id: "NET-01", resources: SERVICES,
        expression: "!has(object.spec.type) || object.spec.type != 'NodePort'",
        message: "[NET-01] Services of type NodePort must be an explicit opt-in.",
    },
    {
        id: "NET-02", resources: SERVICES,
        expression: "!has(object.spec.type) || object.spec.type != 'LoadBalancer'",
        message: "[NET-02] Services of type LoadBalancer must be an explicit opt-in.",
    },
    {
        id: "NET-03", resources: SERVICES,
        expression: "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
        message: "[NET-03] Services must not set externalIPs (CVE-2020-8554).",
    },
    {
        id: "NET-04", resources: INGRESSES,
        variables: [{ name: "ann", expression: "has(object.metadata.annotations) ? object.metadata.annotations : {}" }],
        expression: "has(object.spec.tls) && size(object.spec.tls) > 0 && (!has(object.spec.rules) || object.spec.rules.all(r, !has(r.host) || object.spec.tls.exists(t, has(t.hosts) && r.host in t.hosts)))" +
            " && !(('kubernetes.io/ingress.allow-http' in variables.ann) && variables.ann['kubernetes.io/ingress.allow-http'] == 'true')" +
            " && !(('nginx.ingress.kubernetes.io/ssl-redirect' in variables.ann) && variables.ann['nginx.ingress.kubernetes.io/ssl-redirect'] == 'false')" +
            " && !(('nginx.ingress.kubernetes.io/force-ssl-redirect' in variables.ann) && variables.ann['nginx.ingress.kubernetes.io/force-ssl-redirect'] == 'false')",
        message: "[NET-04] Every Ingress host must be covered by TLS and plain HTTP must not be allowed.",
    },
    {
        id: "NET-05", resources: INGRESSES,
        expression: "!has(object.spec.rules) || object.spec.rules.all(r, has(r.host) && r.host != '' && !r.host.startsWith('*'))",
        message: "[NET-05] Ingress rules should name a specific host.",
    },
    {
        id: "NET-06", resources: INGRESSES,
        expression: "!has(object.metadata.annotations) || object.metadata.annotations.all(k, !k.startsWith('nginx.ingress.kubernetes.io/') || (!k.matches('-snippets?$') && !object.metadata.annotations[k].matches(r'(?i)(\\blua_|_by_lua|\\bload_module\\b|\\binclude\\b|\\broot\\s|\\balias\\s|serviceaccount|/var/run/secrets|[{}])')))",
        message: "[NET-06] Ingress objects must not use ingress-nginx snippet annotations or inject configuration.",
    },
    {
        id: "IMG-03", resources: WORKLOADS,
        variables: [...POD_VARIABLES, { name: "refs", expression: IMAGE_REFS }],
        when: cfg => registryList(cfg, "allowedRegistries").length + registryList(cfg, "deniedRegistries").length > 0,
        expression: cfg => {
            const allowed = registryList(cfg, "allowedRegistries");
            const denied = registryList(cfg, "deniedRegistries");
            const under = (ps: string[]) => `[${ps.map(celString).join(", ")}].exists(p, r == p || r.startsWith(p + '/'))`;
            return `variables.refs.all(r, ${[denied.length > 0 ? `!${under(denied)}` : "", allowed.length > 0 ? under(allowed) : ""].filter(Boolean).join(" && ")})`;
        },
        message: cfg => {
            const list = (key: string) => (registryList(cfg, key).length > 0 ? ` (${registryList(cfg, key).join(", ")})` : "");
            return `[IMG-03] Images must come from the allowed registries${list("allowedRegistries")} and never from a denied one${list("deniedRegistries")}.`;
        },
    },
    // Privileged and host settings, for the namespaces Pod Security admission does not hold at baseline.
    {
        id: "PS-01", resources: WORKLOADS, outsidePodSecurity: true,
        variables: POD_VARIABLES,
        expression: "variables.containers.all(c, !(has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged))",
        message: "[PS-01] Containers must not run privileged.",
    },
    ...(["PS-02:hostPID:process ID", "PS-03:hostIPC:IPC", "PS-04:hostNetwork:network"].map(x => {
        const [id, field, what] = x.split(":");
        return {
            id, resources: WORKLOADS, outsidePodSecurity: true,
            variables: [{ name: "spec", expression: POD_SPEC }],
            expression: `!(has(variables.spec.${field}) && variables.spec.${field})`,
            message: `[${id}] Pods must not set ${field}: true (sharing the host's ${what} namespace).`,
        };
    })),
    {
        id: "PS-05", resources: WORKLOADS, outsidePodSecurity: true,
        variables: [{ name: "spec", expression: POD_SPEC }],
        expression: "!has(variables.spec.volumes) || variables.spec.volumes.all(v, !has(v.hostPath))",
        message: "[PS-05] Pods must not mount hostPath volumes.",
    },
    {
        id: "PS-09", resources: WORKLOADS, outsidePodSecurity: true,
        variables: POD_VARIABLES,
        expression: "variables.containers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))",
        message: "[PS-09] Containers must not declare host ports.",
    },
    {
        id: "PS-10", resources: WORKLOADS, outsidePodSecurity: true,
        variables: POD_VARIABLES,
        expression: "!(has(variables.spec.securityContext) && has(variables.spec.securityContext.windowsOptions) && has(variables.spec.securityContext.windowsOptions.hostProcess) && variables.spec.securityContext.windowsOptions.hostProcess)" +
            " && variables.containers.all(c, !(has(c.securityContext) && has(c.securityContext.windowsOptions) && has(c.securityContext.windowsOptions.hostProcess) && c.securityContext.windowsOptions.hostProcess))",
        message: "[PS-10] Windows HostProcess containers must not be used.",
    },
];

const ruleName = (id: string): string => {
    const r = RULES.find(x => x.id === id);
    if (!r) throw new Error(`admission control ${id} has no rule in the policy pack`);
    return r.name;
};

export const ADMISSION_CONTROLS: readonly AdmissionControl[] = SPECS.map(s => ({ ...s, name: ruleName(s.id) }));

/** Controls from the catalog that are left to other enforcement points, with the reason. */
export const NOT_IN_CEL: ReadonlyArray<[string, string]> = [
    ["PS-xx other than PS-01..05, 09, 10", "Pod Security admission enforces them in every SecureNamespace (restricted by default)"],
    ["NET-07, NET-08, RES-06, RES-07, OTH-07, RBAC-16", "need the whole set of objects (stack rules)"],
    ["RBAC-06 through a wildcard role", "needs the referenced role's rules (another object)"],
];

export interface AdmissionOptions {
    /** Name prefix of the generated objects. */
    prefix: string;
    /** Namespaces every binding skips (system namespaces and the blueprint's own add-ons). */
    exemptNamespaces: string[];
    /**
     * The stack's policy config (the `--policy-pack-config` format, `stacks/policy-config.<stack>.json`):
     * per control its level (mandatory → Deny, advisory → Warn + Audit, disabled → not installed),
     * its exemptions (namespaces, names, labels) and its own settings (IMG-03's registries).
     */
    packConfig?: PackConfig;
    /** Override the action per control ID (e.g. roll out in Warn before Deny). */
    actions?: Record<string, AdmissionAction[]>;
    /** Object names every policy skips (a trailing `*` matches a prefix), as the pack's `exemptNames`. */
    exemptNames?: string[];
    /** Objects carrying all of these labels are skipped by every policy, as the pack's `exemptLabels`. */
    exemptLabels?: Record<string, string>;
}


/** matchConditions for the exemptions: break-glass first, then names, then each set of labels. */
export function matchConditions(o: { exemptNames?: string[]; exemptLabels?: Array<Record<string, string> | undefined> }): Obj[] {
    const out: Obj[] = [{ name: "not-break-glass", expression: "!('system:masters' in request.userInfo.groups)" }];
    const names = [...new Set(o.exemptNames ?? [])];
    if (names.length > 0) {
        const tests = names.map(n => (n.endsWith("*") ? `object.metadata.name.startsWith(${celString(n.slice(0, -1))})` : `object.metadata.name == ${celString(n)}`));
        out.push({ name: "not-exempt-name", expression: `!(${tests.join(" || ")})` });
    }
    const sets = (o.exemptLabels ?? []).map(l => Object.entries(l ?? {})).filter(l => l.length > 0);
    sets.forEach((labels, i) => {
        const tests = labels.map(([k, v]) => `(${celString(k)} in object.metadata.labels && object.metadata.labels[${celString(k)}] == ${celString(v)})`);
        out.push({ name: i === 0 ? "not-exempt-labels" : `not-exempt-labels-${i + 1}`, expression: `!(has(object.metadata.labels) && ${tests.join(" && ")})` });
    });
    return out;
}

export const DEFAULT_EXEMPT_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "falco", "trivy-system", "kube-bench"];

const PSS_ENFORCE = "pod-security.kubernetes.io/enforce";
const fromConfig = <T>(v: FromConfig<T>, cfg: RuleConfig): T => (typeof v === "function" ? (v as (c: RuleConfig) => T)(cfg) : v);

/** ValidatingAdmissionPolicy + binding per control the stack's policy config leaves enabled. */
export function admissionPolicies(o: AdmissionOptions): Obj[] {
    const resolved = new Map(resolveRules(ADMISSION_CONTROLS.map(c => RULES.find(r => r.id === c.id)!), o.packConfig ?? {}).map(r => [r.rule.id, r]));
    const out: Obj[] = [];
    for (const c of ADMISSION_CONTROLS) {
        const { enforcementLevel, config } = resolved.get(c.id)!;
        if (enforcementLevel === "disabled" || (c.when && !c.when(config))) continue;
        const name = `${o.prefix}${c.id.toLowerCase()}-${c.name}`;
        const labels = { "hardened-cluster/control": c.id };
        const namespaces = [...new Set([...o.exemptNamespaces, ...config.exemptNamespaces])];
        out.push({
            apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy",
            metadata: { name, labels },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: { resourceRules: c.resources.map(r => ({ ...r, operations: ["CREATE", "UPDATE"] })) },
                // Break-glass: the cluster's system:masters identities are never blocked; then the exemptions.
                matchConditions: [
                    ...matchConditions({ exemptNames: [...(o.exemptNames ?? []), ...config.exemptNames], exemptLabels: [o.exemptLabels, config.exemptLabels] }),
                    ...(c.matchConditions ?? []),
                ],
                ...(c.variables ? { variables: c.variables } : {}),
                validations: [{ expression: fromConfig(c.expression, config), message: fromConfig(c.message, config) }],
                auditAnnotations: [{ key: "control", valueExpression: `'${c.id}'` }],
            },
        });
        out.push({
            apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding",
            metadata: { name, labels },
            spec: {
                policyName: name,
                validationActions: o.actions?.[c.id] ?? (enforcementLevel === "mandatory" ? ["Deny"] : ["Warn", "Audit"]),
                matchResources: {
                    namespaceSelector: {
                        matchExpressions: [
                            { key: "kubernetes.io/metadata.name", operator: "NotIn", values: namespaces },
                            ...(c.outsidePodSecurity ? [{ key: PSS_ENFORCE, operator: "NotIn", values: ["baseline", "restricted"] }] : []),
                        ],
                    },
                },
            },
        });
    }
    return out;
}
