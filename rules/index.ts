/**
 * Every rule of the catalog. Faces (the CrossGuard pack, the offline scanner, the docs
 * generator, the pack lint) take their rule list from here.
 */
import { AREA_RULES } from "./areas";
import { POD_RULES } from "./pod";
import { Rule } from "./types";

export const RULES: readonly Rule[] = [...POD_RULES, ...AREA_RULES];

export * from "./types";
export { UNKNOWN, isUnknown } from "./unknown";
