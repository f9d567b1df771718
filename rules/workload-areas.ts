/** Images, resources/quotas, probes, service accounts, namespaces, secrets, other security-relevant and hygiene rules. */
import { Rule } from "./types";

export const WORKLOAD_AREA_RULES: readonly Rule[] = [];
