import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { HookGlobal } from "../support/graph-hook";
import { exitedServices, type Service, stopService } from "../support/processes";
import { createCluster, newAccount, signIn, signUp } from "../support/seed";
import { startClusterAgent, startSimulatedClusters } from "../support/simulated-clusters";
import { expect, test } from "../support/test";

// The demo's mesh, live: two simulated clusters with the sample application's traffic (the first
// cluster's frontend calls the second's catalog), their agents scraping Istio's metrics every 2 s
// and shipping them through the console's URL — nothing synthetic between the mesh and the page.
test("[GRAPH]: a live multi-cluster mesh shows its services, the cross-cluster call and its plain-text edges", async ({
  page,
  baseURL,
}) => {
  const owner = newAccount("Live");
  const { organizationSlug } = await signUp(page.request, owner, { organizationName: "Live Mesh Org" });
  await signIn(page.request, owner);
  const workDirectory = mkdtempSync(path.join(tmpdir(), "sy-e2e-graph-live-"));
  const services: Service[] = [];
  // Istio labels the traffic with these names, and the clusters are registered under the same ones.
  const clusterNames = ["live-east", "live-west"];
  const drawnNodes = () => page.evaluate(() => (globalThis as HookGlobal).__switchyardGraph?.nodeIds() ?? []);
  const drawnEdges = () => page.evaluate(() => (globalThis as HookGlobal).__switchyardGraph?.edgeIds() ?? []);

  try {
    await test.step("connect two clusters whose agents ship telemetry", async () => {
      const sim = await startSimulatedClusters(clusterNames, workDirectory);
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
            telemetryIntervalSeconds: 2,
          }),
        );
      }
    });

    await test.step("the graph draws the sample application's services and the cross-cluster call", async () => {
      const expected = [
        "s|live-east|bookinfo|productpage",
        "s|live-east|bookinfo|reviews",
        "w|live-east|bookinfo|reviews-v2",
        "s|live-east|shop-frontend|frontend",
        "s|live-west|shop-backend|catalog",
        "unknown",
      ];
      // The first deltas arrive a scrape or two after the agents connect.
      const input = encodeURIComponent(JSON.stringify({ orgSlug: organizationSlug, lastSeconds: 900 }));
      await expect
        .poll(
          async () => {
            const response = await page.request.get(`/api/trpc/graph.get?input=${input}`);
            const body = (await response.json()) as { result?: { data: { nodes: { id: string }[] } } };
            const ids = new Set(body.result?.data.nodes.map((node) => node.id) ?? []);
            // A dead agent or simulator will not send what is missing: its log goes into the answer.
            return [...expected.filter((id) => !ids.has(id)), ...exitedServices(services)];
          },
          { timeout: 90_000, intervals: [2_000] },
        )
        .toEqual([]);
      await page.addInitScript(() => {
        (globalThis as HookGlobal).__switchyardTestHooks = true;
      });
      await page.goto(`/o/${organizationSlug}`);
      await page.getByTestId("nav-graph").click();
      await expect(page.getByTestId("graph-page")).toBeVisible();
      await expect
        .poll(async () => {
          const nodes = await drawnNodes();
          return expected.filter((id) => !nodes.includes(id));
        })
        .toEqual([]);
      const edges = await drawnEdges();
      expect(
        edges.some(
          (id) =>
            id.includes("|live-east|shop-frontend|frontend-") &&
            id.includes(">s|live-west|shop-backend|catalog|"),
        ),
      ).toBe(true);
      await expect(page.getByTestId("graph-legend")).toBeVisible();
    });

    await test.step("the mTLS view lists the plain-text edges: the health checker without a sidecar", async () => {
      await page.getByTestId("graph-tab-mtls").click();
      await expect(page.getByTestId("mtls-page")).toBeVisible();
      const plainText = page.getByTestId("mtls-plain-text-edges");
      await expect(plainText).toContainText("unknown (no sidecar)");
      await expect(plainText).toContainText("frontend");
      await expect(page.getByTestId("mtls-clusters").getByTestId("coverage-row")).toHaveCount(2);
    });
  } finally {
    for (const service of services.reverse()) await stopService(service);
  }
});
