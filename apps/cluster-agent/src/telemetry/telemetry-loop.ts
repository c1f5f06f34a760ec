/**
 * Reads telemetry every interval and ships it, independently of the API sessions: reads go on
 * while the API is unreachable, batches wait in a bounded buffer and are sent oldest first, each
 * with the `batchId` it got when it was read. Transient send failures back off (the agent's
 * backoff); a fatal one (revoked credential, protocol mismatch) rejects `start()`, which stops
 * the agent as the other loops do. Read failures are logged; the next read covers the window.
 */
import { randomUUID } from "node:crypto";
import type { TelemetryBatch } from "@switchyard/agent-protocol/v1";
import type { Logger } from "pino";
import { Backoff, type BackoffOptions, defaultBackoff, sleep } from "../backoff";
import { AgentApiError, isFatal } from "../errors";
import { TelemetryBuffer } from "./buffer";
import type { TelemetryReader } from "./reader";
import type { TelemetrySender } from "./telemetry-client";

export interface TelemetryLoopOptions {
  reader: TelemetryReader;
  sender: TelemetrySender;
  intervalMs: number;
  logger: Logger;
  /** False until the agent has a working credential (its first hello); sending waits for it. */
  isReady?: () => boolean;
  /** Buffered windows (default: one hour of them). */
  maxBufferedBatches?: number;
  maxBufferedEdges?: number;
  backoff?: BackoffOptions;
  now?: () => number;
  /** Called with every batch that was read (tests, metrics). */
  onBatch?: (batch: TelemetryBatch) => void;
}

export class TelemetryLoop {
  private readonly abort = new AbortController();
  readonly buffer: TelemetryBuffer;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  reads = 0;
  sent = 0;

  constructor(private readonly options: TelemetryLoopOptions) {
    this.buffer = new TelemetryBuffer({
      maxBatches: options.maxBufferedBatches ?? Math.max(1, Math.ceil(3_600_000 / options.intervalMs)),
      maxEdges: options.maxBufferedEdges,
    });
  }

  /** Runs until stop() (resolves) or a fatal send failure (rejects). */
  start(): Promise<void> {
    this.running ??= Promise.race([this.readLoop(), this.sendLoop()]).finally(() => this.abort.abort());
    return this.running;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.running?.catch(() => undefined);
  }

  /** One read now: buffer the batch it produced, if any. Exposed for tests. */
  async readOnce(): Promise<TelemetryBatch | undefined> {
    const { reader, logger } = this.options;
    const read = await reader.read((this.options.now ?? Date.now)(), this.abort.signal);
    this.reads++;
    if (read === undefined) return undefined;
    const batch: TelemetryBatch = {
      batchId: randomUUID(),
      source: reader.source,
      windowStart: read.windowStart,
      windowEnd: read.windowEnd,
      edges: read.edges,
    };
    const dropped = this.buffer.push(batch);
    if (dropped > 0) {
      logger.warn(
        { dropped, buffered: this.buffer.size, droppedTotal: this.buffer.droppedTotal },
        "telemetry buffer full: dropped the oldest windows",
      );
    }
    this.options.onBatch?.(batch);
    this.wake?.();
    return batch;
  }

  private async readLoop(): Promise<void> {
    const signal = this.abort.signal;
    await this.resume();
    while (!signal.aborted) {
      try {
        await this.readOnce();
      } catch (error) {
        if (signal.aborted) return;
        this.options.logger.warn(
          { err: error instanceof Error ? error.message : String(error), source: this.options.reader.source },
          "could not read telemetry; the next read covers this window",
        );
      }
      await sleep(this.delayToNextRead(), signal);
    }
  }

  /**
   * Before the first read, asks the API where this cluster's stored telemetry ends and has the
   * reader start there, so an agent restart (or crash, with unsent windows in memory) leaves no
   * gap. Waits at most one interval for the credential; without it, or without an answer, the
   * first read covers one interval as usual (said in the log).
   */
  private async resume(): Promise<void> {
    const { reader, sender, logger, intervalMs } = this.options;
    if (!reader.resumeFrom || !sender.lastWindowEnd) return;
    const signal = this.abort.signal;
    const now = this.options.now ?? Date.now;
    const deadline = now() + intervalMs;
    while (!(this.options.isReady?.() ?? true) && now() < deadline && !signal.aborted)
      await sleep(100, signal);
    if (signal.aborted) return;
    if (!(this.options.isReady?.() ?? true)) {
      logger.info("no credential within an interval: reading from now, not where the stored telemetry ends");
      return;
    }
    try {
      const lastWindowEnd = await sender.lastWindowEnd(signal);
      if (lastWindowEnd === null) return;
      reader.resumeFrom(lastWindowEnd);
      logger.info({ lastWindowEnd }, "resuming telemetry where the stored telemetry ends");
    } catch (error) {
      if (signal.aborted) return;
      logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "could not ask where the stored telemetry ends: reading from now",
      );
    }
  }

  /**
   * Reads happen just after multiples of the interval on the wall clock, so every read closes
   * exactly one aligned window however long the previous read took (50 ms of slack: Node timers
   * may fire a millisecond early).
   */
  private delayToNextRead(): number {
    const { intervalMs } = this.options;
    const now = (this.options.now ?? Date.now)();
    return intervalMs - (now % intervalMs) + Math.min(50, intervalMs / 10);
  }

  private async sendLoop(): Promise<void> {
    const { sender, logger } = this.options;
    const signal = this.abort.signal;
    const backoff = new Backoff(this.options.backoff ?? defaultBackoff);
    while (!signal.aborted) {
      const batch = this.buffer.oldest();
      if (batch === undefined || !(this.options.isReady?.() ?? true)) {
        await this.waitForWork(batch === undefined ? undefined : 500);
        continue;
      }
      try {
        const ack = await sender.send(batch, signal);
        this.buffer.acknowledge(batch.batchId);
        this.sent++;
        backoff.reset();
        logger.debug(
          { batchId: batch.batchId, edges: batch.edges.length, isDuplicate: ack.isDuplicate },
          "telemetry sent",
        );
      } catch (error) {
        if (signal.aborted) return;
        // An API without the telemetry endpoint (older than this agent): the cluster's
        // configuration and inventory still work, so only telemetry stops, and says why.
        if (error instanceof AgentApiError && error.status === 404) {
          logger.error(
            { err: error.message },
            "the API does not accept telemetry (404); telemetry is off until the agent restarts",
          );
          return;
        }
        if (isFatal(error)) throw error;
        const delayMs = backoff.next();
        logger.warn(
          {
            err: error instanceof Error ? error.message : String(error),
            delayMs,
            buffered: this.buffer.size,
          },
          "could not send telemetry; retrying",
        );
        await sleep(delayMs, signal);
      }
    }
  }

  /** Until a batch is read, stop(), or `timeoutMs`. */
  private async waitForWork(timeoutMs?: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      this.wake = done;
      if (this.abort.signal.aborted) done();
    });
  }
}
