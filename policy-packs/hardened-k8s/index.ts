// The hardened-k8s policy pack: every control of the rule core as a CrossGuard policy.
import { PolicyPack } from "@pulumi/policy";
import { RULES } from "../../rules";
import { toPolicies } from "../crossguard/policies";

new PolicyPack("hardened-k8s", { policies: toPolicies(RULES) });
