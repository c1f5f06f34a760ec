import { z } from "zod";
import { changeMemberRole, listMembers, removeMember } from "../members/members";
import { router } from "../trpc/init";
import { orgProcedure } from "../trpc/procedures";
import { idSchema, roleSchema } from "./schemas";

const memberSchema = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role: roleSchema,
  joinedAt: z.string(),
});

export const membersRouter = router({
  list: orgProcedure("viewer")
    .output(z.array(memberSchema))
    .query(({ ctx }) => listMembers({ prisma: ctx.prisma, organizationId: ctx.org.id })),

  changeRole: orgProcedure("admin")
    .input(z.object({ membershipId: idSchema, role: roleSchema }))
    .output(memberSchema)
    .mutation(({ ctx, input }) =>
      changeMemberRole({
        prisma: ctx.prisma,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        actorRole: ctx.role,
        membershipId: input.membershipId,
        role: input.role,
      }),
    ),

  remove: orgProcedure("admin")
    .input(z.object({ membershipId: idSchema }))
    .output(z.object({ removed: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeMember({
        prisma: ctx.prisma,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        actorRole: ctx.role,
        membershipId: input.membershipId,
      });
      return { removed: true as const };
    }),
});
