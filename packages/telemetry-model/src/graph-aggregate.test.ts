import { describe, expect, it } from "vitest";
import {
  aggregateByNamespace,
  buildGraphView,
  collapseNamespace,
  combinedMtlsShare,
  expandNamespace,
  expandOverview,
  limitOverviewEdges,
  mtlsCoverage,
  namespaceKeys,
  worstHealth,
} from "./graph-aggregate";
import type { GraphEdge, GraphNode, ServiceGraph } from "./graph-types";

const noBadges = {
  hasNoSidecar: false,
  hasTrafficSplit: false,
  hasFaultInjection: false,
  hasCircuitBreaker: false,
};

function node(id: string, overrides: Partial<GraphNode> = {}): GraphNode {
  const [kind, cluster = "", namespace = "", name = id] = id.split("|");
  return {
    id,
    kind: kind === "s" ? "service" : kind === "w" ? "workload" : "unknown",
    cluster,
    namespace,
    name,
    health: "healthy",
    inboundRate: 0,
    outboundRate: 0,
    errorRate: null,
    badges: { ...noBadges },
    ...overrides,
  };
}

function edge(source: string, target: string, overrides: Partial<GraphEdge> = {}): GraphEdge {
  const protocol = overrides.protocol ?? "http";
  return {
    id: `${source}>${target}|${protocol}`,
    source,
    target,
    protocol,
    requestRate: 10,
    errorRate: 0,
    clientErrorRate: 0,
    latency: { p50: null, p95: null, p99: null },
    mtlsShare: 1,
    tcpBytesRate: 0,
    isCrossCluster: source.split("|")[1] !== target.split("|")[1],
    health: "healthy",
    ...overrides,
  };
}

const pct = (valueMs: number, lowerMs: number, upperMs: number) => ({
  valueMs,
  bucket: { lowerMs, upperMs },
});

/**
 * east/shop: frontend (w) → cart (s) → cart-v1 (w)
 * east/pay:  payments (s) → payments-v1 (w), called by frontend
 * west/shop: cart (s) called across clusters by frontend
 * unknown → frontend's service
 */
function sampleGraph(): ServiceGraph {
  return {
    range: { start: 0, end: 60_000 },
    resolutionSeconds: 10,
    nodes: [
      node("unknown", { kind: "unknown", cluster: "", namespace: "", name: "unknown" }),
      node("s|east|shop|frontend"),
      node("w|east|shop|frontend"),
      node("s|east|shop|cart", { health: "degraded", badges: { ...noBadges, hasTrafficSplit: true } }),
      node("w|east|shop|cart-v1"),
      node("s|east|pay|payments"),
      node("w|east|pay|payments-v1", { health: "failing", badges: { ...noBadges, hasNoSidecar: true } }),
      node("s|west|shop|cart"),
    ],
    edges: [
      edge("unknown", "s|east|shop|frontend", { requestRate: 5, mtlsShare: 0 }),
      edge("s|east|shop|frontend", "w|east|shop|frontend"),
      edge("w|east|shop|frontend", "s|east|shop|cart", { requestRate: 30 }),
      edge("s|east|shop|cart", "w|east|shop|cart-v1", { requestRate: 30 }),
      edge("w|east|shop|frontend", "s|east|pay|payments", {
        requestRate: 10,
        errorRate: 0.5,
        health: "failing",
        latency: { p50: pct(20, 10, 25), p95: pct(400, 250, 500), p99: pct(900, 500, 1000) },
      }),
      edge("w|east|shop|frontend", "s|east|pay|payments", {
        protocol: "grpc",
        requestRate: 30,
        errorRate: 0,
        mtlsShare: 0.5,
        latency: { p50: pct(5, 0, 10), p95: pct(90, 50, 100), p99: pct(120, 100, 250) },
      }),
      edge("s|east|pay|payments", "w|east|pay|payments-v1", { requestRate: 40, mtlsShare: 0 }),
      edge("w|east|shop|frontend", "s|west|shop|cart", { requestRate: 2, isCrossCluster: true }),
    ],
  };
}

describe("worstHealth", () => {
  it("ranks failing over degraded over healthy over idle", () => {
    expect(worstHealth(["idle", "healthy"])).toBe("healthy");
    expect(worstHealth(["healthy", "failing", "degraded"])).toBe("failing");
    expect(worstHealth([])).toBe("idle");
  });
});

describe("aggregateByNamespace", () => {
  const view = aggregateByNamespace(sampleGraph());
  const byId = new Map(view.nodes.map((n) => [n.id, n]));
  const edgeById = new Map(view.edges.map((e) => [e.id, e]));

  it("makes one node per namespace and keeps unknown as it is", () => {
    expect([...byId.keys()].sort()).toEqual(["n|east|pay", "n|east|shop", "n|west|shop", "unknown"]);
    expect(byId.get("n|east|shop")).toMatchObject({
      kind: "namespace",
      cluster: "east",
      name: "shop",
      memberCount: 4,
    });
    expect(view.expanded).toEqual([]);
  });

  it("gives a namespace its worst health and every badge one of its members has", () => {
    expect(byId.get("n|east|shop")?.health).toBe("degraded");
    expect(byId.get("n|east|pay")?.health).toBe("failing");
    expect(byId.get("n|east|shop")?.badges).toEqual({ ...noBadges, hasTrafficSplit: true });
    expect(byId.get("n|east|pay")?.badges.hasNoSidecar).toBe(true);
  });

  it("sums rates across protocols, weights the error rate and mTLS share by requests, keeps the worst health", () => {
    const shopToPay = edgeById.get("n|east|shop>n|east|pay|agg");
    expect(shopToPay).toMatchObject({
      source: "n|east|shop",
      target: "n|east|pay",
      protocol: "mixed",
      requestRate: 40,
      health: "failing",
      isLatencyWorstOfMembers: true,
    });
    expect(shopToPay?.errorRate).toBeCloseTo((10 * 0.5 + 30 * 0) / 40);
    expect(shopToPay?.mtlsShare).toBeCloseTo((10 * 1 + 30 * 0.5) / 40);
    // The worst p95 of the members, with its bucket.
    expect(shopToPay?.latency.p95).toEqual(pct(400, 250, 500));
    expect(shopToPay?.memberIds).toHaveLength(2);
  });

  it("drops edges inside a namespace and marks cross-cluster ones", () => {
    expect(view.edges.map((e) => e.id).sort()).toEqual([
      "n|east|shop>n|east|pay|agg",
      "n|east|shop>n|west|shop|agg",
      "unknown>n|east|shop|agg",
    ]);
    expect(edgeById.get("n|east|shop>n|west|shop|agg")?.isCrossCluster).toBe(true);
    expect(edgeById.get("n|east|shop>n|east|pay|agg")?.isCrossCluster).toBe(false);
  });

  it("counts a namespace's rates only from traffic crossing its border", () => {
    const shop = byId.get("n|east|shop");
    expect(shop?.inboundRate).toBe(5);
    expect(shop?.outboundRate).toBe(42);
    expect(byId.get("n|east|pay")?.inboundRate).toBe(40);
    expect(byId.get("n|east|pay")?.errorRate).toBeCloseTo(0.125);
  });

  it("lists namespaces", () => {
    expect(namespaceKeys(sampleGraph())).toEqual(["east|pay", "east|shop", "west|shop"]);
  });
});

describe("expandNamespace / collapseNamespace", () => {
  const graph = sampleGraph();

  it("shows only the expanded namespace's own nodes and keeps the graph's edge ids between shown nodes", () => {
    const { expanded, view } = expandNamespace(graph, new Set(), "east|shop");
    expect([...expanded]).toEqual(["east|shop"]);
    expect(view.expanded).toEqual(["east|shop"]);
    expect(view.nodes.map((n) => n.id).sort()).toEqual([
      "n|east|pay",
      "n|west|shop",
      "s|east|shop|cart",
      "s|east|shop|frontend",
      "unknown",
      "w|east|shop|cart-v1",
      "w|east|shop|frontend",
    ]);
    const ids = view.edges.map((e) => e.id).sort();
    expect(ids).toContain("w|east|shop|frontend>s|east|shop|cart|http");
    expect(ids).toContain("unknown>s|east|shop|frontend|http");
    expect(ids).toContain("w|east|shop|frontend>n|east|pay|agg");
    expect(ids).toContain("w|east|shop|frontend>n|west|shop|agg");
    const single = view.edges.find((e) => e.id === "w|east|shop|frontend>s|east|shop|cart|http");
    expect(single).toMatchObject({
      protocol: "http",
      requestRate: 30,
      isLatencyWorstOfMembers: false,
      memberIds: [single?.id],
    });
  });

  it("expanding everything gives back the graph", () => {
    const view = buildGraphView(graph, { expanded: "all" });
    expect(view.nodes.map((n) => n.id).sort()).toEqual(graph.nodes.map((n) => n.id).sort());
    expect(view.edges.map((e) => e.id).sort()).toEqual(graph.edges.map((e) => e.id).sort());
    const expanded = new Set(namespaceKeys(graph));
    expect(buildGraphView(graph, { expanded }).edges.length).toBe(graph.edges.length);
  });

  it("collapsing goes back to the overview", () => {
    const { expanded } = expandNamespace(graph, new Set(), "east|pay");
    const collapsed = collapseNamespace(graph, expanded, "east|pay");
    expect(collapsed.expanded.size).toBe(0);
    expect(collapsed.view).toEqual(aggregateByNamespace(graph));
  });

  it("ignores edges naming nodes the graph does not hold", () => {
    const broken = { ...graph, edges: [...graph.edges, edge("s|east|shop|ghost", "s|east|pay|payments")] };
    expect(aggregateByNamespace(broken).edges).toHaveLength(3);
  });
});

describe("combinedMtlsShare", () => {
  it("uses bytes for TCP-only traffic and null when nothing is known", () => {
    expect(
      combinedMtlsShare([
        edge("a", "b", { protocol: "tcp", requestRate: 0, tcpBytesRate: 300, mtlsShare: 1 }),
        edge("a", "c", { protocol: "tcp", requestRate: 0, tcpBytesRate: 100, mtlsShare: 0 }),
      ]),
    ).toBeCloseTo(0.75);
    expect(combinedMtlsShare([edge("a", "b", { mtlsShare: null })])).toBeNull();
    expect(combinedMtlsShare([edge("a", "b", { requestRate: 0, mtlsShare: 0 })])).toBe(0);
  });
});

describe("mtlsCoverage", () => {
  const coverage = mtlsCoverage(sampleGraph());

  it("lists the edges carrying plain text, busiest plain-text traffic first", () => {
    expect(coverage.plainTextEdges.map((e) => e.id)).toEqual([
      "s|east|pay|payments>w|east|pay|payments-v1|http",
      "w|east|shop|frontend>s|east|pay|payments|grpc",
      "unknown>s|east|shop|frontend|http",
    ]);
    expect(coverage.plainTextEdges[1]).toMatchObject({
      requestRate: 30,
      plainTextShare: 0.5,
      protocol: "grpc",
    });
    expect(coverage.plainTextEdges[2]?.source?.kind).toBe("unknown");
  });

  it("computes coverage per namespace and cluster at the destination", () => {
    const pay = coverage.namespaces.find((entry) => entry.namespace === "pay");
    // Into pay: 10 rps mTLS + 30 rps half + 40 rps plain = 25 / 80.
    expect(pay?.coverage).toBeCloseTo(25 / 80);
    expect(pay).toMatchObject({ cluster: "east", edgeCount: 3, plainTextEdgeCount: 2, requestRate: 80 });
    const west = coverage.clusters.find((entry) => entry.cluster === "west");
    expect(west).toMatchObject({ coverage: 1, plainTextEdgeCount: 0 });
    expect(coverage.clusters.map((entry) => entry.cluster)).toEqual(["east", "west"]);
    expect(coverage.clusters[0]?.namespace).toBeUndefined();
  });
});

describe("limitOverviewEdges", () => {
  it("keeps failing edges first, then the busiest, and never drops edges touching expanded nodes", () => {
    const graph = sampleGraph();
    const overview = aggregateByNamespace(graph);
    const limited = limitOverviewEdges(overview, 1);
    // unknown>n|east|shop touches a node that is not a namespace: always kept.
    expect(limited.view.edges.map((e) => e.id).sort()).toEqual([
      "n|east|shop>n|east|pay|agg",
      "unknown>n|east|shop|agg",
    ]);
    expect(limited.hiddenEdgeCount).toBe(1);
    expect(limitOverviewEdges(overview, 10)).toEqual({ view: overview, hiddenEdgeCount: 0 });
    const expanded = buildGraphView(graph, { expanded: new Set(["east|shop"]) });
    expect(limitOverviewEdges(expanded, 0).view.edges).toHaveLength(expanded.edges.length);
  });
});

describe("expandOverview", () => {
  /** A mesh over 2 clusters × 3 namespaces: each workload calls services in other namespaces. */
  function mesh(): ServiceGraph {
    const nodes: GraphNode[] = [node("unknown")];
    const edges: GraphEdge[] = [];
    const keys: string[] = [];
    for (const cluster of ["east", "west"])
      for (const namespace of ["a", "b", "c"]) {
        keys.push(`${cluster}|${namespace}`);
        for (const name of ["api", "db"]) {
          nodes.push(node(`s|${cluster}|${namespace}|${name}`, { inboundRate: 3 }));
          nodes.push(
            node(`w|${cluster}|${namespace}|${name}-v1`, { health: name === "db" ? "degraded" : "healthy" }),
          );
          edges.push(edge(`s|${cluster}|${namespace}|${name}`, `w|${cluster}|${namespace}|${name}-v1`));
        }
      }
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (const from of keys)
      for (const to of keys) {
        if (from === to || next() < 0.4) continue;
        edges.push(
          edge(`w|${from}|api-v1`, `s|${to}|db`, {
            requestRate: Math.round(next() * 100),
            errorRate: next() < 0.3 ? 0.25 : 0,
            latency: { p50: pct(5, 0, 10), p95: pct(20 + next() * 50, 10, 100), p99: null },
          }),
        );
      }
    edges.push(edge("unknown", "s|east|a|api"), edge("unknown", "s|west|c|api"));
    return { range: { start: 0, end: 60_000 }, resolutionSeconds: 60, nodes, edges };
  }

  /** What graph.get scoped to one namespace returns: the edges touching it and their ends. */
  function scopedTo(graph: ServiceGraph, key: string): ServiceGraph {
    const inside = new Set(
      graph.nodes
        .filter((n) => n.kind !== "unknown" && `${n.cluster}|${n.namespace}` === key)
        .map((n) => n.id),
    );
    const edges = graph.edges.filter((e) => inside.has(e.source) || inside.has(e.target));
    const ends = new Set(edges.flatMap((e) => [e.source, e.target]));
    // A neighbour shows only its traffic with the scope (as the API's builder does).
    const nodes = graph.nodes
      .filter((n) => ends.has(n.id))
      .map((n) => (inside.has(n.id) ? n : { ...n, inboundRate: -1, health: "idle" as const }));
    return { ...graph, nodes, edges };
  }

  const sorted = (view: ReturnType<typeof buildGraphView>) => ({
    nodes: [...view.nodes].sort((a, b) => a.id.localeCompare(b.id)),
    edges: [...view.edges].sort((a, b) => a.id.localeCompare(b.id)),
    expanded: view.expanded,
  });

  it("gives the view buildGraphView gives from the whole graph, for any namespaces expanded", () => {
    const graph = mesh();
    const overview = aggregateByNamespace(graph);
    const all = namespaceKeys(graph);
    const choices = [[], ["east|a"], ["west|c", "east|b"], all];
    for (const keys of choices) {
      const scoped = new Map(keys.map((key) => [key, scopedTo(graph, key)]));
      const expected = buildGraphView(graph, { expanded: new Set(keys) });
      expect(sorted(expandOverview(overview, scoped))).toEqual(sorted(expected));
    }
  });

  it("keeps a limited overview's edge choice between collapsed namespaces", () => {
    const graph = mesh();
    const { view } = limitOverviewEdges(aggregateByNamespace(graph), 5);
    const expandedView = expandOverview(view, new Map([["east|a", scopedTo(graph, "east|a")]]));
    const between = expandedView.edges.filter((e) => e.source.startsWith("n|") && e.target.startsWith("n|"));
    expect(between.map((e) => e.id).sort()).toEqual(
      view.edges
        .filter((e) => !e.source.startsWith("n|east|a") && !e.target.startsWith("n|east|a"))
        .filter((e) => e.source.startsWith("n|") && e.target.startsWith("n|"))
        .map((e) => e.id)
        .sort(),
    );
    expect(expandedView.nodes.some((n) => n.id === "s|east|a|api")).toBe(true);
    expect(expandedView.nodes.some((n) => n.id === "n|east|a")).toBe(false);
  });
});
