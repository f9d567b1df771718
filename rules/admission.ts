/**
 * Every control in the API server: its CEL twin or why it has none, by control ID, gathered from
 * the areas (rules/<area>/admission.ts). rules/index.ts sets it on each rule as `admission`.
 */
import { CONTROLPLANE_ADMISSION } from "./controlplane/admission";
import { HYGIENE_ADMISSION } from "./hygiene/admission";
import { IMAGES_ADMISSION } from "./images/admission";
import { NAMESPACES_ADMISSION } from "./namespaces/admission";
import { NETWORK_ADMISSION } from "./network/admission";
import { OTHER_ADMISSION } from "./other/admission";
import { POD_ADMISSION } from "./pod/admission";
import { PROBES_ADMISSION } from "./probes/admission";
import { RBAC_ADMISSION } from "./rbac/admission";
import { RESOURCES_ADMISSION } from "./resources/admission";
import { SECRETS_ADMISSION } from "./secrets/admission";
import { SERVICEACCOUNTS_ADMISSION } from "./serviceaccounts/admission";
import { Admission } from "./types";

const AREAS: ReadonlyArray<Record<string, Admission>> = [
    POD_ADMISSION,
    IMAGES_ADMISSION,
    RESOURCES_ADMISSION,
    PROBES_ADMISSION,
    SERVICEACCOUNTS_ADMISSION,
    NAMESPACES_ADMISSION,
    SECRETS_ADMISSION,
    OTHER_ADMISSION,
    HYGIENE_ADMISSION,
    RBAC_ADMISSION,
    NETWORK_ADMISSION,
    CONTROLPLANE_ADMISSION,
];

export const ADMISSION_BY_ID: ReadonlyMap<string, Admission> = (() => {
    const m = new Map<string, Admission>();
    for (const area of AREAS) {
        for (const [id, a] of Object.entries(area)) {
            if (m.has(id)) throw new Error(`control ${id} is declared twice in rules/*/admission.ts`);
            m.set(id, a);
        }
    }
    return m;
})();
