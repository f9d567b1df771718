/** Rules of every area other than pod security, in catalog order. */
import { CLUSTER_AREA_RULES } from "./cluster-areas";
import { Rule } from "./types";
import { WORKLOAD_AREA_RULES } from "./workload-areas";

export const AREA_RULES: readonly Rule[] = [...WORKLOAD_AREA_RULES, ...CLUSTER_AREA_RULES];
