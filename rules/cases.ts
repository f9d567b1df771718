/**
 * Every control's fixtures, gathered from the areas (rules/<area>/cases.ts, plus the pod-security field cases and the
 * RBAC authorizer cases), with the builders they are made of. Fixtures only: used by the unit tests, the admission
 * parity and the RBAC parity e2e; not part of the published build (tsconfig.build.json leaves them out).
 */
import { CASES as controlplane } from "./controlplane/cases";
import { CASES as hygiene } from "./hygiene/cases";
import { CASES as images } from "./images/cases";
import { CASES as namespaces } from "./namespaces/cases";
import { CASES as network } from "./network/cases";
import { CASES as other } from "./other/cases";
import { CASES as pod } from "./pod/cases";
import { CASES as probes } from "./probes/cases";
import { CASES as rbac } from "./rbac/cases";
import { CASES as resources } from "./resources/cases";
import { CASES as secrets } from "./secrets/cases";
import { CASES as serviceaccounts } from "./serviceaccounts/cases";
import { Case } from "./testkit/cases";

export * from "./testkit/cases";
export * from "./testkit/workloads";
export { POD_CASES, PodCase } from "./pod/field-cases";
export { RBAC_CASES, clusterRole } from "./rbac/authorizer-cases";

/** One compliant and one failing fixture per control outside the pod-security field cases, area by area. */
export const CASES: Case[] = [
    ...images,
    ...resources,
    ...probes,
    ...serviceaccounts,
    ...namespaces,
    ...secrets,
    ...other,
    ...hygiene,
    ...rbac,
    ...network,
    ...controlplane,
    ...pod,
];
