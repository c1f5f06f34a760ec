/**
 * Istio's standard labels → the protocol's per-edge samples. Both readers (Prometheus queries and
 * direct scrapes) feed one `EdgeAccumulator` with increases of Istio's metrics and their labels;
 * it sums them per edge key (every key field of `TelemetryEdgeSample`) and turns the bucket
 * increases into per-bucket counts over `ISTIO_DEFAULT_BUCKETS_MS`.
 */
import type { TelemetryEdgeSample } from "@switchyard/agent-protocol/v1";
import { ISTIO_DEFAULT_BUCKETS_MS } from "@switchyard/telemetry-model/histogram";
import { type ResponseClass, responseClassOf } from "@switchyard/telemetry-model/responses";

export const UNKNOWN = "unknown";

/**
 * The labels that make an edge: `sum by (...)` keeps exactly these (plus `response_code` and
 * `connection_security_policy` for requests, `le` for buckets). `destination_service` is kept
 * too because `destination_service_name` is missing in some setups; its first DNS label is used
 * then.
 */
export const EDGE_LABELS = [
  "reporter",
  "request_protocol",
  "source_cluster",
  "source_workload_namespace",
  "source_workload",
  "source_app",
  "source_version",
  "destination_cluster",
  "destination_service_namespace",
  "destination_service_name",
  "destination_service",
  "destination_workload",
  "destination_app",
  "destination_version",
] as const;

/** The Istio metrics the agent reads, and what each one feeds. */
export const METRICS = {
  requests: "istio_requests_total",
  durationBucket: "istio_request_duration_milliseconds_bucket",
  durationSum: "istio_request_duration_milliseconds_sum",
  requestBytes: "istio_request_bytes_sum",
  responseBytes: "istio_response_bytes_sum",
  tcpOpened: "istio_tcp_connections_opened_total",
  tcpSent: "istio_tcp_sent_bytes_total",
  tcpReceived: "istio_tcp_received_bytes_total",
} as const;
export type MetricKind = keyof typeof METRICS;

const kindByName = new Map<string, MetricKind>(
  Object.entries(METRICS).map(([kind, name]) => [name, kind as MetricKind]),
);

/** The kind of a metric name the agent reads, or undefined for every other metric. */
export function metricKindOf(name: string): MetricKind | undefined {
  return kindByName.get(name);
}

export type Labels = Readonly<Record<string, string | undefined>>;

const TCP_KINDS: ReadonlySet<MetricKind> = new Set(["tcpOpened", "tcpSent", "tcpReceived"]);

/** A label value as the protocol wants it: present and non-empty, else "unknown". */
function known(value: string | undefined): string {
  return value === undefined || value === "" ? UNKNOWN : value;
}

/** `reviews.bookinfo.svc.cluster.local` → `reviews`. */
function serviceNameOf(labels: Labels): string {
  const name = labels.destination_service_name;
  if (name !== undefined && name !== "" && name !== UNKNOWN) return name;
  const host = labels.destination_service;
  if (host !== undefined && host !== "") return known(host.split(".")[0]);
  return known(name);
}

function protocolOf(labels: Labels, kind: MetricKind): TelemetryEdgeSample["protocol"] {
  if (TCP_KINDS.has(kind)) return "tcp";
  const protocol = labels.request_protocol;
  return protocol === "grpc" ? "grpc" : "http";
}

/** The key fields of an edge sample from Istio's labels (missing → "unknown"). */
export function edgeKeyOfLabels(
  labels: Labels,
  kind: MetricKind,
): Pick<TelemetryEdgeSample, "reporter" | "protocol" | "source" | "destination"> | undefined {
  const reporter = labels.reporter;
  // Istio ≥1.x also has reporter="waypoint"; the protocol has no place for it (yet).
  if (reporter !== "source" && reporter !== "destination") return undefined;
  return {
    reporter,
    protocol: protocolOf(labels, kind),
    source: {
      cluster: known(labels.source_cluster),
      namespace: known(labels.source_workload_namespace),
      workload: known(labels.source_workload),
      app: known(labels.source_app),
      version: known(labels.source_version),
    },
    destination: {
      cluster: known(labels.destination_cluster),
      namespace: known(labels.destination_service_namespace),
      service: serviceNameOf(labels),
      workload: known(labels.destination_workload),
      app: known(labels.destination_app),
      version: known(labels.destination_version),
    },
  };
}

type Key = NonNullable<ReturnType<typeof edgeKeyOfLabels>>;

function keyString(key: Key): string {
  const { source: s, destination: d } = key;
  return [
    key.reporter,
    key.protocol,
    s.cluster,
    s.namespace,
    s.workload,
    s.app,
    s.version,
    d.cluster,
    d.namespace,
    d.service,
    d.workload,
    d.app,
    d.version,
  ].join("\u0000");
}

interface EdgeTotals {
  key: Key;
  responses: Record<ResponseClass, number>;
  /** Cumulative increase per `le` (parsed), as the `_bucket` series carry it. */
  cumulative: Map<number, number>;
  latencySumMs: number;
  mutualTlsRequests: number;
  requestBytes: number;
  responseBytes: number;
  tcpConnectionsOpened: number;
  tcpSentBytes: number;
  tcpReceivedBytes: number;
}

/** Sums increases of Istio's series per edge; `samples()` gives the protocol's edge samples. */
export class EdgeAccumulator {
  private readonly edges = new Map<string, EdgeTotals>();

  /**
   * Adds `value` (the increase of one series, or of one `sum by` group, over the window) of a
   * metric of `kind` with these labels. Negative and non-finite values are ignored: an increase
   * is never negative (Prometheus' extrapolation can only make a bucket look non-monotonic,
   * which the conversion to per-bucket counts clamps).
   */
  add(kind: MetricKind, labels: Labels, value: number): void {
    if (!Number.isFinite(value) || value < 0) return;
    const key = edgeKeyOfLabels(labels, kind);
    if (key === undefined) return;
    const totals = this.totalsOf(key);
    switch (kind) {
      case "requests":
        totals.responses[responseClassOf(labels.response_code ?? "")] += value;
        if (labels.connection_security_policy === "mutual_tls") totals.mutualTlsRequests += value;
        return;
      case "durationBucket": {
        const le = parseLe(labels.le);
        if (le === undefined) return;
        totals.cumulative.set(le, (totals.cumulative.get(le) ?? 0) + value);
        return;
      }
      case "durationSum":
        totals.latencySumMs += value;
        return;
      case "requestBytes":
        totals.requestBytes += value;
        return;
      case "responseBytes":
        totals.responseBytes += value;
        return;
      case "tcpOpened":
        totals.tcpConnectionsOpened += value;
        return;
      case "tcpSent":
        totals.tcpSentBytes += value;
        return;
      case "tcpReceived":
        totals.tcpReceivedBytes += value;
        return;
    }
  }

  get size(): number {
    return this.edges.size;
  }

  /** One sample per edge that saw anything in the window; all-zero edges are left out. */
  samples(): TelemetryEdgeSample[] {
    const result: TelemetryEdgeSample[] = [];
    for (const totals of this.edges.values()) {
      const latencyCounts = bucketCountsOf(totals.cumulative);
      const sample: TelemetryEdgeSample = {
        ...totals.key,
        responses: { ...totals.responses },
        latencyCounts,
        latencySumMs: totals.latencySumMs,
        mutualTlsRequests: totals.mutualTlsRequests,
        requestBytes: totals.requestBytes,
        responseBytes: totals.responseBytes,
        tcpConnectionsOpened: totals.tcpConnectionsOpened,
        tcpSentBytes: totals.tcpSentBytes,
        tcpReceivedBytes: totals.tcpReceivedBytes,
      };
      const requests = Object.values(sample.responses).reduce((a, b) => a + b, 0);
      const isEmpty =
        requests === 0 &&
        latencyCounts.every((count) => count === 0) &&
        sample.tcpConnectionsOpened === 0 &&
        sample.tcpSentBytes === 0 &&
        sample.tcpReceivedBytes === 0 &&
        sample.requestBytes === 0 &&
        sample.responseBytes === 0;
      if (!isEmpty) result.push(sample);
    }
    return result;
  }

  private totalsOf(key: Key): EdgeTotals {
    const id = keyString(key);
    let totals = this.edges.get(id);
    if (totals === undefined) {
      totals = {
        key,
        responses: { "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, other: 0 },
        cumulative: new Map(),
        latencySumMs: 0,
        mutualTlsRequests: 0,
        requestBytes: 0,
        responseBytes: 0,
        tcpConnectionsOpened: 0,
        tcpSentBytes: 0,
        tcpReceivedBytes: 0,
      };
      this.edges.set(id, totals);
    }
    return totals;
  }
}

/** `le="0.5"`, `le="5e-1"`, `le="+Inf"` → numbers; undefined when it is not one. */
export function parseLe(le: string | undefined): number | undefined {
  if (le === undefined || le === "") return undefined;
  if (le === "+Inf" || le === "Inf" || le === "+inf") return Number.POSITIVE_INFINITY;
  const value = Number(le);
  return Number.isNaN(value) ? undefined : value;
}

/**
 * Cumulative increases per `le` → per-bucket counts over `ISTIO_DEFAULT_BUCKETS_MS` plus +Inf (20
 * entries). With Istio's default layout this is a plain difference of neighbours; a different
 * layout (a mesh with custom buckets) lands each of its buckets in the default bucket that holds
 * its upper bound, so no observation is lost, only precision. Decreases (from extrapolation) are
 * clamped to zero.
 */
export function bucketCountsOf(cumulative: ReadonlyMap<number, number>): number[] {
  const bounds = ISTIO_DEFAULT_BUCKETS_MS;
  const counts = new Array<number>(bounds.length + 1).fill(0);
  const les = [...cumulative.keys()].sort((a, b) => a - b);
  let below = 0;
  let target = 0;
  for (const le of les) {
    const value = cumulative.get(le) ?? 0;
    const inBucket = Math.max(0, value - below);
    below = Math.max(below, value);
    while (target < bounds.length && (bounds[target] ?? Number.POSITIVE_INFINITY) < le) target++;
    counts[target] = (counts[target] ?? 0) + inBucket;
  }
  return counts;
}
