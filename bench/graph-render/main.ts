// How fast the console's service graph answers on a 5,000-node mesh, in headless Debian Chromium:
//
// - first_picture_ms: navigation start → the `graph:first-picture` mark the page sets at cytoscape's
//   first `render` event after the first elements were added (graph-canvas.tsx), i.e. the first
//   frame showing the default view (the namespace overview, since the mesh is over 300 nodes).
//   Includes the page load, the graph.overview call (the namespace overview, computed in the API), the
//   worker layout and the draw.
// - expand_ms: the double-click on the biggest namespace → the first frame drawn after its nodes
//   were added (the page's `graph:expand` measure; includes graph.get scoped to the namespace and
//   the worker layout of the new nodes).
// - click_ms: the click on a service node → both the first frame showing the selection (the page's
//   `graph:click` measure) and the side panel committed (`graph:panel` mark), whichever is later.
// - bare_cytoscape_ms: the reference: a static page loading cytoscape's UMD build that draws the
//   same nodes and edges (namespace boxes, labels, health colours, dashed plain-text edges) with
//   preset positions, navigation start → its first `render` event.
//
// Each run uses a fresh browser context (no cached positions). Medians of 3 runs; last line JSON.
// The mesh is stored through the agent endpoint (ingestTelemetryBatch), one 60 s window, and then
// stays live: every 15 s each cluster's agent sends the next window, as real agents do, so the
// API ingests while the page loads, and the telemetry job's recording of the last 15 min (what
// the page opens on) stays fresh. The runs start once graph.overview is served from it. The API
// and its workers run as two processes, as in `npm run demo`.
//
//   npx tsx bench/graph-render/main.ts
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { agentPaths, type RegisterResponse } from "@switchyard/agent-protocol/v1";
import { syntheticMeshBatches } from "@switchyard/api/telemetry/synthetic-mesh";
import type { ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import { encode } from "next-auth/jwt";
import { chromium } from "playwright-core";
import { buildConsole, isConsoleBuildStale } from "../../scripts/console-build";
import { benchEnv, inheritedEnv } from "../env";
import { freePort, median, repoRoot, round2, startBenchApi } from "../support";

const runs = benchEnv.GRAPH_BENCH_RUNS;
// 3 clusters × 34 namespaces × 28 workloads (21 services each) + `unknown`: 4,999 nodes.
const mesh = { clusters: 3, namespacesPerCluster: 34, workloadsPerNamespace: 28, edgesPerNode: 3 };
const chromiumPath = benchEnv.CHROMIUM_PATH;
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const viewport = { width: 1440, height: 900 };

function log(message: string) {
  process.stderr.write(`graph-render: ${message}\n`);
}

async function json<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} failed: HTTP ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

async function startConsole(
  apiUrl: string,
  authSecret: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    path.join(repoRoot, "node_modules/.bin/next"),
    ["start", "--hostname", "127.0.0.1", "--port", String(port)],
    {
      cwd: path.join(repoRoot, "apps/console"),
      env: {
        ...inheritedEnv,
        API_URL: apiUrl,
        AUTH_SECRET: authSecret,
        NEXTAUTH_URL: url,
        NEXT_TELEMETRY_DISABLED: "1",
      },
      stdio: ["ignore", "ignore", "inherit"],
      detached: true,
    },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    // next start spawns a child of its own: end the whole process group it leads.
    process.kill(-child.pid, "SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  };
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error("the console exited during start-up");
    if (attempt > 600) {
      await stop();
      throw new Error("the console did not become ready");
    }
    const isReady = await fetch(`${url}/signin`).then(
      (response) => response.ok,
      () => false,
    );
    if (isReady) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, stop };
}

/** Serves the bare cytoscape page and cytoscape's UMD build. */
async function startBareServer(elements: unknown): Promise<{ url: string; server: Server }> {
  const cytoscapeUmd = readFileSync(path.join(repoRoot, "node_modules/cytoscape/dist/cytoscape.min.js"));
  const html = readFileSync(path.join(import.meta.dirname, "bare.html"), "utf8");
  const body = JSON.stringify(elements);
  const server = createServer((request, response) => {
    if (request.url === "/cytoscape.min.js") {
      response.writeHead(200, { "content-type": "text/javascript" }).end(cytoscapeUmd);
    } else if (request.url === "/elements.json") {
      response.writeHead(200, { "content-type": "application/json" }).end(body);
    } else response.writeHead(200, { "content-type": "text/html" }).end(html);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}/`, server };
}

/** The same graph as cytoscape elements with preset positions: namespaces in a grid, nodes in each. */
function bareElements(graph: ServiceGraph) {
  const byNamespace = new Map<string, string[]>();
  for (const node of graph.nodes) {
    const key = node.kind === "unknown" ? "" : `${node.cluster}|${node.namespace}`;
    byNamespace.set(key, [...(byNamespace.get(key) ?? []), node.id]);
  }
  const positions = new Map<string, { x: number; y: number }>();
  const perRow = Math.ceil(Math.sqrt(byNamespace.size));
  [...byNamespace.values()].forEach((ids, index) => {
    const left = (index % perRow) * 1400;
    const top = Math.floor(index / perRow) * 1000;
    ids.forEach((id, i) => {
      positions.set(id, { x: left + (i % 7) * 190, y: top + Math.floor(i / 7) * 80 });
    });
  });
  const namespaces = [...byNamespace.keys()].filter((key) => key !== "");
  return [
    ...namespaces.map((key) => ({ data: { id: `ns|${key}`, label: key, isBox: true } })),
    ...graph.nodes.map((node) => ({
      data: {
        id: node.id,
        ...(node.kind === "unknown" ? {} : { parent: `ns|${node.cluster}|${node.namespace}` }),
        label: node.name,
        health: node.health,
      },
      position: positions.get(node.id),
    })),
    ...graph.edges.map((edge) => ({
      data: {
        id: edge.id,
        source: edge.source,
        target: edge.target,
        health: edge.health,
        isPlain: edge.mtlsShare !== null && edge.mtlsShare < 1,
        label: `${edge.requestRate.toFixed(1)}rps ${((edge.errorRate ?? 0) * 100).toFixed(1)}% ${Math.round(edge.latency.p95?.valueMs ?? 0)}ms`,
      },
    })),
  ];
}

async function main() {
  // Built first: the build is synchronous, and while it ran the live windows' requests failed.
  if (isConsoleBuildStale(repoRoot)) {
    log("building the console (next build)...");
    buildConsole(repoRoot, inheritedEnv);
  }
  // The workers in a process of their own, as in `npm run demo`: the telemetry job's recordings
  // then do not hold up the API's event loop while the page asks it for a namespace.
  const api = await startBenchApi({}, { workersApart: true });
  let stopConsole: (() => Promise<void>) | null = null;
  let bareServer: Server | null = null;
  let liveSender: ReturnType<typeof setInterval> | undefined;
  let sending = Promise.resolve();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  try {
    // An owner, their organization, and a session cookie the console accepts.
    const signUp = await json<{ result: { data: { id: string; organizationSlug: string } } }>(
      await fetch(`${api.url}/trpc/auth.signUp`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          name: "Bench",
          email: "graph-bench@example.test",
          password: "bench-password-1",
        }),
      }),
      "sign-up",
    );
    const { id: userId, organizationSlug } = signUp.result.data;
    const sessionToken = await encode({ token: { sub: userId }, secret: api.authSecret });
    const cookie = `next-auth.session-token=${sessionToken}`;
    const trpcPost = (procedure: string, input: unknown) =>
      fetch(`${api.url}/trpc/${procedure}`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie },
        body: JSON.stringify(input),
      });

    log(`storing a synthetic mesh (${JSON.stringify(mesh)})...`);
    const credentials = new Map<string, string>();
    for (let index = 0; index < mesh.clusters; index++) {
      const name = `c${index}`;
      const created = await json<{ result: { data: { bootstrapToken: string } } }>(
        await trpcPost("clusters.create", { orgSlug: organizationSlug, name, labels: {} }),
        "clusters.create",
      );
      const registered = await json<RegisterResponse>(
        await fetch(`${api.url}${agentPaths.register}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ bootstrapToken: created.result.data.bootstrapToken, agentVersion: "bench" }),
        }),
        "agent register",
      );
      credentials.set(name, registered.credential);
    }
    const windowEnd = Math.floor(Date.now() / 10_000) * 10_000;
    const sendWindow = async (windowEnd: number, windowSeconds: number) => {
      for (const { cluster, batch } of syntheticMeshBatches({
        ...mesh,
        windowEnd,
        windowSeconds,
        seed: "graph-bench",
      }))
        await json(
          await fetch(`${api.url}${agentPaths.telemetry}`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              authorization: `Bearer ${credentials.get(cluster) ?? ""}`,
            },
            body: JSON.stringify(batch),
          }),
          `telemetry of ${cluster}`,
        );
    };
    await sendWindow(windowEnd, 60);
    let liveWindowEnd = windowEnd;
    const sendLive = async () => {
      // Agents read every 15 s (docs/agent-protocol.md).
      const next = Math.floor(Date.now() / 15_000) * 15_000;
      if (next <= liveWindowEnd) return;
      await sendWindow(next, (next - liveWindowEnd) / 1000);
      liveWindowEnd = next;
    };
    liveSender = setInterval(() => {
      sending = sending.then(sendLive).catch((error: unknown) => log(`live window failed: ${String(error)}`));
    }, 2_000);
    const graphInput = encodeURIComponent(JSON.stringify({ orgSlug: organizationSlug, lastSeconds: 900 }));
    const fetchOverview = async () =>
      (
        await json<{ result: { data: { recordedAt?: number } } }>(
          await fetch(`${api.url}/trpc/graph.overview?input=${graphInput}`, { headers: { cookie } }),
          "graph.overview",
        )
      ).result.data;
    const graphStarted = performance.now();
    const graph = (
      await json<{ result: { data: ServiceGraph } }>(
        await fetch(`${api.url}/trpc/graph.get?input=${graphInput}`, { headers: { cookie } }),
        "graph.get",
      )
    ).result.data;
    log(
      `graph: ${graph.nodes.length} nodes, ${graph.edges.length} edges; graph.get took ${Math.round(performance.now() - graphStarted)} ms from the API directly`,
    );
    const overviewStarted = performance.now();
    await fetchOverview();
    log(`graph.overview computed on request took ${Math.round(performance.now() - overviewStarted)} ms`);
    const recordingWaitStarted = performance.now();
    while ((await fetchOverview()).recordedAt === undefined) {
      if (performance.now() - recordingWaitStarted > 120_000)
        throw new Error("graph.overview was not served from a recording within 2 min");
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const recordedStarted = performance.now();
    await fetchOverview();
    log(
      `graph.overview served from its recording after ${Math.round((recordedStarted - recordingWaitStarted) / 1000)} s of waiting: ${Math.round(performance.now() - recordedStarted)} ms`,
    );

    // GRAPH_BENCH_DUMP=<file> keeps the graph for experiments with the drawing alone.
    if (benchEnv.GRAPH_BENCH_DUMP) writeFileSync(benchEnv.GRAPH_BENCH_DUMP, JSON.stringify(graph));
    const consoleProcess = await startConsole(api.url, api.authSecret);
    stopConsole = consoleProcess.stop;
    const consoleUrl = consoleProcess.url;

    // The namespace with the most nodes is the one expanded; a service of it is clicked.
    const sizes = new Map<string, number>();
    for (const node of graph.nodes) {
      if (node.kind !== "unknown")
        sizes.set(
          `${node.cluster}|${node.namespace}`,
          (sizes.get(`${node.cluster}|${node.namespace}`) ?? 0) + 1,
        );
    }
    const [biggest] = [...sizes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (!biggest) throw new Error("the graph has no namespace");
    const [expandKey, expandSize] = biggest;
    const clickTarget = graph.nodes
      .filter((node) => node.kind === "service" && `${node.cluster}|${node.namespace}` === expandKey)
      .sort((a, b) => b.inboundRate - a.inboundRate)[0];
    if (!clickTarget) throw new Error(`no service in ${expandKey}`);
    log(`expanding ${expandKey} (${expandSize} nodes), clicking ${clickTarget.id}`);

    const firstPicture: number[] = [];
    const expand: number[] = [];
    const click: number[] = [];
    const bare: number[] = [];
    const bareSite = await startBareServer(bareElements(graph));
    bareServer = bareSite.server;

    let recordedRuns = 0;
    for (let run = 0; run < runs; run++) {
      // Whether the page's graph.overview will be served from the recording (it is re-made every 30 s).
      if ((await fetchOverview()).recordedAt !== undefined) recordedRuns++;
      const context = await browser.newContext({ viewport });
      await context.addCookies([{ name: "next-auth.session-token", value: sessionToken, url: consoleUrl }]);
      await context.addInitScript(() => {
        (globalThis as { __switchyardTestHooks?: boolean }).__switchyardTestHooks = true;
      });
      const page = await context.newPage();
      await page.goto(`${consoleUrl}/o/${encodeURIComponent(organizationSlug)}/graph`);
      await page.waitForFunction(() => performance.getEntriesByName("graph:first-picture").length > 0, null, {
        timeout: 180_000,
      });
      firstPicture.push(
        await page.evaluate(
          () => performance.getEntriesByName("graph:first-picture")[0]?.startTime ?? Number.NaN,
        ),
      );

      const screenshots = benchEnv.GRAPH_BENCH_SCREENSHOTS;
      if (screenshots && run === 0) await page.screenshot({ path: path.join(screenshots, "overview.png") });
      {
        // Where the first picture's time went (stderr only).
        // A string, not a function: tsx would wrap a named inner function in a helper the page lacks.
        const stages = await page.evaluate(`(() => {
          const at = (name) => Math.round(performance.getEntriesByName(name)[0]?.startTime ?? -1);
          const request = performance.getEntriesByType("resource").find((entry) => entry.name.includes("graph.overview"));
          return {
            overviewStart: Math.round(request?.startTime ?? -1),
            overviewResponseStart: Math.round(request?.responseStart ?? -1),
            overviewEnd: Math.round(request?.responseEnd ?? -1),
            data: at("graph:data"),
            hydrated: Math.round(performance.getEntriesByType("navigation")[0]?.domContentLoadedEventEnd ?? -1),
            applyStart: at("graph:apply-start"),
            placed: at("graph:placed"),
            applied: at("graph:applied"),
            firstPicture: at("graph:first-picture"),
          };
        })()`);
        log(`run ${run + 1} first picture stages (ms from navigation start): ${JSON.stringify(stages)}`);
      }
      type Hook = { pointOf: (id: string) => { x: number; y: number } | null; nodeIds: () => string[] };
      const pointOf = (id: string) =>
        page.evaluate(
          (target) =>
            (globalThis as unknown as { __switchyardGraph?: Hook }).__switchyardGraph?.pointOf(target) ??
            null,
          id,
        );
      const namespacePoint = await pointOf(`n|${expandKey}`);
      if (!namespacePoint) throw new Error(`namespace node n|${expandKey} is not drawn`);
      // GRAPH_BENCH_PROFILE=<dir>: the page's CPU profile of the first run's expansion, for DevTools.
      const profileDir = run === 0 ? benchEnv.GRAPH_BENCH_PROFILE : undefined;
      const profiling = profileDir ? await context.newCDPSession(page) : null;
      if (profiling) {
        await profiling.send("Profiler.enable");
        await profiling.send("Profiler.setSamplingInterval", { interval: 200 });
        await profiling.send("Profiler.start");
      }
      await page.mouse.dblclick(namespacePoint.x, namespacePoint.y);
      await page.waitForFunction(() => performance.getEntriesByName("graph:expand").length > 0, null, {
        timeout: 120_000,
      });
      if (profiling && profileDir) {
        const { profile } = await profiling.send("Profiler.stop");
        writeFileSync(path.join(profileDir, "expand.cpuprofile"), JSON.stringify(profile));
      }
      if (screenshots && run === 0) {
        await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
        await page.screenshot({ path: path.join(screenshots, "expanded.png") });
      }
      expand.push(
        await page.evaluate(() => performance.getEntriesByName("graph:expand")[0]?.duration ?? Number.NaN),
      );
      {
        // Where the expansion's time went (stderr only), ms after the double-click.
        const stages = await page.evaluate(`(() => {
          const measure = performance.getEntriesByName("graph:expand")[0];
          const start = measure?.startTime ?? 0;
          const last = (name) => Math.round((performance.getEntriesByName(name).at(-1)?.startTime ?? start - 1) - start);
          const request = performance.getEntriesByType("resource").filter((entry) => entry.name.includes("graph.get")).at(-1);
          return {
            requestStart: Math.round((request?.startTime ?? start - 1) - start),
            responseEnd: Math.round((request?.responseEnd ?? start - 1) - start),
            applyStart: last("graph:apply-start"),
            placed: last("graph:placed"),
            applied: last("graph:applied"),
            drawn: Math.round(measure?.duration ?? -1),
          };
        })()`);
        log(`run ${run + 1} expand stages (ms from the double-click): ${JSON.stringify(stages)}`);
      }

      // Centre the clicked node (as a user would scroll to it), then let the frame settle.
      const servicePoint = await pointOf(clickTarget.id);
      if (!servicePoint) throw new Error(`${clickTarget.id} is not drawn after expanding`);
      await page.evaluate(() => {
        const frame = (globalThis as unknown as { requestAnimationFrame: (callback: () => void) => void })
          .requestAnimationFrame;
        return new Promise<void>((resolve) => frame(() => frame(resolve)));
      });
      await page.mouse.click(servicePoint.x, servicePoint.y);
      await page.waitForFunction(
        (id) =>
          performance.getEntriesByName("graph:click").length > 0 &&
          performance
            .getEntriesByName("graph:panel")
            .some((entry) => (entry as unknown as { detail?: unknown }).detail === id),
        clickTarget.id,
        { timeout: 60_000 },
      );
      click.push(
        await page.evaluate((id) => {
          const measure = performance.getEntriesByName("graph:click")[0];
          const panel = performance
            .getEntriesByName("graph:panel")
            .find((entry) => (entry as unknown as { detail?: unknown }).detail === id);
          if (!measure || !panel) return Number.NaN;
          return Math.max(measure.startTime + measure.duration, panel.startTime) - measure.startTime;
        }, clickTarget.id),
      );
      await context.close();

      const bareContext = await browser.newContext({ viewport });
      const barePage = await bareContext.newPage();
      await barePage.goto(bareSite.url);
      await barePage.waitForFunction(
        () => performance.getEntriesByName("bare:first-picture").length > 0,
        null,
        {
          timeout: 180_000,
        },
      );
      bare.push(
        await barePage.evaluate(
          () => performance.getEntriesByName("bare:first-picture")[0]?.startTime ?? Number.NaN,
        ),
      );
      await bareContext.close();
      log(
        `run ${run + 1}: first picture ${Math.round(firstPicture.at(-1) ?? 0)} ms, expand ${Math.round(expand.at(-1) ?? 0)} ms, click ${Math.round(click.at(-1) ?? 0)} ms, bare cytoscape ${Math.round(bare.at(-1) ?? 0)} ms`,
      );
    }

    console.log(
      JSON.stringify({
        bench: "graph-render",
        nodes: graph.nodes.length,
        edges: graph.edges.length,
        expanded_namespace_nodes: expandSize,
        first_picture_ms: round2(median(firstPicture)),
        expand_ms: round2(median(expand)),
        click_ms: round2(median(click)),
        bare_cytoscape_ms: round2(median(bare)),
        runs,
        runs_with_recorded_overview: recordedRuns,
      }),
    );
  } finally {
    clearInterval(liveSender);
    await sending;
    await browser.close();
    bareServer?.close();
    await stopConsole?.();
    await api.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
