import type { InventoryAck, InventoryBatch } from "@switchyard/agent-protocol/v1";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { AgentApiError } from "../errors";
import { waitFor } from "../testing/fake-api";
import { InventoryStore } from "./inventory-store";
import { InventorySync } from "./inventory-sync";

const logger = pino({ level: "silent" });

function storeWithServices(count: number): InventoryStore {
  const store = new InventoryStore();
  store.replace({ resource: "namespaces", items: [{ name: "shop", labels: {} }] });
  store.replace({
    resource: "services",
    items: Array.from({ length: count }, (_, index) => ({
      namespace: "shop",
      name: `svc-${index}`,
      labels: {},
      selector: {},
      type: "ClusterIP",
      ports: [],
    })),
  });
  store.replace({ resource: "deployments", items: [] });
  store.replace({ resource: "statefulsets", items: [] });
  store.replace({ resource: "pods", items: [] });
  return store;
}

function recordingApi(answer?: (batch: InventoryBatch) => InventoryAck | Error) {
  const batches: InventoryBatch[] = [];
  return {
    batches,
    sendInventory: async (batch: InventoryBatch): Promise<InventoryAck> => {
      const result = answer?.(batch) ?? { appliedSequence: batch.sequence, isDuplicate: false };
      if (result instanceof Error) throw result;
      batches.push(batch);
      return result;
    },
  };
}

describe("InventorySync", () => {
  it("sends a snapshot in batches of at most batchSize, numbered after hello's sequence", async () => {
    const store = storeWithServices(1200);
    const api = recordingApi();
    const sync = new InventorySync({
      api,
      store,
      logger,
      startSequence: 41,
      synced: Promise.resolve(),
      batchSize: 500,
    });
    const running = sync.start();
    await waitFor("snapshot", () => api.batches.at(-1)?.snapshot?.isFinal);
    await sync.stop();
    await running;
    expect(
      api.batches.map((batch) => [batch.sequence, batch.upserts.length, batch.snapshot?.isFinal]),
    ).toEqual([
      [42, 500, false],
      [43, 500, false],
      [44, 201, true],
    ]);
    expect(new Set(api.batches.map((batch) => batch.snapshot?.id)).size).toBe(1);
    expect(sync.lastAppliedSequence).toBe(44);
  });

  it("sends one final empty batch for an empty cluster", async () => {
    const store = storeWithServices(0);
    store.replace({ resource: "namespaces", items: [] });
    const api = recordingApi();
    const sync = new InventorySync({ api, store, logger, startSequence: 0, synced: Promise.resolve() });
    void sync.start();
    await waitFor("snapshot", () => api.batches.length === 1);
    await sync.stop();
    expect(api.batches[0]).toMatchObject({
      sequence: 1,
      upserts: [],
      deletes: [],
      snapshot: { isFinal: true },
    });
  });

  it("waits for the watchers' first list before the snapshot", async () => {
    const store = storeWithServices(1);
    const api = recordingApi();
    let markSynced = () => {};
    const synced = new Promise<void>((resolve) => {
      markSynced = resolve;
    });
    const sync = new InventorySync({ api, store, logger, startSequence: 0, synced });
    void sync.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(api.batches).toHaveLength(0);
    markSynced();
    await waitFor("snapshot", () => api.batches.length === 1);
    await sync.stop();
  });

  it("coalesces a burst of changes into one delta batch", async () => {
    const store = storeWithServices(2);
    const api = recordingApi();
    const sync = new InventorySync({
      api,
      store,
      logger,
      startSequence: 0,
      synced: Promise.resolve(),
      coalesceMs: 100,
    });
    void sync.start();
    await waitFor("snapshot", () => api.batches.length === 1);
    for (let index = 0; index < 50; index++) {
      store.upsertService({
        namespace: "shop",
        name: `burst-${index}`,
        labels: {},
        selector: {},
        type: "ClusterIP",
        ports: [],
      });
    }
    store.deleteService("shop", "svc-0");
    await waitFor("delta", () => api.batches.length === 2);
    await waitFor("dirty set drained", () => store.dirtyCount === 0);
    await sync.stop();
    expect(api.batches).toHaveLength(2);
    expect(api.batches[1]?.sequence).toBe(2);
    expect(api.batches[1]?.snapshot).toBeUndefined();
    expect(api.batches[1]?.upserts).toHaveLength(50);
    expect(api.batches[1]?.deletes).toEqual([{ kind: "Service", namespace: "shop", name: "svc-0" }]);
  });

  it("rejects when a batch fails, ending the session", async () => {
    const store = storeWithServices(1);
    const gap = new AgentApiError("gap", 409, "sequence_gap", true);
    const api = recordingApi(() => gap);
    const sync = new InventorySync({ api, store, logger, startSequence: 0, synced: Promise.resolve() });
    await expect(sync.start()).rejects.toBe(gap);
  });
});
