import type { Role } from "./trpc";

export const roleLabels: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  editor: "Editor",
  viewer: "Viewer",
};

export const roleDescriptions: Record<Role, string> = {
  owner: "Everything, including managing owners",
  admin: "Manage members, invitations and settings",
  editor: "Change mesh policies and rollouts",
  viewer: "Read-only access",
};

/** The roles an actor may hand out: only owners may make owners. */
export function assignableRoles(canGrantOwner: boolean): Role[] {
  return canGrantOwner ? ["owner", "admin", "editor", "viewer"] : ["admin", "editor", "viewer"];
}

const roles: readonly string[] = ["owner", "admin", "editor", "viewer"] satisfies Role[];

export function isRole(value: string): value is Role {
  return roles.includes(value);
}
