import { z } from "zod";
import { listAuditEvents } from "../audit/list-audit-events";
import { router } from "../trpc/init";
import { orgProcedure } from "../trpc/procedures";

export const auditRouter = router({
  list: orgProcedure("admin")
    .input(
      z.object({
        limit: z.number().int().min(1).max(200).default(50),
        cursor: z.string().max(64).optional(),
        action: z.string().max(100).optional(),
      }),
    )
    .output(
      z.object({
        events: z.array(
          z.object({
            id: z.string(),
            createdAt: z.string(),
            actor: z.string(),
            action: z.string(),
            targetType: z.string(),
            targetId: z.string(),
            before: z.unknown(),
            after: z.unknown(),
          }),
        ),
        nextCursor: z.string().nullable(),
      }),
    )
    .query(({ ctx, input }) => listAuditEvents({ prisma: ctx.prisma, organizationId: ctx.org.id, ...input })),
});
