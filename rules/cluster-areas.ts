/** RBAC, networking and control-plane artefact rules. */
import { Rule } from "./types";

export const CLUSTER_AREA_RULES: readonly Rule[] = [];
