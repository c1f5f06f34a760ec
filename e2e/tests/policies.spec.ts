import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Service, stopService } from "../support/processes";
import { createCluster, newAccount, signIn, signUp } from "../support/seed";
import { startClusterAgent, startSimulatedClusters } from "../support/simulated-clusters";
import { expect, test } from "../support/test";

test("[POLICIES]: author a 90/10 traffic split in the form, preview it, apply it, see every cluster in sync, roll it back", async ({
  page,
  baseURL,
}) => {
  const owner = newAccount("Mesh");
  const { organizationSlug } = await signUp(page.request, owner, {
    organizationName: "Policies Journey Org",
  });
  await signIn(page.request, owner);
  const workDirectory = mkdtempSync(path.join(tmpdir(), "sy-e2e-policies-"));
  const services: Service[] = [];
  const clusterNames = ["prod-eu", "prod-us"];

  try {
    await test.step("connect two prod clusters whose agents apply configuration", async () => {
      const sim = await startSimulatedClusters(
        clusterNames.map((name) => `${name}-sim`),
        workDirectory,
      );
      services.push(sim.service);
      for (const [index, name] of clusterNames.entries()) {
        const { bootstrapToken } = await createCluster(page.request, organizationSlug, name, { env: "prod" });
        const cluster = sim.clusters[index];
        if (!cluster) throw new Error(`no simulated cluster for ${name}`);
        services.push(
          startClusterAgent({
            name,
            apiUrl: baseURL ?? "",
            bootstrapToken,
            cluster,
            directory: workDirectory,
          }),
        );
      }
      await page.goto(`/o/${organizationSlug}/clusters`);
      for (const name of clusterNames) {
        const card = page.getByTestId("cluster-card").filter({ hasText: name });
        await expect(card.getByTestId("cluster-status")).toHaveAttribute("data-status", "connected", {
          timeout: 60_000,
        });
        // The preview compiles against the inventory: wait until the sample app is in it.
        await expect(card.getByTestId("count-workloads")).toHaveText("17", { timeout: 30_000 });
      }
    });

    await test.step("author a 90/10 split for reviews in the form", async () => {
      await page.getByTestId("nav-policies").click();
      await page.getByTestId("policies-new-cta").click();
      await page.getByTestId("policy-name").fill("reviews-canary");
      await page.getByTestId("scope-cluster-mode").selectOption("labels");
      await page.getByTestId("scope-label-key").fill("env");
      await page.getByTestId("scope-label-value").fill("prod");
      await page.getByTestId("scope-namespace").fill("bookinfo");
      await page.getByTestId("scope-service").fill("reviews");
      await page.getByTestId("route-0-version-0").fill("v1");
      await page.getByTestId("route-0-weight-0").fill("90");
      await page.getByTestId("route-0-destination-add").click();
      await page.getByTestId("route-0-version-1").fill("v2");
      // An unfinished split is flagged beside the destinations, live.
      await expect(page.getByTestId("validation-state")).toHaveAttribute("data-state", "invalid");
      await expect(page.getByTestId("destinations").getByRole("alert")).toBeVisible();
      await page.getByTestId("route-0-weight-1").fill("10");
      await expect(page.getByTestId("destinations").getByRole("alert")).toBeHidden();
      await expect(page.getByTestId("validation-state")).toHaveAttribute("data-state", "valid");
      // The YAML tab shows the same policy, and the form comes back from it.
      await page.getByTestId("tab-yaml").click();
      await expect(page.getByTestId("policy-yaml")).toHaveValue(/weight: 90/);
      await page.getByTestId("tab-form").click();
      await expect(page.getByTestId("route-0-weight-0")).toHaveValue("90");
    });

    await test.step("preview shows a VirtualService with weight 90 in each cluster", async () => {
      await page.getByTestId("policy-preview").click();
      await expect(page.getByTestId("preview-cluster")).toHaveCount(2);
      for (const name of clusterNames) {
        const cluster = page.locator(`[data-test="preview-cluster"][data-cluster="${name}"]`);
        await expect(cluster).toHaveAttribute("data-changed", "true");
        const virtualService = cluster.getByTestId("preview-added").filter({ hasText: "VirtualService" });
        await expect(virtualService).toContainText("weight: 90");
      }
    });

    await test.step("apply with a reason and watch both clusters reach it", async () => {
      await page.getByTestId("apply-reason").fill("Canary 10% of reviews traffic to v2");
      await page.getByTestId("policy-apply").click();
      const progress = page.getByTestId("apply-progress");
      await expect(progress).toHaveAttribute("data-state", "done", { timeout: 30_000 });
      await expect(progress.getByTestId("apply-progress-summary")).toHaveText("2 of 2 clusters in sync");
      await expect(progress.getByTestId("receipt-details")).toHaveCount(2);
      await expect(progress.getByTestId("receipt-details").first()).toContainText("version");
    });

    await test.step("edit the split to 50/50 on the policy's page and apply it", async () => {
      await page.getByTestId("open-policy").click();
      await expect(page.getByTestId("policy-title")).toHaveText("reviews-canary");
      await page.getByTestId("route-0-weight-0").fill("50");
      await page.getByTestId("route-0-weight-1").fill("50");
      await expect(page.getByTestId("validation-state")).toHaveAttribute("data-state", "valid");
      await page.getByTestId("policy-preview").click();
      await expect(
        page.getByTestId("preview-changed").filter({ hasText: "VirtualService" }).first(),
      ).toContainText("weight: 50");
      await page.getByTestId("apply-reason").fill("Even split");
      await page.getByTestId("policy-apply").click();
      await expect(page.getByTestId("apply-progress")).toHaveAttribute("data-state", "done", {
        timeout: 30_000,
      });
      await expect(page.getByTestId("policy-current-revision")).toHaveText("2");
    });

    await test.step("roll back to revision 1 from the history and see every cluster in sync again", async () => {
      await page.getByTestId("tab-history").click();
      const first = page.locator('[data-test="revision"][data-revision="1"]');
      await first.getByTestId("revision-view-yaml").click();
      await expect(first.getByTestId("revision-yaml")).toContainText("weight: 90");
      await first.getByTestId("revision-rollback").click();
      await page.getByTestId("rollback-reason").fill("Back to the canary");
      await page.getByTestId("rollback-confirm").click();
      const progress = page.getByTestId("apply-progress");
      await expect(progress).toHaveAttribute("data-state", "done", { timeout: 30_000 });
      await expect(progress.getByTestId("apply-progress-summary")).toHaveText("2 of 2 clusters in sync");
      await expect(page.getByTestId("policy-current-revision")).toHaveText("3");
      await page.getByTestId("nav-policies").click();
      const row = page.getByTestId("policy-row").filter({ hasText: "reviews-canary" });
      await expect(row.getByTestId("policy-revision")).toHaveText("3");
      await expect(row.getByTestId("policy-sync-summary")).toHaveText("2 of 2 clusters in sync");
    });

    await test.step("the cluster's page shows the applied version in sync", async () => {
      await page.getByTestId("nav-clusters").click();
      await page
        .getByTestId("cluster-card")
        .filter({ hasText: "prod-eu" })
        .getByTestId("cluster-name-link")
        .click();
      await expect(page.getByTestId("configuration-state")).toHaveAttribute("data-state", "in-sync");
      await expect(page.getByTestId("configuration-applied-version")).not.toHaveText("0");
    });
  } finally {
    for (const service of services.reverse()) await stopService(service);
  }
});
