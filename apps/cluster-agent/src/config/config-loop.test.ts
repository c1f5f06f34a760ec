/**
 * The config loop inside the whole agent, against a real simulated cluster (server-side apply with
 * managedFields, conflicts, CEL-like 422s, label-selected watches) and the fake API serving desired
 * configuration. One cluster and one agent walk through successive versions, as a cluster would.
 * Every wait polls for a condition with a deadline.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigStatusReport, DesiredResource } from "@switchyard/agent-protocol/v1";
import { type SimulatedCluster, startSimulatedCluster } from "@switchyard/cluster-sim/cluster";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAgent, startAgent } from "../start-agent";
import { FakeApi, waitFor } from "../testing/fake-api";

const logger = pino({ level: "silent" });
const host = "reviews.bookinfo.svc.cluster.local";
const owned = { "app.kubernetes.io/managed-by": "switchyard" };
const policy = { "switchyard.io/policy": "reviews-canary" };

function destinationRule(): DesiredResource {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: { name: "reviews", namespace: "bookinfo", labels: owned, annotations: policy },
    spec: {
      host,
      trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
      subsets: [
        { name: "v1", labels: { version: "v1" } },
        { name: "v2", labels: { version: "v2" } },
      ],
    },
  };
}

function virtualService(v1Weight: number, extra: Record<string, unknown> = {}): DesiredResource {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "reviews", namespace: "bookinfo", labels: owned, annotations: policy },
    spec: {
      hosts: [host],
      http: [
        {
          ...extra,
          route: [
            { destination: { host, subset: "v1" }, weight: v1Weight },
            { destination: { host, subset: "v2" }, weight: 100 - v1Weight },
          ],
        },
      ],
    },
  };
}

type Route = { destination: { subset: string }; weight: number };
type LiveVirtualService = {
  metadata: {
    resourceVersion: string;
    labels?: Record<string, string>;
    managedFields?: { manager: string }[];
  };
  spec: { http: { route: Route[] }[] };
};

/** The simulator takes JSON objects; a compiled resource is one, in a wider type. */
function asApplied(resource: DesiredResource): Parameters<SimulatedCluster["store"]["apply"]>[0] {
  return JSON.parse(JSON.stringify(resource));
}

function liveWeights(cluster: SimulatedCluster, name = "reviews"): number[] | undefined {
  const vs = cluster.store.get("VirtualService", "bookinfo", name) as LiveVirtualService | undefined;
  return vs?.spec.http[0]?.route.map((route) => route.weight);
}

function outcomes(report: ConfigStatusReport | undefined): string[] {
  return (report?.results ?? []).map((result) => `${result.kind}/${result.name}:${result.outcome}`);
}

describe("desired configuration: apply, prune, conflicts, rejections, catch-up and drift", () => {
  let cluster: SimulatedCluster;
  let api: FakeApi;
  let agent: RunningAgent;
  let stateFile: string;

  const reportFor = (version: number) =>
    waitFor(`the report of version ${version}`, () =>
      api.applyReports.find((report) => report.version === version),
    );

  const start = () =>
    startAgent({
      apiUrl: api.url,
      bootstrapToken: token,
      kubeconfigPath: cluster.kubeconfigPath,
      stateFile,
      logger,
      coalesceMs: 50,
      configDebounceMs: 100,
      backoff: { initialMs: 20, maxMs: 200 },
    });
  let token: string;
  const storedVersion = async () =>
    (JSON.parse(await readFile(stateFile, "utf8")) as { reachedConfigVersion?: number }).reachedConfigVersion;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ name: "config-test", seed: "empty" });
    cluster.store.createNamespace("bookinfo", { isInjected: true });
    // Not ours: no ownership label. Nothing the agent does may touch it.
    cluster.store.apply(
      {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "ratings", namespace: "bookinfo" },
        spec: { hosts: ["ratings"], http: [{ route: [{ destination: { host: "ratings" } }] }] },
      },
      { fieldManager: "kubectl" },
    );
    api = new FakeApi();
    await api.listen();
    token = api.newBootstrapToken();
    stateFile = join(await mkdtemp(join(tmpdir(), "switchyard-config-")), "state.json");
    agent = start();
  });

  afterAll(async () => {
    await agent?.stop();
    await api?.close();
    await cluster?.close();
  });

  it("applies a DestinationRule and a VirtualService, DR first, under our field manager", async () => {
    // Listed VS first: the agent must still create the DR (and its subsets) before the VS.
    api.setDesiredConfig({
      version: 1,
      repairDrift: false,
      resources: [virtualService(90), destinationRule()],
    });
    const report = await reportFor(1);
    expect(outcomes(report)).toEqual(["DestinationRule/reviews:applied", "VirtualService/reviews:applied"]);
    expect(report.reachedVersion).toBe(1);
    const dr = cluster.store.get("DestinationRule", "bookinfo", "reviews") as LiveVirtualService | undefined;
    const vs = cluster.store.get("VirtualService", "bookinfo", "reviews") as LiveVirtualService | undefined;
    expect(Number(dr?.metadata.resourceVersion)).toBeLessThan(Number(vs?.metadata.resourceVersion));
    expect(vs?.metadata.labels).toMatchObject(owned);
    expect(vs?.metadata.managedFields?.map((entry) => entry.manager)).toEqual(["switchyard"]);
    expect(liveWeights(cluster)).toEqual([90, 10]);
    // Stored after the report (a crash in between re-applies rather than never reporting).
    await waitFor("the reached version stored", () => storedVersion().then((version) => version === 1));
  });

  it("updates the weights of a new version and leaves the unchanged DR alone", async () => {
    api.setDesiredConfig({
      version: 2,
      repairDrift: false,
      resources: [destinationRule(), virtualService(50)],
    });
    const report = await reportFor(2);
    expect(outcomes(report)).toEqual(["DestinationRule/reviews:unchanged", "VirtualService/reviews:applied"]);
    expect(liveWeights(cluster)).toEqual([50, 50]);
  });

  it("prunes what a version no longer lists, never an object without our label", async () => {
    api.setDesiredConfig({ version: 3, repairDrift: false, resources: [] });
    const report = await reportFor(3);
    expect(outcomes(report).sort()).toEqual([
      "DestinationRule/reviews:pruned",
      "VirtualService/reviews:pruned",
    ]);
    expect(report.reachedVersion).toBe(3);
    expect(cluster.store.get("VirtualService", "bookinfo", "reviews")).toBeUndefined();
    expect(cluster.store.get("DestinationRule", "bookinfo", "reviews")).toBeUndefined();
    expect(liveWeights(cluster, "ratings")).toEqual([undefined]);
    expect(cluster.store.get("VirtualService", "bookinfo", "ratings")).toBeDefined();
  });

  it("reports a conflict naming the other manager and does not force it", async () => {
    cluster.store.apply(
      {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "reviews", namespace: "bookinfo" },
        spec: { hosts: [host], http: [{ route: [{ destination: { host, subset: "v1" }, weight: 100 }] }] },
      },
      { fieldManager: "platform-team" },
    );
    api.setDesiredConfig({ version: 4, repairDrift: false, resources: [virtualService(75)] });
    const report = await reportFor(4);
    const result = report.results[0];
    expect(result).toMatchObject({ kind: "VirtualService", name: "reviews", outcome: "conflict" });
    expect(result?.conflictManagers).toEqual(["platform-team"]);
    expect(result?.message).toContain(".spec.http");
    expect(report.reachedVersion).toBe(3);
    expect(liveWeights(cluster)).toEqual([100]);
    const vs = cluster.store.get("VirtualService", "bookinfo", "reviews") as LiveVirtualService;
    expect(vs.metadata.managedFields?.map((entry) => entry.manager)).toEqual(["platform-team"]);
    cluster.store.delete("VirtualService", "bookinfo", "reviews");
  });

  it("reports the API server's rejection with its message", async () => {
    api.setDesiredConfig({
      version: 5,
      repairDrift: false,
      resources: [destinationRule(), virtualService(90, { timeout: "500us" })],
    });
    const report = await reportFor(5);
    expect(outcomes(report)).toEqual(["DestinationRule/reviews:applied", "VirtualService/reviews:rejected"]);
    expect(report.results[1]?.message).toMatch(/1ms/);
    expect(report.reachedVersion).toBe(3);
    expect(cluster.store.get("VirtualService", "bookinfo", "reviews")).toBeUndefined();
  });

  it("catches up on the latest version after being offline during two", async () => {
    await agent.stop();
    const reports = api.configReports.length;
    api.setDesiredConfig({
      version: 6,
      repairDrift: false,
      resources: [destinationRule(), virtualService(80)],
    });
    api.setDesiredConfig({
      version: 7,
      repairDrift: false,
      resources: [destinationRule(), virtualService(70)],
    });
    agent = start();
    const report = await reportFor(7);
    expect(outcomes(report)).toEqual(["DestinationRule/reviews:unchanged", "VirtualService/reviews:applied"]);
    expect(api.configReports.slice(reports).map((entry) => entry.version)).toEqual([7]);
    expect(liveWeights(cluster)).toEqual([70, 30]);
    // Stored after the report (a crash in between re-applies rather than never reporting).
    await waitFor("the reached version stored", () => storedVersion().then((version) => version === 7));
  });

  it("reports an edit by another manager as drift and repairs it when asked", async () => {
    api.setDesiredConfig({
      version: 8,
      repairDrift: true,
      resources: [destinationRule(), virtualService(70)],
    });
    await reportFor(8);
    const drifts = api.driftReports.length;
    cluster.store.apply(asApplied(virtualService(10)), { fieldManager: "kubectl-edit", force: true });
    const report = await waitFor("a drift report", () => api.driftReports[drifts]);
    expect(report.results).toEqual([]);
    expect(report.drift).toEqual([
      {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        namespace: "bookinfo",
        name: "reviews",
        change: "modified",
        manager: "kubectl-edit",
        isRepaired: true,
      },
    ]);
    expect(report).toMatchObject({ version: 8, reachedVersion: 8 });
    expect(liveWeights(cluster)).toEqual([70, 30]);
  });

  it("puts back an owned object someone deleted", async () => {
    const drifts = api.driftReports.length;
    cluster.store.delete("VirtualService", "bookinfo", "reviews");
    const report = await waitFor("a drift report", () => api.driftReports[drifts]);
    expect(report.drift).toMatchObject([
      { kind: "VirtualService", name: "reviews", change: "deleted", isRepaired: true },
    ]);
    await waitFor("the VS back", () => liveWeights(cluster)?.[0] === 70);
  });

  it("reports drift without repairing when the cluster's setting says so; a burst is one report", async () => {
    api.setDesiredConfig({
      version: 9,
      repairDrift: false,
      resources: [destinationRule(), virtualService(70)],
    });
    await reportFor(9);
    const drifts = api.driftReports.length;
    cluster.store.apply(asApplied(virtualService(20)), { fieldManager: "kubectl-edit", force: true });
    const editedDr = destinationRule();
    editedDr.spec.trafficPolicy = { tls: { mode: "DISABLE" } };
    cluster.store.apply(asApplied(editedDr), { fieldManager: "kubectl-edit", force: true });
    const report = await waitFor("a drift report", () => api.driftReports[drifts]);
    expect(report.drift.map((entry) => `${entry.kind}:${entry.change}:${entry.isRepaired}`).sort()).toEqual([
      "DestinationRule:modified:false",
      "VirtualService:modified:false",
    ]);
    expect(liveWeights(cluster)).toEqual([20, 80]);
    expect(api.driftReports.length).toBe(drifts + 1);
  });
  it("reports drift made while it was away, after a restart at the version it had reached", async () => {
    await agent.stop();
    const drifts = api.driftReports.length;
    const applies = api.applyReports.length;
    cluster.store.delete("DestinationRule", "bookinfo", "reviews");
    cluster.store.delete("VirtualService", "bookinfo", "reviews");
    agent = start();
    const report = await waitFor("a drift report", () => api.driftReports[drifts]);
    expect(report.drift.map((entry) => `${entry.kind}:${entry.change}:${entry.isRepaired}`).sort()).toEqual([
      "DestinationRule:deleted:false",
      "VirtualService:deleted:false",
    ]);
    expect(report).toMatchObject({ version: 9, reachedVersion: 9 });
    // Version 9 was reached already: nothing re-applied.
    expect(api.applyReports.length).toBe(applies);
  });

  it("coalesces versions announced while busy and applies only the latest", async () => {
    const reports = api.configReports.length;
    api.setDesiredConfig({
      version: 10,
      repairDrift: true,
      resources: [destinationRule(), virtualService(60)],
    });
    api.setDesiredConfig({
      version: 11,
      repairDrift: true,
      resources: [destinationRule(), virtualService(40)],
    });
    api.setDesiredConfig({
      version: 12,
      repairDrift: true,
      resources: [destinationRule(), virtualService(30)],
    });
    const report = await reportFor(12);
    expect(outcomes(report)).toEqual(["DestinationRule/reviews:applied", "VirtualService/reviews:applied"]);
    expect(api.applyReports.filter((entry) => entry.version === 10 || entry.version === 11)).toEqual([]);
    expect(liveWeights(cluster)).toEqual([30, 70]);
    expect(api.configReports.length).toBeGreaterThan(reports);
  });
});
