/**
 * The stack's own RBAC is the access review's first customer: `risky` over each stack's gathered
 * objects (plus the API server's default RBAC) reports only the documented access levels of
 * SecureNamespace (developer and admin may create workloads; a level with `allowExec` may exec).
 * Pinned: a new risky grant in a stack fails here until it is documented and pinned.
 */
import { strict as assert } from "assert";
import { withDefaults } from "../../access/defaults";
import { AccessReview, subjectLabel } from "../../access/review";
import { risky } from "../../access/risky";
import { gatherStack, kubernetesObjects } from "../../scripts/gather";

const PINNED: Record<string, string[]> = {
    dev: [
        "Group oidc:payments-devs exec RBAC-03 payments-dev team-developer",
        "Group oidc:payments-devs pods-create RBAC-10 payments-dev team-developer",
        "Group oidc:payments-leads pods-create RBAC-10 payments-dev team-admin",
        "Group oidc:web-devs pods-create RBAC-10 web-dev team-developer",
    ],
    prod: [
        "Group oidc:payments-devs pods-create RBAC-10 payments team-developer",
        "Group oidc:payments-leads pods-create RBAC-10 payments team-admin",
        "Group oidc:web-devs pods-create RBAC-10 web team-developer",
    ],
    local: [
        "Group team-a-admins pods-create RBAC-10 team-a team-admin",
        "Group team-a-devs pods-create RBAC-10 team-a team-developer",
    ],
};

/** SecureNamespace's access levels: a RoleBinding and Role of the same name per level. */
const ACCESS_LEVELS = ["team-viewer", "team-developer", "team-admin"];

describe("access review of the stacks' own RBAC (risky, pinned)", function () {
    this.timeout(300_000);
    for (const stack of Object.keys(PINNED)) {
        it(`${stack}: only the documented access levels hold risky powers`, () => {
            const objects = kubernetesObjects(gatherStack(stack).resources);
            const review = new AccessReview(withDefaults(objects));
            const entries = risky(review);
            for (const e of entries) {
                for (const c of e.chains) {
                    assert.ok(
                        c.binding.kind === "RoleBinding" &&
                            ACCESS_LEVELS.includes(c.binding.name) &&
                            c.role.kind === "Role" &&
                            c.role.name === c.binding.name,
                        `${subjectLabel(e.subject)} holds ${e.power} through ${c.binding.kind} ` +
                            `${c.binding.name} → ${c.role.kind} ${c.role.name}, not an access level`,
                    );
                }
            }
            assert.deepEqual(
                entries.map(
                    e =>
                        `${subjectLabel(e.subject)} ${e.power} ${e.controlId} ${e.scope} ` +
                        `${e.chains.map(c => c.binding.name).join(",")}`,
                ),
                PINNED[stack],
            );
        });
    }
});
