/**
 * Every rule of the catalog. Faces (the CrossGuard pack, the offline scanner, the admission
 * policies, the docs generator, the pack lint) take their rule list from here. Each rule carries
 * `admission`: its CEL twin or why it has none (rules/<area>/admission.ts).
 */
import { AREA_RULES } from "./areas";
import { POD_RULES } from "./pod";
import { Admission, Rule } from "./types";

/**
 * The CEL twins are read when a face asks for one (the admission policies, the docs, the pack
 * lint), not when the scanner or the pack starts: building them is a tenth of the scanner's start-up.
 */
let admissionById: ReadonlyMap<string, Admission> | undefined;
const admissionOf = (id: string): Admission | undefined =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
    (admissionById ??= (require("./admission") as typeof import("./admission")).ADMISSION_BY_ID).get(id);

export const RULES: readonly Rule[] = [...POD_RULES, ...AREA_RULES].map(r =>
    Object.defineProperty({ ...r }, "admission", {
        get: () => admissionOf(r.id),
        enumerable: true,
        configurable: false,
    }),
);

export * from "./types";
export { UNKNOWN, isUnknown } from "./unknown";
