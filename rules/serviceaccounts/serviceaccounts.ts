/** SA-01 … SA-06: service-account tokens and identities. */
import { show } from "../fields";
import { describe, judge, objectRule, podRule, Verdict } from "../define";
import { WORKLOAD_KINDS } from "../podspec";
import { ResourceRule } from "../types";
import { isUnknown } from "../unknown";

const SA_URL = "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/";

const SA01 = {
    id: "SA-01",
    name: "no-service-account-token-automount",
    description:
        "Pods and ServiceAccounts must set `automountServiceAccountToken: false` unless the workload " +
        "calls the Kubernetes API. A mounted token is a credential any code in the pod can steal.",
    remediation:
        "Set `automountServiceAccountToken: false` on the pod spec and on its ServiceAccount. " +
        "SecureNamespace creates workload ServiceAccounts this way (`workloadServiceAccounts`) and " +
        "patches the namespace's `default` one.",
    url: SA_URL,
};
const automountOnSa = objectRule(SA01, ["ServiceAccount"], o => [
    [
        "automountServiceAccountToken",
        judge(
            o.automountServiceAccountToken,
            v => v !== false,
            () => `${describe(o)} does not set automountServiceAccountToken: false.`,
        ),
    ],
]);
const automountOnPod = podRule(SA01, pod => [
    [
        "automountServiceAccountToken",
        judge(
            pod.spec.automountServiceAccountToken,
            v => v !== false,
            () => "The pod does not set automountServiceAccountToken: false.",
        ),
    ],
]);

export const automountToken: ResourceRule = {
    ...automountOnSa,
    kinds: ["ServiceAccount", ...WORKLOAD_KINDS],
    podTemplates: true,
    check: (o, ctx) => (o.kind === "ServiceAccount" ? automountOnSa : automountOnPod).check(o, ctx),
};

export const defaultServiceAccount = podRule(
    {
        id: "SA-02",
        name: "no-default-service-account",
        description:
            "Workloads must run as their own ServiceAccount, not the namespace's `default` one. " +
            "Sharing `default` gives every workload the same identity and the sum of everyone's " +
            "permissions.",
        remediation:
            "Set `serviceAccountName` to a dedicated ServiceAccount (SecureNamespace arg " +
            "`workloadServiceAccounts` creates them).",
        url: SA_URL,
    },
    pod => {
        const name = pod.spec.serviceAccountName ?? pod.spec.serviceAccount;
        return [
            [
                "serviceAccountName",
                judge(
                    name,
                    v => v === undefined || v === null || v === "" || v === "default",
                    () => "The pod runs as the namespace's default ServiceAccount.",
                ),
            ],
        ];
    },
);

export const defaultSaAutomount = objectRule(
    {
        id: "SA-03",
        name: "default-service-account-no-automount",
        description:
            "The `default` ServiceAccount of a namespace must set `automountServiceAccountToken: " +
            "false`, so pods that forget to choose an identity get no token.",
        remediation:
            "Patch the `default` ServiceAccount with `automountServiceAccountToken: false` " +
            "(SecureNamespace does this for every namespace it creates).",
        url: SA_URL,
    },
    ["ServiceAccount"],
    o => [
        [
            "automountServiceAccountToken",
            o.metadata?.name !== "default"
                ? undefined
                : judge(
                      o.automountServiceAccountToken,
                      v => v !== false,
                      () => `${describe(o)} is a default ServiceAccount that automounts its token.`,
                  ),
        ],
    ],
);

export const bindingToDefaultSa = objectRule(
    {
        id: "SA-04",
        name: "no-bindings-to-default-service-account",
        description:
            "Roles must not be bound to a `default` ServiceAccount: every pod that does not name its " +
            "own identity would inherit the permissions.",
        remediation: "Create a dedicated ServiceAccount for the workload and bind the role to it.",
        url: "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#service-account-permissions",
    },
    ["RoleBinding", "ClusterRoleBinding"],
    o => {
        const subjects = o.subjects;
        if (isUnknown(subjects))
            return [
                [
                    "subjects",
                    judge(
                        subjects,
                        () => true,
                        () => "",
                    ),
                ],
            ];
        return (Array.isArray(subjects) ? subjects : []).map(
            (s, i) =>
                [
                    `subjects[${i}].name`,
                    s?.kind === "ServiceAccount"
                        ? judge(
                              s.name,
                              v => v === "default",
                              () =>
                                  `${describe(o)} binds ${show(o.roleRef?.kind)} ` +
                                  `"${show(o.roleRef?.name)}" to the default ` +
                                  `ServiceAccount${s.namespace ? ` of ${show(s.namespace)}` : ""}.`,
                          )
                        : undefined,
                ] as [string, Verdict],
        );
    },
);

export const legacyTokens = objectRule(
    {
        id: "SA-05",
        name: "no-legacy-service-account-token-secrets",
        description:
            "Long-lived service-account token Secrets (`type: kubernetes.io/service-account-token`) " +
            "and ServiceAccount `.secrets` must not be used. They never expire; projected tokens are " +
            "short-lived and bound to the pod.",
        remediation:
            "Delete the token Secret and let pods use projected service-account tokens (or `kubectl " +
            "create token` for short-lived access).",
        url: "https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token",
    },
    ["Secret", "ServiceAccount"],
    o =>
        o.kind === "Secret"
            ? [
                  [
                      "type",
                      judge(
                          o.type,
                          v => v === "kubernetes.io/service-account-token",
                          () => `${describe(o)} is a long-lived service-account token Secret.`,
                      ),
                  ],
              ]
            : [
                  [
                      "secrets",
                      judge(
                          o.secrets,
                          v => Array.isArray(v) && v.length > 0,
                          () => `${describe(o)} lists token Secrets in .secrets.`,
                      ),
                  ],
              ],
);

export const deprecatedSaField = podRule(
    {
        id: "SA-06",
        name: "no-deprecated-service-account-field",
        description:
            "Pod specs must use `serviceAccountName`, not the deprecated `serviceAccount` field, " +
            "whose value is easy to get out of sync.",
        remediation: "Rename the `serviceAccount` field of the pod spec to `serviceAccountName`.",
        url: SA_URL,
    },
    pod => [
        [
            "serviceAccount",
            judge(
                pod.spec.serviceAccount,
                v => v !== undefined && v !== null && v !== "",
                () => "The pod uses the deprecated serviceAccount field.",
            ),
        ],
    ],
);
