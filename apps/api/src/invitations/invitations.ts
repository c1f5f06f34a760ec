// Invitations: an admin invites an email with a role; the link (shown to the inviter, as there is
// no mail server) carries a random token of which only the hash is stored.
import type { Prisma, PrismaClient, RoleName } from "@switchyard/db/client";
import { recordAuditEvent, type UserActor } from "../audit/record-audit-event";
import { generateToken, hashToken } from "../auth/tokens";
import { AppError } from "../errors";

export const invitationLifetimeMs = 7 * 24 * 60 * 60 * 1000;

export type InvitationDto = {
  id: string;
  email: string;
  role: RoleName;
  expiresAt: string;
  createdAt: string;
  status: "pending" | "accepted" | "revoked" | "expired";
};

function statusOf(
  invitation: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date },
  now: Date,
) {
  if (invitation.acceptedAt) return "accepted" as const;
  if (invitation.revokedAt) return "revoked" as const;
  if (invitation.expiresAt <= now) return "expired" as const;
  return "pending" as const;
}

function toDto(
  invitation: {
    id: string;
    email: string;
    role: RoleName;
    expiresAt: Date;
    createdAt: Date;
    acceptedAt: Date | null;
    revokedAt: Date | null;
  },
  now = new Date(),
): InvitationDto {
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    expiresAt: invitation.expiresAt.toISOString(),
    createdAt: invitation.createdAt.toISOString(),
    status: statusOf(invitation, now),
  };
}

export function invitationUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, "")}/invite/${token}`;
}

export async function createInvitation(options: {
  prisma: PrismaClient;
  organizationId: string;
  actor: UserActor;
  actorRole: RoleName;
  email: string;
  role: RoleName;
  publicUrl: string;
}): Promise<{ invitation: InvitationDto; url: string }> {
  if (options.role === "owner" && options.actorRole !== "owner") {
    throw new AppError("FORBIDDEN", "Only an owner can invite an owner.", { field: "role" });
  }
  const email = options.email.toLowerCase();
  const token = generateToken("invitation");
  const invitation = await options.prisma.$transaction(async (tx) => {
    const existingMember = await tx.membership.findFirst({
      where: { organizationId: options.organizationId, user: { email } },
    });
    if (existingMember) {
      throw new AppError("CONFLICT", `${email} is already a member of this organization.`, {
        field: "email",
      });
    }
    // A new invitation for the same email replaces any pending one.
    await tx.invitation.updateMany({
      where: { organizationId: options.organizationId, email, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    const created = await tx.invitation.create({
      data: {
        organizationId: options.organizationId,
        email,
        role: options.role,
        tokenHash: hashToken(token),
        invitedById: options.actor.userId,
        expiresAt: new Date(Date.now() + invitationLifetimeMs),
      },
    });
    await recordAuditEvent(tx, {
      organizationId: options.organizationId,
      actor: options.actor,
      action: "invitation.created",
      targetType: "invitation",
      targetId: email,
      after: { email, role: options.role },
    });
    return created;
  });
  return { invitation: toDto(invitation), url: invitationUrl(options.publicUrl, token) };
}

export async function listInvitations(options: {
  prisma: PrismaClient;
  organizationId: string;
}): Promise<InvitationDto[]> {
  const rows = await options.prisma.invitation.findMany({
    where: { organizationId: options.organizationId, acceptedAt: null, revokedAt: null },
    orderBy: { createdAt: "desc" },
  });
  return rows.map((row) => toDto(row));
}

export async function revokeInvitation(options: {
  prisma: PrismaClient;
  organizationId: string;
  actor: UserActor;
  invitationId: string;
}): Promise<void> {
  await options.prisma.$transaction(async (tx) => {
    const invitation = await tx.invitation.findFirst({
      where: { id: options.invitationId, organizationId: options.organizationId },
    });
    if (!invitation) throw new AppError("NOT_FOUND", "Invitation not found.", { field: "invitationId" });
    if (invitation.acceptedAt) throw new AppError("CONFLICT", "This invitation was already accepted.");
    await tx.invitation.update({ where: { id: invitation.id }, data: { revokedAt: new Date() } });
    await recordAuditEvent(tx, {
      organizationId: options.organizationId,
      actor: options.actor,
      action: "invitation.revoked",
      targetType: "invitation",
      targetId: invitation.email,
    });
  });
}

async function findUsableInvitation(tx: Prisma.TransactionClient, token: string) {
  const invitation = await tx.invitation.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { organization: true },
  });
  if (!invitation) throw new AppError("NOT_FOUND", "This invitation link is not valid.", { field: "token" });
  const status = statusOf(invitation, new Date());
  if (status !== "pending") {
    throw new AppError("INVALID", `This invitation has been ${status === "expired" ? "expired" : status}.`, {
      field: "token",
    });
  }
  return invitation;
}

/** What the invitation page shows before the invitee signs in or signs up. */
export async function previewInvitation(options: { prisma: PrismaClient; token: string }) {
  const invitation = await findUsableInvitation(options.prisma, options.token);
  return {
    organizationName: invitation.organization.name,
    email: invitation.email,
    role: invitation.role,
    expiresAt: invitation.expiresAt.toISOString(),
  };
}

/** Accepts inside the caller's transaction (sign-up with an invitation uses it too). */
export async function acceptInvitationInTransaction(
  tx: Prisma.TransactionClient,
  options: { token: string; user: { id: string; email: string; name: string } },
): Promise<{ slug: string; name: string; role: RoleName }> {
  // Lock the row so a link cannot be accepted twice at once.
  await tx.$queryRaw`select id from invitations where "tokenHash" = ${hashToken(options.token)} for update`;
  const invitation = await findUsableInvitation(tx, options.token);
  if (invitation.email !== options.user.email.toLowerCase()) {
    throw new AppError(
      "FORBIDDEN",
      `This invitation is for ${invitation.email}; you are signed in as ${options.user.email}.`,
      { field: "token" },
    );
  }
  const existing = await tx.membership.findFirst({
    where: { organizationId: invitation.organizationId, userId: options.user.id },
  });
  if (!existing) {
    await tx.membership.create({
      data: { organizationId: invitation.organizationId, userId: options.user.id, role: invitation.role },
    });
  }
  await tx.invitation.update({
    where: { id: invitation.id },
    data: { acceptedAt: new Date(), acceptedById: options.user.id },
  });
  await recordAuditEvent(tx, {
    organizationId: invitation.organizationId,
    actor: { userId: options.user.id, label: options.user.email },
    action: "invitation.accepted",
    targetType: "member",
    targetId: options.user.email,
    after: { role: existing?.role ?? invitation.role },
  });
  return {
    slug: invitation.organization.slug,
    name: invitation.organization.name,
    role: existing?.role ?? invitation.role,
  };
}

export async function acceptInvitation(options: {
  prisma: PrismaClient;
  token: string;
  user: { id: string; email: string; name: string };
}) {
  return options.prisma.$transaction((tx) => acceptInvitationInTransaction(tx, options));
}
