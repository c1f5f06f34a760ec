import { invite, newAccount, signIn, signUp } from "../support/seed";
import { expect, test } from "../support/test";

test("[ORGS]: a signed-in user accepts an invitation, switches organizations and creates one", async ({
  page,
  playwright,
  baseURL,
}) => {
  const admin = newAccount("Admin");
  const user = newAccount("User");
  const setup = await playwright.request.newContext({ baseURL });
  const { organizationSlug: teamSlug } = await signUp(setup, admin, { organizationName: "Platform Team" });
  await signIn(setup, admin);
  const { url } = await invite(setup, teamSlug, user.email, "viewer");
  await setup.dispose();
  const { organizationSlug: ownSlug } = await signUp(page.request, user, { organizationName: "Own Sandbox" });
  await signIn(page.request, user);

  await test.step("open the link while signed in and accept", async () => {
    await page.goto(url);
    await expect(page.getByTestId("invitation-organization")).toHaveText("Platform Team");
    await page.getByTestId("invitation-accept").click();
    await expect(page).toHaveURL(new RegExp(`/o/${teamSlug}$`));
    await expect(page.getByTestId("org-role")).toHaveText("Viewer");
  });

  await test.step("switch to the other organization", async () => {
    await page.getByTestId("org-switcher").click();
    const items = page.getByTestId("org-switcher-item");
    await expect(items).toHaveCount(2);
    await items.filter({ hasText: "Own Sandbox" }).click();
    await expect(page).toHaveURL(new RegExp(`/o/${ownSlug}$`));
    await expect(page.getByTestId("org-name")).toHaveText("Own Sandbox");
  });

  await test.step("create a third organization from the switcher", async () => {
    await page.getByTestId("org-switcher").click();
    await page.getByTestId("org-switcher-create").click();
    await page.getByTestId("create-org-submit").click();
    // An empty name is refused, with the reason beside the field.
    await expect(page.getByTestId("create-org-name-error")).toContainText("at least 2 characters");
    await page.getByTestId("create-org-name").fill("Staging Fleet");
    await page.getByTestId("create-org-submit").click();
    await expect(page.getByTestId("org-name")).toHaveText("Staging Fleet");
    await expect(page.getByTestId("org-role")).toHaveText("Owner");
  });
});
