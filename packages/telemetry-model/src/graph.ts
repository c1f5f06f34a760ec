/**
 * Builds the service graph (and a node's or edge's time series) from stored edge totals. No I/O:
 * the API sums its buckets per (reporter, edge labels) in SQL and hands the groups here; tests
 * hand plain objects.
 *
 * Rules (Kiali's versioned-app graph with service nodes; docs/telemetry.md):
 * - Every request between two sidecars is reported twice. Per edge key with versions (protocol,
 *   source workload, destination service and workload) requests, bytes and latency come from the
 *   `source` report when there is one, else the `destination` report (callers without a sidecar);
 *   the mTLS share from the destination report (a client proxy reports `unknown`), null without
 *   one. That is `chooseReports` from `edges.ts`, the rule `aggregateEdges` applies.
 * - Edges: workload → service (who called which service) and service → workload (which versions
 *   served it). A source workload `unknown` is the `unknown` node. A destination workload
 *   `unknown` (the callee's proxy never reported) gets no service → workload edge.
 * - Rates are totals / range seconds; error rate = 5xx share; percentiles by `histogramQuantile`
 *   on the merged per-bucket counts, with the bucket holding the estimate.
 * - Health from the error rate, Kiali's default thresholds: ≥ 20 % failing, ≥ 0.1 % degraded, else
 *   healthy; no requests and no TCP traffic is idle.
 */
import { chooseReports, UNKNOWN as UNKNOWN_LABEL } from "./edges";
import type {
  GraphEdge,
  GraphNode,
  Health,
  LatencyPercentiles,
  NodeBadges,
  Percentile,
  SeriesPoint,
  ServiceGraph,
} from "./graph-types";
import { ISTIO_DEFAULT_BUCKETS_MS } from "./histogram";
import { histogramQuantiles } from "./quantile";
import { RESPONSE_CLASSES, type ResponseCounts } from "./responses";

export type Protocol = "http" | "grpc" | "tcp";

/** One group of stored buckets: the totals of one reporter for one edge key with versions. */
export interface EdgeTotalsRow {
  reporter: "source" | "destination";
  protocol: Protocol;
  source: { cluster: string; namespace: string; workload: string; app: string; version: string };
  destination: {
    cluster: string;
    namespace: string;
    service: string;
    workload: string;
    app: string;
    version: string;
  };
  responses: ResponseCounts;
  /** Per-bucket counts over ISTIO_DEFAULT_BUCKETS_MS plus +Inf (20 entries). */
  latencyCounts: readonly number[];
  latencySumMs: number;
  mutualTlsRequests: number;
  requestBytes: number;
  responseBytes: number;
  tcpConnectionsOpened: number;
  tcpSentBytes: number;
  tcpReceivedBytes: number;
}

/** Thresholds of `healthOf` (Kiali's defaults). */
export const FAILING_ERROR_RATE = 0.2;
export const DEGRADED_ERROR_RATE = 0.001;

export function healthOf(errorRate: number | null, hasTcpTraffic = false): Health {
  if (errorRate === null) return hasTcpTraffic ? "healthy" : "idle";
  if (errorRate >= FAILING_ERROR_RATE) return "failing";
  if (errorRate >= DEGRADED_ERROR_RATE) return "degraded";
  return "healthy";
}

export const serviceNodeId = (cluster: string, namespace: string, service: string) =>
  `s|${cluster}|${namespace}|${service}`;
export const workloadNodeId = (cluster: string, namespace: string, workload: string) =>
  `w|${cluster}|${namespace}|${workload}`;
export const UNKNOWN_NODE_ID = "unknown";
export const edgeId = (source: string, target: string, protocol: Protocol) =>
  `${source}>${target}|${protocol}`;

/** Parses an edge id back into its ends; undefined when it is not one. */
export function parseEdgeId(id: string): { source: string; target: string; protocol: Protocol } | undefined {
  const match = /^(.+)>(.+)\|(http|grpc|tcp)$/.exec(id);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { source: match[1], target: match[2], protocol: match[3] as Protocol };
}

/** Per service (`cluster|namespace|service`, telemetry cluster names): what the applied config does. */
export type ServiceFeatures = Pick<NodeBadges, "hasTrafficSplit" | "hasFaultInjection" | "hasCircuitBreaker">;

export interface BadgeSources {
  /** `cluster|namespace|workload` of workloads whose pods run no sidecar (from the inventory). */
  workloadsWithoutSidecar?: ReadonlySet<string>;
  serviceFeatures?: ReadonlyMap<string, Partial<ServiceFeatures>>;
}

/** Totals of one edge (after choosing reporters), summable. */
export interface Totals {
  responses: ResponseCounts;
  latency: number[];
  latencySumMs: number;
  /** Security counts from destination reports only: the mTLS share is unknown otherwise. */
  mtls: number;
  securedTotal: number;
  tcpConnections: number;
  tcpBytes: number;
}

const noLatency: readonly number[] = new Array<number>(ISTIO_DEFAULT_BUCKETS_MS.length + 1).fill(0);

const emptyTotals = (): Totals => ({
  responses: { "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, other: 0 },
  latency: noLatency.slice(),
  latencySumMs: 0,
  mtls: 0,
  securedTotal: 0,
  tcpConnections: 0,
  tcpBytes: 0,
});

function addInto(target: Totals, add: Totals): void {
  for (const c of RESPONSE_CLASSES) target.responses[c] += add.responses[c];
  for (let i = 0; i < target.latency.length; i++)
    target.latency[i] = (target.latency[i] ?? 0) + (add.latency[i] ?? 0);
  target.latencySumMs += add.latencySumMs;
  target.mtls += add.mtls;
  target.securedTotal += add.securedTotal;
  target.tcpConnections += add.tcpConnections;
  target.tcpBytes += add.tcpBytes;
}

const requestsOf = (r: ResponseCounts) => r["1xx"] + r["2xx"] + r["3xx"] + r["4xx"] + r["5xx"] + r.other;

/** One edge key with versions, reporters resolved. */
export interface ResolvedEdge {
  protocol: Protocol;
  source: EdgeTotalsRow["source"];
  destination: EdgeTotalsRow["destination"];
  totals: Totals;
}

const fineKeyOf = (row: EdgeTotalsRow) =>
  [
    row.protocol,
    row.source.cluster,
    row.source.namespace,
    row.source.workload,
    row.destination.cluster,
    row.destination.namespace,
    row.destination.service,
    row.destination.workload,
  ].join("|");

/** Applies the reporter rule per edge key with versions (rows of one reporter and key are summed). */
export function resolveReporters(rows: readonly EdgeTotalsRow[]): ResolvedEdge[] {
  const byKey = new Map<string, { source?: EdgeTotalsRow[]; destination?: EdgeTotalsRow[] }>();
  for (const row of rows) {
    const key = fineKeyOf(row);
    const entry = byKey.get(key) ?? {};
    const list = entry[row.reporter];
    if (list) list.push(row);
    else entry[row.reporter] = [row];
    byKey.set(key, entry);
  }
  const resolved: ResolvedEdge[] = [];
  for (const entry of byKey.values()) {
    const chosen = chooseReports(entry.source, entry.destination);
    if (!chosen) continue;
    const first = chosen.counted[0];
    if (!first) continue;
    const totals = emptyTotals();
    for (const row of chosen.counted) {
      for (const c of RESPONSE_CLASSES) totals.responses[c] += row.responses[c];
      for (let i = 0; i < totals.latency.length; i++)
        totals.latency[i] = (totals.latency[i] ?? 0) + (row.latencyCounts[i] ?? 0);
      totals.latencySumMs += row.latencySumMs;
      totals.tcpConnections += row.tcpConnectionsOpened;
      totals.tcpBytes += row.tcpSentBytes + row.tcpReceivedBytes;
    }
    if (chosen.isSecurityFromDestination)
      for (const row of chosen.secured) {
        totals.mtls += row.mutualTlsRequests;
        totals.securedTotal += row.protocol === "tcp" ? row.tcpConnectionsOpened : requestsOf(row.responses);
      }
    resolved.push({ protocol: first.protocol, source: first.source, destination: first.destination, totals });
  }
  return resolved;
}

/** p50/p95/p99 of per-bucket counts over ISTIO_DEFAULT_BUCKETS_MS (+Inf last); null without data. */
export function percentilesOf(latency: readonly number[]): LatencyPercentiles {
  // One samples array reused by every call (histogramQuantiles copies what it keeps): a graph asks
  // this of thousands of edges.
  let cumulative = 0;
  for (let index = 0; index < latencySamples.length; index++) {
    cumulative += latency[index] ?? 0;
    const sample = latencySamples[index];
    if (sample) sample.count = cumulative;
  }
  const samples = latencySamples;
  if (cumulative <= 0) return { p50: null, p95: null, p99: null };
  const [p50, p95, p99] = histogramQuantiles(percentileQuantiles, samples).map(
    (result): Percentile | null => {
      if (!Number.isFinite(result.value) || !result.bucket) return null;
      // JSON has no Infinity: an estimate in the +Inf bucket reports Number.MAX_VALUE as its upper bound.
      const upperMs = Number.isFinite(result.bucket.upper) ? result.bucket.upper : Number.MAX_VALUE;
      return { valueMs: result.value, bucket: { lowerMs: result.bucket.lower, upperMs } };
    },
  );
  return { p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null };
}

const percentileQuantiles = [0.5, 0.95, 0.99];
const latencySamples = [...ISTIO_DEFAULT_BUCKETS_MS, Number.POSITIVE_INFINITY].map((upperBound) => ({
  upperBound,
  count: 0,
}));

const noBadges = (): NodeBadges => ({
  hasNoSidecar: false,
  hasTrafficSplit: false,
  hasFaultInjection: false,
  hasCircuitBreaker: false,
});

const labelOrUndefined = (value: string) => (value === UNKNOWN_LABEL || value === "" ? undefined : value);

/** What a node's figures need of the traffic through it (no histograms: nodes show no latency). */
interface NodeTraffic {
  requests: number;
  serverErrors: number;
  /** TCP connections plus bytes: only whether there was any. */
  tcp: number;
}

const noTraffic = (): NodeTraffic => ({ requests: 0, serverErrors: 0, tcp: 0 });

function addTraffic(target: NodeTraffic, totals: Totals): void {
  target.requests += requestsOf(totals.responses);
  target.serverErrors += totals.responses["5xx"];
  target.tcp += totals.tcpConnections + totals.tcpBytes;
}

interface NodeAccumulator {
  node: Omit<GraphNode, "health" | "inboundRate" | "outboundRate" | "errorRate">;
  inbound: NodeTraffic;
  outbound: NodeTraffic;
}

/**
 * The graph of a range from the range's edge totals. `rangeSeconds` divides totals into rates;
 * `resolutionSeconds` is reported as is.
 */
export function buildServiceGraph(
  options: Omit<Parameters<typeof buildServiceGraphFromResolved>[0], "edges"> & {
    rows: readonly EdgeTotalsRow[];
  },
): ServiceGraph {
  return buildServiceGraphFromResolved({ ...options, edges: resolveReporters(options.rows) });
}

/**
 * `buildServiceGraph` from edges whose reporters are already chosen (the API chooses them in SQL,
 * by the same rule as `resolveReporters`, to hand over half the rows).
 */
export function buildServiceGraphFromResolved(options: {
  edges: readonly ResolvedEdge[];
  range: { start: number; end: number };
  resolutionSeconds: number;
  badges?: BadgeSources;
  /**
   * Only edges with an end in these clusters and namespaces (telemetry names), and their nodes.
   * Callers pass only rows with a side in scope, so a node outside shows only its traffic with
   * the scope.
   */
  scope?: { clusters?: readonly string[] | undefined; namespaces?: readonly string[] | undefined };
}): ServiceGraph {
  const seconds = Math.max(1e-9, (options.range.end - options.range.start) / 1000);
  const nodes = new Map<string, NodeAccumulator>();
  const edges = new Map<
    string,
    { source: string; target: string; protocol: Protocol; totals: Totals; isCrossCluster: boolean }
  >();
  const node = (id: string, make: () => NodeAccumulator["node"]) => {
    let found = nodes.get(id);
    if (!found) {
      found = { node: make(), inbound: noTraffic(), outbound: noTraffic() };
      nodes.set(id, found);
    }
    return found;
  };
  const edge = (source: string, target: string, protocol: Protocol, isCrossCluster: boolean) => {
    const id = edgeId(source, target, protocol);
    let found = edges.get(id);
    if (!found) {
      found = { source, target, protocol, totals: emptyTotals(), isCrossCluster };
      edges.set(id, found);
    }
    return found;
  };
  const badges = options.badges ?? {};
  const workloadNode = (cluster: string, namespace: string, workload: string, app: string, version: string) =>
    node(workloadNodeId(cluster, namespace, workload), () => {
      const labelledApp = labelOrUndefined(app);
      const labelledVersion = labelOrUndefined(version);
      return {
        id: workloadNodeId(cluster, namespace, workload),
        kind: "workload",
        cluster,
        namespace,
        name: workload,
        ...(labelledApp ? { app: labelledApp } : {}),
        ...(labelledVersion ? { version: labelledVersion } : {}),
        badges: {
          ...noBadges(),
          hasNoSidecar: badges.workloadsWithoutSidecar?.has(`${cluster}|${namespace}|${workload}`) ?? false,
        },
      };
    });

  for (const resolved of options.edges) {
    const { source, destination, protocol, totals } = resolved;
    const serviceId = serviceNodeId(destination.cluster, destination.namespace, destination.service);
    const service = node(serviceId, () => {
      const features = badges.serviceFeatures?.get(
        `${destination.cluster}|${destination.namespace}|${destination.service}`,
      );
      return {
        id: serviceId,
        kind: "service",
        cluster: destination.cluster,
        namespace: destination.namespace,
        name: destination.service,
        badges: { ...noBadges(), ...features },
      };
    });
    const isUnknownSource = source.workload === UNKNOWN_LABEL;
    const caller = isUnknownSource
      ? node(UNKNOWN_NODE_ID, () => ({
          id: UNKNOWN_NODE_ID,
          kind: "unknown",
          cluster: "",
          namespace: "",
          name: UNKNOWN_LABEL,
          badges: { ...noBadges(), hasNoSidecar: true },
        }))
      : workloadNode(source.cluster, source.namespace, source.workload, source.app, source.version);
    addTraffic(caller.outbound, totals);
    addTraffic(service.inbound, totals);
    addInto(
      edge(caller.node.id, serviceId, protocol, !isUnknownSource && source.cluster !== destination.cluster)
        .totals,
      totals,
    );
    if (destination.workload !== UNKNOWN_LABEL) {
      const callee = workloadNode(
        destination.cluster,
        destination.namespace,
        destination.workload,
        destination.app,
        destination.version,
      );
      addTraffic(service.outbound, totals);
      addTraffic(callee.inbound, totals);
      addInto(edge(serviceId, callee.node.id, protocol, false).totals, totals);
    }
  }

  const scope = options.scope;
  const isInScope = (id: string) => {
    const found = nodes.get(id)?.node;
    if (!found || found.kind === "unknown") return false;
    return (
      (!scope?.clusters || scope.clusters.includes(found.cluster)) &&
      (!scope?.namespaces || scope.namespaces.includes(found.namespace))
    );
  };
  if (scope?.clusters || scope?.namespaces) {
    for (const [id, e] of edges) if (!isInScope(e.source) && !isInScope(e.target)) edges.delete(id);
    const kept = new Set([...edges.values()].flatMap((e) => [e.source, e.target]));
    for (const id of nodes.keys()) if (!kept.has(id)) nodes.delete(id);
  }
  const graphNodes: GraphNode[] = [];
  for (const { node: base, inbound, outbound } of nodes.values()) {
    // Inbound errors when the node was called; a pure caller is judged by what it got back.
    const judged = inbound.requests > 0 ? inbound : outbound;
    const errorRate = judged.requests > 0 ? judged.serverErrors / judged.requests : null;
    graphNodes.push({
      ...base,
      health: healthOf(errorRate, inbound.tcp + outbound.tcp > 0),
      inboundRate: inbound.requests / seconds,
      outboundRate: outbound.requests / seconds,
      errorRate,
    });
  }
  const graphEdges: GraphEdge[] = [];
  for (const [id, e] of edges) {
    const requests = requestsOf(e.totals.responses);
    const errorRate = requests > 0 ? e.totals.responses["5xx"] / requests : null;
    graphEdges.push({
      id,
      source: e.source,
      target: e.target,
      protocol: e.protocol,
      requestRate: requests / seconds,
      errorRate,
      clientErrorRate: requests > 0 ? e.totals.responses["4xx"] / requests : null,
      latency: requests > 0 ? percentilesOf(e.totals.latency) : { p50: null, p95: null, p99: null },
      mtlsShare: e.totals.securedTotal > 0 ? e.totals.mtls / e.totals.securedTotal : null,
      tcpBytesRate: e.totals.tcpBytes / seconds,
      isCrossCluster: e.isCrossCluster,
      health: healthOf(errorRate, e.totals.tcpConnections + e.totals.tcpBytes > 0),
    });
  }
  graphNodes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  graphEdges.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    range: options.range,
    resolutionSeconds: options.resolutionSeconds,
    nodes: graphNodes,
    edges: graphEdges,
  };
}

/** Which stored rows feed a node's or an edge's series (the query selects with the same rule). */
export type SeriesTarget =
  | { kind: "service"; cluster: string; namespace: string; service: string }
  | { kind: "workload"; cluster: string; namespace: string; workload: string }
  | { kind: "unknown" }
  | {
      kind: "edge";
      protocol: Protocol;
      from: SeriesTarget & { kind: "workload" | "unknown" | "service" };
      to: SeriesTarget & { kind: "service" | "workload" };
    };

/** Reads a node id or an edge id; undefined when it is neither. */
export function seriesTargetOf(kind: "node" | "edge", id: string): SeriesTarget | undefined {
  if (kind === "edge") {
    const parsed = parseEdgeId(id);
    if (!parsed) return undefined;
    const from = seriesTargetOf("node", parsed.source);
    const to = seriesTargetOf("node", parsed.target);
    if (!from || !to || from.kind === "edge" || to.kind === "edge" || to.kind === "unknown") return undefined;
    // Edges are workload|unknown → service, or service → workload.
    if (to.kind === "service" && from.kind === "service") return undefined;
    if (to.kind === "workload" && from.kind !== "service") return undefined;
    return { kind: "edge", protocol: parsed.protocol, from, to };
  }
  if (id === UNKNOWN_NODE_ID) return { kind: "unknown" };
  const parts = id.split("|");
  if (parts.length !== 4) return undefined;
  const [prefix, cluster = "", namespace = "", name = ""] = parts;
  if (!cluster || !namespace || !name) return undefined;
  if (prefix === "s") return { kind: "service", cluster, namespace, service: name };
  if (prefix === "w") return { kind: "workload", cluster, namespace, workload: name };
  return undefined;
}

/** Whether a resolved edge counts for a target's series (a node: traffic into it, else out of it). */
export function matchesTarget(
  edge: Pick<ResolvedEdge, "protocol" | "source" | "destination">,
  target: SeriesTarget,
  direction: "inbound" | "outbound",
): boolean {
  const { source: s, destination: d } = edge;
  switch (target.kind) {
    case "service":
      return d.cluster === target.cluster && d.namespace === target.namespace && d.service === target.service;
    case "workload":
      return direction === "inbound"
        ? d.cluster === target.cluster && d.namespace === target.namespace && d.workload === target.workload
        : s.cluster === target.cluster && s.namespace === target.namespace && s.workload === target.workload;
    case "unknown":
      return s.workload === UNKNOWN_LABEL;
    case "edge": {
      if (edge.protocol !== target.protocol) return false;
      if (target.to.kind === "service")
        return matchesTarget(edge, target.from, "outbound") && matchesTarget(edge, target.to, "inbound");
      return matchesTarget(edge, target.from, "inbound") && matchesTarget(edge, target.to, "inbound");
    }
  }
}

/**
 * A node's or an edge's series: one point per bucket from `start` (aligned down) to `end`, empty
 * buckets included with rate 0. A workload node's series is its inbound traffic, or its outbound
 * traffic when nothing called it (a pure caller); the unknown node's is what it sent.
 */
export function buildSeries(options: {
  rows: readonly (EdgeTotalsRow & { bucketStart: number })[];
  target: SeriesTarget;
  range: { start: number; end: number };
  resolutionSeconds: number;
}): SeriesPoint[] {
  const width = options.resolutionSeconds * 1000;
  const byBucket = new Map<number, EdgeTotalsRow[]>();
  for (const row of options.rows) {
    const list = byBucket.get(row.bucketStart);
    if (list) list.push(row);
    else byBucket.set(row.bucketStart, [row]);
  }
  const resolvedByBucket = new Map<number, ResolvedEdge[]>();
  for (const [bucket, rows] of byBucket) resolvedByBucket.set(bucket, resolveReporters(rows));
  const { target } = options;
  let direction: "inbound" | "outbound" = target.kind === "unknown" ? "outbound" : "inbound";
  if (target.kind === "workload") {
    const isCalled = [...resolvedByBucket.values()].some((edges) =>
      edges.some((e) => matchesTarget(e, target, "inbound")),
    );
    if (!isCalled) direction = "outbound";
  }
  const points: SeriesPoint[] = [];
  const first = Math.floor(options.range.start / width) * width;
  for (let t = first; t < options.range.end; t += width) {
    const totals = emptyTotals();
    for (const e of resolvedByBucket.get(t) ?? [])
      if (matchesTarget(e, target, direction)) addInto(totals, e.totals);
    const requests = requestsOf(totals.responses);
    const percentiles = requests > 0 ? percentilesOf(totals.latency) : { p50: null, p95: null, p99: null };
    points.push({
      t,
      requestRate: requests / options.resolutionSeconds,
      errorRate: requests > 0 ? totals.responses["5xx"] / requests : null,
      p50Ms: percentiles.p50?.valueMs ?? null,
      p95Ms: percentiles.p95?.valueMs ?? null,
      p99Ms: percentiles.p99?.valueMs ?? null,
      mtlsShare: totals.securedTotal > 0 ? totals.mtls / totals.securedTotal : null,
    });
  }
  return points;
}

/** A mesh resource as desired-config versions store it (only what the badges read). */
export interface MeshResourceLike {
  kind: string;
  metadata: { namespace: string; name: string };
  spec: Record<string, unknown>;
}

/**
 * Badges from a cluster's desired config, per `namespace|service`: a VirtualService routing one
 * HTTP route by weight to more than one destination (traffic split), one with `fault` (fault
 * injection), a DestinationRule with `outlierDetection` or `connectionPool` (circuit breaker).
 * The host `name.namespace.svc…` names the service; a short host is in the resource's namespace.
 */
export function serviceFeaturesOf(
  resources: readonly MeshResourceLike[],
): Map<string, Partial<ServiceFeatures>> {
  const features = new Map<string, Partial<ServiceFeatures>>();
  const mark = (host: unknown, namespace: string, feature: keyof ServiceFeatures) => {
    if (typeof host !== "string" || host === "") return;
    const [service = "", hostNamespace] = host.split(".");
    const key = `${hostNamespace ?? namespace}|${service}`;
    features.set(key, { ...features.get(key), [feature]: true });
  };
  const objects = (value: unknown): Record<string, unknown>[] =>
    Array.isArray(value)
      ? value.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null)
      : [];
  for (const resource of resources) {
    const { spec } = resource;
    const namespace = resource.metadata.namespace;
    if (resource.kind === "VirtualService") {
      const hosts = Array.isArray(spec.hosts) ? spec.hosts : [];
      for (const route of objects(spec.http)) {
        const weighted = objects(route.route).filter((d) => typeof d.weight === "number" && d.weight > 0);
        for (const host of hosts) {
          if (weighted.length > 1) mark(host, namespace, "hasTrafficSplit");
          if (route.fault) mark(host, namespace, "hasFaultInjection");
        }
      }
    } else if (resource.kind === "DestinationRule") {
      const policies = [spec.trafficPolicy, ...objects(spec.subsets).map((s) => s.trafficPolicy)];
      const isBreaking = policies.some(
        (p) => typeof p === "object" && p !== null && ("outlierDetection" in p || "connectionPool" in p),
      );
      if (isBreaking) mark(spec.host, namespace, "hasCircuitBreaker");
    }
  }
  return features;
}
