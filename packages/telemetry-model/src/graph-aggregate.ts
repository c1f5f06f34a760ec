/**
 * What the console draws, derived from a `ServiceGraph` without I/O: the namespace overview of a big
 * mesh (a node per namespace, edges summed), the same view with some namespaces expanded into their
 * services and workloads, and mTLS coverage.
 *
 * Drawing 5,000 nodes takes cytoscape about 10 s on a 2-core machine (docs/graph.md), so a big mesh
 * opens on the overview and namespaces are expanded on demand. Ids of view elements are stable: a
 * node or edge that is not aggregated keeps the graph's own id, so the console can update elements in
 * place between refreshes and keep their positions.
 */
import type {
  GraphEdge,
  GraphNode,
  GraphNodeKind,
  Health,
  LatencyPercentiles,
  NodeBadges,
  ServiceGraph,
} from "./graph-types";

export type ViewNodeKind = GraphNodeKind | "namespace";
export type ViewEdgeProtocol = GraphEdge["protocol"] | "mixed";

export interface ViewNode {
  /** The graph's id, or `n|<cluster>|<namespace>` for a collapsed namespace. */
  id: string;
  kind: ViewNodeKind;
  cluster: string;
  namespace: string;
  name: string;
  app?: string;
  version?: string;
  health: Health;
  /** For a namespace: requests per second from outside the namespace into it / out of it. */
  inboundRate: number;
  outboundRate: number;
  errorRate: number | null;
  badges: NodeBadges;
  /** How many graph nodes this stands for (1 unless a namespace). */
  memberCount: number;
}

export interface ViewEdge {
  /** The graph's id when neither end is aggregated, else `<sourceId>><targetId>|agg`. */
  id: string;
  source: string;
  target: string;
  protocol: ViewEdgeProtocol;
  requestRate: number;
  errorRate: number | null;
  clientErrorRate: number | null;
  /**
   * Percentiles cannot be merged without the histograms, so an aggregated edge carries those of its
   * busiest-p95 member edge (the worst latency it stands for); `isLatencyWorstOfMembers` says so.
   */
  latency: LatencyPercentiles;
  isLatencyWorstOfMembers: boolean;
  mtlsShare: number | null;
  tcpBytesRate: number;
  isCrossCluster: boolean;
  health: Health;
  /** The graph edges this stands for. */
  memberIds: string[];
}

export interface GraphView {
  nodes: ViewNode[];
  edges: ViewEdge[];
  /** `<cluster>|<namespace>` keys of the namespaces shown as their own nodes (in a namespace box). */
  expanded: string[];
}

const healthRank: Record<Health, number> = { idle: 0, healthy: 1, degraded: 2, failing: 3 };

export function worstHealth(values: Iterable<Health>): Health {
  let worst: Health = "idle";
  for (const value of values) if (healthRank[value] > healthRank[worst]) worst = value;
  return worst;
}

/** The key naming a namespace across clusters: `<cluster>|<namespace>`. */
export function namespaceKeyOf(node: { cluster: string; namespace: string }): string {
  return `${node.cluster}|${node.namespace}`;
}

export function namespaceNodeId(namespaceKey: string): string {
  return `n|${namespaceKey}`;
}

/** The namespace key of a collapsed-namespace node id, or null for any other id. */
export function namespaceKeyOfNodeId(id: string): string | null {
  return id.startsWith("n|") ? id.slice(2) : null;
}

/** `unknown` (callers without a sidecar) has no namespace and is never aggregated. */
function isAggregatable(node: GraphNode): boolean {
  return node.kind !== "unknown" && node.cluster !== "";
}

/** Every namespace of the graph, as `<cluster>|<namespace>` keys, sorted. */
export function namespaceKeys(graph: ServiceGraph): string[] {
  const keys = new Set<string>();
  for (const node of graph.nodes) if (isAggregatable(node)) keys.add(namespaceKeyOf(node));
  return [...keys].sort();
}

function weighted(pairs: Iterable<[value: number | null, weight: number]>): number | null {
  let sum = 0;
  let total = 0;
  for (const [value, weight] of pairs) {
    if (value === null || weight <= 0) continue;
    sum += value * weight;
    total += weight;
  }
  return total > 0 ? sum / total : null;
}

/**
 * The mTLS share of several edges: weighted by requests over the HTTP/gRPC ones; TCP edges (which
 * have no request rate) count, weighted by bytes, only when no HTTP/gRPC edge carried requests.
 */
export function combinedMtlsShare(edges: readonly GraphEdge[]): number | null {
  const byRequests = weighted(edges.map((edge) => [edge.mtlsShare, edge.requestRate]));
  if (byRequests !== null) return byRequests;
  const byBytes = weighted(edges.map((edge) => [edge.mtlsShare, edge.tcpBytesRate]));
  if (byBytes !== null) return byBytes;
  // No traffic at all: the plain mean of what is known, so an idle plain-text edge still shows.
  const known = edges.flatMap((edge) => (edge.mtlsShare === null ? [] : [edge.mtlsShare]));
  return known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : null;
}

function combineEdges(id: string, source: string, target: string, members: readonly GraphEdge[]): ViewEdge {
  const protocols = new Set(members.map((edge) => edge.protocol));
  const [onlyProtocol] = protocols;
  let worstLatency: LatencyPercentiles = { p50: null, p95: null, p99: null };
  for (const edge of members) {
    const p95 = edge.latency.p95;
    if (p95 && (!worstLatency.p95 || p95.valueMs > worstLatency.p95.valueMs)) worstLatency = edge.latency;
  }
  return {
    id,
    source,
    target,
    protocol: protocols.size === 1 && onlyProtocol ? onlyProtocol : "mixed",
    requestRate: members.reduce((sum, edge) => sum + edge.requestRate, 0),
    errorRate: weighted(members.map((edge) => [edge.errorRate, edge.requestRate])),
    clientErrorRate: weighted(members.map((edge) => [edge.clientErrorRate, edge.requestRate])),
    latency: worstLatency,
    isLatencyWorstOfMembers: members.length > 1,
    mtlsShare: combinedMtlsShare(members),
    tcpBytesRate: members.reduce((sum, edge) => sum + edge.tcpBytesRate, 0),
    isCrossCluster: members.some((edge) => edge.isCrossCluster),
    health: worstHealth(members.map((edge) => edge.health)),
    memberIds: members.map((edge) => edge.id),
  };
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function viewNodeOf(node: GraphNode): ViewNode {
  return { ...node, badges: { ...node.badges }, memberCount: 1 };
}

export interface BuildViewOptions {
  /** Namespace keys to show node by node, or "all" for the full graph. */
  expanded: ReadonlySet<string> | "all";
}

/**
 * The view of `graph` with the namespaces in `expanded` shown node by node and every other namespace
 * as one node. Edges between two shown nodes are the graph's own; edges touching a collapsed
 * namespace are summed per (source, target) of the view, all protocols together. Edges inside one
 * collapsed namespace are not drawn (they count in the namespace node's members, not its in/out rates).
 */
export function buildGraphView(graph: ServiceGraph, options: BuildViewOptions): GraphView {
  const isExpanded = (key: string) => options.expanded === "all" || options.expanded.has(key);
  const representative = new Map<string, string>();
  const collapsed = new Map<string, GraphNode[]>();
  const nodes: ViewNode[] = [];
  const expandedKeys = new Set<string>();

  for (const node of graph.nodes) {
    if (!isAggregatable(node)) {
      representative.set(node.id, node.id);
      nodes.push(viewNodeOf(node));
      continue;
    }
    const key = namespaceKeyOf(node);
    if (isExpanded(key)) {
      representative.set(node.id, node.id);
      nodes.push(viewNodeOf(node));
      expandedKeys.add(key);
    } else {
      representative.set(node.id, namespaceNodeId(key));
      const members = collapsed.get(key) ?? [];
      members.push(node);
      collapsed.set(key, members);
    }
  }

  const edges: ViewEdge[] = [];
  const grouped = new Map<string, { source: string; target: string; members: GraphEdge[] }>();
  // In/out edges of each collapsed namespace, for its rates and error rate.
  const inbound = new Map<string, GraphEdge[]>();
  const outbound = new Map<string, GraphEdge[]>();
  for (const edge of graph.edges) {
    const source = representative.get(edge.source);
    const target = representative.get(edge.target);
    // An edge naming a node the graph does not hold is a builder bug; it cannot be drawn.
    if (source === undefined || target === undefined) continue;
    if (source === edge.source && target === edge.target) {
      edges.push(combineEdges(edge.id, source, target, [edge]));
    } else if (source !== target) {
      const id = `${source}>${target}|agg`;
      const group = grouped.get(id) ?? { source, target, members: [] };
      group.members.push(edge);
      grouped.set(id, group);
    }
    if (source === target) continue;
    const sourceKey = namespaceKeyOfNodeId(source);
    const targetKey = namespaceKeyOfNodeId(target);
    if (sourceKey !== null) pushTo(outbound, sourceKey, edge);
    if (targetKey !== null) pushTo(inbound, targetKey, edge);
  }
  for (const [id, group] of grouped) edges.push(combineEdges(id, group.source, group.target, group.members));

  for (const [key, members] of collapsed) {
    const [first] = members;
    if (!first) continue;
    const into = inbound.get(key) ?? [];
    const out = outbound.get(key) ?? [];
    nodes.push({
      id: namespaceNodeId(key),
      kind: "namespace",
      cluster: first.cluster,
      namespace: first.namespace,
      name: first.namespace,
      health: worstHealth(members.map((node) => node.health)),
      inboundRate: into.reduce((sum, edge) => sum + edge.requestRate, 0),
      outboundRate: out.reduce((sum, edge) => sum + edge.requestRate, 0),
      errorRate: weighted((into.length > 0 ? into : out).map((edge) => [edge.errorRate, edge.requestRate])),
      badges: {
        hasNoSidecar: members.some((node) => node.badges.hasNoSidecar),
        hasTrafficSplit: members.some((node) => node.badges.hasTrafficSplit),
        hasFaultInjection: members.some((node) => node.badges.hasFaultInjection),
        hasCircuitBreaker: members.some((node) => node.badges.hasCircuitBreaker),
      },
      memberCount: members.length,
    });
  }

  return { nodes, edges, expanded: [...expandedKeys].sort() };
}

/** Every namespace collapsed: a node per namespace, edges summed. */
export function aggregateByNamespace(graph: ServiceGraph): GraphView {
  return buildGraphView(graph, { expanded: new Set() });
}

/** The set of expanded namespaces after expanding `namespaceKey`, and the view it gives. */
export function expandNamespace(
  graph: ServiceGraph,
  expanded: ReadonlySet<string>,
  namespaceKey: string,
): { expanded: Set<string>; view: GraphView } {
  const next = new Set(expanded);
  next.add(namespaceKey);
  return { expanded: next, view: buildGraphView(graph, { expanded: next }) };
}

/** The inverse of `expandNamespace`. */
export function collapseNamespace(
  graph: ServiceGraph,
  expanded: ReadonlySet<string>,
  namespaceKey: string,
): { expanded: Set<string>; view: GraphView } {
  const next = new Set(expanded);
  next.delete(namespaceKey);
  return { expanded: next, view: buildGraphView(graph, { expanded: next }) };
}

/** Meshes with more nodes than this open on the namespace overview (cytoscape: ~10 s for 5,000). */
export const overviewAboveNodes = 300;

/**
 * Edges between collapsed namespaces drawn at most (busiest and failing first): cytoscape spends
 * about 1 ms per edge on each frame here, and a dense overview has thousands.
 */
export const overviewEdgeLimit = 500;

/** A namespace key's cluster and namespace (namespaces are DNS labels: no `|` in them). */
export function namespaceOfKey(namespaceKey: string): { cluster: string; namespace: string } {
  const at = namespaceKey.lastIndexOf("|");
  return { cluster: namespaceKey.slice(0, at), namespace: namespaceKey.slice(at + 1) };
}

/**
 * Graphs of single namespaces (by namespace key) as one graph. A node's own namespace's graph has
 * all of its traffic, a neighbour's graph only part of it, so that is the copy kept. Undefined
 * without graphs.
 */
export function unionOfNamespaceGraphs(scoped: ReadonlyMap<string, ServiceGraph>): ServiceGraph | undefined {
  const [first] = scoped.values();
  if (!first) return undefined;
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  for (const [key, graph] of scoped) {
    for (const node of graph.nodes)
      if (!nodes.has(node.id) || (isAggregatable(node) && namespaceKeyOf(node) === key))
        nodes.set(node.id, node);
    for (const edge of graph.edges) edges.set(edge.id, edge);
  }
  return { ...first, nodes: [...nodes.values()], edges: [...edges.values()] };
}

/**
 * The namespace overview (`aggregateByNamespace`, edges possibly limited) with the namespaces of
 * `scoped` expanded, each from the graph of that namespace alone (graph.get scoped to its cluster
 * and namespace: the edges touching it and their nodes). It is the view `buildGraphView` gives from
 * the whole graph, without the whole graph: a big mesh's page loads the small overview first and
 * one namespace's graph per expansion.
 */
export function expandOverview(overview: GraphView, scoped: ReadonlyMap<string, ServiceGraph>): GraphView {
  const union = unionOfNamespaceGraphs(scoped);
  if (!union) return overview;
  const expanded = new Set(scoped.keys());
  const partial = buildGraphView(union, { expanded });
  const isExpandedNamespaceNode = (id: string) => {
    const key = namespaceKeyOfNodeId(id);
    return key !== null && expanded.has(key);
  };
  const shownNodes = new Map<string, ViewNode>();
  // The overview's own nodes (collapsed namespaces, `unknown`) carry whole-mesh figures.
  for (const node of overview.nodes) if (!isExpandedNamespaceNode(node.id)) shownNodes.set(node.id, node);
  for (const node of partial.nodes)
    if (node.kind !== "namespace" && !shownNodes.has(node.id)) shownNodes.set(node.id, node);
  const shownEdges = new Map<string, ViewEdge>();
  for (const edge of overview.edges)
    if (!isExpandedNamespaceNode(edge.source) && !isExpandedNamespaceNode(edge.target))
      shownEdges.set(edge.id, edge);
  for (const edge of partial.edges)
    if (namespaceKeyOfNodeId(edge.source) === null || namespaceKeyOfNodeId(edge.target) === null)
      shownEdges.set(edge.id, edge);
  return {
    nodes: [...shownNodes.values()],
    edges: [...shownEdges.values()].filter(
      (edge) => shownNodes.has(edge.source) && shownNodes.has(edge.target),
    ),
    expanded: partial.expanded,
  };
}

export interface MtlsCoverageEntry {
  cluster: string;
  /** Absent for a cluster's own entry. */
  namespace?: string;
  /** Share of requests (TCP: bytes, when no requests) received over mTLS; null when unknown. */
  coverage: number | null;
  requestRate: number;
  edgeCount: number;
  plainTextEdgeCount: number;
}

export interface PlainTextEdge {
  id: string;
  source: GraphNode | undefined;
  target: GraphNode | undefined;
  sourceId: string;
  targetId: string;
  protocol: GraphEdge["protocol"];
  requestRate: number;
  tcpBytesRate: number;
  /** Share of the edge's traffic that was not mutual TLS. */
  plainTextShare: number;
}

export interface MtlsCoverage {
  clusters: MtlsCoverageEntry[];
  namespaces: MtlsCoverageEntry[];
  /** Edges with some traffic not over mutual TLS, busiest first. */
  plainTextEdges: PlainTextEdge[];
}

/**
 * mTLS coverage of the traffic each cluster and namespace receives (edges are counted at their
 * destination, where Istio's PeerAuthentication applies), and the edges that carried plain text.
 */
export function mtlsCoverage(graph: ServiceGraph): MtlsCoverage {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const clusterEdges = new Map<string, GraphEdge[]>();
  const namespaceEdges = new Map<string, { cluster: string; namespace: string; edges: GraphEdge[] }>();
  const plainTextEdges: PlainTextEdge[] = [];
  const isPlain = (edge: GraphEdge) => edge.mtlsShare !== null && edge.mtlsShare < 1;

  for (const edge of graph.edges) {
    const target = byId.get(edge.target);
    if (target && isAggregatable(target)) {
      pushTo(clusterEdges, target.cluster, edge);
      const key = namespaceKeyOf(target);
      const entry = namespaceEdges.get(key) ?? {
        cluster: target.cluster,
        namespace: target.namespace,
        edges: [],
      };
      entry.edges.push(edge);
      namespaceEdges.set(key, entry);
    }
    if (isPlain(edge)) {
      plainTextEdges.push({
        id: edge.id,
        source: byId.get(edge.source),
        target,
        sourceId: edge.source,
        targetId: edge.target,
        protocol: edge.protocol,
        requestRate: edge.requestRate,
        tcpBytesRate: edge.tcpBytesRate,
        plainTextShare: 1 - (edge.mtlsShare ?? 0),
      });
    }
  }

  const entryOf = (cluster: string, edges: GraphEdge[], namespace?: string): MtlsCoverageEntry => ({
    cluster,
    ...(namespace === undefined ? {} : { namespace }),
    coverage: combinedMtlsShare(edges),
    requestRate: edges.reduce((sum, edge) => sum + edge.requestRate, 0),
    edgeCount: edges.length,
    plainTextEdgeCount: edges.filter(isPlain).length,
  });

  plainTextEdges.sort(
    (a, b) =>
      b.requestRate * b.plainTextShare - a.requestRate * a.plainTextShare ||
      b.tcpBytesRate - a.tcpBytesRate ||
      a.id.localeCompare(b.id),
  );
  return {
    clusters: [...clusterEdges]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([cluster, edges]) => entryOf(cluster, edges)),
    namespaces: [...namespaceEdges]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, entry]) => entryOf(entry.cluster, entry.edges, entry.namespace)),
    plainTextEdges,
  };
}

const healthOrder: Health[] = ["failing", "degraded", "healthy", "idle"];

/**
 * A dense overview can hold thousands of summed edges, and cytoscape spends about a millisecond per
 * edge on a draw here. This keeps at most `limit` edges between two collapsed namespaces — every
 * failing one first, then the busiest — and every edge touching an expanded node, and says how many
 * it left out, so the page can offer them.
 */
export function limitOverviewEdges(
  view: GraphView,
  limit: number,
): { view: GraphView; hiddenEdgeCount: number } {
  const isSummed = (edge: ViewEdge) =>
    namespaceKeyOfNodeId(edge.source) !== null && namespaceKeyOfNodeId(edge.target) !== null;
  const summed = view.edges.filter(isSummed);
  if (summed.length <= limit) return { view, hiddenEdgeCount: 0 };
  const ranked = [...summed].sort(
    (a, b) =>
      Number(b.health === "failing") - Number(a.health === "failing") ||
      b.requestRate - a.requestRate ||
      b.tcpBytesRate - a.tcpBytesRate ||
      healthOrder.indexOf(a.health) - healthOrder.indexOf(b.health) ||
      a.id.localeCompare(b.id),
  );
  const kept = new Set(ranked.slice(0, limit).map((edge) => edge.id));
  return {
    view: { ...view, edges: view.edges.filter((edge) => !isSummed(edge) || kept.has(edge.id)) },
    hiddenEdgeCount: summed.length - kept.size,
  };
}
