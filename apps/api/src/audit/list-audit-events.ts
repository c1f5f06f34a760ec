import type { PrismaClient } from "@switchyard/db/client";

export type AuditEventDto = {
  id: string;
  createdAt: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
};

/** Newest first, `limit` at a time; pass the last id as `cursor` for the next page. */
export async function listAuditEvents(options: {
  prisma: PrismaClient;
  organizationId: string;
  limit: number;
  cursor?: string | undefined;
  action?: string | undefined;
}): Promise<{ events: AuditEventDto[]; nextCursor: string | null }> {
  const rows = await options.prisma.auditEvent.findMany({
    where: { organizationId: options.organizationId, ...(options.action ? { action: options.action } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, options.limit);
  return {
    events: page.map((row) => ({
      id: row.id,
      createdAt: row.createdAt.toISOString(),
      actor: row.actorLabel,
      action: row.action,
      targetType: row.targetType,
      targetId: row.targetId,
      before: row.before,
      after: row.after,
    })),
    nextCursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null,
  };
}
