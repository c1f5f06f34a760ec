import { invite, newAccount, signIn, signUp } from "../support/seed";
import { expect, test } from "../support/test";

test("[ACCESS]: a viewer sees no write actions, and a direct call to one is refused", async ({
  page,
  playwright,
  baseURL,
}) => {
  const owner = newAccount("Owner");
  const viewer = newAccount("Viewer");
  const ownerRequest = await playwright.request.newContext({ baseURL });
  const { organizationSlug } = await signUp(ownerRequest, owner, { organizationName: "Viewer Access Org" });
  await signIn(ownerRequest, owner);
  const { token } = await invite(ownerRequest, organizationSlug, viewer.email, "viewer");
  await signUp(ownerRequest, viewer, { invitationToken: token });
  await ownerRequest.dispose();

  await test.step("the viewer signs in", async () => {
    await page.goto(`/o/${organizationSlug}/members`);
    // Not signed in: sent to sign in, and back here afterwards.
    await page.getByTestId("signin-email").fill(viewer.email);
    await page.getByTestId("signin-password").fill(viewer.password);
    await page.getByTestId("signin-submit").click();
    await expect(page.getByTestId("members-table")).toBeVisible();
  });

  await test.step("the members page shows people and roles, and no write action", async () => {
    await expect(page.getByTestId("member-row")).toHaveCount(2);
    await expect(page.getByTestId("member-role").first()).toBeVisible();
    await expect(page.getByTestId("invite-form")).toHaveCount(0);
    await expect(page.getByTestId("member-role-select")).toHaveCount(0);
    await expect(page.getByTestId("member-remove")).toHaveCount(0);
    await expect(page.getByTestId("invitations-card")).toHaveCount(0);
    await expect(page.getByTestId("nav-audit")).toHaveCount(0);
  });

  await test.step("a direct call to create an invitation is refused with 403", async () => {
    const response = await page.request.post("/api/trpc/invitations.create", {
      data: { orgSlug: organizationSlug, email: "someone@e2e.example.com", role: "viewer" },
    });
    expect(response.status()).toBe(403);
  });
});
