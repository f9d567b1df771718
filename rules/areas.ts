/** Rules of every area other than pod security (images, resources, probes, service accounts, RBAC, networking, namespaces, secrets, other, hygiene, control-plane artefacts), in catalog order. */
import { Rule } from "./types";

export const AREA_RULES: readonly Rule[] = [];
