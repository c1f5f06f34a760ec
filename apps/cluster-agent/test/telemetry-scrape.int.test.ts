/**
 * The direct-scrape reader against the simulated cluster's `/metrics/istio`: exact per-edge
 * increases for a known amount of simulated traffic, a counter reset (the simulated cluster
 * restarted on the same port), and the whole loop shipping to a recording stand-in for the API
 * in real time. Run: `. scripts/env.sh && npx vitest run --project integration apps/cluster-agent/test/telemetry-scrape.int.test.ts`
 */
import type { TelemetryBatch, TelemetryEdgeSample } from "@switchyard/agent-protocol/v1";
import { type SimulatedCluster, startSimulatedClusters } from "@switchyard/cluster-sim/cluster";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { AgentApiClient } from "../src/clients/api-client";
import { ScrapeReader } from "../src/telemetry/scrape-reader";
import { apiTelemetrySender } from "../src/telemetry/telemetry-client";
import { TelemetryLoop } from "../src/telemetry/telemetry-loop";
import { startTelemetryReceiver } from "../src/telemetry/testing-receiver";

const logger = pino({ level: "silent" });

type Match = (edge: TelemetryEdgeSample) => boolean;
const requestsOf = (edge: TelemetryEdgeSample) => Object.values(edge.responses).reduce((a, b) => a + b, 0);
const sum = (edges: TelemetryEdgeSample[], match: Match, value: (edge: TelemetryEdgeSample) => number) =>
  edges.filter(match).reduce((total, edge) => total + value(edge), 0);
const edge =
  (reporter: "source" | "destination", from: string, service: string): Match =>
  (sample) =>
    sample.reporter === reporter && sample.source.workload === from && sample.destination.service === service;
const fromApp =
  (reporter: "source" | "destination", app: string, service: string): Match =>
  (sample) =>
    sample.reporter === reporter && sample.source.app === app && sample.destination.service === service;

const clusters: SimulatedCluster[] = [];
afterAll(async () => {
  await Promise.all(clusters.map((cluster) => cluster.close()));
});

describe("scrape reader on the simulated cluster", () => {
  it("ships exactly the traffic the topology produced, and handles a counter reset", async () => {
    const [sim] = await startSimulatedClusters([{ name: "east", seed: "sample" }]);
    if (sim === undefined) throw new Error("no cluster");
    clusters.push(sim);
    const reader = new ScrapeReader({ urls: [`${sim.url}/metrics/istio`] });
    sim.traffic.advance(5);
    expect(await reader.read(1_000)).toBeUndefined(); // baseline
    sim.traffic.advance(10);
    const read = await reader.read(11_000);
    if (read === undefined) throw new Error("no read");
    expect(read).toMatchObject({ windowStart: 1_000, windowEnd: 11_000 });
    const edges = read.edges;

    // Root arrivals are exact: 10 rps ingress → productpage, 20 rps → frontend, 1 rps unknown → frontend.
    expect(sum(edges, edge("source", "istio-ingressgateway", "productpage"), requestsOf)).toBe(100);
    expect(sum(edges, edge("destination", "istio-ingressgateway", "productpage"), requestsOf)).toBe(100);
    expect(sum(edges, edge("source", "istio-ingressgateway", "frontend"), requestsOf)).toBe(200);
    expect(sum(edges, edge("destination", "unknown", "frontend"), requestsOf)).toBe(10);
    expect(sum(edges, edge("source", "unknown", "frontend"), requestsOf)).toBe(0);
    // productpage calls details once per request; frontend calls catalog twice per request it
    // serves: (200 from the gateway + 10 health checks) × 2.
    expect(sum(edges, fromApp("source", "productpage", "details"), requestsOf)).toBe(100);
    expect(sum(edges, fromApp("source", "frontend", "catalog"), requestsOf)).toBe(420);
    // catalog and payments open a connection to postgres per request they serve
    const catalogConnections = sum(
      edges,
      fromApp("source", "catalog", "postgres"),
      (e) => e.tcpConnectionsOpened,
    );
    expect(catalogConnections).toBeGreaterThan(400);
    expect(catalogConnections).toBeLessThanOrEqual(440);
    for (const sample of edges.filter((e) => e.protocol === "tcp")) {
      expect(requestsOf(sample)).toBe(0);
      expect(sample.tcpSentBytes).toBeGreaterThan(0);
    }
    // every HTTP edge: latency counts add up to its requests, bytes are per request
    for (const sample of edges.filter((e) => e.protocol === "http")) {
      expect(sample.latencyCounts.reduce((a, b) => a + b, 0)).toBe(requestsOf(sample));
      expect(sample.latencySumMs).toBeGreaterThan(0);
      expect(sample.requestBytes).toBe(300 * requestsOf(sample));
    }
    // labels: versions and clusters are carried
    const details = edges.find(fromApp("destination", "productpage", "details"));
    expect(details?.destination).toMatchObject({
      namespace: "bookinfo",
      workload: "details-v1",
      version: "v1",
    });
    expect(details?.source).toMatchObject({ namespace: "bookinfo", version: "v1" });

    // Counter reset: the cluster restarts on the same port; its counters start again from 0.
    const port = sim.port;
    await sim.close();
    const [restarted] = await startSimulatedClusters([{ name: "east", seed: "sample", port }]);
    if (restarted === undefined) throw new Error("no cluster");
    clusters.push(restarted);
    restarted.traffic.advance(3);
    const afterReset = await reader.read(14_000);
    expect(afterReset).toMatchObject({ windowStart: 11_000, windowEnd: 14_000 });
    expect(
      sum(afterReset?.edges ?? [], edge("source", "istio-ingressgateway", "productpage"), requestsOf),
    ).toBe(30);
    restarted.traffic.advance(2);
    const next = await reader.read(16_000);
    expect(sum(next?.edges ?? [], edge("source", "istio-ingressgateway", "productpage"), requestsOf)).toBe(
      20,
    );
  });

  it("the loop ships contiguous windows in real time, retrying a failed batch with its id", async () => {
    const [sim] = await startSimulatedClusters([
      { name: "west", seed: "sample", traffic: { isRealTime: true } },
    ]);
    if (sim === undefined) throw new Error("no cluster");
    clusters.push(sim);
    const receiver = await startTelemetryReceiver("cred-scrape-test");
    const api = new AgentApiClient({ baseUrl: receiver.url });
    api.setCredential("cred-scrape-test");
    receiver.failNext(2);
    const loop = new TelemetryLoop({
      reader: new ScrapeReader({ urls: [`${sim.url}/metrics/istio`] }),
      sender: apiTelemetrySender(api),
      intervalMs: 1000,
      logger,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const running = loop.start();
    try {
      await until(() => receiver.stored.size >= 7, 25_000);
    } finally {
      await loop.stop();
      await running;
      await receiver.close();
    }
    const batches = [...receiver.stored.values()];
    checkContiguous(batches, "scrape");
    // the two failed attempts and the success carried one id, stored once
    expect(receiver.failedIds).toHaveLength(2);
    expect(receiver.failedIds[0]).toBe(receiver.failedIds[1]);
    expect(receiver.received[0]?.batchId).toBe(receiver.failedIds[0]);
    expect(new Set(receiver.received.map((b) => b.batchId)).size).toBe(receiver.received.length);

    // Rates over the whole span, ±20% (the simulation advances in 1 s steps on its own timer).
    const seconds = ((batches.at(-1)?.windowEnd ?? 0) - (batches[0]?.windowStart ?? 0)) / 1000;
    const all = batches.flatMap((b) => b.edges);
    const rate = (match: Match) => sum(all, match, requestsOf) / seconds;
    expect(rate(edge("source", "istio-ingressgateway", "productpage"))).toBeGreaterThan(8);
    expect(rate(edge("source", "istio-ingressgateway", "productpage"))).toBeLessThan(12);
    expect(rate(fromApp("source", "productpage", "details"))).toBeGreaterThan(8);
    expect(rate(fromApp("source", "productpage", "details"))).toBeLessThan(12);
    expect(rate(fromApp("source", "frontend", "catalog"))).toBeGreaterThan(33.6); // 42 rps ±20%
    expect(rate(fromApp("source", "frontend", "catalog"))).toBeLessThan(50.4);
  }, 40_000);
});

function checkContiguous(batches: TelemetryBatch[], source: "scrape" | "prometheus"): void {
  const sorted = [...batches].sort((a, b) => a.windowStart - b.windowStart);
  expect(sorted.map((b) => b.batchId)).toEqual(batches.map((b) => b.batchId)); // stored in window order
  for (const [index, batch] of sorted.entries()) {
    expect(batch.source).toBe(source);
    expect(batch.windowEnd).toBeGreaterThan(batch.windowStart);
    if (index > 0) expect(batch.windowStart).toBe(sorted[index - 1]?.windowEnd);
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
