// Sign-up, sign-in, organizations, invitations, members and the audit log over the real database
// and Redis, through the same procedures the console calls.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInLimits } from "../src/auth/sign-in-throttle";
import {
  addMember,
  callerFor,
  createTestServices,
  signUpOwner,
  type TestServices,
  testPassword,
  uniqueClientIp,
  uniqueEmail,
} from "./harness";

let services: TestServices;

beforeAll(() => {
  services = createTestServices();
});
afterAll(async () => {
  await services.close();
});

async function errorOf(call: Promise<unknown>): Promise<TRPCError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("sign-up and sign-in", () => {
  it("sign-up creates the user and their first organization, which they own", async () => {
    const email = uniqueEmail("Founder");
    const result = await callerFor(services, null).auth.signUp({
      name: "Ada Founder",
      email,
      password: testPassword,
      organizationName: "Acme Payments",
    });
    expect(result.organizationSlug).toMatch(/^acme-payments/);
    const user = { id: result.id, email: result.email, name: result.name };
    const orgs = await callerFor(services, user).orgs.list();
    expect(orgs).toEqual([expect.objectContaining({ name: "Acme Payments", role: "owner" })]);
    const stored = await services.prisma.user.findUniqueOrThrow({ where: { id: result.id } });
    expect(stored.passwordHash).toMatch(/^scrypt\$/);
    expect(stored.passwordHash).not.toContain(testPassword);
    const audit = await callerFor(services, user).audit.list({ orgSlug: result.organizationSlug, limit: 10 });
    expect(audit.events.map((event) => event.action)).toContain("organization.created");
  });

  it("bad input names the field and creates nothing", async () => {
    const email = uniqueEmail("bad");
    const error = await errorOf(
      callerFor(services, null).auth.signUp({ name: "X", email, password: "short" }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain("password");
    expect(await services.prisma.user.count({ where: { email } })).toBe(0);
  });

  it("a taken email is refused on the email field", async () => {
    const { user } = await signUpOwner(services, "taken");
    const error = await errorOf(
      callerFor(services, null).auth.signUp({ name: "Again", email: user.email, password: testPassword }),
    );
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/already exists/);
  });

  it("a wrong password and an unknown email get the same generic error", async () => {
    const { user } = await signUpOwner(services, "signin");
    const anonymous = callerFor(services, null);
    const wrongPassword = await errorOf(
      anonymous.auth.verifyCredentials({ email: user.email, password: "nope-nope-nope" }),
    );
    const unknownEmail = await errorOf(
      anonymous.auth.verifyCredentials({ email: uniqueEmail("nobody"), password: testPassword }),
    );
    expect(wrongPassword.message).toBe("Wrong email or password.");
    expect(unknownEmail.message).toBe(wrongPassword.message);
    const ok = await anonymous.auth.verifyCredentials({
      email: user.email.toUpperCase(),
      password: testPassword,
    });
    expect(ok.id).toBe(user.id);
  });

  it("throttles after repeated failures, even for the right password, and not for other accounts", async () => {
    const { user } = await signUpOwner(services, "throttled");
    const anonymous = callerFor(services, null, uniqueClientIp());
    for (let attempt = 0; attempt < signInLimits.failuresPerEmail; attempt++) {
      await errorOf(anonymous.auth.verifyCredentials({ email: user.email, password: "wrong-password" }));
    }
    const refused = await errorOf(
      anonymous.auth.verifyCredentials({ email: user.email, password: testPassword }),
    );
    expect(refused.code).toBe("TOO_MANY_REQUESTS");
    expect(refused.message).toMatch(/Try again in \d+ minute/);
    const { user: other } = await signUpOwner(services, "not-throttled");
    await expect(
      anonymous.auth.verifyCredentials({ email: other.email, password: testPassword }),
    ).resolves.toMatchObject({
      id: other.id,
    });
  });
});

describe("invitations and members", () => {
  it("an invited member joins with the invited role through the link, once", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "inviter");
    const email = uniqueEmail("invitee");
    const { url, invitation } = await callerFor(services, owner).invitations.create({
      orgSlug,
      email,
      role: "editor",
    });
    expect(url).toMatch(/^http:\/\/console\.test\/invite\/[\w-]{40,}$/);
    expect(invitation.status).toBe("pending");
    const token = url.split("/invite/")[1] ?? "";
    // Only the token's hash is stored.
    const stored = await services.prisma.invitation.findFirstOrThrow({ where: { email } });
    expect(stored.tokenHash).not.toBe(token);

    const preview = await callerFor(services, null).invitations.preview({ token });
    expect(preview).toMatchObject({ email, role: "editor" });

    const invitee = await callerFor(services, null).auth.signUp({
      name: "Invitee",
      email,
      password: testPassword,
      invitationToken: token,
    });
    expect(invitee.organizationSlug).toBe(orgSlug);
    const inviteeUser = { id: invitee.id, email, name: "Invitee" };
    // Joining through an invitation does not create an organization of their own.
    expect(await callerFor(services, inviteeUser).orgs.list()).toEqual([
      expect.objectContaining({ slug: orgSlug, role: "editor" }),
    ]);
    const reused = await errorOf(callerFor(services, inviteeUser).invitations.accept({ token }));
    expect(reused.message).toMatch(/accepted/);
    const members = await callerFor(services, owner).members.list({ orgSlug });
    expect(members.map((member) => [member.email, member.role])).toContainEqual([email, "editor"]);
  });

  it("an invitation for one email cannot be accepted by another account", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "strict-inviter");
    const { url } = await callerFor(services, owner).invitations.create({
      orgSlug,
      email: uniqueEmail("intended"),
      role: "viewer",
    });
    const { user: someoneElse } = await signUpOwner(services, "someone-else");
    const error = await errorOf(
      callerFor(services, someoneElse).invitations.accept({ token: url.split("/invite/")[1] ?? "" }),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect(await callerFor(services, someoneElse).orgs.list()).toHaveLength(1);
  });

  it("expired and revoked invitations are refused with a clear message", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "expiry");
    const email = uniqueEmail("late");
    const { url, invitation } = await callerFor(services, owner).invitations.create({
      orgSlug,
      email,
      role: "viewer",
    });
    const token = url.split("/invite/")[1] ?? "";
    await services.prisma.invitation.update({
      where: { id: invitation.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await errorOf(callerFor(services, null).invitations.preview({ token }))).message).toMatch(
      /expired/,
    );

    const second = await callerFor(services, owner).invitations.create({
      orgSlug,
      email: uniqueEmail("revoked"),
      role: "viewer",
    });
    await callerFor(services, owner).invitations.revoke({ orgSlug, invitationId: second.invitation.id });
    const revokedToken = second.url.split("/invite/")[1] ?? "";
    expect(
      (await errorOf(callerFor(services, null).invitations.preview({ token: revokedToken }))).message,
    ).toMatch(/revoked/);
  });

  it("an admin cannot invite or promote an owner; the last owner cannot be demoted or removed", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "owners");
    const admin = await addMember(services, owner, orgSlug, "admin");
    const asAdmin = callerFor(services, admin);
    const inviteOwner = await errorOf(
      asAdmin.invitations.create({ orgSlug, email: uniqueEmail("o"), role: "owner" }),
    );
    expect(inviteOwner.code).toBe("FORBIDDEN");

    const members = await callerFor(services, owner).members.list({ orgSlug });
    const ownerMembership = members.find((member) => member.userId === owner.id);
    const adminMembership = members.find((member) => member.userId === admin.id);
    if (!ownerMembership || !adminMembership) throw new Error("members missing");
    expect((await errorOf(asAdmin.members.remove({ orgSlug, membershipId: ownerMembership.id }))).code).toBe(
      "FORBIDDEN",
    );
    const demoteLast = await errorOf(
      callerFor(services, owner).members.changeRole({
        orgSlug,
        membershipId: ownerMembership.id,
        role: "admin",
      }),
    );
    expect(demoteLast.code).toBe("CONFLICT");
    expect(demoteLast.message).toMatch(/at least one owner/);
    expect(
      (
        await errorOf(
          callerFor(services, owner).members.remove({ orgSlug, membershipId: ownerMembership.id }),
        )
      ).code,
    ).toBe("CONFLICT");

    // With a second owner, the first can step down.
    await callerFor(services, owner).members.changeRole({
      orgSlug,
      membershipId: adminMembership.id,
      role: "owner",
    });
    const stepDown = await callerFor(services, owner).members.changeRole({
      orgSlug,
      membershipId: ownerMembership.id,
      role: "admin",
    });
    expect(stepDown.role).toBe("admin");
    const audit = await callerFor(services, admin).audit.list({ orgSlug, limit: 50 });
    expect(audit.events.filter((event) => event.action === "member.role_changed")).toHaveLength(2);
  });

  it("removing a member takes away their access at once", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "remover");
    const viewer = await addMember(services, owner, orgSlug, "viewer");
    expect((await callerFor(services, viewer).orgs.get({ orgSlug })).role).toBe("viewer");
    const membership = (await callerFor(services, owner).members.list({ orgSlug })).find(
      (m) => m.userId === viewer.id,
    );
    await callerFor(services, owner).members.remove({ orgSlug, membershipId: membership?.id ?? "" });
    expect((await errorOf(callerFor(services, viewer).orgs.get({ orgSlug }))).code).toBe("NOT_FOUND");
  });

  it("the audit log pages newest first", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "pager");
    for (let index = 0; index < 5; index++) {
      await callerFor(services, owner).invitations.create({
        orgSlug,
        email: uniqueEmail(`p${index}`),
        role: "viewer",
      });
    }
    const first = await callerFor(services, owner).audit.list({ orgSlug, limit: 4 });
    expect(first.events).toHaveLength(4);
    expect(first.nextCursor).not.toBeNull();
    const second = await callerFor(services, owner).audit.list({
      orgSlug,
      limit: 4,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second.events).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    const all = [...first.events, ...second.events];
    expect(new Set(all.map((event) => event.id)).size).toBe(6);
    expect(all.at(-1)?.action).toBe("organization.created");
  });
});
