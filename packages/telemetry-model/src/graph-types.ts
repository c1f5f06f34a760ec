/**
 * The service graph as the API returns it and the console draws it. Types only: the builder
 * (`graph.ts`) turns stored edge totals into this shape; the console's aggregation
 * (namespace/cluster overviews) takes it as input.
 *
 * Node ids are stable across refreshes so the console can update data in place and keep positions:
 *   service   `s|<cluster>|<namespace>|<service>`
 *   workload  `w|<cluster>|<namespace>|<workload>`
 *   unknown   `unknown` (callers without a sidecar)
 * Edge ids are `<sourceId>><targetId>|<protocol>`.
 *
 * Edges run workload → service (who called which service) and service → workload (which versions
 * served it, i.e. a traffic split), as in Kiali's versioned app graph with service nodes.
 */

export type GraphNodeKind = "service" | "workload" | "unknown";

/** From error-rate thresholds, as Kiali: ≥ 20 % failing, ≥ 0.1 % degraded; no traffic is idle. */
export type Health = "healthy" | "degraded" | "failing" | "idle";

/** A percentile with the histogram bucket that holds it: the estimate is only known to lie there. */
export interface Percentile {
  valueMs: number;
  bucket: { lowerMs: number; upperMs: number };
}

export interface LatencyPercentiles {
  p50: Percentile | null;
  p95: Percentile | null;
  p99: Percentile | null;
}

export interface NodeBadges {
  /** A workload whose pods have no Envoy sidecar (from the inventory). */
  hasNoSidecar: boolean;
  /** The applied config routes this service by weight to more than one destination. */
  hasTrafficSplit: boolean;
  /** The applied config injects delays or aborts for this service. */
  hasFaultInjection: boolean;
  /** The applied config sets outlier detection or connection-pool limits for this service. */
  hasCircuitBreaker: boolean;
}

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  /** Empty for `unknown`. */
  cluster: string;
  namespace: string;
  /** Service name, workload name, or "unknown". */
  name: string;
  /** Istio's `app` and `version` labels of a workload; undefined when unlabelled or not a workload. */
  app?: string;
  version?: string;
  health: Health;
  /** Requests per second into / out of this node over the range. */
  inboundRate: number;
  outboundRate: number;
  /** 5xx share of inbound requests (or outbound, for a source-only node); null without requests. */
  errorRate: number | null;
  badges: NodeBadges;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  protocol: "http" | "grpc" | "tcp";
  /** Requests per second over the range (HTTP/gRPC); 0 for TCP. */
  requestRate: number;
  /** 5xx share; null without requests. 4xx are counted in `clientErrorRate`. */
  errorRate: number | null;
  clientErrorRate: number | null;
  latency: LatencyPercentiles;
  /** Share of requests (or TCP connections) with connection_security_policy="mutual_tls"; null when unknown. */
  mtlsShare: number | null;
  /** TCP bytes per second (sent + received); 0 for HTTP. */
  tcpBytesRate: number;
  /** Source and target are in different clusters. */
  isCrossCluster: boolean;
  health: Health;
}

export interface ServiceGraph {
  /** ms since the epoch; the range the rates are averaged over. */
  range: { start: number; end: number };
  /** The storage resolution read (10, 60 or 3600 s). */
  resolutionSeconds: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** ms since the epoch: when the graph was computed, when it was served from a recording. */
  recordedAt?: number;
}

/** One point of a node's or an edge's time series. */
export interface SeriesPoint {
  /** Bucket start, ms since the epoch. */
  t: number;
  requestRate: number;
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  mtlsShare: number | null;
}
