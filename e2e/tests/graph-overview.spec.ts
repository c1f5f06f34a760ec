import type { Page } from "@playwright/test";
import type { ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import type { HookGlobal } from "../support/graph-hook";
import { newAccount, signIn, signUp } from "../support/seed";
import { sendSyntheticMesh } from "../support/telemetry";
import { expect, test } from "../support/test";

// Two clusters × four namespaces × 40 workloads: ≈ 560 nodes, over the 300 above which the page
// opens on the namespace overview the API computes (graph.overview), expanding a namespace from its
// own scoped graph.get.
const mesh = {
  clusters: 2,
  namespacesPerCluster: 4,
  workloadsPerNamespace: 40,
  edgesPerNode: 2,
  seed: "big",
};

async function graphOf(page: Page, input: Record<string, unknown>): Promise<ServiceGraph> {
  const encoded = encodeURIComponent(JSON.stringify({ lastSeconds: 900, ...input }));
  const response = await page.request.get(`/api/trpc/graph.get?input=${encoded}`);
  expect(response.ok(), await response.text()).toBe(true);
  return ((await response.json()) as { result: { data: ServiceGraph } }).result.data;
}

const drawnNodes = (page: Page) =>
  page.evaluate(() => (globalThis as HookGlobal).__switchyardGraph?.nodeIds() ?? []);

test("[GRAPH] overview: a big mesh opens on its namespaces, and a double-clicked namespace shows its services and workloads", async ({
  page,
}) => {
  const owner = newAccount("Overview");
  const { organizationSlug } = await signUp(page.request, owner, { organizationName: "Graph Overview Org" });
  await signIn(page.request, owner);
  await sendSyntheticMesh(page.request, organizationSlug, mesh, { windows: 1 });
  const whole = await graphOf(page, { orgSlug: organizationSlug });
  expect(whole.nodes.length).toBeGreaterThan(300);

  await test.step("the page opens on one node per namespace", async () => {
    await page.addInitScript(() => {
      (globalThis as HookGlobal).__switchyardTestHooks = true;
    });
    await page.goto(`/o/${encodeURIComponent(organizationSlug)}/graph`);
    await expect(page.getByTestId("graph-aggregated-note")).toContainText(`${whole.nodes.length} nodes`);
    await expect
      .poll(async () => (await drawnNodes(page)).filter((id) => id.startsWith("n|")).length)
      .toBe(8);
    const drawn = await drawnNodes(page);
    expect(drawn.filter((id) => id.startsWith("w|") || id.startsWith("s|"))).toEqual([]);
  });

  await test.step("double-clicking a namespace draws its own nodes in its box", async () => {
    const scoped = await graphOf(page, { orgSlug: organizationSlug, clusters: ["c0"], namespaces: ["ns1"] });
    const own = scoped.nodes.filter((node) => node.cluster === "c0" && node.namespace === "ns1");
    expect(own.length).toBeGreaterThan(10);
    const point = await page.evaluate(() =>
      (globalThis as HookGlobal).__switchyardGraph?.pointOf("n|c0|ns1"),
    );
    if (!point) throw new Error("namespace c0|ns1 is not drawn");
    // A press alone starts loading the namespace's graph (the first press of a double-click), so
    // the expansion finds it under way or loaded.
    const namespaceRequests: string[] = [];
    page.on("request", (request) => {
      const url = decodeURIComponent(request.url());
      if (url.includes("/api/trpc/graph.get") && url.includes('"namespaces":["ns1"]'))
        namespaceRequests.push(url);
    });
    await page.mouse.move(point.x, point.y);
    await page.mouse.down();
    await expect.poll(() => namespaceRequests.length).toBe(1);
    await page.mouse.up();
    // The single tap selects the namespace; its panel offers to expand it.
    await expect(page.getByTestId("panel-title")).toContainText("ns1");
    await page.mouse.dblclick(point.x, point.y);
    await expect
      .poll(async () => {
        const drawn = new Set(await drawnNodes(page));
        return own.filter((node) => drawn.has(node.id)).length;
      })
      .toBe(own.length);
    const drawn = await drawnNodes(page);
    expect(drawn).not.toContain("n|c0|ns1");
    // The other namespaces stay collapsed.
    expect(drawn).toContain("n|c1|ns1");
    await expect(page.getByTestId("graph-aggregated-note")).toContainText("1 expanded");
  });

  await test.step("every node on request: the whole graph is loaded and drawn", async () => {
    await page.getByTestId("graph-toggle-overview").click();
    await expect
      .poll(async () => (await drawnNodes(page)).filter((id) => id.startsWith("w|")).length, {
        timeout: 60_000,
      })
      .toBe(whole.nodes.filter((node) => node.kind === "workload").length);
  });
});
