/**
 * Every rule of the catalog, in catalog order. Faces (the CrossGuard pack, the offline scanner,
 * the docs generator) take their rule list from here.
 */
import { privilegedContainer } from "./pod/ps01-privileged";
import { Rule } from "./types";

export const RULES: readonly Rule[] = [privilegedContainer];

export * from "./types";
export { UNKNOWN, isUnknown } from "./unknown";
