import { invite, newAccount, signIn, signUp } from "../support/seed";
import { expect, test } from "../support/test";

test("[MEMBERS]: bad input names the field; an owner changes a role, removes a member, and sees it audited", async ({
  page,
  playwright,
  baseURL,
}) => {
  const owner = newAccount("Owner");
  const member = newAccount("Member");
  const setup = await playwright.request.newContext({ baseURL });
  const { organizationSlug } = await signUp(setup, owner, { organizationName: "Members Journey Org" });
  await signIn(setup, owner);
  const { token } = await invite(setup, organizationSlug, member.email, "viewer");
  await signUp(setup, member, { invitationToken: token });
  await setup.dispose();
  // The browser's own session: page.request shares the page's cookies.
  await signIn(page.request, owner);
  await page.goto(`/o/${organizationSlug}/members`);

  await test.step("an invitation to a bad email shows the message beside the email field", async () => {
    await page.getByTestId("invite-email").fill("not-an-email");
    await page.getByTestId("invite-submit").click();
    const emailField = page
      .getByTestId("invite-form")
      .locator(".sy-field", { has: page.getByTestId("invite-email") });
    await expect(emailField.getByTestId("invite-email-error")).toHaveText(
      "email must be a valid email address",
    );
    await expect(page.getByTestId("invite-result")).toHaveCount(0);
  });

  const memberRow = page.getByTestId("member-row").filter({ hasText: member.email });

  await test.step("change the member's role", async () => {
    await memberRow.getByTestId("member-role-select").selectOption("admin");
    await expect(memberRow.getByTestId("member-role-select")).toHaveValue("admin");
  });

  await test.step("remove the member after confirming", async () => {
    await memberRow.getByTestId("member-remove").click();
    await memberRow.getByTestId("member-remove-confirm").click();
    await expect(memberRow).toHaveCount(0);
    await expect(page.getByTestId("member-row")).toHaveCount(1);
  });

  await test.step("the audit log lists both changes", async () => {
    await page.getByTestId("nav-audit").click();
    const actions = page.getByTestId("audit-action");
    await expect(actions.first()).toHaveText("member.removed");
    await expect(actions.filter({ hasText: "member.role_changed" })).toHaveCount(1);
  });
});
