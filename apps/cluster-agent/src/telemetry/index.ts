/** Builds the telemetry loop from the agent's options; undefined when telemetry is not configured. */
import type { Logger } from "pino";
import type { BackoffOptions } from "../backoff";
import { PrometheusReader } from "./prometheus-reader";
import type { TelemetryReader } from "./reader";
import { ScrapeReader } from "./scrape-reader";
import type { TelemetrySender } from "./telemetry-client";
import { TelemetryLoop } from "./telemetry-loop";

export interface TelemetryOptions {
  /** A Prometheus server that scrapes the mesh; wins over `metricsUrls` when both are given. */
  prometheusUrl?: string;
  /** Prometheus text endpoints to scrape directly when the cluster has no Prometheus. */
  metricsUrls?: string[];
  /** Read interval (default 15 s). */
  intervalMs?: number;
  /** Prometheus only: how far behind now a window ends (default one scrape interval). */
  lagMs?: number;
  /** Prometheus only: its scrape interval for the mesh (default 15 s); see prometheus-reader.ts. */
  scrapeIntervalMs?: number;
}

export const DEFAULT_TELEMETRY_INTERVAL_MS = 15_000;

export function telemetryReaderOf(options: TelemetryOptions | undefined): TelemetryReader | undefined {
  if (options === undefined) return undefined;
  const intervalMs = options.intervalMs ?? DEFAULT_TELEMETRY_INTERVAL_MS;
  if (options.prometheusUrl !== undefined && options.prometheusUrl !== "") {
    return new PrometheusReader({
      url: options.prometheusUrl,
      intervalMs,
      lagMs: options.lagMs,
      scrapeIntervalMs: options.scrapeIntervalMs,
    });
  }
  const urls = (options.metricsUrls ?? []).filter((url) => url !== "");
  if (urls.length > 0) return new ScrapeReader({ urls });
  return undefined;
}

export function createTelemetryLoop(
  options: TelemetryOptions | undefined,
  deps: { sender: TelemetrySender; logger: Logger; isReady: () => boolean; backoff?: BackoffOptions },
): TelemetryLoop | undefined {
  const reader = telemetryReaderOf(options);
  if (reader === undefined) return undefined;
  return new TelemetryLoop({
    reader,
    sender: deps.sender,
    logger: deps.logger,
    isReady: deps.isReady,
    backoff: deps.backoff,
    intervalMs: options?.intervalMs ?? DEFAULT_TELEMETRY_INTERVAL_MS,
  });
}
