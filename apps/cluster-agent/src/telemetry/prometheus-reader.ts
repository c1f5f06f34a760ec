/**
 * Telemetry from a Prometheus server's HTTP API. Windows are aligned and contiguous: each read
 * covers `[previousEnd, end)` where `end` is `now − lag` rounded down to a multiple of the
 * interval (the lag, about one scrape interval, lets the last samples arrive). Every metric is
 * read with `sum by (<edge labels>) (increase(<metric>[<end − start>ms]))` evaluated at `end`,
 * so counter resets are handled by Prometheus and the windows neither overlap nor leave gaps
 * (a range selector covers `(end − range, end]`). A failed read commits nothing: the next one
 * covers the longer window (capped at `maxWindowMs`; older increase is given up).
 *
 * `increase()` needs two samples inside its range. A window shorter than four scrape intervals
 * (the default 15 s reads against Istio's default 15 s scrapes) would often hold one or none, and
 * Prometheus would answer nothing; such windows are read as the average rate over a look-back of
 * `max(window + scrape, 4 × scrape)` times the window's length:
 * `sum by (...) (rate(<metric>[<look-back>ms])) * <window seconds>`. The shipped amounts still
 * add up over consecutive windows (each ships its own length's worth), only smoothed over the
 * look-back.
 */
import { z } from "zod";
import { EDGE_LABELS, EdgeAccumulator, METRICS, type MetricKind } from "./edges";
import type { TelemetryRead, TelemetryReader } from "./reader";

export interface PrometheusReaderOptions {
  /** Base URL of the Prometheus server, e.g. http://prometheus.istio-system:9090 */
  url: string;
  intervalMs: number;
  /** How far behind now a window ends (default: one scrape interval). */
  lagMs?: number;
  /** Prometheus' scrape interval for the mesh (default 15 s, Istio's Prometheus addon). */
  scrapeIntervalMs?: number;
  /** The longest window one read may cover after failures (default 1 h). */
  maxWindowMs?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/** The extra labels each metric is grouped by besides the edge labels. */
const EXTRA_LABELS: Record<MetricKind, readonly string[]> = {
  requests: ["response_code", "connection_security_policy"],
  durationBucket: ["le"],
  durationSum: [],
  requestBytes: [],
  responseBytes: [],
  tcpOpened: [],
  tcpSent: [],
  tcpReceived: [],
};

/**
 * The PromQL for one metric's increase over a window of `windowMs` ending at the query time:
 * `increase()` over exactly the window when `lookbackMs` is the window, else the rate over the
 * look-back times the window's length.
 */
export function increaseQuery(kind: MetricKind, windowMs: number, lookbackMs = windowMs): string {
  const by = [...EDGE_LABELS, ...EXTRA_LABELS[kind]].join(", ");
  const window = Math.round(windowMs);
  const lookback = Math.round(lookbackMs);
  if (lookback === window) return `sum by (${by}) (increase(${METRICS[kind]}[${window}ms]))`;
  return `sum by (${by}) (rate(${METRICS[kind]}[${lookback}ms])) * ${window / 1000}`;
}

/** The range to read a window through: the window itself when it spans at least 4 scrapes. */
export function lookbackOf(windowMs: number, scrapeIntervalMs: number): number {
  if (windowMs >= 4 * scrapeIntervalMs) return windowMs;
  return Math.max(windowMs + scrapeIntervalMs, 4 * scrapeIntervalMs);
}

/** Every query of one window, by metric kind. */
export function windowQueries(
  windowMs: number,
  lookbackMs = windowMs,
): Array<{ kind: MetricKind; query: string }> {
  return (Object.keys(METRICS) as MetricKind[]).map((kind) => ({
    kind,
    query: increaseQuery(kind, windowMs, lookbackMs),
  }));
}

/** `end` of the window that a read at `nowMs` closes: now − lag, down to a multiple of the interval. */
export function windowEndOf(nowMs: number, intervalMs: number, lagMs: number): number {
  return Math.floor((nowMs - lagMs) / intervalMs) * intervalMs;
}

const VectorResponse = z.object({
  status: z.literal("success"),
  data: z.object({
    resultType: z.literal("vector"),
    result: z.array(
      z.object({
        metric: z.record(z.string(), z.string()),
        value: z.tuple([z.number(), z.string()]),
      }),
    ),
  }),
});
export type VectorSample = z.infer<typeof VectorResponse>["data"]["result"][number];

export class PrometheusReader implements TelemetryReader {
  readonly source = "prometheus" as const;
  private previousEnd: number | undefined;
  private readonly fetch: typeof fetch;
  private readonly baseUrl: string;

  constructor(private readonly options: PrometheusReaderOptions) {
    if (options.intervalMs <= 0) throw new Error("intervalMs must be positive");
    this.fetch = options.fetch ?? globalThis.fetch;
    this.baseUrl = options.url.replace(/\/+$/, "");
  }

  get lagMs(): number {
    return this.options.lagMs ?? this.options.scrapeIntervalMs ?? 15_000;
  }

  /** The first read covers `[windowEndMs, end)`, at most `maxWindowMs` of it; later calls do nothing. */
  resumeFrom(windowEndMs: number): void {
    if (this.previousEnd === undefined) this.previousEnd = windowEndMs;
  }

  async read(nowMs: number, signal?: AbortSignal): Promise<TelemetryRead | undefined> {
    const { intervalMs } = this.options;
    const end = windowEndOf(nowMs, intervalMs, this.lagMs);
    const maxWindowMs = this.options.maxWindowMs ?? 3_600_000;
    let start = this.previousEnd ?? end - intervalMs;
    if (end <= start) return undefined;
    if (end - start > maxWindowMs) start = end - maxWindowMs;
    const read = await this.readWindow(start, end, signal);
    this.previousEnd = end;
    return read;
  }

  /** The increase of every edge over `[start, end)`; commits nothing. */
  async readWindow(start: number, end: number, signal?: AbortSignal): Promise<TelemetryRead> {
    const accumulator = new EdgeAccumulator();
    const lookback = lookbackOf(end - start, this.options.scrapeIntervalMs ?? 15_000);
    const results = await Promise.all(
      windowQueries(end - start, lookback).map(async ({ kind, query }) => ({
        kind,
        samples: await this.query(query, end, signal),
      })),
    );
    for (const { kind, samples } of results) {
      for (const sample of samples) accumulator.add(kind, sample.metric, Number(sample.value[1]));
    }
    return { windowStart: start, windowEnd: end, edges: accumulator.samples() };
  }

  /** An instant query evaluated at `timeMs`; the result vector. */
  async query(query: string, timeMs: number, signal?: AbortSignal): Promise<VectorSample[]> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 15_000);
    const body = new URLSearchParams({ query, time: (timeMs / 1000).toFixed(3) });
    const response = await this.fetch(`${this.baseUrl}/api/v1/query`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        ...this.options.headers,
      },
      body: body.toString(),
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`prometheus query: HTTP ${response.status} ${text.slice(0, 300)}`);
    const parsed = VectorResponse.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`prometheus query: unexpected answer ${text.slice(0, 300)}`);
    return parsed.data.data.result;
  }
}
