/** Pod security rules (PS-xx), in catalog order. */
import { Rule } from "../types";
import { privilegedContainer } from "./ps01-privileged";

export const POD_RULES: readonly Rule[] = [privilegedContainer];
