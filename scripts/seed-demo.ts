// Seeds the demo organization: a demo owner to sign in as, teammates with each role, a pending
// invitation, and the audit trail those leave. Idempotent: an existing demo user is left as is.

import { createInvitation } from "../apps/api/src/invitations/invitations";
import { signUp } from "../apps/api/src/users/accounts";
import { createPrismaClient } from "../packages/db/src/client";
import { demoLogin } from "./demo-login";

const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/switchyard";
const publicUrl = process.env.PUBLIC_URL ?? "http://localhost:3000";
const prisma = createPrismaClient({ databaseUrl });

async function main() {
  if (await prisma.user.findUnique({ where: { email: demoLogin.email } })) return;
  const owner = await signUp({
    prisma,
    name: "Dana Demo",
    email: demoLogin.email,
    password: demoLogin.password,
    organizationName: "Acme Retail",
  });
  const actor = { userId: owner.id, label: owner.email };
  const teammates = [
    { name: "Alex Admin", email: "alex@switchyard.dev", role: "admin" as const },
    { name: "Erin Editor", email: "erin@switchyard.dev", role: "editor" as const },
    { name: "Vic Viewer", email: "vic@switchyard.dev", role: "viewer" as const },
  ];
  for (const teammate of teammates) {
    const { url } = await createInvitation({
      prisma,
      organizationId: (
        await prisma.organization.findUniqueOrThrow({ where: { slug: owner.organizationSlug } })
      ).id,
      actor,
      actorRole: "owner",
      email: teammate.email,
      role: teammate.role,
      publicUrl,
    });
    await signUp({
      prisma,
      name: teammate.name,
      email: teammate.email,
      password: demoLogin.password,
      invitationToken: url.split("/invite/")[1],
    });
  }
  await createInvitation({
    prisma,
    organizationId: (await prisma.organization.findUniqueOrThrow({ where: { slug: owner.organizationSlug } }))
      .id,
    actor,
    actorRole: "owner",
    email: "sam.sre@example.com",
    role: "editor",
    publicUrl,
  });
}

main()
  .then(() => prisma.$disconnect())
  .catch(async (error: unknown) => {
    console.error(error);
    await prisma.$disconnect();
    process.exit(1);
  });
