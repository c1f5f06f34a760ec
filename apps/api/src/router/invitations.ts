import { z } from "zod";
import {
  acceptInvitation,
  createInvitation,
  listInvitations,
  previewInvitation,
  revokeInvitation,
} from "../invitations/invitations";
import { router } from "../trpc/init";
import { orgProcedure, publicProcedure, userProcedure } from "../trpc/procedures";
import { emailSchema, idSchema, roleSchema, tokenSchema } from "./schemas";

const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  expiresAt: z.string(),
  createdAt: z.string(),
  status: z.enum(["pending", "accepted", "revoked", "expired"]),
});

export const invitationsRouter = router({
  create: orgProcedure("admin")
    .input(z.object({ email: emailSchema, role: roleSchema }))
    .output(z.object({ invitation: invitationSchema, url: z.string() }))
    .mutation(({ ctx, input }) =>
      createInvitation({
        prisma: ctx.prisma,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        actorRole: ctx.role,
        email: input.email,
        role: input.role,
        publicUrl: ctx.publicUrl,
      }),
    ),

  list: orgProcedure("admin")
    .output(z.array(invitationSchema))
    .query(({ ctx }) => listInvitations({ prisma: ctx.prisma, organizationId: ctx.org.id })),

  revoke: orgProcedure("admin")
    .input(z.object({ invitationId: idSchema }))
    .output(z.object({ revoked: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await revokeInvitation({
        prisma: ctx.prisma,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        invitationId: input.invitationId,
      });
      return { revoked: true as const };
    }),

  preview: publicProcedure("the invitee opens the link before they have an account; the token is the secret")
    .input(z.object({ token: tokenSchema }))
    .output(
      z.object({ organizationName: z.string(), email: z.string(), role: roleSchema, expiresAt: z.string() }),
    )
    .query(({ ctx, input }) => previewInvitation({ prisma: ctx.prisma, token: input.token })),

  accept: userProcedure
    .input(z.object({ token: tokenSchema }))
    .output(z.object({ slug: z.string(), name: z.string(), role: roleSchema }))
    .mutation(({ ctx, input }) =>
      acceptInvitation({ prisma: ctx.prisma, token: input.token, user: ctx.user }),
    ),
});
