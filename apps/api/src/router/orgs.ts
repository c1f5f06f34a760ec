import { z } from "zod";
import { createOrganization, getOrganizationOverview, listOrganizationsForUser } from "../orgs/organizations";
import { router } from "../trpc/init";
import { orgProcedure, userProcedure } from "../trpc/procedures";
import { organizationNameSchema, roleSchema } from "./schemas";

const organizationSummarySchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  role: roleSchema,
});

export const orgsRouter = router({
  list: userProcedure
    .output(z.array(organizationSummarySchema))
    .query(({ ctx }) => listOrganizationsForUser({ prisma: ctx.prisma, userId: ctx.user.id })),

  create: userProcedure
    .input(z.object({ name: organizationNameSchema }))
    .output(organizationSummarySchema)
    .mutation(({ ctx, input }) =>
      createOrganization({
        prisma: ctx.prisma,
        name: input.name,
        ownerUserId: ctx.user.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
      }),
    ),

  get: orgProcedure("viewer")
    .output(
      z.object({
        id: z.string(),
        slug: z.string(),
        name: z.string(),
        createdAt: z.string(),
        memberCount: z.number(),
        role: roleSchema,
        capabilities: z.object({
          canManageMembers: z.boolean(),
          canViewAudit: z.boolean(),
          canGrantOwner: z.boolean(),
          canEditPolicies: z.boolean(),
          canManageClusters: z.boolean(),
        }),
      }),
    )
    .query(({ ctx }) =>
      getOrganizationOverview({ prisma: ctx.prisma, organizationId: ctx.org.id, role: ctx.role }),
    ),
});
