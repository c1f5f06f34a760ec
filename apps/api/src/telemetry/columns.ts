// The edge bucket tables' and the edge key table's columns, in one place: ingest, the rollups and the
// queries build their SQL from these lists (constants, never input), so the bucket tables stay
// identical.

export const edgeTables = {
  10: "telemetry_edges_10s",
  60: "telemetry_edges_1m",
  300: "telemetry_edges_5m",
  900: "telemetry_edges_15m",
  3600: "telemetry_edges_1h",
} as const;
export type Resolution = keyof typeof edgeTables;
/** Finest first; each coarser table is rolled up from the one before it. */
export const resolutions: readonly Resolution[] = [10, 60, 300, 900, 3600];

/** Labels of an edge key (telemetry_edge_keys): its MD5 is the bucket rows' `edge_key`. */
export const labelColumns = [
  "reporter",
  "protocol",
  "src_cluster",
  "src_namespace",
  "src_workload",
  "src_app",
  "src_version",
  "dst_cluster",
  "dst_namespace",
  "dst_service",
  "dst_workload",
  "dst_app",
  "dst_version",
] as const;

export const responseColumns = ["r1xx", "r2xx", "r3xx", "r4xx", "r5xx", "r_other"] as const;

/** Per-bucket latency counts over ISTIO_DEFAULT_BUCKETS_MS plus +Inf. */
export const latencyColumns = Array.from(
  { length: 20 },
  (_, index) => `lat${String(index).padStart(2, "0")}`,
);

export const otherValueColumns = [
  "latency_sum_ms",
  "mtls_requests",
  "request_bytes",
  "response_bytes",
  "tcp_connections_opened",
  "tcp_sent_bytes",
  "tcp_received_bytes",
] as const;

/** Every summable column, in the order ingest sends them. */
export const valueColumns: readonly string[] = [...responseColumns, ...latencyColumns, ...otherValueColumns];

export const conflictTarget = "(organization_id, bucket_start, cluster_id, edge_key)";
