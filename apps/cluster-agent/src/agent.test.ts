/**
 * The whole agent against a real simulated cluster (packages/cluster-sim, through the same
 * @kubernetes/client-node code as a real cluster) and a fake API that implements protocol v1
 * in-process. Every wait polls for a condition with a deadline.
 */
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SimulatedCluster, startSimulatedCluster } from "@switchyard/cluster-sim/cluster";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAgent, startAgent } from "./start-agent";
import { FakeApi, waitFor } from "./testing/fake-api";

const logger = pino({ level: "silent" });
const fast = { coalesceMs: 50, backoff: { initialMs: 20, maxMs: 200 } };

/** What the inventory must hold for the cluster as it is now. */
function expectedKeys(cluster: SimulatedCluster): string[] {
  const keys: string[] = [];
  for (const kind of ["Namespace", "Service", "Deployment", "StatefulSet"]) {
    for (const object of cluster.store.list(kind)) {
      const metadata = object.metadata as { name: string; namespace?: string };
      keys.push(`${kind}/${kind === "Namespace" ? "" : (metadata.namespace ?? "")}/${metadata.name}`);
    }
  }
  return keys.sort();
}

function finalSnapshots(api: FakeApi): number {
  return api.batches.filter((batch) => batch.snapshot?.isFinal).length;
}

describe("cluster agent against a simulated cluster and a fake API", () => {
  let cluster: SimulatedCluster;
  let api: FakeApi;
  let agent: RunningAgent;
  let stateFile: string;
  let token: string;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ name: "agent-test" });
    api = new FakeApi();
    await api.listen();
    token = api.newBootstrapToken();
    stateFile = join(await mkdtemp(join(tmpdir(), "switchyard-agent-")), "state.json");
    agent = startAgent({
      apiUrl: api.url,
      bootstrapToken: token,
      kubeconfigPath: cluster.kubeconfigPath,
      stateFile,
      logger,
      ...fast,
    });
  });

  afterAll(async () => {
    await agent?.stop();
    await api?.close();
    await cluster?.close();
  });

  it("registers once, stores the credential (0600), says hello and sends a full snapshot", async () => {
    await waitFor("a final snapshot", () => finalSnapshots(api) >= 1);
    expect(api.calls.filter((call) => call.path === "/agent/v1/register")).toHaveLength(1);
    const state = JSON.parse(await readFile(stateFile, "utf8")) as { credential: string };
    expect(api.credentials.get(state.credential)).toBe("valid");
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);

    const hello = api.hellos[0];
    expect(hello?.kubernetesVersion).toMatch(/^v1\.\d+/);
    expect(hello?.mesh).toEqual({ kind: "istio", version: "1.30.3" });

    expect([...api.inventory.keys()].sort()).toEqual(expectedKeys(cluster));
    expect(api.get("Namespace", "", "bookinfo")).toMatchObject({ sidecarInjection: true, podCount: 6 });
    expect(api.get("Namespace", "", "data")).toMatchObject({ sidecarInjection: false, podCount: 2 });
    expect(api.get("Deployment", "bookinfo", "reviews-v2")).toMatchObject({
      app: "reviews",
      version: "v2",
      serviceAccount: "reviews",
      replicas: 1,
      readyReplicas: 1,
      podCount: 1,
      sidecarInjected: true,
    });
    expect(api.get("StatefulSet", "data", "postgres")).toMatchObject({ podCount: 1, sidecarInjected: false });
    expect(api.get("Deployment", "istio-system", "istiod")).toMatchObject({ sidecarInjected: false });
    expect(api.get("Service", "bookinfo", "reviews")).toMatchObject({
      selector: { app: "reviews" },
      type: "ClusterIP",
      ports: [{ name: "http", port: 9080, protocol: "TCP", targetPort: 9080 }],
    });
    // Sequences start after hello's lastInventorySequence (0) and increase by one.
    expect(api.batches.map((batch) => batch.sequence)).toEqual(api.batches.map((_, index) => index + 1));
  });

  it("sends deltas for a scale, a new service and a deleted namespace, and only what changed", async () => {
    const before = api.batches.length;
    cluster.store.scaleDeployment("shop-backend", "payments-v2", 3);
    await waitFor("payments-v2 scaled", () => {
      const workload = api.get("Deployment", "shop-backend", "payments-v2");
      return workload?.kind === "Deployment" && workload.podCount === 3 && workload.readyReplicas === 3;
    });
    const scaleBatches = api.batches.slice(before);
    expect(scaleBatches.every((batch) => batch.snapshot === undefined)).toBe(true);
    const touched = new Set(
      scaleBatches.flatMap((batch) => batch.upserts.map((object) => `${object.kind}/${object.name}`)),
    );
    expect([...touched].sort()).toEqual(["Deployment/payments-v2", "Namespace/shop-backend"]);
    expect(api.get("Namespace", "", "shop-backend")).toMatchObject({ podCount: 7 });

    cluster.store.createService({ namespace: "shop-backend", name: "inventory", port: 8080 });
    await waitFor("new service", () => api.get("Service", "shop-backend", "inventory"));

    cluster.store.deleteNamespace("bookinfo");
    await waitFor("bookinfo gone", () => ![...api.inventory.keys()].some((key) => key.includes("bookinfo")));
    expect([...api.inventory.keys()].sort()).toEqual(expectedKeys(cluster));
    expect(finalSnapshots(api)).toBe(1);
  });

  it("answers a 409 sequence gap with hello and a full snapshot", async () => {
    const hellos = api.hellos.length;
    const snapshots = finalSnapshots(api);
    // The API "lost" its last two batches: the agent's next sequence is now ahead of it.
    api.lastAppliedSequence -= 2;
    cluster.store.createService({ namespace: "data", name: "gap-probe", port: 8080 });
    await waitFor("a snapshot after the gap", () => finalSnapshots(api) > snapshots);
    expect(api.hellos.length).toBe(hellos + 1);
    expect(api.calls.some((call) => call.status === 409)).toBe(true);
    await waitFor("the probe service", () => api.get("Service", "data", "gap-probe"));
    expect([...api.inventory.keys()].sort()).toEqual(expectedKeys(cluster));
  });

  it("reconnects after an API restart with hello and a snapshot; nothing lost, nothing duplicated", async () => {
    const hellos = api.hellos.length;
    const snapshots = finalSnapshots(api);
    const batchesBefore = api.batches.length;
    const appliedBefore = api.lastAppliedSequence;
    await api.close();
    // Changes while the API is away reach it after the reconnect.
    cluster.store.createService({ namespace: "data", name: "while-down", port: 8080 });
    cluster.store.deleteService("data", "gap-probe");
    api.inject("/agent/v1/hello", { status: 503, code: "unavailable", isRetryable: true });
    await api.listen();
    await waitFor(
      "hello and snapshot again",
      () => api.hellos.length > hellos && finalSnapshots(api) > snapshots,
    );
    expect(api.calls.some((call) => call.path === "/agent/v1/hello" && call.status === 503)).toBe(true);
    expect([...api.inventory.keys()].sort()).toEqual(expectedKeys(cluster));
    expect(api.get("Service", "data", "gap-probe")).toBeUndefined();
    // Numbering resumed right after what the API had applied: no gap, no repeat.
    const sequences = api.batches.slice(batchesBefore).map((batch) => batch.sequence);
    expect(sequences).toEqual(sequences.map((_, index) => appliedBefore + 1 + index));
  });

  it("heartbeats and rotates its credential on request, storing the new one", async () => {
    await waitFor("a heartbeat", () => api.heartbeats > 0, 5_000);
    const before = JSON.parse(await readFile(stateFile, "utf8")) as { credential: string };
    api.push({ type: "rotate" });
    const stored = await waitFor("a new credential in the state file", async () => {
      const state = JSON.parse(await readFile(stateFile, "utf8")) as { credential: string };
      return state.credential !== before.credential ? state.credential : undefined;
    });
    expect(api.rotations).toBe(1);
    expect(api.credentials.get(stored)).toBe("valid");
    // Later calls carry the new credential.
    const heartbeats = api.heartbeats;
    await waitFor("a heartbeat after rotation", () => api.heartbeats > heartbeats, 5_000);
    expect(api.lastCredential).toBe(stored);
  });

  it("restarts from the stored credential without registering again", async () => {
    await agent.stop();
    const registers = api.calls.filter((call) => call.path === "/agent/v1/register").length;
    const hellos = api.hellos.length;
    const snapshots = finalSnapshots(api);
    // The same (now used) bootstrap token: registering again would be refused as fatal.
    agent = startAgent({
      apiUrl: api.url,
      bootstrapToken: token,
      kubeconfigPath: cluster.kubeconfigPath,
      stateFile,
      logger,
      ...fast,
    });
    await waitFor("hello and snapshot", () => api.hellos.length > hellos && finalSnapshots(api) > snapshots);
    expect(api.calls.filter((call) => call.path === "/agent/v1/register")).toHaveLength(registers);
    expect([...api.inventory.keys()].sort()).toEqual(expectedKeys(cluster));
  });

  it("stops for good, with a clear reason, when the API revokes its credential", async () => {
    await waitFor("events stream connected", () => api.streamCount > 0);
    api.revoke("cluster removed from the console");
    const result = await agent.done;
    expect(result).toMatchObject({ status: "fatal", code: "credential_revoked" });
    expect(result.status === "fatal" && result.message).toContain("cluster removed from the console");
    const calls = api.calls.length;
    // Nothing retries after a fatal stop.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.calls.length).toBe(calls);
  });
});

describe("cluster agent start-up failures", () => {
  it("stops with a clear message when the bootstrap token was already used, without retrying", async () => {
    const cluster = await startSimulatedCluster({ name: "agent-used-token", seed: "empty" });
    const api = new FakeApi();
    await api.listen();
    try {
      api.inject("/agent/v1/register", { status: 401, code: "bootstrap_token_used", isRetryable: false });
      const stateFile = join(await mkdtemp(join(tmpdir(), "switchyard-agent-")), "state.json");
      const running = startAgent({
        apiUrl: api.url,
        bootstrapToken: "bt_0123456789abcdef0123",
        kubeconfigPath: cluster.kubeconfigPath,
        stateFile,
        logger,
        ...fast,
      });
      const result = await running.done;
      expect(result).toMatchObject({ status: "fatal", code: "bootstrap_token_used" });
      expect(result.status === "fatal" && result.message).toContain("create a new install line");
      expect(api.calls.filter((call) => call.path === "/agent/v1/register")).toHaveLength(1);
    } finally {
      await api.close();
      await cluster.close();
    }
  });

  it("retries registration through transient failures", async () => {
    const cluster = await startSimulatedCluster({ name: "agent-retry", seed: "empty" });
    const api = new FakeApi();
    await api.listen();
    try {
      api.inject("/agent/v1/register", { status: 503, code: "unavailable", isRetryable: true });
      api.inject("/agent/v1/register", { status: 503, code: "unavailable", isRetryable: true });
      const stateFile = join(await mkdtemp(join(tmpdir(), "switchyard-agent-")), "state.json");
      const running = startAgent({
        apiUrl: api.url,
        bootstrapToken: api.newBootstrapToken(),
        kubeconfigPath: cluster.kubeconfigPath,
        stateFile,
        logger,
        ...fast,
      });
      await waitFor("an (empty) snapshot", () => finalSnapshots(api) === 1);
      expect(api.inventory.size).toBe(0);
      expect(
        api.calls.filter((call) => call.path === "/agent/v1/register").map((call) => call.status),
      ).toEqual([503, 503, 200]);
      await running.stop();
      expect(await running.done).toEqual({ status: "stopped" });
    } finally {
      await api.close();
      await cluster.close();
    }
  });
});
