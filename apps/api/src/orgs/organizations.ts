import { randomBytes } from "node:crypto";
import type { Prisma, PrismaClient, RoleName } from "@switchyard/db/client";
import { recordAuditEvent, type UserActor } from "../audit/record-audit-event";
import { capabilitiesOf } from "./roles";

export type OrganizationSummaryDto = { id: string; slug: string; name: string; role: RoleName };

export function slugFromName(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return slug || "org";
}

/** Creates an organization with `owner` as its first owner, inside the caller's transaction. */
export async function createOrganizationInTransaction(
  tx: Prisma.TransactionClient,
  options: { name: string; ownerUserId: string; actor: UserActor },
): Promise<OrganizationSummaryDto> {
  const base = slugFromName(options.name);
  let slug = base;
  // Slugs are unique; on a clash add a short random suffix (rare, so a loop of a few tries).
  for (let attempt = 0; await tx.organization.findUnique({ where: { slug } }); attempt++) {
    slug = `${base}-${randomBytes(attempt < 3 ? 2 : 4).toString("hex")}`;
  }
  const organization = await tx.organization.create({
    data: {
      name: options.name,
      slug,
      memberships: { create: { userId: options.ownerUserId, role: "owner" } },
    },
  });
  await recordAuditEvent(tx, {
    organizationId: organization.id,
    actor: options.actor,
    action: "organization.created",
    targetType: "organization",
    targetId: organization.id,
    after: { name: organization.name, slug: organization.slug },
  });
  return { id: organization.id, slug: organization.slug, name: organization.name, role: "owner" };
}

export async function createOrganization(options: {
  prisma: PrismaClient;
  name: string;
  ownerUserId: string;
  actor: UserActor;
}): Promise<OrganizationSummaryDto> {
  return options.prisma.$transaction((tx) => createOrganizationInTransaction(tx, options));
}

export async function listOrganizationsForUser(options: {
  prisma: PrismaClient;
  userId: string;
}): Promise<OrganizationSummaryDto[]> {
  const memberships = await options.prisma.membership.findMany({
    where: { userId: options.userId },
    include: { organization: true },
    orderBy: { organization: { name: "asc" } },
  });
  return memberships.map((membership) => ({
    id: membership.organization.id,
    slug: membership.organization.slug,
    name: membership.organization.name,
    role: membership.role,
  }));
}

export async function getOrganizationOverview(options: {
  prisma: PrismaClient;
  organizationId: string;
  role: RoleName;
}) {
  const organization = await options.prisma.organization.findUniqueOrThrow({
    where: { id: options.organizationId },
    include: { _count: { select: { memberships: true } } },
  });
  return {
    id: organization.id,
    slug: organization.slug,
    name: organization.name,
    createdAt: organization.createdAt.toISOString(),
    memberCount: organization._count.memberships,
    role: options.role,
    capabilities: capabilitiesOf(options.role),
  };
}
