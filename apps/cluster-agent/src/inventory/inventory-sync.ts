/**
 * One session's inventory sender: a full snapshot first (batches of at most `batchSize` objects
 * sharing a snapshot id, the last one final), then deltas, each change burst coalesced for
 * `coalesceMs` into one batch. Batches are numbered from hello's `lastInventorySequence` and sent
 * one at a time, each acknowledged before the next; any failure ends the session (the next one
 * starts over with hello and a snapshot), a 409 `sequence_gap` included.
 */
import { randomUUID } from "node:crypto";
import type { InventoryBatch } from "@switchyard/agent-protocol/v1";
import type { Logger } from "pino";
import { sleep } from "../backoff";
import type { AgentApiClient } from "../clients/api-client";
import type { InventoryStore } from "./inventory-store";
import { chunk } from "./mapping";

export interface InventorySyncOptions {
  api: Pick<AgentApiClient, "sendInventory">;
  store: InventoryStore;
  logger: Logger;
  /** hello's lastInventorySequence */
  startSequence: number;
  /** Resolves once every watched resource was listed. */
  synced: Promise<void>;
  coalesceMs?: number;
  batchSize?: number;
  onSnapshotAcknowledged?: (info: { objects: number; batches: number; ms: number }) => void;
}

export class InventorySync {
  private readonly abort = new AbortController();
  private nextSequence: number;
  private applied: number;
  private running: Promise<void> | undefined;

  constructor(private readonly options: InventorySyncOptions) {
    this.nextSequence = options.startSequence + 1;
    this.applied = options.startSequence;
  }

  /** The last sequence the API acknowledged (for heartbeats). */
  get lastAppliedSequence(): number {
    return this.applied;
  }

  /** Runs until stop() (resolves) or a failed send (rejects). */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    await Promise.race([this.options.synced, aborted(signal)]);
    if (signal.aborted) return;
    await this.sendSnapshot();
    const coalesceMs = this.options.coalesceMs ?? 200;
    while (!signal.aborted) {
      if (this.options.store.dirtyCount === 0) await this.changed(signal);
      // Let the rest of a burst (a scale-up's pods, a namespace's deletion) arrive first.
      await sleep(coalesceMs, signal);
      while (!signal.aborted && this.options.store.dirtyCount > 0) {
        const delta = this.options.store.takeDelta(this.options.batchSize ?? 500);
        if (delta.upserts.length === 0 && delta.deletes.length === 0) continue;
        await this.send({ sequence: this.nextSequence, upserts: delta.upserts, deletes: delta.deletes });
        delta.commit();
        this.options.logger.debug(
          { sequence: this.applied, upserts: delta.upserts.length, deletes: delta.deletes.length },
          "inventory delta applied",
        );
      }
    }
  }

  private async sendSnapshot(): Promise<void> {
    const started = Date.now();
    const snapshot = this.options.store.snapshot();
    const id = randomUUID();
    const batches = chunk(snapshot.objects, this.options.batchSize ?? 500);
    for (const [index, upserts] of batches.entries()) {
      if (this.abort.signal.aborted) return;
      await this.send({
        sequence: this.nextSequence,
        snapshot: { id, isFinal: index === batches.length - 1 },
        upserts,
        deletes: [],
      });
      this.options.logger.debug(
        { sequence: this.applied, objects: upserts.length },
        "snapshot batch applied",
      );
    }
    snapshot.commit();
    const info = { objects: snapshot.objects.length, batches: batches.length, ms: Date.now() - started };
    const memory = process.memoryUsage();
    this.options.logger.info(
      {
        ...info,
        sequence: this.applied,
        snapshotId: id,
        // For the inventory bench and for operators sizing the agent's memory limit.
        rssMb: Math.round(memory.rss / 2 ** 20),
        heapUsedMb: Math.round(memory.heapUsed / 2 ** 20),
      },
      "inventory snapshot applied",
    );
    this.options.onSnapshotAcknowledged?.(info);
  }

  private async send(batch: InventoryBatch): Promise<void> {
    const ack = await this.options.api.sendInventory(batch, this.abort.signal);
    this.applied = Math.max(this.applied, ack.appliedSequence);
    this.nextSequence = batch.sequence + 1;
  }

  private changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        unsubscribe();
        signal.removeEventListener("abort", done);
        resolve();
      };
      const unsubscribe = this.options.store.onChange(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
