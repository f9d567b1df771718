/**
 * The control catalog as data (transcribed from the project's control catalog: IDs, titles,
 * severities and CIS/NSA/PSS references). Rules, the docs generator and the pack lint all read it.
 */
import catalogData from "./controls.json";
import { EnforcementLevel, Severity } from "./types";

export interface Control {
    id: string;
    area: string;
    title: string;
    severity: Severity;
    references: string;
    /** Reliability/hygiene control: always advisory by default. */
    hygiene: boolean;
}

export const CATALOG: readonly Control[] = catalogData as Control[];

const byId = new Map(CATALOG.map(c => [c.id, c]));

export function control(id: string): Control {
    const c = byId.get(id);
    if (!c) {
        throw new Error(`unknown control ID '${id}': not in rules/controls.json`);
    }
    return c;
}

/** Critical and High security controls are mandatory by default; Medium, Low and hygiene advisory. */
export function defaultEnforcement(id: string): EnforcementLevel {
    const c = control(id);
    if (c.hygiene) {
        return "advisory";
    }
    return c.severity === "critical" || c.severity === "high" ? "mandatory" : "advisory";
}
