import { newAccount, signUp } from "../support/seed";
import { expect, test } from "../support/test";

test("[AUTH]: sign up, invite a teammate who joins through the link, sign out, sign in", async ({ page }) => {
  const owner = newAccount("Owner");
  const teammate = newAccount("Teammate");
  const organizationName = `Acme Mesh ${owner.email.slice(6, 14)}`;

  await test.step("sign up: the organization is created and I am its owner", async () => {
    await page.goto("/signup");
    await page.getByTestId("signup-name").fill(owner.name);
    await page.getByTestId("signup-email").fill(owner.email);
    await page.getByTestId("signup-password").fill(owner.password);
    await page.getByTestId("signup-organization").fill(organizationName);
    await page.getByTestId("signup-submit").click();
    await expect(page.getByTestId("org-name")).toHaveText(organizationName);
    await expect(page.getByTestId("org-role")).toHaveText("Owner");
    await expect(page).toHaveURL(/\/o\/acme-mesh-/);
  });

  const invitationUrl = await test.step("invite a teammate: the link is shown", async () => {
    await page.getByTestId("nav-members").click();
    await page.getByTestId("invite-email").fill(teammate.email);
    await page.getByTestId("invite-role").selectOption("editor");
    await page.getByTestId("invite-submit").click();
    const link = page.getByTestId("invite-url");
    await expect(link).toContainText("/invite/");
    await expect(page.getByTestId("invitation-row-email")).toHaveText(teammate.email);
    return (await link.textContent()) ?? "";
  });

  await test.step("sign out", async () => {
    await page.getByTestId("sign-out").click();
    await expect(page.getByTestId("signin-form")).toBeVisible();
  });

  await test.step("the teammate opens the link, signs up and lands in the organization", async () => {
    await page.goto(invitationUrl);
    await expect(page.getByTestId("invitation-organization")).toHaveText(organizationName);
    await expect(page.getByTestId("invitation-email")).toHaveText(teammate.email);
    await page.getByTestId("invitation-signup").click();
    await expect(page.getByTestId("signup-email")).toHaveValue(teammate.email);
    await page.getByTestId("signup-name").fill(teammate.name);
    await page.getByTestId("signup-password").fill(teammate.password);
    await page.getByTestId("signup-submit").click();
    await expect(page.getByTestId("org-name")).toHaveText(organizationName);
    await expect(page.getByTestId("org-role")).toHaveText("Editor");
    await expect(page.getByTestId("user-email")).toHaveText(teammate.email);
  });

  await test.step("sign out, then a wrong password gets a clear, generic error", async () => {
    await page.getByTestId("sign-out").click();
    await page.getByTestId("signin-email").fill(teammate.email);
    await page.getByTestId("signin-password").fill("not-the-password");
    await page.getByTestId("signin-submit").click();
    await expect(page.getByTestId("signin-error")).toHaveText("Wrong email or password.");
    await expect(page.getByTestId("signin-form")).toBeVisible();
  });

  await test.step("sign in with the right password: back in the organization", async () => {
    await page.getByTestId("signin-password").fill(teammate.password);
    await page.getByTestId("signin-submit").click();
    await expect(page.getByTestId("org-name")).toHaveText(organizationName);
    await expect(page.getByTestId("user-email")).toHaveText(teammate.email);
  });
});

test("[AUTH]: the sign-in page takes no typing before it can handle it, and what is typed then signs in", async ({
  page,
  playwright,
  baseURL,
}) => {
  const account = newAccount("Early");
  const setup = await playwright.request.newContext({ baseURL });
  const { organizationSlug } = await signUp(setup, account, { organizationName: "Early Typing Org" });
  await setup.dispose();

  // Hold the page's scripts: the server's HTML is there, React has not hydrated it yet.
  let releaseScripts = () => {};
  const scriptsReleased = new Promise<void>((resolve) => {
    releaseScripts = resolve;
  });
  await page.route("**/_next/static/chunks/**", async (route) => {
    await scriptsReleased;
    await route.continue();
  });
  await page.goto("/signin", { waitUntil: "commit" });
  // Not typable before its handlers run (typed text once showed while the form's state was empty,
  // and a click on submit was the browser's own GET with the password in the URL).
  await expect(page.getByTestId("signin-email")).toBeDisabled();
  await expect(page.getByTestId("signin-submit")).toBeDisabled();

  const typed = page.getByTestId("signin-email").fill(account.email);
  releaseScripts();
  await typed;
  await page.getByTestId("signin-password").fill(account.password);
  await page.getByTestId("signin-submit").click();
  await expect(page.getByTestId("user-email")).toHaveText(account.email);
  await expect(page).toHaveURL(new RegExp(`/o/${organizationSlug}`));
});
