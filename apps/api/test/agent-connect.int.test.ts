// The whole connection path with real parts: the API over HTTP on the run's own database and
// Redis, the cluster agent (in-process, its real Kubernetes client) and a simulated cluster.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningAgent, startAgent } from "@switchyard/cluster-agent/start-agent";
import { type SimulatedCluster, startSimulatedCluster } from "@switchyard/cluster-sim/cluster";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  callerFor,
  createTestServices,
  eventually,
  signUpOwner,
  startTestApi,
  type TestServices,
} from "./harness";

let services: TestServices;
let api: Awaited<ReturnType<typeof startTestApi>>;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  services = createTestServices({ heartbeatIntervalSeconds: 1 });
  api = await startTestApi(services);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await api.close();
  await services.close();
});

async function connect(label: string) {
  const { user: owner, orgSlug } = await signUpOwner(services, label);
  const caller = callerFor(services, owner);
  const sim: SimulatedCluster = await startSimulatedCluster({ name: `${label}-cluster`, seed: "sample" });
  cleanups.push(() => sim.close());
  const line = await caller.clusters.create({ orgSlug, name: label, labels: { env: "test" } });
  const stateFile = path.join(mkdtempSync(path.join(tmpdir(), "sy-agent-")), "state.json");
  const agent: RunningAgent = startAgent({
    apiUrl: api.url,
    bootstrapToken: line.bootstrapToken,
    kubeconfigPath: sim.kubeconfigPath,
    stateFile,
    coalesceMs: 50,
    backoff: { initialMs: 100, maxMs: 1000 },
    logger: pino({ level: "silent" }),
  });
  cleanups.push(() => agent.stop());
  const clusterId = line.clusterId;
  const inventory = (kind: "Namespace" | "Service" | "Workload") =>
    caller.clusters.inventory({ orgSlug, clusterId, kind, limit: 1000 });
  return { caller, orgSlug, clusterId, sim, agent, inventory, stateFile, line };
}

describe("connecting a cluster with the agent", () => {
  it("turns connected with versions and the cluster's complete inventory", async () => {
    const { caller, orgSlug, clusterId, sim, inventory } = await connect("connect");
    const cluster = await eventually(
      async () => {
        const found = await caller.clusters.get({ orgSlug, clusterId });
        return found.status === "connected" && found.inventorySyncedAt ? found : undefined;
      },
      { what: "the cluster to connect and sync" },
    );
    expect(cluster.kubernetesVersion).toMatch(/^v1\.28/);
    expect(cluster.mesh).toEqual({ kind: "istio", version: "1.30.3" });
    expect(cluster.counts.namespaces).toBe(sim.store.count("Namespace"));
    expect(cluster.counts.services).toBe(sim.store.count("Service"));
    expect(cluster.counts.workloads).toBe(sim.store.count("Deployment") + sim.store.count("StatefulSet"));
    expect(cluster.counts.pods).toBe(sim.store.count("Pod"));
    const workloads = await inventory("Workload");
    const reviews = workloads.items
      .filter((item) => item.data.app === "reviews")
      .map((item) => item.data.version);
    expect(reviews.sort()).toEqual(["v1", "v2", "v3"]);
    const postgres = workloads.items.find((item) => item.name === "postgres");
    expect(postgres?.data).toMatchObject({ kind: "StatefulSet", sidecarInjected: false });
    expect(workloads.items.find((item) => item.name === "productpage-v1")?.data.sidecarInjected).toBe(true);
  });

  it("shows a scale, a new service and a deleted namespace within seconds", async () => {
    const { sim, inventory, caller, orgSlug, clusterId } = await connect("changes");
    await eventually(
      async () => ((await caller.clusters.get({ orgSlug, clusterId })).inventorySyncedAt ? true : undefined),
      {
        what: "the first sync",
      },
    );
    sim.store.scaleDeployment("bookinfo", "ratings-v1", 4);
    sim.store.createService({ namespace: "bookinfo", name: "reviews-canary", app: "reviews" });
    sim.store.deleteNamespace("shop-frontend");
    await eventually(
      async () => {
        const ratings = (await inventory("Workload")).items.find((item) => item.name === "ratings-v1");
        return ratings?.data.readyReplicas === 4 && ratings.data.podCount === 4 ? true : undefined;
      },
      { what: "ratings-v1 scaled to 4" },
    );
    await eventually(
      async () =>
        (await inventory("Service")).items.some((item) => item.name === "reviews-canary") ? true : undefined,
      { what: "the new service" },
    );
    await eventually(
      async () => {
        const all = [...(await inventory("Namespace")).items, ...(await inventory("Workload")).items];
        return all.every((item) => item.name !== "shop-frontend" && item.namespace !== "shop-frontend")
          ? true
          : undefined;
      },
      { what: "the deleted namespace and its workloads to go" },
    );
  });

  it("is disconnected within seconds when its cluster is removed", async () => {
    const { caller, orgSlug, clusterId, agent } = await connect("revoke");
    await eventually(
      async () =>
        (await caller.clusters.get({ orgSlug, clusterId })).status === "connected" ? true : undefined,
      {
        what: "connected",
      },
    );
    await caller.clusters.remove({ orgSlug, clusterId });
    const result = await Promise.race([
      agent.done,
      new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 10_000)),
    ]);
    expect(result).toMatchObject({ status: "fatal" });
  });

  it("reconnects after an API restart and resyncs with nothing lost and nothing duplicated", async () => {
    const { caller, orgSlug, clusterId, sim, inventory } = await connect("restart");
    await eventually(
      async () => ((await caller.clusters.get({ orgSlug, clusterId })).inventorySyncedAt ? true : undefined),
      {
        what: "the first sync",
      },
    );
    const before = await inventory("Service");
    const port = api.port;
    await api.close();
    // While the API is down the cluster changes; the agent must not lose it.
    sim.store.createService({ namespace: "bookinfo", name: "made-while-down", app: "details" });
    sim.store.deleteService("bookinfo", "details");
    api = await startTestApi(services, port);
    await eventually(
      async () => {
        const names = (await inventory("Service")).items.map((item) => `${item.namespace}/${item.name}`);
        return names.includes("bookinfo/made-while-down") && !names.includes("bookinfo/details")
          ? names
          : undefined;
      },
      { what: "the changes made while the API was down", timeoutMs: 20_000 },
    );
    const after = await inventory("Service");
    expect(after.total).toBe(before.total);
    expect(new Set(after.items.map((item) => `${item.namespace}/${item.name}`)).size).toBe(
      after.items.length,
    );
    expect((await caller.clusters.get({ orgSlug, clusterId })).status).toBe("connected");
  });
});
