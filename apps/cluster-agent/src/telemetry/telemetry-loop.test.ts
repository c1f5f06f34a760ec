import type { TelemetryAck, TelemetryBatch } from "@switchyard/agent-protocol/v1";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { AgentApiError } from "../errors";
import { TelemetryBuffer } from "./buffer";
import type { TelemetryRead, TelemetryReader } from "./reader";
import { TelemetryLoop } from "./telemetry-loop";

const logger = pino({ level: "silent" });

function batch(id: string, edges = 0): TelemetryBatch {
  return {
    batchId: `batch-${id}`,
    source: "scrape",
    windowStart: 0,
    windowEnd: 1,
    edges: new Array(edges).fill(undefined) as TelemetryBatch["edges"],
  };
}

describe("TelemetryBuffer", () => {
  it("keeps batches oldest first and drops the oldest when full, saying how many", () => {
    const buffer = new TelemetryBuffer({ maxBatches: 3 });
    for (const id of ["1", "2", "3"]) expect(buffer.push(batch(id))).toBe(0);
    expect(buffer.push(batch("4"))).toBe(1);
    expect(buffer.ids()).toEqual(["batch-2", "batch-3", "batch-4"]);
    expect(buffer.oldest()?.batchId).toBe("batch-2");
    expect(buffer.droppedTotal).toBe(1);
  });

  it("bounds the edges in total, but always keeps the newest batch", () => {
    const buffer = new TelemetryBuffer({ maxBatches: 100, maxEdges: 10 });
    buffer.push(batch("1", 4));
    buffer.push(batch("2", 4));
    expect(buffer.push(batch("3", 4))).toBe(1);
    expect(buffer.edgeCount).toBe(8);
    expect(buffer.push(batch("4", 30))).toBe(2);
    expect(buffer.ids()).toEqual(["batch-4"]);
  });

  it("acknowledge removes by id, and ignores a batch that was dropped meanwhile", () => {
    const buffer = new TelemetryBuffer({ maxBatches: 2 });
    buffer.push(batch("1", 1));
    buffer.push(batch("2", 1));
    buffer.push(batch("3", 1));
    buffer.acknowledge("batch-1");
    expect(buffer.ids()).toEqual(["batch-2", "batch-3"]);
    buffer.acknowledge("batch-2");
    expect(buffer.ids()).toEqual(["batch-3"]);
    expect(buffer.edgeCount).toBe(1);
  });
});

/** A reader that returns one-window reads with increasing windows, or fails on demand. */
class FakeReader implements TelemetryReader {
  readonly source = "scrape" as const;
  window = 0;
  async read(): Promise<TelemetryRead | undefined> {
    const start = this.window++ * 1000;
    return { windowStart: start, windowEnd: start + 1000, edges: [] };
  }
}

const transient = () => new AgentApiError("POST /agent/v1/telemetry: HTTP 503", 503, "unavailable", true);
const ack: TelemetryAck = { isDuplicate: false, storedEdges: 0 };

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("TelemetryLoop", () => {
  it("retries a batch with the same batchId and sends batches oldest first", async () => {
    const attempts: string[] = [];
    let failures = 2;
    const loop = new TelemetryLoop({
      reader: new FakeReader(),
      intervalMs: 20,
      logger,
      backoff: { initialMs: 1, maxMs: 2 },
      sender: {
        send: async (sent) => {
          attempts.push(sent.batchId);
          if (failures-- > 0) throw transient();
          return ack;
        },
      },
    });
    const running = loop.start();
    await until(() => loop.sent >= 4);
    await loop.stop();
    await running;
    // the first batch was tried three times with one id
    expect(attempts[0]).toBe(attempts[1]);
    expect(attempts[1]).toBe(attempts[2]);
    const distinct = [...new Set(attempts)];
    expect(distinct.length).toBeGreaterThanOrEqual(4);
    // every id is sent once successfully and in order: distinct ids appear in read order
    expect(attempts.slice(2)).toEqual(distinct);
  });

  it("asks where the stored telemetry ends once it has a credential, and starts the reader there", async () => {
    const resumedAt: number[] = [];
    let isReady = false;
    const reader = new (class extends FakeReader {
      resumeFrom(windowEndMs: number) {
        resumedAt.push(windowEndMs);
      }
    })();
    const asked: string[] = [];
    const loop = new TelemetryLoop({
      reader,
      intervalMs: 1000,
      logger,
      isReady: () => isReady,
      sender: {
        send: async () => ack,
        lastWindowEnd: async () => {
          asked.push(isReady ? "ready" : "not ready");
          return 123_000;
        },
      },
    });
    const running = loop.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(loop.reads).toBe(0); // waiting for the credential, at most one interval
    isReady = true;
    await until(() => loop.reads >= 1);
    await loop.stop();
    await running;
    expect(asked).toEqual(["ready"]);
    expect(resumedAt).toEqual([123_000]);
  });

  it("reads from now when nothing is on record, or the API cannot say", async () => {
    for (const answer of [async () => null, async () => Promise.reject(transient())]) {
      const resumedAt: number[] = [];
      const reader = new (class extends FakeReader {
        resumeFrom(windowEndMs: number) {
          resumedAt.push(windowEndMs);
        }
      })();
      const loop = new TelemetryLoop({
        reader,
        intervalMs: 20,
        logger,
        sender: { send: async () => ack, lastWindowEnd: answer },
      });
      const running = loop.start();
      await until(() => loop.reads >= 1);
      await loop.stop();
      await running;
      expect(resumedAt).toEqual([]);
    }
  });

  it("buffers while the agent has no credential yet, then sends everything in order", async () => {
    let isReady = false;
    const sent: TelemetryBatch[] = [];
    const loop = new TelemetryLoop({
      reader: new FakeReader(),
      intervalMs: 10,
      logger,
      isReady: () => isReady,
      sender: {
        send: async (batch) => {
          sent.push(batch);
          return ack;
        },
      },
    });
    const running = loop.start();
    await until(() => loop.buffer.size >= 3);
    expect(sent).toEqual([]);
    isReady = true;
    await until(() => sent.length >= 3);
    await loop.stop();
    await running;
    const starts = sent.map((batch) => batch.windowStart);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(starts[0]).toBe(0);
  });

  it("drops the oldest windows when the buffer is full while the API is away", async () => {
    const loop = new TelemetryLoop({
      reader: new FakeReader(),
      intervalMs: 5,
      logger,
      maxBufferedBatches: 3,
      backoff: { initialMs: 1, maxMs: 2 },
      sender: {
        send: async () => {
          throw transient();
        },
      },
    });
    const running = loop.start();
    await until(() => loop.reads >= 6);
    await loop.stop();
    await running;
    expect(loop.buffer.size).toBe(3);
    expect(loop.buffer.droppedTotal).toBe(loop.reads - 3);
  });

  it("stops on a fatal error (revoked credential): start() rejects with it", async () => {
    const loop = new TelemetryLoop({
      reader: new FakeReader(),
      intervalMs: 5,
      logger,
      sender: {
        send: async () => {
          throw new AgentApiError("revoked", 401, "credential_revoked", false);
        },
      },
    });
    await expect(loop.start()).rejects.toThrow("revoked");
    const reads = loop.reads;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(loop.reads).toBe(reads);
  });

  it("an API without the telemetry endpoint (404) ends only telemetry: start() resolves and reads stop", async () => {
    const loop = new TelemetryLoop({
      reader: new FakeReader(),
      intervalMs: 5,
      logger,
      sender: {
        send: async () => {
          throw new AgentApiError("POST /agent/v1/telemetry: HTTP 404", 404, undefined, false);
        },
      },
    });
    await expect(loop.start()).resolves.toBeUndefined();
    const reads = loop.reads;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(loop.reads).toBe(reads);
  });

  it("a read failure is logged and the loop goes on", async () => {
    let calls = 0;
    const reader: TelemetryReader = {
      source: "prometheus",
      read: async () => {
        calls++;
        if (calls === 1) throw new Error("prometheus down");
        return { windowStart: 0, windowEnd: 1000, edges: [] };
      },
    };
    const loop = new TelemetryLoop({ reader, intervalMs: 5, logger, sender: { send: async () => ack } });
    const running = loop.start();
    await until(() => loop.sent >= 1);
    await loop.stop();
    await running;
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});
