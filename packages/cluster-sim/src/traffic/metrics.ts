import { bucketIndexOf, ISTIO_DEFAULT_BUCKETS_MS } from "@switchyard/telemetry-model/histogram";

/**
 * Istio's standard metrics as cumulative Prometheus counters and histograms, one series per label
 * set, rendered in the text exposition format (version 0.0.4) that Prometheus scrapes.
 */

export const REQUEST_LABELS = [
  "reporter",
  "source_workload",
  "source_workload_namespace",
  "source_principal",
  "source_app",
  "source_version",
  "source_canonical_service",
  "source_canonical_revision",
  "source_cluster",
  "destination_workload",
  "destination_workload_namespace",
  "destination_principal",
  "destination_app",
  "destination_version",
  "destination_service",
  "destination_service_name",
  "destination_service_namespace",
  "destination_canonical_service",
  "destination_canonical_revision",
  "destination_cluster",
  "request_protocol",
  "response_code",
  "grpc_response_status",
  "response_flags",
  "connection_security_policy",
] as const;

export type RequestLabels = Record<(typeof REQUEST_LABELS)[number], string>;

interface RequestSeries {
  labels: RequestLabels;
  requests: number;
  buckets: number[];
  durationSum: number;
  requestBytes: number;
  responseBytes: number;
}

interface TcpSeries {
  labels: RequestLabels;
  opened: number;
  closed: number;
  sent: number;
  received: number;
}

export class IstioMetrics {
  private readonly requests = new Map<string, RequestSeries>();
  private readonly tcp = new Map<string, TcpSeries>();

  recordRequest(
    labels: RequestLabels,
    durationMs: number,
    requestBytes: number,
    responseBytes: number,
  ): void {
    const key = keyOf(labels);
    let series = this.requests.get(key);
    if (series === undefined) {
      series = {
        labels,
        requests: 0,
        buckets: new Array<number>(ISTIO_DEFAULT_BUCKETS_MS.length + 1).fill(0),
        durationSum: 0,
        requestBytes: 0,
        responseBytes: 0,
      };
      this.requests.set(key, series);
    }
    series.requests++;
    const index = bucketIndexOf(ISTIO_DEFAULT_BUCKETS_MS, durationMs);
    series.buckets[index] = (series.buckets[index] ?? 0) + 1;
    series.durationSum += durationMs;
    series.requestBytes += requestBytes;
    series.responseBytes += responseBytes;
  }

  recordTcpConnection(labels: RequestLabels, sentBytes: number, receivedBytes: number): void {
    const key = keyOf(labels);
    const series = this.tcp.get(key) ?? { labels, opened: 0, closed: 0, sent: 0, received: 0 };
    series.opened++;
    series.closed++;
    series.sent += sentBytes;
    series.received += receivedBytes;
    this.tcp.set(key, series);
  }

  /** The scrape body. Series are sorted so two scrapes of the same state are byte-identical. */
  render(): string {
    const requestSeries = [...this.requests.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, s]) => s);
    const tcpSeries = [...this.tcp.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => s);
    const lines: string[] = [];
    lines.push("# HELP istio_requests_total Total requests.", "# TYPE istio_requests_total counter");
    for (const series of requestSeries)
      lines.push(`istio_requests_total${labelText(series.labels)} ${series.requests}`);
    lines.push(
      "# HELP istio_request_duration_milliseconds Request duration.",
      "# TYPE istio_request_duration_milliseconds histogram",
    );
    for (const series of requestSeries) {
      let cumulative = 0;
      series.buckets.forEach((count, index) => {
        cumulative += count;
        const bound = ISTIO_DEFAULT_BUCKETS_MS[index];
        const le = bound === undefined ? "+Inf" : String(bound);
        lines.push(`istio_request_duration_milliseconds_bucket${labelText(series.labels, le)} ${cumulative}`);
      });
      lines.push(
        `istio_request_duration_milliseconds_sum${labelText(series.labels)} ${round(series.durationSum)}`,
      );
      lines.push(`istio_request_duration_milliseconds_count${labelText(series.labels)} ${series.requests}`);
    }
    // Request and response sizes as counters of bytes: Istio exports them as histograms, whose
    // buckets add nothing the graph uses; the _sum/_count pair carries the totals.
    for (const [name, pick] of [
      ["istio_request_bytes", (series: RequestSeries) => series.requestBytes],
      ["istio_response_bytes", (series: RequestSeries) => series.responseBytes],
    ] as const) {
      lines.push(`# HELP ${name} Request/response sizes (sum and count only).`, `# TYPE ${name} summary`);
      for (const series of requestSeries) {
        lines.push(`${name}_sum${labelText(series.labels)} ${pick(series)}`);
        lines.push(`${name}_count${labelText(series.labels)} ${series.requests}`);
      }
    }
    for (const [name, pick] of [
      ["istio_tcp_connections_opened_total", (series: TcpSeries) => series.opened],
      ["istio_tcp_connections_closed_total", (series: TcpSeries) => series.closed],
      ["istio_tcp_sent_bytes_total", (series: TcpSeries) => series.sent],
      ["istio_tcp_received_bytes_total", (series: TcpSeries) => series.received],
    ] as const) {
      lines.push(`# TYPE ${name} counter`);
      for (const series of tcpSeries) lines.push(`${name}${labelText(series.labels)} ${pick(series)}`);
    }
    return `${lines.join("\n")}\n`;
  }
}

function keyOf(labels: RequestLabels): string {
  return REQUEST_LABELS.map((name) => labels[name]).join("\u0000");
}

function labelText(labels: RequestLabels, le?: string): string {
  const pairs = REQUEST_LABELS.map((name) => `${name}="${escapeLabel(labels[name])}"`);
  if (le !== undefined) pairs.push(`le="${le}"`);
  return `{${pairs.join(",")}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
