import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseCli } from "./cli";
import { type SimulatedCluster, startSimulatedCluster, startSimulatedClusters } from "./cluster";
import { isJsonObject, type JsonObject, toJsonValue } from "./json";

function metadataOf(object: JsonObject | undefined): JsonObject {
  return object && isJsonObject(object.metadata) ? object.metadata : {};
}

/** Collects a watch stream's events as they arrive; `waitFor` resolves on the first match. */
function openWatch(url: string, token: string | undefined) {
  const events: { type: string; object: JsonObject }[] = [];
  const waiters: { predicate: (e: { type: string; object: JsonObject }) => boolean; resolve: () => void }[] =
    [];
  const controller = new AbortController();
  const ready = fetch(url, {
    headers: { Authorization: `Bearer ${token ?? ""}` },
    signal: controller.signal,
  }).then(async (response) => {
    const reader = response.body?.getReader();
    if (!reader) return;
    const decoder = new TextDecoder();
    let buffer = "";
    (async () => {
      for (;;) {
        const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        let newline = buffer.indexOf("\n");
        while (newline >= 0) {
          const parsed = toJsonValue(JSON.parse(buffer.slice(0, newline)));
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf("\n");
          if (!isJsonObject(parsed) || !isJsonObject(parsed.object)) continue;
          const event = { type: String(parsed.type), object: parsed.object };
          events.push(event);
          for (const waiter of [...waiters]) {
            if (waiter.predicate(event)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve();
            }
          }
        }
      }
    })();
  });
  return {
    events,
    ready,
    waitFor(predicate: (e: { type: string; object: JsonObject }) => boolean): Promise<void> {
      if (events.some(predicate)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close: () => controller.abort(),
  };
}

describe("simulated cluster", () => {
  let cluster: SimulatedCluster;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ name: "unit", bookmarkIntervalMs: 100 });
  });
  afterAll(async () => {
    await cluster.close();
  });

  it("seeds the sample mesh: istiod 1.30.3, injected and plain namespaces, ready workloads", () => {
    const istiod = cluster.store.get("Deployment", "istio-system", "istiod");
    expect(JSON.stringify(istiod)).toContain("docker.io/istio/pilot:1.30.3");
    const bookinfoPods = cluster.store.list("Pod", "bookinfo");
    expect(bookinfoPods.every((pod) => JSON.stringify(pod).includes('"name":"istio-proxy"'))).toBe(true);
    const dataPods = cluster.store.list("Pod", "data");
    expect(dataPods.some((pod) => JSON.stringify(pod).includes("istio-proxy"))).toBe(false);
    const versions = cluster.store
      .list("Deployment", "shop-backend")
      .map((d) => metadataOf(d).labels)
      .filter(isJsonObject)
      .map((labels) => `${String(labels.app)}:${String(labels.version)}`);
    expect(versions).toEqual(expect.arrayContaining(["payments:v1", "payments:v2", "catalog:v2"]));
    expect(cluster.store.count("EndpointSlice")).toBe(cluster.store.count("Service"));
  });

  it("scaling a deployment creates and removes pods and updates status, with watch events", async () => {
    const watch = openWatch(
      `${cluster.url}/api/v1/namespaces/bookinfo/pods?watch=1&labelSelector=app%3Dratings`,
      cluster.token,
    );
    await watch.ready;
    cluster.store.scaleDeployment("bookinfo", "ratings-v1", 3);
    await watch.waitFor(() => watch.events.filter((e) => e.type === "ADDED").length === 3);
    let deployment = cluster.store.get("Deployment", "bookinfo", "ratings-v1");
    expect(deployment?.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      updatedReplicas: 3,
    });
    const slice = cluster.store
      .list("EndpointSlice", "bookinfo")
      .find((s) => metadataOf(s).generateName === "ratings-");
    expect(Array.isArray(slice?.endpoints) && slice.endpoints.length).toBe(3);

    cluster.store.scaleDeployment("bookinfo", "ratings-v1", 1);
    await watch.waitFor(() => watch.events.filter((e) => e.type === "DELETED").length === 2);
    deployment = cluster.store.get("Deployment", "bookinfo", "ratings-v1");
    expect(deployment?.status).toMatchObject({ replicas: 1, readyReplicas: 1 });
    const terminating = watch.events.filter(
      (e) => e.type === "MODIFIED" && metadataOf(e.object).deletionTimestamp,
    );
    expect(terminating).toHaveLength(2);
    watch.close();
  });

  it("a pod turning unready shows in the deployment status and the endpoints", () => {
    const pod = cluster.store
      .list("Pod", "bookinfo")
      .find((p) => String(metadataOf(p).name).startsWith("details-v1-"));
    const name = String(metadataOf(pod).name);
    cluster.store.setPodReady("bookinfo", name, false);
    const details = cluster.store.get("Deployment", "bookinfo", "details-v1");
    expect(details?.status).toMatchObject({ replicas: 1, unavailableReplicas: 1 });
    const slice = cluster.store
      .list("EndpointSlice", "bookinfo")
      .find((s) => metadataOf(s).generateName === "details-");
    expect(JSON.stringify(slice?.endpoints)).toContain('"ready":false');
    cluster.store.setPodReady("bookinfo", name, true);
    expect(cluster.store.get("Deployment", "bookinfo", "details-v1")?.status).toMatchObject({
      readyReplicas: 1,
    });
  });

  it("deleting a namespace deletes what is in it, with watch events", async () => {
    const pods = openWatch(`${cluster.url}/api/v1/pods?watch=1`, cluster.token);
    const namespaces = openWatch(
      `${cluster.url}/api/v1/namespaces?watch=1&resourceVersion=${cluster.store.resourceVersion}`,
      cluster.token,
    );
    await Promise.all([pods.ready, namespaces.ready]);
    const before = cluster.store.list("Pod", "shop-frontend").length;
    expect(before).toBe(4);
    cluster.store.deleteNamespace("shop-frontend");
    await namespaces.waitFor((e) => e.type === "DELETED" && metadataOf(e.object).name === "shop-frontend");
    await pods.waitFor(
      () =>
        pods.events.filter((e) => e.type === "DELETED" && metadataOf(e.object).namespace === "shop-frontend")
          .length === before,
    );
    expect(namespaces.events.map((e) => e.type)).toEqual(["MODIFIED", "DELETED"]);
    expect(cluster.store.list("Deployment", "shop-frontend")).toEqual([]);
    expect(cluster.store.list("Service", "shop-frontend")).toEqual([]);
    pods.close();
    namespaces.close();
  });

  it("sends periodic bookmarks on watches that allow them", async () => {
    const rv = cluster.store.resourceVersion;
    const watch = openWatch(
      `${cluster.url}/apis/apps/v1/deployments?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`,
      cluster.token,
    );
    await watch.ready;
    cluster.store.createDeployment({
      namespace: "data",
      name: "tmp-v1",
      app: "tmp",
      version: "v1",
      replicas: 0,
    });
    await watch.waitFor((e) => e.type === "BOOKMARK");
    watch.close();
  });

  it("refuses requests without the bearer token", async () => {
    const response = await fetch(`${cluster.url}/api/v1/namespaces`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
  });
});

describe("several clusters and kubeconfigs", () => {
  it("starts clusters on their own ports and writes a kubeconfig for each", async () => {
    const directory = await mkdtemp(join(tmpdir(), "sim-kubeconfigs-"));
    const clusters = await startSimulatedClusters([
      { name: "east", kubeconfigDir: directory, token: "east-token", seed: "empty" },
      { name: "west", kubeconfigDir: directory, token: "west-token", seed: "empty" },
    ]);
    try {
      expect(new Set(clusters.map((c) => c.port)).size).toBe(2);
      const [east, west] = clusters;
      const config = parse(await readFile(join(directory, "east.kubeconfig"), "utf8"));
      expect(config.clusters[0].cluster).toEqual({ server: east?.url, "insecure-skip-tls-verify": true });
      expect(config.users[0].user).toEqual({ token: "east-token" });
      const wrong = await fetch(`${west?.url}/version`, { headers: { Authorization: "Bearer east-token" } });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${west?.url}/version`, { headers: { Authorization: "Bearer west-token" } });
      expect(right.status).toBe(200);
    } finally {
      await Promise.all(clusters.map((c) => c.close()));
    }
  });

  it("parses the CLI flags", () => {
    const options = parseCli([
      "--clusters",
      "3",
      "--kubeconfig-dir",
      "/tmp/k",
      "--port",
      "7000",
      "--seed",
      "big",
      "--pods",
      "50",
      "--services",
      "10",
    ]);
    expect(options.map((o) => [o.name, o.port])).toEqual([
      ["sim-1", 7000],
      ["sim-2", 7001],
      ["sim-3", 7002],
    ]);
    expect(options[0]?.seed).toEqual({ pods: 50, services: 10 });
    expect(() => parseCli(["--clusters", "2"])).toThrow(/kubeconfig-dir is required/);
  });
});

describe("big seed", () => {
  it("starts a 5,000-pod, 1,000-service cluster quickly", async () => {
    const started = performance.now();
    const cluster = await startSimulatedCluster({ name: "big", seed: { pods: 5000, services: 1000 } });
    const elapsed = performance.now() - started;
    try {
      expect(cluster.store.count("Pod")).toBe(5000);
      expect(cluster.store.count("Service")).toBe(1000);
      expect(cluster.store.count("EndpointSlice")).toBe(1000);
      // About 2 s on a loaded 2-core machine; the bound leaves room for CI noise.
      expect(elapsed).toBeLessThan(15_000);
      const response = await fetch(`${cluster.url}/api/v1/pods?limit=500`, {
        headers: { Authorization: `Bearer ${cluster.token ?? ""}` },
      });
      const page = toJsonValue(await response.json());
      expect(isJsonObject(page) && isJsonObject(page.metadata) && page.metadata.remainingItemCount).toBe(
        4500,
      );
    } finally {
      await cluster.close();
    }
  }, 30_000);
});
