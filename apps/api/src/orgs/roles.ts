// Roles are ordered: each one can do everything the ones below it can.
import type { RoleName } from "@switchyard/db/client";

export const roleOrder: readonly RoleName[] = ["viewer", "editor", "admin", "owner"];

export function hasRoleAtLeast(role: RoleName, needed: RoleName): boolean {
  return roleOrder.indexOf(role) >= roleOrder.indexOf(needed);
}

/** What a role may do in the console; the console shows only the actions allowed here. */
export function capabilitiesOf(role: RoleName) {
  return {
    canManageMembers: hasRoleAtLeast(role, "admin"),
    canViewAudit: hasRoleAtLeast(role, "admin"),
    canGrantOwner: role === "owner",
    canEditPolicies: hasRoleAtLeast(role, "editor"),
    canManageClusters: hasRoleAtLeast(role, "admin"),
  };
}
