// The three kinds of procedure. Each one states its access in metadata, so no procedure can be
// added without saying who may call it (the access walk test reads it).
import type { RoleName } from "@switchyard/db/client";
import { z } from "zod";
import { AppError } from "../errors";
import { hasRoleAtLeast } from "../orgs/roles";
import { baseProcedure } from "./init";

/** Anyone, signed in or not; `why` documents the reason it is open. */
export const publicProcedure = (why: string) => baseProcedure.meta({ access: "public", why });

/** Any signed-in user. */
export const userProcedure = baseProcedure.meta({ access: "user" }).use(({ ctx, next }) => {
  if (!ctx.user) throw new AppError("UNAUTHENTICATED", "Sign in to continue.");
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const orgInput = z.object({
  orgSlug: z.string().min(1, "orgSlug is required").max(64),
});

/** A member of the organization named by `orgSlug` with at least `minRole`. */
export function orgProcedure(minRole: RoleName) {
  return baseProcedure
    .meta({ access: "org", minRole })
    .input(orgInput)
    .use(async ({ ctx, input, next }) => {
      if (!ctx.user) throw new AppError("UNAUTHENTICATED", "Sign in to continue.");
      const membership = await ctx.prisma.membership.findFirst({
        where: { userId: ctx.user.id, organization: { slug: input.orgSlug } },
        include: { organization: true },
      });
      // Not a member: answer as if the organization did not exist, so slugs cannot be probed.
      if (!membership) throw new AppError("NOT_FOUND", "Organization not found.");
      if (!hasRoleAtLeast(membership.role, minRole)) {
        throw new AppError("FORBIDDEN", `This needs the ${minRole} role; you are ${membership.role}.`);
      }
      return next({
        ctx: {
          ...ctx,
          user: ctx.user,
          org: {
            id: membership.organization.id,
            slug: membership.organization.slug,
            name: membership.organization.name,
          },
          role: membership.role,
        },
      });
    });
}
