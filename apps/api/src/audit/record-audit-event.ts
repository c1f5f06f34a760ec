// Every change a user makes is recorded in the same transaction as the change itself.
import type { Prisma } from "@switchyard/db/client";

/** Who made a change: a user, or (userId null) a machine such as a cluster's agent. */
export type AuditActor = { userId: string | null; label: string };
export type UserActor = { userId: string; label: string };

export async function recordAuditEvent(
  tx: Prisma.TransactionClient,
  event: {
    organizationId: string;
    actor: AuditActor;
    action: string;
    targetType: string;
    targetId: string;
    before?: Prisma.InputJsonValue;
    after?: Prisma.InputJsonValue;
    requestId?: string;
  },
): Promise<void> {
  await tx.auditEvent.create({
    data: {
      organizationId: event.organizationId,
      actorUserId: event.actor.userId,
      actorLabel: event.actor.label,
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId,
      before: event.before,
      after: event.after,
      requestId: event.requestId,
    },
  });
}
