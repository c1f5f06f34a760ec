import type { Prisma, PrismaClient, RoleName } from "@switchyard/db/client";
import { recordAuditEvent, type UserActor } from "../audit/record-audit-event";
import { AppError } from "../errors";

export type MemberDto = {
  id: string;
  userId: string;
  name: string;
  email: string;
  role: RoleName;
  joinedAt: string;
};

export async function listMembers(options: {
  prisma: PrismaClient;
  organizationId: string;
}): Promise<MemberDto[]> {
  const memberships = await options.prisma.membership.findMany({
    where: { organizationId: options.organizationId },
    include: { user: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return memberships.map((membership) => ({
    id: membership.id,
    userId: membership.userId,
    name: membership.user.name,
    email: membership.user.email,
    role: membership.role,
    joinedAt: membership.createdAt.toISOString(),
  }));
}

type ChangeOptions = {
  prisma: PrismaClient;
  organizationId: string;
  actor: UserActor;
  actorRole: RoleName;
  membershipId: string;
};

async function findMembershipForChange(tx: Prisma.TransactionClient, options: ChangeOptions) {
  // Lock the organization's memberships so two concurrent changes cannot both remove the last owner.
  await tx.$queryRaw`select id from memberships where "organizationId" = ${options.organizationId} for update`;
  const membership = await tx.membership.findFirst({
    where: { id: options.membershipId, organizationId: options.organizationId },
    include: { user: true },
  });
  if (!membership) throw new AppError("NOT_FOUND", "Member not found.", { field: "membershipId" });
  if (membership.role === "owner" && options.actorRole !== "owner") {
    throw new AppError("FORBIDDEN", "Only an owner can change or remove another owner.");
  }
  return membership;
}

async function assertAnotherOwnerRemains(
  tx: Prisma.TransactionClient,
  organizationId: string,
  membershipId: string,
) {
  const otherOwners = await tx.membership.count({
    where: { organizationId, role: "owner", id: { not: membershipId } },
  });
  if (otherOwners === 0) {
    throw new AppError(
      "CONFLICT",
      "An organization needs at least one owner: make someone else owner first.",
    );
  }
}

export async function changeMemberRole(options: ChangeOptions & { role: RoleName }): Promise<MemberDto> {
  if (options.role === "owner" && options.actorRole !== "owner") {
    throw new AppError("FORBIDDEN", "Only an owner can make someone an owner.", { field: "role" });
  }
  return options.prisma.$transaction(async (tx) => {
    const membership = await findMembershipForChange(tx, options);
    if (membership.role === options.role) {
      return toDto(membership);
    }
    if (membership.role === "owner")
      await assertAnotherOwnerRemains(tx, options.organizationId, membership.id);
    const updated = await tx.membership.update({
      where: { id: membership.id },
      data: { role: options.role },
      include: { user: true },
    });
    await recordAuditEvent(tx, {
      organizationId: options.organizationId,
      actor: options.actor,
      action: "member.role_changed",
      targetType: "member",
      targetId: membership.user.email,
      before: { role: membership.role },
      after: { role: options.role },
    });
    return toDto(updated);
  });
}

export async function removeMember(options: ChangeOptions): Promise<void> {
  await options.prisma.$transaction(async (tx) => {
    const membership = await findMembershipForChange(tx, options);
    if (membership.role === "owner")
      await assertAnotherOwnerRemains(tx, options.organizationId, membership.id);
    await tx.membership.delete({ where: { id: membership.id } });
    await recordAuditEvent(tx, {
      organizationId: options.organizationId,
      actor: options.actor,
      action: "member.removed",
      targetType: "member",
      targetId: membership.user.email,
      before: { role: membership.role, name: membership.user.name },
    });
  });
}

function toDto(membership: {
  id: string;
  userId: string;
  role: RoleName;
  createdAt: Date;
  user: { name: string; email: string };
}): MemberDto {
  return {
    id: membership.id,
    userId: membership.userId,
    name: membership.user.name,
    email: membership.user.email,
    role: membership.role,
    joinedAt: membership.createdAt.toISOString(),
  };
}
