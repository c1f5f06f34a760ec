import { z } from "zod";
import { router } from "../trpc/init";
import { publicProcedure, userProcedure } from "../trpc/procedures";
import { signUp, verifyCredentials } from "../users/accounts";
import {
  emailSchema,
  organizationNameSchema,
  passwordSchema,
  personNameSchema,
  tokenSchema,
} from "./schemas";

const sessionUserSchema = z.object({ id: z.string(), email: z.string(), name: z.string() });

export const authRouter = router({
  signUp: publicProcedure("creating an account is how a caller gets a session")
    .input(
      z.object({
        name: personNameSchema,
        email: emailSchema,
        password: passwordSchema,
        organizationName: organizationNameSchema.optional(),
        invitationToken: tokenSchema.optional(),
      }),
    )
    .output(sessionUserSchema.extend({ organizationSlug: z.string() }))
    .mutation(({ ctx, input }) => signUp({ prisma: ctx.prisma, ...input })),

  // Called by the console's next-auth Credentials provider, which then issues the session.
  verifyCredentials: publicProcedure(
    "signing in is how a caller gets a session; throttled per email and address",
  )
    .input(z.object({ email: emailSchema, password: z.string().min(1, "password is required").max(200) }))
    .output(sessionUserSchema)
    .mutation(({ ctx, input }) =>
      verifyCredentials({ prisma: ctx.prisma, redis: ctx.redis, clientIp: ctx.clientIp, ...input }),
    ),

  me: userProcedure.output(sessionUserSchema).query(({ ctx }) => ctx.user),
});
