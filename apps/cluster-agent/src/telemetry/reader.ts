import type { TelemetryEdgeSample, TelemetrySource } from "@switchyard/agent-protocol/v1";

/** What one read produced: the per-edge increase over `[windowStart, windowEnd)`. */
export interface TelemetryRead {
  windowStart: number;
  windowEnd: number;
  edges: TelemetryEdgeSample[];
}

export interface TelemetryReader {
  readonly source: TelemetrySource;
  /**
   * Reads the window ending now (or at `now − lag`); undefined when there is nothing to ship yet
   * (a first scrape is only a baseline; a window that would be empty). Throws on failure, and
   * then the next read covers the longer window.
   */
  read(nowMs: number, signal?: AbortSignal): Promise<TelemetryRead | undefined>;
  /**
   * Before the first read: start the first window at `windowEndMs` (where the API's stored
   * telemetry ends) instead of one interval back. Only sources that keep history (a Prometheus
   * server) can; a direct scrape has no baseline from before it started.
   */
  resumeFrom?(windowEndMs: number): void;
}
