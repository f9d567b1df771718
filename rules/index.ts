/**
 * Every rule of the catalog. Faces (the CrossGuard pack, the offline scanner, the admission
 * policies, the docs generator, the pack lint) take their rule list from here. Each rule carries
 * `admission`: its CEL twin or why it has none (rules/<area>/admission.ts).
 */
import { ADMISSION_BY_ID } from "./admission";
import { AREA_RULES } from "./areas";
import { POD_RULES } from "./pod";
import { Rule } from "./types";

export const RULES: readonly Rule[] = [...POD_RULES, ...AREA_RULES].map(r => ({
    ...r,
    admission: ADMISSION_BY_ID.get(r.id),
}));

export * from "./types";
export { UNKNOWN, isUnknown } from "./unknown";
