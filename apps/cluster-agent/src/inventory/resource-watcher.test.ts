/** The list+watch loop against the simulated cluster: pagination, live events and 410 re-lists. */
import { type SimulatedCluster, startSimulatedCluster } from "@switchyard/cluster-sim/cluster";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubernetesClient, loadKubeConfig } from "../clients/kubernetes";
import { waitFor } from "../testing/fake-api";
import { ResourceWatcher } from "./resource-watcher";
import { decodeNamespace, type SlimNamespace } from "./slim";

const logger = pino({ level: "silent" });

describe("ResourceWatcher", () => {
  let cluster: SimulatedCluster;
  let kube: KubernetesClient;

  beforeAll(async () => {
    // Short server-side watches so a compaction is noticed quickly.
    cluster = await startSimulatedCluster({ name: "watcher", watchTimeoutSeconds: 1 });
    kube = new KubernetesClient(loadKubeConfig({ kind: "file", path: cluster.kubeconfigPath }));
  });
  afterAll(async () => {
    await cluster.close();
  });

  it("lists in pages, follows changes, and lists again after 410 Gone", async () => {
    const names = new Set<string>();
    const lists: number[] = [];
    const watcher = new ResourceWatcher<SlimNamespace>({
      kube,
      logger,
      path: "/api/v1/namespaces",
      decode: decodeNamespace,
      pageSize: 2,
      watchTimeoutSeconds: 1,
      backoff: { initialMs: 10, maxMs: 100 },
      onList: (items) => {
        lists.push(items.length);
        names.clear();
        for (const item of items) names.add(item.name);
      },
      onUpsert: (item) => names.add(item.name),
      onDelete: (item) => names.delete(item.name),
    });
    watcher.start();
    try {
      await watcher.synced;
      expect([...names].sort()).toEqual(
        cluster.store
          .list("Namespace")
          .map((ns) => (ns.metadata as { name: string }).name)
          .sort(),
      );
      cluster.store.createNamespace("added");
      await waitFor("added", () => names.has("added"));
      cluster.store.deleteNamespace("added");
      await waitFor("deleted", () => !names.has("added"));

      // Move the revision on with another kind, then forget the history: the next watch from the
      // namespace list's resourceVersion answers 410 and the watcher lists again.
      cluster.store.createService({ namespace: "default", name: "bump" });
      cluster.store.compact();
      await waitFor("a second list", () => lists.length >= 2, 8_000);
      cluster.store.createNamespace("after-relist");
      await waitFor("after re-list", () => names.has("after-relist"));
    } finally {
      await watcher.stop();
    }
  });
});

describe("KubernetesClient", () => {
  it("reports no mesh on a cluster without istiod, and the API server's version", async () => {
    const cluster = await startSimulatedCluster({ name: "bare", seed: "empty" });
    try {
      const kube = new KubernetesClient(loadKubeConfig({ kind: "file", path: cluster.kubeconfigPath }));
      expect(await kube.detectMesh()).toEqual({ kind: "none", version: null });
      expect(await kube.kubernetesVersion()).toMatch(/^v1\.\d+\.\d+/);
    } finally {
      await cluster.close();
    }
  });
});
