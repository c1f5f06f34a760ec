import { describe, expect, it } from "vitest";
import { slugFromName } from "./organizations";
import { capabilitiesOf, hasRoleAtLeast } from "./roles";

describe("roles", () => {
  it("orders owner > admin > editor > viewer", () => {
    expect(hasRoleAtLeast("owner", "admin")).toBe(true);
    expect(hasRoleAtLeast("admin", "admin")).toBe(true);
    expect(hasRoleAtLeast("editor", "admin")).toBe(false);
    expect(hasRoleAtLeast("viewer", "editor")).toBe(false);
  });

  it("gives the console the actions each role may take", () => {
    expect(capabilitiesOf("viewer")).toEqual({
      canManageMembers: false,
      canViewAudit: false,
      canGrantOwner: false,
      canEditPolicies: false,
      canManageClusters: false,
    });
    expect(capabilitiesOf("admin")).toMatchObject({
      canManageMembers: true,
      canGrantOwner: false,
      canManageClusters: true,
    });
    expect(capabilitiesOf("owner")).toMatchObject({ canGrantOwner: true });
  });
});

describe("organization slugs", () => {
  it("are lowercase words joined by dashes", () => {
    expect(slugFromName("Acme Payments, Inc.")).toBe("acme-payments-inc");
    expect(slugFromName("  Ünïcode  Straße ")).toBe("unicode-stra-e");
    expect(slugFromName("!!!")).toBe("org");
  });
});
