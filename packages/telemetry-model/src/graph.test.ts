import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildSeries,
  buildServiceGraph,
  type EdgeTotalsRow,
  edgeId,
  healthOf,
  percentilesOf,
  seriesTargetOf,
  serviceFeaturesOf,
  serviceNodeId,
  workloadNodeId,
} from "./graph";
import { ISTIO_DEFAULT_BUCKETS_MS } from "./histogram";
import { histogramQuantile } from "./quantile";

const peer = (cluster: string, namespace: string, workload: string, app = workload, version = "v1") => ({
  cluster,
  namespace,
  workload,
  app,
  version,
});
const unknownPeer = peer("unknown", "unknown", "unknown", "unknown", "unknown");

function row(
  overrides: Partial<EdgeTotalsRow> & { ok?: number; errors?: number; latencyAt?: number },
): EdgeTotalsRow {
  const ok = overrides.ok ?? 90;
  const errors = overrides.errors ?? 10;
  const latencyCounts = new Array<number>(20).fill(0);
  latencyCounts[overrides.latencyAt ?? 5] = ok + errors;
  return {
    reporter: "source",
    protocol: "http",
    source: peer("east", "shop", "frontend-v1", "frontend"),
    destination: {
      cluster: "east",
      namespace: "shop",
      service: "cart",
      workload: "cart-v1",
      app: "cart",
      version: "v1",
    },
    responses: { "1xx": 0, "2xx": ok, "3xx": 0, "4xx": 0, "5xx": errors, other: 0 },
    latencyCounts,
    latencySumMs: 0,
    mutualTlsRequests: 0,
    requestBytes: 0,
    responseBytes: 0,
    tcpConnectionsOpened: 0,
    tcpSentBytes: 0,
    tcpReceivedBytes: 0,
    ...overrides,
  };
}

const range = { start: 0, end: 100_000 };

describe("buildServiceGraph", () => {
  it("counts each request once: source reports for counts, destination reports for mTLS", () => {
    const graph = buildServiceGraph({
      rows: [
        row({ reporter: "source", ok: 90, errors: 10 }),
        row({ reporter: "destination", ok: 80, errors: 20, mutualTlsRequests: 50 }),
      ],
      range,
      resolutionSeconds: 10,
    });
    const frontend = workloadNodeId("east", "shop", "frontend-v1");
    const cart = serviceNodeId("east", "shop", "cart");
    const cartV1 = workloadNodeId("east", "shop", "cart-v1");
    expect(graph.nodes.map((n) => n.id)).toEqual([cart, cartV1, frontend].sort());
    const call = graph.edges.find((e) => e.id === edgeId(frontend, cart, "http"));
    expect(call?.requestRate).toBeCloseTo(1); // 100 requests over 100 s
    expect(call?.errorRate).toBeCloseTo(0.1);
    expect(call?.mtlsShare).toBeCloseTo(0.5); // 50 of the destination's 100
    expect(call?.health).toBe("degraded");
    const served = graph.edges.find((e) => e.id === edgeId(cart, cartV1, "http"));
    expect(served?.requestRate).toBeCloseTo(1);
    const frontendNode = graph.nodes.find((n) => n.id === frontend);
    expect(frontendNode).toMatchObject({ kind: "workload", app: "frontend", version: "v1", outboundRate: 1 });
    expect(frontendNode?.errorRate).toBeCloseTo(0.1); // judged by what it got back: nobody called it
    expect(graph.nodes.find((n) => n.id === cart)).toMatchObject({ inboundRate: 1, outboundRate: 1 });
  });

  it("takes counts from the destination for callers without a sidecar, and has no mTLS share without a destination report", () => {
    const graph = buildServiceGraph({
      rows: [
        row({ reporter: "destination", source: unknownPeer, ok: 50, errors: 0, mutualTlsRequests: 0 }),
        row({
          reporter: "source",
          source: peer("east", "shop", "batch-v1"),
          destination: {
            cluster: "west",
            namespace: "db",
            service: "legacy",
            workload: "unknown",
            app: "unknown",
            version: "unknown",
          },
          ok: 10,
          errors: 0,
        }),
      ],
      range,
      resolutionSeconds: 10,
    });
    const unknown = graph.nodes.find((n) => n.id === "unknown");
    expect(unknown).toMatchObject({ kind: "unknown", name: "unknown", cluster: "", outboundRate: 0.5 });
    const fromUnknown = graph.edges.find((e) => e.source === "unknown");
    expect(fromUnknown?.mtlsShare).toBe(0);
    const legacyCall = graph.edges.find((e) => e.target === serviceNodeId("west", "db", "legacy"));
    expect(legacyCall?.mtlsShare).toBeNull();
    expect(legacyCall?.isCrossCluster).toBe(true);
    // The callee never reported: no service → workload edge, no "unknown" workload node.
    expect(graph.edges.some((e) => e.source === serviceNodeId("west", "db", "legacy"))).toBe(false);
    expect(graph.nodes.some((n) => n.id === workloadNodeId("west", "db", "unknown"))).toBe(false);
  });

  it("shows which versions served a service, with their rates", () => {
    const v2 = {
      cluster: "east",
      namespace: "shop",
      service: "cart",
      workload: "cart-v2",
      app: "cart",
      version: "v2",
    };
    const graph = buildServiceGraph({
      rows: [row({ ok: 80, errors: 0 }), row({ destination: v2, ok: 20, errors: 0 })],
      range,
      resolutionSeconds: 10,
    });
    const cart = serviceNodeId("east", "shop", "cart");
    expect(
      graph.edges.find((e) => e.id === edgeId(cart, workloadNodeId("east", "shop", "cart-v1"), "http"))
        ?.requestRate,
    ).toBeCloseTo(0.8);
    expect(
      graph.edges.find((e) => e.id === edgeId(cart, workloadNodeId("east", "shop", "cart-v2"), "http"))
        ?.requestRate,
    ).toBeCloseTo(0.2);
    expect(graph.nodes.find((n) => n.id === workloadNodeId("east", "shop", "cart-v2"))).toMatchObject({
      app: "cart",
      version: "v2",
      inboundRate: 0.2,
      health: "healthy",
      errorRate: 0,
    });
  });

  it("reports TCP edges by bytes, healthy without requests", () => {
    const graph = buildServiceGraph({
      rows: [
        row({
          protocol: "tcp",
          ok: 0,
          errors: 0,
          latencyCounts: new Array<number>(20).fill(0),
          tcpConnectionsOpened: 4,
          tcpSentBytes: 600,
          tcpReceivedBytes: 400,
        }),
        row({
          protocol: "tcp",
          reporter: "destination",
          ok: 0,
          errors: 0,
          latencyCounts: new Array<number>(20).fill(0),
          tcpConnectionsOpened: 4,
          mutualTlsRequests: 4,
        }),
      ],
      range,
      resolutionSeconds: 10,
    });
    const tcp = graph.edges.find((e) => e.protocol === "tcp" && e.target.startsWith("s|"));
    expect(tcp).toMatchObject({
      requestRate: 0,
      tcpBytesRate: 10,
      errorRate: null,
      health: "healthy",
      mtlsShare: 1,
    });
    expect(tcp?.latency).toEqual({ p50: null, p95: null, p99: null });
  });

  it("sets badges from the inventory and the applied config", () => {
    const graph = buildServiceGraph({
      rows: [row({})],
      range,
      resolutionSeconds: 10,
      badges: {
        workloadsWithoutSidecar: new Set(["east|shop|cart-v1"]),
        serviceFeatures: new Map([["east|shop|cart", { hasTrafficSplit: true, hasCircuitBreaker: true }]]),
      },
    });
    expect(
      graph.nodes.find((n) => n.id === workloadNodeId("east", "shop", "cart-v1"))?.badges.hasNoSidecar,
    ).toBe(true);
    expect(
      graph.nodes.find((n) => n.id === workloadNodeId("east", "shop", "frontend-v1"))?.badges.hasNoSidecar,
    ).toBe(false);
    expect(graph.nodes.find((n) => n.id === serviceNodeId("east", "shop", "cart"))?.badges).toEqual({
      hasNoSidecar: false,
      hasTrafficSplit: true,
      hasFaultInjection: false,
      hasCircuitBreaker: true,
    });
  });

  it("keeps request totals whichever way rows are split (property)", () => {
    const counts = fc.array(fc.tuple(fc.nat(1000), fc.nat(100), fc.constantFrom("source", "destination")), {
      minLength: 1,
      maxLength: 12,
    });
    fc.assert(
      fc.property(counts, (parts) => {
        const rows = parts.map(([ok, errors, reporter]) =>
          row({ ok, errors, reporter: reporter as "source" | "destination" }),
        );
        const graph = buildServiceGraph({ rows, range, resolutionSeconds: 10 });
        const hasSource = parts.some(([, , r]) => r === "source");
        const counted = parts.filter(([, , r]) => r === (hasSource ? "source" : "destination"));
        const total = counted.reduce((sum, [ok, errors]) => sum + ok + errors, 0);
        const call = graph.edges.find((e) => e.target.startsWith("s|"));
        expect(call?.requestRate ?? 0).toBeCloseTo(total / 100, 9);
        const service = graph.nodes.find((n) => n.kind === "service");
        expect(service?.inboundRate ?? 0).toBeCloseTo(total / 100, 9);
      }),
    );
  });
});

describe("percentilesOf", () => {
  it("matches histogramQuantile on the cumulative counts and reports the holding bucket", () => {
    const counts = new Array<number>(20).fill(0);
    counts[4] = 50; // (10, 25]
    counts[6] = 45; // (50, 100]
    counts[8] = 5; // (250, 500]
    const p = percentilesOf(counts);
    let running = 0;
    const samples = counts.map((c, i) => {
      running += c;
      return { upperBound: ISTIO_DEFAULT_BUCKETS_MS[i] ?? Number.POSITIVE_INFINITY, count: running };
    });
    expect(p.p50?.valueMs).toBe(histogramQuantile(0.5, samples).value);
    expect(p.p50?.bucket).toEqual({ lowerMs: 10, upperMs: 25 });
    expect(p.p95?.bucket).toEqual({ lowerMs: 50, upperMs: 100 });
    expect(p.p99?.bucket).toEqual({ lowerMs: 250, upperMs: 500 });
    expect(p.p99?.valueMs).toBeCloseTo(250 + 250 * (4 / 5));
  });

  it("is null without observations", () => {
    expect(percentilesOf(new Array<number>(20).fill(0))).toEqual({ p50: null, p95: null, p99: null });
  });
});

describe("healthOf", () => {
  it("uses Kiali's thresholds", () => {
    expect(healthOf(null)).toBe("idle");
    expect(healthOf(null, true)).toBe("healthy");
    expect(healthOf(0)).toBe("healthy");
    expect(healthOf(0.0009)).toBe("healthy");
    expect(healthOf(0.001)).toBe("degraded");
    expect(healthOf(0.19)).toBe("degraded");
    expect(healthOf(0.2)).toBe("failing");
  });
});

describe("buildSeries", () => {
  it("gives one point per bucket, empty ones at rate 0, for a node and an edge", () => {
    const rows = [
      { ...row({ ok: 100, errors: 0 }), bucketStart: 10_000 },
      {
        ...row({ reporter: "destination", ok: 100, errors: 0, mutualTlsRequests: 100 }),
        bucketStart: 10_000,
      },
      { ...row({ ok: 50, errors: 50 }), bucketStart: 30_000 },
    ];
    const cart = serviceNodeId("east", "shop", "cart");
    const target = seriesTargetOf("node", cart);
    if (!target) throw new Error("no target");
    const points = buildSeries({ rows, target, range: { start: 0, end: 40_000 }, resolutionSeconds: 10 });
    expect(points.map((p) => p.t)).toEqual([0, 10_000, 20_000, 30_000]);
    expect(points.map((p) => p.requestRate)).toEqual([0, 10, 0, 10]);
    expect(points.map((p) => p.errorRate)).toEqual([null, 0, null, 0.5]);
    expect(points[1]?.mtlsShare).toBe(1);
    expect(points[3]?.mtlsShare).toBeNull();
    expect(points[1]?.p50Ms).toBeGreaterThan(25);
    const edgeTarget = seriesTargetOf(
      "edge",
      edgeId(workloadNodeId("east", "shop", "frontend-v1"), cart, "http"),
    );
    if (!edgeTarget) throw new Error("no edge target");
    const edgePoints = buildSeries({
      rows,
      target: edgeTarget,
      range: { start: 0, end: 40_000 },
      resolutionSeconds: 10,
    });
    expect(edgePoints.map((p) => p.requestRate)).toEqual([0, 10, 0, 10]);
    const otherProtocol = seriesTargetOf(
      "edge",
      edgeId(workloadNodeId("east", "shop", "frontend-v1"), cart, "grpc"),
    );
    if (!otherProtocol) throw new Error("no edge target");
    expect(
      buildSeries({
        rows,
        target: otherProtocol,
        range: { start: 0, end: 40_000 },
        resolutionSeconds: 10,
      }).map((p) => p.requestRate),
    ).toEqual([0, 0, 0, 0]);
  });

  it("uses a pure caller's outbound traffic", () => {
    const rows = [{ ...row({ ok: 20, errors: 0 }), bucketStart: 0 }];
    const target = seriesTargetOf("node", workloadNodeId("east", "shop", "frontend-v1"));
    if (!target) throw new Error("no target");
    expect(
      buildSeries({ rows, target, range: { start: 0, end: 10_000 }, resolutionSeconds: 10 })[0]?.requestRate,
    ).toBe(2);
  });
});

describe("seriesTargetOf", () => {
  it("reads node and edge ids and refuses others", () => {
    expect(seriesTargetOf("node", "s|east|shop|cart")).toEqual({
      kind: "service",
      cluster: "east",
      namespace: "shop",
      service: "cart",
    });
    expect(seriesTargetOf("node", "unknown")).toEqual({ kind: "unknown" });
    expect(seriesTargetOf("node", "x|a|b|c")).toBeUndefined();
    expect(seriesTargetOf("edge", "s|a|b|c>s|a|b|d|http")).toBeUndefined();
    expect(seriesTargetOf("edge", "w|a|b|c>s|a|b|d|tcp")).toMatchObject({ kind: "edge", protocol: "tcp" });
    expect(seriesTargetOf("edge", "unknown>s|a|b|d|http")).toMatchObject({
      kind: "edge",
      from: { kind: "unknown" },
    });
  });
});

describe("serviceFeaturesOf", () => {
  it("reads traffic splits, faults and circuit breakers from desired config", () => {
    const features = serviceFeaturesOf([
      {
        kind: "VirtualService",
        metadata: { namespace: "shop", name: "sy-cart" },
        spec: {
          hosts: ["cart.shop.svc.cluster.local"],
          http: [
            {
              route: [
                { destination: { host: "cart.shop.svc.cluster.local", subset: "v1" }, weight: 90 },
                { destination: { host: "cart.shop.svc.cluster.local", subset: "v2" }, weight: 10 },
              ],
            },
          ],
        },
      },
      {
        kind: "VirtualService",
        metadata: { namespace: "shop", name: "sy-pay" },
        spec: {
          hosts: ["pay.shop.svc.cluster.local"],
          http: [
            { route: [{ destination: { host: "pay" }, weight: 100 }], fault: { abort: { httpStatus: 503 } } },
          ],
        },
      },
      {
        kind: "DestinationRule",
        metadata: { namespace: "shop", name: "sy-db" },
        spec: { host: "db", trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } } },
      },
    ]);
    expect(features.get("shop|cart")).toEqual({ hasTrafficSplit: true });
    expect(features.get("shop|pay")).toEqual({ hasFaultInjection: true });
    expect(features.get("shop|db")).toEqual({ hasCircuitBreaker: true });
  });
});
