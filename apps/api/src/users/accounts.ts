// Sign-up and password sign-in. The console's next-auth Credentials provider calls
// verifyCredentials and then issues the session; the API reads that session on every request.
import type { PrismaClient } from "@switchyard/db/client";
import type { Redis } from "ioredis";
import { decoyPasswordHash, hashPassword, verifyPassword } from "../auth/passwords";
import { assertSignInAllowed, clearSignInFailures, recordSignInFailure } from "../auth/sign-in-throttle";
import { AppError } from "../errors";
import { acceptInvitationInTransaction } from "../invitations/invitations";
import { createOrganizationInTransaction } from "../orgs/organizations";

export type SignedUpUser = { id: string; email: string; name: string; organizationSlug: string };

/**
 * Creates the user and, in the same transaction, either joins the organization of the invitation
 * they came with or creates their first organization (they become its owner).
 */
export async function signUp(options: {
  prisma: PrismaClient;
  name: string;
  email: string;
  password: string;
  organizationName?: string | undefined;
  invitationToken?: string | undefined;
}): Promise<SignedUpUser> {
  const email = options.email.toLowerCase();
  const passwordHash = await hashPassword(options.password);
  return options.prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email } })) {
      throw new AppError("CONFLICT", "An account with this email already exists. Sign in instead.", {
        field: "email",
      });
    }
    const user = await tx.user.create({ data: { email, name: options.name, passwordHash } });
    const actor = { userId: user.id, label: email };
    if (options.invitationToken) {
      const joined = await acceptInvitationInTransaction(tx, { token: options.invitationToken, user });
      return { id: user.id, email, name: user.name, organizationSlug: joined.slug };
    }
    const organization = await createOrganizationInTransaction(tx, {
      name: options.organizationName?.trim() || `${options.name}'s organization`,
      ownerUserId: user.id,
      actor,
    });
    return { id: user.id, email, name: user.name, organizationSlug: organization.slug };
  });
}

const wrongCredentials = "Wrong email or password.";

/** Returns the user for a correct email and password; one generic error otherwise. */
export async function verifyCredentials(options: {
  prisma: PrismaClient;
  redis: Redis;
  email: string;
  password: string;
  clientIp: string;
}): Promise<{ id: string; email: string; name: string }> {
  const email = options.email.toLowerCase();
  await assertSignInAllowed({ redis: options.redis, email, clientIp: options.clientIp });
  const user = await options.prisma.user.findUnique({ where: { email } });
  const isCorrect = await verifyPassword(options.password, user?.passwordHash ?? decoyPasswordHash);
  if (!user?.passwordHash || !isCorrect) {
    await recordSignInFailure({ redis: options.redis, email, clientIp: options.clientIp });
    throw new AppError("INVALID", wrongCredentials);
  }
  await clearSignInFailures({ redis: options.redis, email });
  return { id: user.id, email: user.email, name: user.name };
}

export async function findSessionUser(options: { prisma: PrismaClient; userId: string }) {
  return options.prisma.user.findUnique({
    where: { id: options.userId },
    select: { id: true, email: true, name: true },
  });
}
