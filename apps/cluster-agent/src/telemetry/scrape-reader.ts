/**
 * Telemetry from direct scrapes of Prometheus text endpoints (a cluster without Prometheus; the
 * simulated cluster's `/metrics/istio`). Each read scrapes every URL, streams the body line by
 * line, and compares every counter series with the previous scrape (`counterDelta`: a drop is a
 * reset and the new value counts from 0). The first scrape is only a baseline. A series that
 * appears after a successful scrape counts from 0 (Envoy creates a stat on its first use).
 *
 * A read is all or nothing: when any URL fails, nothing is committed and the next read covers
 * the longer window from the last committed scrape, so no increase is lost or counted twice.
 */
import { createHash } from "node:crypto";
import { counterDelta } from "@switchyard/telemetry-model/counter";
import { EdgeAccumulator, metricKindOf } from "./edges";
import { parseSampleLine, readLines } from "./prom-text";
import type { TelemetryRead, TelemetryReader } from "./reader";

export interface ScrapeReaderOptions {
  urls: string[];
  fetch?: typeof fetch;
  /** Per scrape (default 10 s). */
  timeoutMs?: number;
  /** Extra request headers (e.g. a bearer token). */
  headers?: Record<string, string>;
}

/** Series values of one URL's last committed scrape, by a short hash of name and labels. */
type SeriesValues = Map<string, number>;

export class ScrapeReader implements TelemetryReader {
  readonly source = "scrape" as const;
  private previous: SeriesValues[] | undefined;
  private previousAtMs = 0;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ScrapeReaderOptions) {
    if (options.urls.length === 0) throw new Error("ScrapeReader needs at least one URL");
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Series kept from the last scrape (for tests and memory checks). */
  get seriesCount(): number {
    return (this.previous ?? []).reduce((total, values) => total + values.size, 0);
  }

  async read(nowMs: number, signal?: AbortSignal): Promise<TelemetryRead | undefined> {
    const accumulator = new EdgeAccumulator();
    const current: SeriesValues[] = [];
    for (const [index, url] of this.options.urls.entries()) {
      const previous = this.previous?.[index];
      current.push(await this.scrapeOne(url, previous, accumulator, signal));
    }
    const previousAtMs = this.previousAtMs;
    const isBaseline = this.previous === undefined;
    this.previous = current;
    this.previousAtMs = nowMs;
    if (isBaseline || nowMs <= previousAtMs) return undefined;
    return { windowStart: previousAtMs, windowEnd: nowMs, edges: accumulator.samples() };
  }

  private async scrapeOne(
    url: string,
    previous: SeriesValues | undefined,
    accumulator: EdgeAccumulator,
    signal: AbortSignal | undefined,
  ): Promise<SeriesValues> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    const response = await this.fetch(url, {
      headers: { accept: "text/plain;version=0.0.4", ...this.options.headers },
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    });
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`scrape ${url}: HTTP ${response.status}`);
    }
    const values: SeriesValues = new Map();
    for await (const line of readLines(response.body)) {
      // Cheap prefix test first: most lines of a real scrape are metrics we do not read.
      if (!line.startsWith("istio_")) continue;
      const sample = parseSampleLine(line);
      if (sample === undefined) continue;
      const kind = metricKindOf(sample.name);
      if (kind === undefined || !Number.isFinite(sample.value)) continue;
      const id = seriesId(sample.name, sample.labelText);
      values.set(id, sample.value);
      if (previous === undefined) continue;
      const before = previous.get(id) ?? 0;
      const delta = counterDelta(before, sample.value);
      if (delta > 0) accumulator.add(kind, sample.labels, delta);
    }
    return values;
  }
}

/** 20 bytes instead of a ~1 kB label string per series: the agent has an RSS budget. */
function seriesId(name: string, labelText: string): string {
  return createHash("sha1").update(name).update("{").update(labelText).digest("base64");
}
