import type { Page } from "@playwright/test";
import type { ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import type { HookGlobal } from "../support/graph-hook";
import { newAccount, signIn, signUp } from "../support/seed";
import { sendSyntheticMesh } from "../support/telemetry";
import { expect, test } from "../support/test";

// Two clusters of two namespaces with four workloads each: ~30 nodes, drawn node by node (the
// namespace overview starts above 300 nodes), with cross-cluster and plain-text edges.
// The seed is one whose topology has cross-cluster edges (the generator makes about 1 in 8 calls
// cross-cluster, so a mesh this small can have none).
const mesh = {
  clusters: 2,
  namespacesPerCluster: 2,
  workloadsPerNamespace: 4,
  edgesPerNode: 2,
  seed: "graph-3",
};

async function graphOf(page: Page, orgSlug: string): Promise<ServiceGraph> {
  const input = encodeURIComponent(JSON.stringify({ orgSlug, lastSeconds: 900 }));
  const response = await page.request.get(`/api/trpc/graph.get?input=${input}`);
  expect(response.ok(), await response.text()).toBe(true);
  const body = (await response.json()) as { result: { data: ServiceGraph } };
  return body.result.data;
}

/** Ids drawn on the canvas, through the test hook (graph-canvas.tsx). */
async function drawnIds(page: Page): Promise<{ nodes: string[]; edges: string[] }> {
  return page.evaluate(() => ({
    nodes: (globalThis as HookGlobal).__switchyardGraph?.nodeIds() ?? [],
    edges: (globalThis as HookGlobal).__switchyardGraph?.edgeIds() ?? [],
  }));
}

test("[GRAPH]: see a mesh's services and edges, let auto-refresh update them in place, click an edge to read its charts, open a service, find the plain-text edges in the mTLS view", async ({
  page,
}) => {
  const owner = newAccount("Graph");
  const { organizationSlug } = await signUp(page.request, owner, { organizationName: "Graph Journey Org" });
  await signIn(page.request, owner);
  const base = `/o/${encodeURIComponent(organizationSlug)}`;

  await test.step("two clusters report their traffic", async () => {
    await sendSyntheticMesh(page.request, organizationSlug, mesh);
  });
  const graph = await graphOf(page, organizationSlug);
  expect(graph.nodes.length).toBeGreaterThan(10);
  expect(graph.edges.some((edge) => edge.isCrossCluster)).toBe(true);

  await test.step("the graph draws every service, workload and edge", async () => {
    // Only for tests: exposes element ids and positions (see graph-canvas.tsx).
    await page.addInitScript(() => {
      (globalThis as HookGlobal).__switchyardTestHooks = true;
    });
    await page.goto(base);
    await page.getByTestId("nav-graph").click();
    await expect(page.getByTestId("graph-page")).toBeVisible();
    await expect(page.getByTestId("graph-canvas")).toBeVisible();
    await expect.poll(async () => (await drawnIds(page)).edges.length).toBe(graph.edges.length);
    const drawn = await drawnIds(page);
    for (const node of graph.nodes) expect(drawn.nodes).toContain(node.id);
    expect([...drawn.edges].sort()).toEqual(graph.edges.map((edge) => edge.id).sort());
    // Positions came from the layout worker bundled by next build, not the main-thread fallback.
    expect(await page.evaluate(() => (globalThis as HookGlobal).__switchyardGraph?.layoutMode())).toBe(
      "worker",
    );
    // Cluster boxes are drawn too.
    expect(drawn.nodes).toContain("cluster|c0");
    expect(drawn.nodes).toContain("cluster|c1");
    await expect(page.getByTestId("graph-legend")).toBeVisible();
    // The toolbar says where the data ends (a recorded graph lags by up to a minute).
    await expect(page.getByTestId("graph-data-until")).toContainText("Data to");
  });

  await test.step("auto-refresh updates the drawing in place: nothing is rebuilt or moved", async () => {
    const sample = graph.nodes.slice(0, 5).map((node) => node.id);
    const before = await page.evaluate((ids) => {
      const hook = (globalThis as HookGlobal).__switchyardGraph;
      return { views: hook?.appliedViews ?? 0, points: ids.map((id) => hook?.pointOf(id) ?? null) };
    }, sample);
    await page.getByTestId("graph-refresh").selectOption("10s");
    await expect
      .poll(() => page.evaluate(() => (globalThis as HookGlobal).__switchyardGraph?.appliedViews ?? 0), {
        timeout: 30_000,
      })
      .toBeGreaterThan(before.views);
    const after = await page.evaluate(
      (ids) => ids.map((id) => (globalThis as HookGlobal).__switchyardGraph?.pointOf(id) ?? null),
      sample,
    );
    expect(after).toEqual(before.points);
    expect((await drawnIds(page)).edges.length).toBe(graph.edges.length);
    await page.getByTestId("graph-refresh").selectOption("off");
  });

  await test.step("clicking an edge opens its request, error and latency charts", async () => {
    // The busiest HTTP edges first; an edge's midpoint can sit under another element, so the
    // journey clicks until the panel names the edge it clicked (as a user would click again).
    const candidates = graph.edges
      .filter((edge) => edge.protocol !== "tcp" && edge.requestRate > 0)
      .sort((a, b) => b.requestRate - a.requestRate)
      .slice(0, 6);
    let clicked: string | null = null;
    for (const edge of candidates) {
      const point = await page.evaluate(
        (id) => (globalThis as HookGlobal).__switchyardGraph?.pointOf(id) ?? null,
        edge.id,
      );
      if (!point) continue;
      await page.mouse.click(point.x, point.y);
      try {
        await expect(page.getByTestId("graph-panel")).toHaveAttribute("data-selected", edge.id, {
          timeout: 3_000,
        });
        clicked = edge.id;
        break;
      } catch {
        // Something else was under the pointer: close its panel (it lies over the canvas), try the next edge.
        const close = page.getByTestId("panel-close");
        if ((await close.count()) > 0) await close.click();
      }
    }
    expect(clicked, "no edge could be clicked on the canvas").not.toBeNull();
    const panel = page.getByTestId("graph-panel");
    await expect(panel.getByTestId("series-charts")).toBeVisible();
    // Each chart draws its lines: one for requests, one for errors, p50/p95/p99 for latency.
    await expect(panel.getByTestId("chart-request-rate").locator(".recharts-line-curve")).toHaveCount(1);
    await expect(panel.getByTestId("chart-error-rate").locator(".recharts-line-curve")).toHaveCount(1);
    await expect(panel.getByTestId("chart-latency").locator(".recharts-line-curve")).toHaveCount(3);
    await expect(panel.getByTestId("fact-p95")).toContainText("ms");
  });

  await test.step("a service's page shows its charts and who calls it", async () => {
    const service = graph.nodes.find((node) => node.kind === "service" && node.inboundRate > 0);
    if (!service) throw new Error("the mesh has no called service");
    const inbound = graph.edges.filter((edge) => edge.target === service.id);
    await page.goto(
      `${base}/services/${encodeURIComponent(service.cluster)}/${encodeURIComponent(service.namespace)}/${encodeURIComponent(service.name)}`,
    );
    await expect(page.getByTestId("service-page")).toBeVisible();
    await expect(page.getByTestId("series-charts")).toBeVisible();
    await expect(page.getByTestId("service-inbound").getByTestId("edge-row")).toHaveCount(inbound.length);
    await page.goto(`${base}/graph`);
  });

  await test.step("the mTLS view lists every plain-text edge", async () => {
    const plainText = graph.edges.filter((edge) => edge.mtlsShare !== null && edge.mtlsShare < 1);
    expect(plainText.length).toBeGreaterThan(0);
    await page.getByTestId("graph-tab-mtls").click();
    await expect(page.getByTestId("mtls-page")).toBeVisible();
    const rows = page.getByTestId("plain-text-edge");
    await expect(rows).toHaveCount(plainText.length);
    for (const edge of plainText) {
      await expect(page.locator(`[data-test="plain-text-edge"][data-edge-id="${edge.id}"]`)).toBeVisible();
    }
    // Callers without a sidecar always send plain text.
    await expect(page.getByTestId("mtls-plain-text-edges")).toContainText("unknown (no sidecar)");
    await expect(page.getByTestId("mtls-clusters").getByTestId("coverage-row")).toHaveCount(2);
  });
});
