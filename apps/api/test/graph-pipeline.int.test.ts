// The service graph end to end: simulated clusters with live traffic (a multi-cluster mesh: one
// cluster's frontend calls the other's catalog) → the real agent scraping Istio's metrics →
// the agent protocol → ingest into Postgres → the graph query. Then policies change the traffic:
// a fault injection raises the error rate on its edge, and mTLS modes turn edges plain and back.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningAgent, startAgent } from "@switchyard/cluster-agent/start-agent";
import { type SimulatedCluster, startSimulatedClusters } from "@switchyard/cluster-sim/cluster";
import type { GraphEdge, ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkers } from "../src/jobs/workers";
import {
  callerFor,
  createTestServices,
  eventually,
  signUpOwner,
  startTestApi,
  type TestServices,
} from "./harness";

let services: TestServices;
let api: Awaited<ReturnType<typeof startTestApi>>;
let workers: { close: () => Promise<void> } | null = null;
let sims: SimulatedCluster[] = [];
const agents: RunningAgent[] = [];
let caller: ReturnType<typeof callerFor>;
let orgSlug: string;

beforeAll(async () => {
  services = createTestServices({ heartbeatIntervalSeconds: 1 });
  api = await startTestApi(services);
  workers = await startWorkers(services, { sweepIntervalMs: 60_000 });
  const owner = await signUpOwner(services, "graph");
  caller = callerFor(services, owner.user);
  orgSlug = owner.orgSlug;
  sims = await startSimulatedClusters([
    {
      name: "prod-a",
      seed: "sample",
      traffic: { isRealTime: true, remoteServices: { "shop-backend/catalog": "prod-b" } },
    },
    { name: "prod-b", seed: "sample", traffic: { isRealTime: true } },
  ]);
  for (const sim of sims) {
    const line = await caller.clusters.create({ orgSlug, name: sim.name, labels: { env: "prod" } });
    agents.push(
      startAgent({
        apiUrl: api.url,
        bootstrapToken: line.bootstrapToken,
        kubeconfigPath: sim.kubeconfigPath,
        stateFile: path.join(mkdtempSync(path.join(tmpdir(), "sy-graph-")), "state.json"),
        coalesceMs: 50,
        backoff: { initialMs: 100, maxMs: 1000 },
        logger: pino({ level: "silent" }),
        telemetry: { metricsUrls: [`${sim.url}/metrics/istio`], intervalMs: 1000 },
      }),
    );
  }
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(agents.map((agent) => agent.stop()));
  await Promise.allSettled(sims.map((sim) => sim.close()));
  await workers?.close();
  await api.close();
  await services.close();
});

const graph = () => caller.graph.get({ orgSlug, lastSeconds: 300 });

function edgeBetween(
  g: ServiceGraph,
  source: string,
  target: string,
  protocol = "http",
): GraphEdge | undefined {
  return g.edges.find(
    (edge) => edge.source === source && edge.target === target && edge.protocol === protocol,
  );
}

/** The edge's 10 s series points that lie wholly inside the time traffic was flowing and shipped. */
async function settledPoints(edgeId: string) {
  const series = await caller.graph.series({
    orgSlug,
    target: { kind: "edge", id: edgeId },
    lastSeconds: 300,
  });
  const withTraffic = series.points.filter((point) => point.requestRate > 0);
  // The first bucket started before the agent's first delta and the last one is still filling.
  return withTraffic.slice(1, -1);
}

async function applyPolicy(name: string, yaml: string) {
  await caller.policies.applyChanges({
    orgSlug,
    reason: `test: ${name}`,
    changes: { edits: [{ name, yaml }] },
  });
}

describe("the service graph from live simulated clusters", () => {
  it("shows services, workloads and the cross-cluster call with rates the topology produces", async () => {
    const productpage = "s|prod-a|bookinfo|productpage";
    const gateway = "w|prod-a|istio-system|istio-ingressgateway";
    const first = await eventually(
      async () => {
        const g = await graph();
        return edgeBetween(g, gateway, productpage) ? g : undefined;
      },
      { what: "the ingress → productpage edge", timeoutMs: 30_000 },
    );
    const kinds = new Set(first.nodes.map((node) => node.kind));
    expect(kinds).toEqual(new Set(["service", "workload", "unknown"]));
    expect(first.nodes.find((node) => node.id === "w|prod-a|bookinfo|reviews-v2")).toMatchObject({
      app: "reviews",
      version: "v2",
    });

    // Two whole 10 s buckets of traffic: the rates within them come from whole scrapes only.
    const ingressEdge = edgeBetween(first, gateway, productpage);
    if (!ingressEdge) throw new Error("unreachable");
    const points = await eventually(
      async () => {
        const settled = await settledPoints(ingressEdge.id);
        return settled.length >= 1 ? settled : undefined;
      },
      { what: "a whole 10 s bucket of ingress traffic", timeoutMs: 45_000 },
    );
    // The gateway sends 10 req/s to productpage. Each bucket holds the 1 s deltas whose window
    // ends in it; a late or early scrape moves one second across the boundary: ±10 %, and ±10 %
    // more for timer jitter under load.
    for (const point of points) {
      expect(point.requestRate).toBeGreaterThan(8);
      expect(point.requestRate).toBeLessThan(12);
    }

    const g = await graph();
    const details = edgeBetween(g, "w|prod-a|bookinfo|productpage-v1", "s|prod-a|bookinfo|details");
    const reviews = edgeBetween(g, "w|prod-a|bookinfo|productpage-v1", "s|prod-a|bookinfo|reviews");
    const ingress = edgeBetween(g, gateway, productpage);
    // productpage calls details and reviews once per request it serves: equal rates, equal to its inbound.
    expect(details?.requestRate).toBeGreaterThan(0);
    expect(details?.requestRate).toBeCloseTo(reviews?.requestRate ?? 0, 1);
    expect(Math.abs((details?.requestRate ?? 0) / (ingress?.requestRate ?? 1) - 1)).toBeLessThan(0.05);
    // Sidecar to sidecar under Istio's default (permissive, auto mTLS): encrypted.
    expect(details?.mtlsShare).toBe(1);
    expect(details?.latency.p95?.bucket.upperMs).toBeGreaterThan(details?.latency.p95?.bucket.lowerMs ?? 0);
    expect(details?.latency.p95?.valueMs).toBeLessThanOrEqual(details?.latency.p95?.bucket.upperMs ?? 0);

    // The frontend in prod-a calls the catalog in prod-b twice per request it serves.
    const frontends = g.edges.filter((edge) => edge.target === "s|prod-a|shop-frontend|frontend");
    const frontendRate = frontends.reduce((sum, edge) => sum + edge.requestRate, 0);
    const crossCluster = g.edges.filter(
      (edge) =>
        edge.source.startsWith("w|prod-a|shop-frontend|frontend-") &&
        edge.target === "s|prod-b|shop-backend|catalog",
    );
    expect(crossCluster.length).toBeGreaterThan(0);
    for (const edge of crossCluster) expect(edge.isCrossCluster).toBe(true);
    const crossRate = crossCluster.reduce((sum, edge) => sum + edge.requestRate, 0);
    expect(Math.abs(crossRate / (2 * frontendRate) - 1)).toBeLessThan(0.1);
    // prod-a's frontend no longer calls its own catalog.
    expect(g.edges.some((edge) => edge.target === "s|prod-a|shop-backend|catalog")).toBe(false);
    // The health checker without a sidecar shows as the unknown source, in plain text.
    const unknown = edgeBetween(g, "unknown", "s|prod-a|shop-frontend|frontend");
    expect(unknown?.mtlsShare).toBe(0);
  }, 90_000);

  it("raises the error rate on the edge a fault injection policy aborts", async () => {
    await applyPolicy(
      "ratings-fault",
      `apiVersion: policy.switchyard.dev/v1alpha1
kind: TrafficPolicy
metadata:
  name: ratings-fault
spec:
  scope:
    clusters: { names: [prod-a] }
    namespace: bookinfo
    service: ratings
  routes:
    - name: default
      destinations:
        - { version: v1 }
      fault:
        abort: { httpStatus: 503, percentage: 50 }
`,
    );
    const g = await graph();
    const edge = edgeBetween(g, "w|prod-a|bookinfo|reviews-v2", "s|prod-a|bookinfo|ratings");
    if (!edge) throw new Error("no reviews-v2 → ratings edge");
    const latest = await eventually(
      async () => {
        const series = await caller.graph.series({
          orgSlug,
          target: { kind: "edge", id: edge.id },
          lastSeconds: 300,
        });
        const active = series.points.filter((point) => point.requestRate > 0);
        // The points after the first one that fails (which may hold traffic from before the policy).
        const onset = active.findIndex((point) => (point.errorRate ?? 0) > 0.3);
        if (onset < 0) return undefined;
        const after = active.slice(onset + 1);
        const requests = after.reduce((sum, point) => sum + point.requestRate * series.resolutionSeconds, 0);
        const errors = after.reduce(
          (sum, point) => sum + (point.errorRate ?? 0) * point.requestRate * series.resolutionSeconds,
          0,
        );
        // One 10 s point holds a handful of requests (7 in a failed run: 5 aborted, 0.71): judge the
        // abort share over enough of them that a fair 50 % lands in [0.25, 0.75] but for a 1-in-600 run.
        return requests >= 40 ? { requests, errorRate: errors / requests } : undefined;
      },
      { what: "the ratings edge to fail about half of 40 requests", timeoutMs: 75_000 },
    );
    console.info(
      `fault-injection edge: ${Math.round(latest.requests)} requests, error rate ${latest.errorRate.toFixed(3)}`,
    );
    expect(latest.errorRate).toBeGreaterThan(0.25);
    expect(latest.errorRate).toBeLessThan(0.75);
    // The same edge in the other cluster, without the policy, stays healthy.
    const other = edgeBetween(await graph(), "w|prod-b|bookinfo|reviews-v2", "s|prod-b|bookinfo|ratings");
    expect(other?.errorRate ?? 0).toBeLessThan(0.05);
  }, 120_000);

  it("turns bookinfo's edges plain text under mTLS disable and mutual_tls under strict", async () => {
    const mtls = (mode: string) => `apiVersion: policy.switchyard.dev/v1alpha1
kind: MtlsPolicy
metadata:
  name: bookinfo-mtls
spec:
  scope:
    clusters: { names: [prod-b] }
    namespace: bookinfo
  mode: ${mode}
`;
    const edgeId = async () => {
      const edge = edgeBetween(
        await graph(),
        "w|prod-b|bookinfo|productpage-v1",
        "s|prod-b|bookinfo|details",
      );
      if (!edge) throw new Error("no productpage → details edge in prod-b");
      return edge.id;
    };
    const id = await edgeId();
    const latestShare = async () => {
      const series = await caller.graph.series({ orgSlug, target: { kind: "edge", id }, lastSeconds: 300 });
      return series.points.filter((point) => point.requestRate > 0).at(-1)?.mtlsShare;
    };

    await applyPolicy("bookinfo-mtls", mtls("disable"));
    await eventually(async () => ((await latestShare()) === 0 ? true : undefined), {
      what: "productpage → details in plain text",
      timeoutMs: 45_000,
    });
    await applyPolicy("bookinfo-mtls", mtls("strict"));
    await eventually(async () => ((await latestShare()) === 1 ? true : undefined), {
      what: "productpage → details under mutual TLS again",
      timeoutMs: 45_000,
    });
  }, 120_000);
});
