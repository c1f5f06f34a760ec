import { invite, newAccount, signIn, signUp } from "../support/seed";
import { expect, test } from "../support/test";

test("[CLUSTERS]: an admin connects a cluster and sees the install line", async ({ page }) => {
  const owner = newAccount("Owner");
  const { organizationSlug } = await signUp(page.request, owner, {
    organizationName: "Clusters Journey Org",
  });
  await signIn(page.request, owner);
  await page.goto(`/o/${organizationSlug}`);

  await test.step("the overview counts no clusters and links to the clusters page", async () => {
    await expect(page.getByTestId("overview-cluster-count")).toHaveText("0 / 0");
    await page.getByTestId("nav-clusters").click();
    await expect(page.getByTestId("clusters-empty")).toBeVisible();
  });

  await test.step("a bad name is named beside the name field", async () => {
    await page.getByTestId("clusters-connect-cta").click();
    await page.getByTestId("cluster-name").fill("Prod EU!");
    await page.getByTestId("cluster-label-key").last().fill("region");
    await page.getByTestId("cluster-label-value").last().fill("eu-west-1");
    await page.getByTestId("cluster-label-add").click();
    await page.getByTestId("cluster-label-key").last().fill("env");
    await page.getByTestId("cluster-label-value").last().fill("prod");
    await page.getByTestId("connect-submit").click();
    const nameField = page
      .getByTestId("connect-form")
      .locator(".sy-field", { has: page.getByTestId("cluster-name") });
    await expect(nameField.getByTestId("cluster-name-error")).toContainText("lowercase letters");
    await expect(page.getByTestId("install-command")).toHaveCount(0);
  });

  let installUrl = "";
  await test.step("a good name shows the one line to run, waiting for the agent", async () => {
    await page.getByTestId("cluster-name").fill("prod-eu-west-1");
    await page.getByTestId("connect-submit").click();
    const command = page.getByTestId("install-command");
    await expect(command).toContainText('kubectl apply -f "');
    await expect(page.getByTestId("install-expiry")).toHaveText(/^in (59 min|1 h 0 min)$/);
    await expect(page.getByTestId("install-waiting")).toContainText("Waiting for the agent");
    const match = /kubectl apply -f "([^"]+)"/.exec((await command.textContent()) ?? "");
    installUrl = match?.[1] ?? "";
    expect(installUrl).toMatch(/\/install\/[\w-]+\.yaml$/);
  });

  await test.step("the new cluster's card is pending, with its labels", async () => {
    const card = page.getByTestId("cluster-card").filter({ hasText: "prod-eu-west-1" });
    await expect(card.getByTestId("cluster-status")).toHaveAttribute("data-status", "pending");
    await expect(card.getByTestId("cluster-label")).toHaveText(["env=prod", "region=eu-west-1"]);
  });

  await test.step("the line's URL is served by the console's origin as the install manifest", async () => {
    // kubectl only ever knows the console's public URL: it must relay the API's manifest.
    expect(new URL(installUrl).origin).toBe(new URL(page.url()).origin);
    const response = await page.request.get(installUrl);
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toContain("application/yaml");
    const manifest = await response.text();
    expect(manifest).toContain("kind: Deployment");
    expect(manifest).toContain("switchyard-system");
  });

  await test.step("the agent protocol is reachable through the console, not sent to sign in", async () => {
    const response = await page.request.post("/agent/v1/heartbeat", {
      data: {},
      headers: { authorization: "Bearer not-a-credential" },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(401);
    const body = (await response.json()) as { error?: { code?: string } };
    expect(body.error?.code).toBe("credential_invalid");
  });

  await test.step("the cluster page waits for the agent and offers a new line", async () => {
    await page.getByTestId("connect-open-cluster").click();
    await expect(page.getByTestId("cluster-title")).toHaveText("prod-eu-west-1");
    await expect(page.getByTestId("pending-install")).toBeVisible();
    await expect(page.getByTestId("new-install-line")).toBeVisible();
    await expect(page.getByTestId("inventory-waiting")).toBeVisible();
  });
});

test("[CLUSTERS]: a viewer sees the clusters page without Connect cluster", async ({
  page,
  playwright,
  baseURL,
}) => {
  const owner = newAccount("Owner");
  const viewer = newAccount("Viewer");
  const setup = await playwright.request.newContext({ baseURL });
  const { organizationSlug } = await signUp(setup, owner, { organizationName: "Clusters Viewer Org" });
  await signIn(setup, owner);
  const { token } = await invite(setup, organizationSlug, viewer.email, "viewer");
  await signUp(setup, viewer, { invitationToken: token });
  await setup.dispose();
  await signIn(page.request, viewer);

  await page.goto(`/o/${organizationSlug}/clusters`);
  await expect(page.getByTestId("clusters-empty")).toBeVisible();
  await expect(page.getByTestId("clusters-empty")).toContainText("An admin");
  await expect(page.getByTestId("clusters-connect-cta")).toHaveCount(0);
  await expect(page.getByTestId("connect-cluster")).toHaveCount(0);
  // A direct call is refused by the API whatever the page shows.
  const response = await page.request.post("/api/trpc/clusters.create", {
    data: { orgSlug: organizationSlug, name: "sneaky", labels: {} },
  });
  expect(response.status()).toBe(403);
});
