/**
 * In-cluster enforcement: catalog controls that Pod Security admission does not cover and that
 * can be decided from one object at admission time, as ValidatingAdmissionPolicies (CEL, run by
 * the API server itself). Pure builders; the e2e proves each one gives the same verdict as the
 * rule core on the policy-pack fixtures (parity table).
 *
 * Break-glass: every binding skips requests from `system:masters` (matchConditions), so a broken
 * policy can never lock the cluster's break-glass administrators out.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export type AdmissionAction = "Deny" | "Warn" | "Audit";

export interface AdmissionControl {
    /** Catalog control ID (the same ID the policy pack reports). */
    id: string;
    /** Kebab-case name, the pack's policy name. */
    name: string;
    /** Pack default: mandatory → Deny, advisory → Warn + Audit. */
    mandatory: boolean;
    resources: Array<{ apiGroups: string[]; apiVersions: string[]; resources: string[] }>;
    variables?: Array<{ name: string; expression: string }>;
    /** CEL that must be true for the object to be admitted. */
    expression: string;
    /** Extra matchConditions of this control (e.g. the controllers that must never be blocked). */
    matchConditions?: Array<{ name: string; expression: string }>;
    message: string;
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
const NOT_SYSTEM = "object.metadata.name.startsWith('system:')";
const subjectsNone = (names: string[]) =>
    `!has(object.subjects) || object.subjects.all(s, !(s.kind in ['Group', 'User'] && s.name in [${names.map(n => `'${n}'`).join(", ")}]))`;

export const ADMISSION_CONTROLS: readonly AdmissionControl[] = [
    {
        id: "IMG-01", name: "no-latest-image-tag", mandatory: false, resources: WORKLOADS,
        variables: [{ name: "spec", expression: POD_SPEC }, { name: "containers", expression: CONTAINERS }],
        expression: "variables.containers.all(c, c.image.contains('@') || (!c.image.endsWith(':latest') && c.image.split('/')[size(c.image.split('/')) - 1].contains(':')))",
        message: "[IMG-01] Images must name a specific tag or digest, never latest or no tag.",
    },
    {
        id: "IMG-02", name: "image-digest-pinned", mandatory: false, resources: WORKLOADS,
        variables: [{ name: "spec", expression: POD_SPEC }, { name: "containers", expression: CONTAINERS }],
        expression: "variables.containers.all(c, c.image.matches('@sha256:[a-f0-9]{64}$'))",
        message: "[IMG-02] Images should be pinned by digest (@sha256:).",
    },
    {
        id: "SA-01", name: "no-service-account-token-automount", mandatory: false,
        resources: [...WORKLOADS, { apiGroups: [""], apiVersions: ["v1"], resources: ["serviceaccounts"] }],
        variables: [{ name: "spec", expression: POD_SPEC }],
        expression: "object.kind == 'ServiceAccount' ? (has(object.automountServiceAccountToken) && object.automountServiceAccountToken == false) : (has(variables.spec.automountServiceAccountToken) && variables.spec.automountServiceAccountToken == false)",
        message: "[SA-01] Pods and ServiceAccounts must set automountServiceAccountToken: false.",
    },
    {
        id: "SA-03", name: "default-service-account-no-automount", mandatory: false, resources: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["serviceaccounts"] }],
        expression: "object.metadata.name != 'default' || (has(object.automountServiceAccountToken) && object.automountServiceAccountToken == false)",
        // The controller that creates every namespace's `default` ServiceAccount must never be blocked,
        // or a Deny here would stop namespaces from working; SecureNamespace patches the account after.
        matchConditions: [{ name: "not-serviceaccount-controller", expression: "!(request.userInfo.username in ['system:serviceaccount:kube-system:service-account-controller', 'system:kube-controller-manager'])" }],
        message: "[SA-03] The default ServiceAccount must set automountServiceAccountToken: false.",
    },
    {
        id: "RBAC-01", name: "no-rbac-wildcards", mandatory: true, resources: ROLES,
        expression: `${NOT_SYSTEM} || !has(object.rules) || object.rules.all(r, !(has(r.verbs) && '*' in r.verbs) && !(has(r.resources) && '*' in r.resources) && !(has(r.apiGroups) && '*' in r.apiGroups))`,
        message: "[RBAC-01] Roles must not use * in verbs, resources or apiGroups.",
    },
    {
        id: "RBAC-02", name: "no-secret-read-access", mandatory: true, resources: ROLES,
        expression: `${NOT_SYSTEM} || !has(object.rules) || object.rules.all(r, !(has(r.verbs) && (r.verbs.exists(v, v in ['get', 'list', 'watch', '*'])) && has(r.apiGroups) && (r.apiGroups.exists(g, g in ['', '*'])) && has(r.resources) && r.resources.exists(x, x in ['secrets', '*'])))`,
        message: "[RBAC-02] Roles must not grant get, list or watch on Secrets.",
    },
    {
        id: "RBAC-04", name: "no-escalate-or-bind", mandatory: true, resources: ROLES,
        expression: `${NOT_SYSTEM} || !has(object.rules) || object.rules.all(r, !(has(r.verbs) && r.verbs.exists(v, v in ['escalate', 'bind', '*']) && has(r.apiGroups) && r.apiGroups.exists(g, g in ['rbac.authorization.k8s.io', '*']) && has(r.resources) && r.resources.exists(x, x in ['roles', 'clusterroles', '*'])))`,
        message: "[RBAC-04] Roles must not grant escalate or bind on roles.",
    },
    {
        id: "RBAC-05", name: "no-impersonation", mandatory: true, resources: ROLES,
        expression: `${NOT_SYSTEM} || !has(object.rules) || object.rules.all(r, !(has(r.verbs) && r.verbs.exists(v, v in ['impersonate', '*']) && has(r.resources) && r.resources.exists(x, x in ['users', 'groups', 'serviceaccounts', 'userextras', 'uids', '*'])))`,
        message: "[RBAC-05] Roles must not grant impersonate.",
    },
    {
        id: "RBAC-06", name: "no-cluster-admin-bindings", mandatory: true, resources: BINDINGS,
        expression: `${NOT_SYSTEM} || !(object.roleRef.kind == 'ClusterRole' && object.roleRef.name == 'cluster-admin')`,
        message: "[RBAC-06] Nothing may be bound to cluster-admin.",
    },
    {
        id: "RBAC-07", name: "no-anonymous-bindings", mandatory: true, resources: BINDINGS,
        expression: subjectsNone(["system:anonymous", "system:unauthenticated"]),
        message: "[RBAC-07] Roles must not be bound to system:anonymous or system:unauthenticated.",
    },
    {
        id: "RBAC-08", name: "no-system-authenticated-bindings", mandatory: true, resources: BINDINGS,
        expression: `object.roleRef.name in ['system:basic-user', 'system:discovery', 'system:public-info-viewer'] || (${subjectsNone(["system:authenticated"])})`,
        message: "[RBAC-08] Roles other than the discovery roles must not be bound to system:authenticated.",
    },
    {
        id: "RBAC-09", name: "no-system-masters-bindings", mandatory: true, resources: BINDINGS,
        expression: subjectsNone(["system:masters"]),
        message: "[RBAC-09] Bindings must not name system:masters.",
    },
    {
        id: "NET-01", name: "no-nodeport-services", mandatory: false, resources: SERVICES,
        expression: "!has(object.spec.type) || object.spec.type != 'NodePort'",
        message: "[NET-01] Services of type NodePort must be an explicit opt-in.",
    },
    {
        id: "NET-02", name: "no-loadbalancer-services", mandatory: false, resources: SERVICES,
        expression: "!has(object.spec.type) || object.spec.type != 'LoadBalancer'",
        message: "[NET-02] Services of type LoadBalancer must be an explicit opt-in.",
    },
    {
        id: "NET-03", name: "no-service-external-ips", mandatory: true, resources: SERVICES,
        expression: "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
        message: "[NET-03] Services must not set externalIPs (CVE-2020-8554).",
    },
    {
        id: "NET-04", name: "ingress-requires-tls", mandatory: false, resources: INGRESSES,
        variables: [{ name: "ann", expression: "has(object.metadata.annotations) ? object.metadata.annotations : {}" }],
        expression: "has(object.spec.tls) && size(object.spec.tls) > 0 && (!has(object.spec.rules) || object.spec.rules.all(r, !has(r.host) || object.spec.tls.exists(t, has(t.hosts) && r.host in t.hosts)))" +
            " && !(('kubernetes.io/ingress.allow-http' in variables.ann) && variables.ann['kubernetes.io/ingress.allow-http'] == 'true')" +
            " && !(('nginx.ingress.kubernetes.io/ssl-redirect' in variables.ann) && variables.ann['nginx.ingress.kubernetes.io/ssl-redirect'] == 'false')" +
            " && !(('nginx.ingress.kubernetes.io/force-ssl-redirect' in variables.ann) && variables.ann['nginx.ingress.kubernetes.io/force-ssl-redirect'] == 'false')",
        message: "[NET-04] Every Ingress host must be covered by TLS and plain HTTP must not be allowed.",
    },
    {
        id: "NET-05", name: "ingress-specific-hosts", mandatory: false, resources: INGRESSES,
        expression: "!has(object.spec.rules) || object.spec.rules.all(r, has(r.host) && r.host != '' && !r.host.startsWith('*'))",
        message: "[NET-05] Ingress rules should name a specific host.",
    },
    {
        id: "NET-06", name: "no-ingress-nginx-snippets", mandatory: true, resources: INGRESSES,
        expression: "!has(object.metadata.annotations) || object.metadata.annotations.all(k, !k.startsWith('nginx.ingress.kubernetes.io/') || (!k.matches('-snippets?$') && !object.metadata.annotations[k].matches(r'(?i)(\\blua_|_by_lua|\\bload_module\\b|\\binclude\\b|\\broot\\s|\\balias\\s|serviceaccount|/var/run/secrets|[{}])')))",
        message: "[NET-06] Ingress objects must not use ingress-nginx snippet annotations or inject configuration.",
    },
];

/** Controls from the catalog that are left to other enforcement points, with the reason. */
export const NOT_IN_CEL: ReadonlyArray<[string, string]> = [
    ["PS-xx (pod security)", "Pod Security admission enforces them in every SecureNamespace"],
    ["NET-07, NET-08, RES-06, RES-07, OTH-07, RBAC-16", "need the whole set of objects (stack rules)"],
    ["RBAC-06 through a wildcard role", "needs the referenced role's rules (another object)"],
    ["IMG-03", "the allow-list is per stack; kept in the pack until it is configured for the cluster"],
];

export interface AdmissionOptions {
    /** Name prefix of the generated objects. */
    prefix: string;
    /** Namespaces the bindings skip (system namespaces and the blueprint's own add-ons). */
    exemptNamespaces: string[];
    /** Override the action per control ID (e.g. roll out in Warn before Deny). */
    actions?: Record<string, AdmissionAction[]>;
    /** Object names the policies skip (a trailing `*` matches a prefix), as the pack's `exemptNames`. */
    exemptNames?: string[];
    /** Objects carrying all of these labels are skipped, as the pack's `exemptLabels`. */
    exemptLabels?: Record<string, string>;
}

const celString = (v: string) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** matchConditions for the exemptions: break-glass first, then names and labels. */
export function matchConditions(o: Pick<AdmissionOptions, "exemptNames" | "exemptLabels">): Obj[] {
    const out: Obj[] = [{ name: "not-break-glass", expression: "!('system:masters' in request.userInfo.groups)" }];
    const names = o.exemptNames ?? [];
    if (names.length > 0) {
        const tests = names.map(n => (n.endsWith("*") ? `object.metadata.name.startsWith(${celString(n.slice(0, -1))})` : `object.metadata.name == ${celString(n)}`));
        out.push({ name: "not-exempt-name", expression: `!(${tests.join(" || ")})` });
    }
    const labels = Object.entries(o.exemptLabels ?? {});
    if (labels.length > 0) {
        const tests = labels.map(([k, v]) => `(${celString(k)} in object.metadata.labels && object.metadata.labels[${celString(k)}] == ${celString(v)})`);
        out.push({ name: "not-exempt-labels", expression: `!(has(object.metadata.labels) && ${tests.join(" && ")})` });
    }
    return out;
}

export const DEFAULT_EXEMPT_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "falco", "trivy-system"];

/** ValidatingAdmissionPolicy + binding per control. */
export function admissionPolicies(o: AdmissionOptions): Obj[] {
    const out: Obj[] = [];
    for (const c of ADMISSION_CONTROLS) {
        const name = `${o.prefix}${c.id.toLowerCase()}-${c.name}`;
        out.push({
            apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy",
            metadata: { name, labels: { "hardened-cluster/control": c.id } },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: { resourceRules: c.resources.map(r => ({ ...r, operations: ["CREATE", "UPDATE"] })) },
                // Break-glass: the cluster's system:masters identities are never blocked; then the exemptions.
                matchConditions: [...matchConditions(o), ...(c.matchConditions ?? [])],
                ...(c.variables ? { variables: c.variables } : {}),
                validations: [{ expression: c.expression, message: c.message }],
                auditAnnotations: [{ key: "control", valueExpression: `'${c.id}'` }],
            },
        });
        out.push({
            apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding",
            metadata: { name, labels: { "hardened-cluster/control": c.id } },
            spec: {
                policyName: name,
                validationActions: o.actions?.[c.id] ?? (c.mandatory ? ["Deny"] : ["Warn", "Audit"]),
                matchResources: { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: [...o.exemptNamespaces] }] } },
            },
        });
    }
    return out;
}
