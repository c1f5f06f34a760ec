/**
 * Batches read but not yet acknowledged, oldest first, bounded so a long API outage costs a
 * fixed amount of memory: by count (default one hour of windows) and by edges in total. When
 * full, the oldest batches are dropped (the caller logs how many). A batch keeps its `batchId`
 * while it waits, so a re-send after a lost answer is stored once by the API.
 */
import type { TelemetryBatch } from "@switchyard/agent-protocol/v1";

export interface TelemetryBufferOptions {
  maxBatches: number;
  /** Edges over all buffered batches (default 50,000, a few tens of MB). */
  maxEdges?: number;
}

export class TelemetryBuffer {
  private readonly batches: TelemetryBatch[] = [];
  private edges = 0;
  /** Dropped since the buffer was made (for logs and tests). */
  droppedTotal = 0;

  constructor(private readonly options: TelemetryBufferOptions) {
    if (options.maxBatches < 1) throw new Error("maxBatches must be at least 1");
  }

  get size(): number {
    return this.batches.length;
  }

  get edgeCount(): number {
    return this.edges;
  }

  /** Appends; returns how many of the oldest batches were dropped to make room (the newest stays). */
  push(batch: TelemetryBatch): number {
    this.batches.push(batch);
    this.edges += batch.edges.length;
    const maxEdges = this.options.maxEdges ?? 50_000;
    let dropped = 0;
    while (
      this.batches.length > 1 &&
      (this.batches.length > this.options.maxBatches || this.edges > maxEdges)
    ) {
      const oldest = this.batches.shift();
      this.edges -= oldest?.edges.length ?? 0;
      dropped++;
    }
    this.droppedTotal += dropped;
    return dropped;
  }

  /** The batch to send next (the oldest), without removing it. */
  oldest(): TelemetryBatch | undefined {
    return this.batches[0];
  }

  /** Removes a batch once acknowledged (by id: it may have been dropped meanwhile). */
  acknowledge(batchId: string): void {
    const index = this.batches.findIndex((batch) => batch.batchId === batchId);
    if (index === -1) return;
    const [removed] = this.batches.splice(index, 1);
    this.edges -= removed?.edges.length ?? 0;
  }

  ids(): string[] {
    return this.batches.map((batch) => batch.batchId);
  }
}
