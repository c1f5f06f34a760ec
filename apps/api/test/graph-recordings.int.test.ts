// Recorded graphs on the real database: the telemetry job records the last 15 min and the last hour
// of an organization with live telemetry; graph.get and graph.overview serve them to live views
// while they are fresh and complete, and compute the graph otherwise.
import { overviewAboveNodes } from "@switchyard/telemetry-model/graph-aggregate";
import type { ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleTelemetryJob, telemetryJob } from "../src/jobs/telemetry-job";
import { computeServiceGraph, overviewOf, recordGraphs } from "../src/telemetry/graph-query";
import { ingestSettleMs } from "../src/telemetry/graph-recordings";
import { ingestTelemetryBatch } from "../src/telemetry/ingest";
import { syntheticMeshBatches } from "../src/telemetry/synthetic-mesh";
import { callerFor, createTestServices, signUpOwner, type TestServices } from "./harness";

let services: TestServices;

beforeAll(() => {
  services = createTestServices();
});
afterAll(async () => {
  await services.close();
});

const smallMesh = { clusters: 2, namespacesPerCluster: 2, workloadsPerNamespace: 4, edgesPerNode: 2 };
// 2 clusters × 3 namespaces × 30 workloads: over overviewAboveNodes, so the overview is recorded too.
const bigMesh = { clusters: 2, namespacesPerCluster: 3, workloadsPerNamespace: 30, edgesPerNode: 2 };

/**
 * An owner's organization with clusters c0 and c1, no telemetry yet, and `send`: the agents'
 * 10 s windows of `mesh` ending at `windowEnd` (only `only`'s; without edges when `isWithoutTraffic`).
 */
async function organizationWithClusters(label: string, mesh = smallMesh) {
  const { user, orgSlug } = await signUpOwner(services, label);
  const caller = callerFor(services, user);
  const organization = await services.prisma.organization.findUniqueOrThrow({ where: { slug: orgSlug } });
  const clusterIds = new Map<string, string>();
  for (const name of ["c0", "c1"]) {
    const cluster = await services.prisma.cluster.create({
      data: { organizationId: organization.id, name },
    });
    clusterIds.set(name, cluster.id);
  }
  const send = async (windowEnd: number, only?: string, options: { isWithoutTraffic?: boolean } = {}) => {
    for (const { cluster, batch } of syntheticMeshBatches({
      ...mesh,
      windowEnd,
      windowSeconds: 10,
      seed: label,
    })) {
      if (only && cluster !== only) continue;
      await ingestTelemetryBatch({
        prisma: services.prisma,
        organizationId: organization.id,
        clusterId: clusterIds.get(cluster) ?? "",
        batch: options.isWithoutTraffic ? { ...batch, edges: [] } : batch,
      });
    }
  };
  return { caller, orgSlug, organization, clusterIds, send };
}

async function liveOrganization(label: string, mesh = smallMesh) {
  const { caller, orgSlug, organization, clusterIds, send } = await organizationWithClusters(label, mesh);
  // The last minute, in 10 s windows ending now, as agents sending live leave it.
  const lastEnd = Math.floor(Date.now() / 10_000) * 10_000;
  for (let end = lastEnd - 50_000; end <= lastEnd; end += 10_000) await send(end);
  return { caller, orgSlug, organizationId: organization.id, clusterIds, lastEnd, send };
}

/** The rollup job, run as the scheduler would, once the batches sent settled (`ingestSettleMs`). */
async function runTelemetryJob() {
  await new Promise((resolve) => setTimeout(resolve, ingestSettleMs + 50));
  return handleTelemetryJob(
    { prisma: services.prisma, logger: services.logger },
    { name: telemetryJob.rollup.name, id: "test" },
  );
}

/** A graph's totals that a missing batch would change. */
const requestRateOf = (graph: Pick<ServiceGraph, "edges">) =>
  graph.edges.reduce((sum, edge) => sum + edge.requestRate, 0);

describe("graph recordings", () => {
  it("serves the last 15 min and the last hour from the job's recordings, equal to the graph computed over their windows", async () => {
    const { caller, orgSlug, organizationId, lastEnd } = await liveOrganization("rec-serve", bigMesh);
    // Before the job ran: computed on request.
    const before = await caller.graph.get({ orgSlug, lastSeconds: 3600 });
    expect(before.recordedAt).toBeUndefined();

    await runTelemetryJob();
    for (const lastSeconds of [900, 3600]) {
      const served = await caller.graph.get({ orgSlug, lastSeconds });
      expect(served.recordedAt).toBeGreaterThan(Date.now() - 60_000);
      // The window ends where every cluster's telemetry is complete: both sent up to lastEnd.
      expect(served.range.end).toBe(lastEnd);
      const { recordedAt: _recordedAt, ...graph } = served;
      // What a request for the last `lastSeconds` at the cut computes.
      const computed = await computeServiceGraph({
        prisma: services.prisma,
        organizationId,
        range: { start: lastEnd - lastSeconds * 1000, end: lastEnd },
      });
      expect(graph).toEqual(computed);
      expect(graph.nodes.length).toBeGreaterThan(overviewAboveNodes);

      const overview = await caller.graph.overview({ orgSlug, lastSeconds });
      expect(overview.mode).toBe("overview");
      if (overview.mode !== "overview") return;
      expect(overview.recordedAt).toBe(served.recordedAt);
      const { recordedAt: _overviewRecordedAt, ...view } = overview;
      expect(view).toEqual(overviewOf(computed));
    }
  });

  it("records only the overview of a graph too big to record, and computes that graph when asked for", async () => {
    const { caller, orgSlug } = await liveOrganization("rec-big", bigMesh);
    await new Promise((resolve) => setTimeout(resolve, ingestSettleMs + 50));
    // A limit this mesh's graph is over (the default is millions of characters).
    await recordGraphs({ prisma: services.prisma, graphMaxChars: 10_000 });
    const overview = await caller.graph.overview({ orgSlug, lastSeconds: 900 });
    expect(overview.mode).toBe("overview");
    if (overview.mode === "overview") expect(overview.recordedAt).toBeDefined();
    const graph = await caller.graph.get({ orgSlug, lastSeconds: 900 });
    expect(graph.recordedAt).toBeUndefined();
    expect(graph.nodes.length).toBeGreaterThan(overviewAboveNodes);
  });

  it("computes scoped queries, explicit ranges and unrecorded ranges on request", async () => {
    const { caller, orgSlug, lastEnd } = await liveOrganization("rec-scope");
    await runTelemetryJob();
    expect((await caller.graph.get({ orgSlug, lastSeconds: 900 })).recordedAt).toBeDefined();
    const scoped = await caller.graph.get({ orgSlug, lastSeconds: 900, namespaces: ["ns0"] });
    expect(scoped.recordedAt).toBeUndefined();
    expect(scoped.nodes.length).toBeGreaterThan(0);
    const explicit = await caller.graph.get({ orgSlug, start: lastEnd - 900_000, end: lastEnd });
    expect(explicit.recordedAt).toBeUndefined();
    expect((await caller.graph.get({ orgSlug, lastSeconds: 300 })).recordedAt).toBeUndefined();
  });

  it("drops a recording when a batch lands before its end, keeps it for batches after it, and records again", async () => {
    const { caller, orgSlug, lastEnd, send } = await liveOrganization("rec-late");
    await runTelemetryJob();
    const recorded = await caller.graph.get({ orgSlug, lastSeconds: 3600 });
    expect(recorded.recordedAt).toBeDefined();

    // The next live window lands after the recording's end: the recording is still served.
    await send(lastEnd + 10_000);
    const afterLive = await caller.graph.get({ orgSlug, lastSeconds: 3600 });
    expect(afterLive.recordedAt).toBe(recorded.recordedAt);

    // A late batch (an agent back from buffering) lands inside it: computed at once, with the batch.
    await send(lastEnd - 25_000, "c1");
    const afterLate = await caller.graph.get({ orgSlug, lastSeconds: 3600 });
    expect(afterLate.recordedAt).toBeUndefined();
    expect(requestRateOf(afterLate)).toBeGreaterThan(0);

    await runTelemetryJob();
    const again = await caller.graph.get({ orgSlug, lastSeconds: 3600 });
    expect(again.recordedAt).toBeGreaterThan(recorded.recordedAt ?? 0);
    expect(again.range.end).toBe(lastEnd + 10_000);
  });

  it("waits for the slowest active cluster's telemetry: its window ends where both clusters are complete", async () => {
    const { caller, orgSlug, lastEnd, send } = await liveOrganization("rec-slow");
    // c0 runs ahead by two windows; c1 has sent up to lastEnd.
    await send(lastEnd + 10_000, "c0");
    await send(lastEnd + 20_000, "c0");
    await runTelemetryJob();
    const served = await caller.graph.get({ orgSlug, lastSeconds: 900 });
    expect(served.recordedAt).toBeDefined();
    expect(served.range.end).toBe(lastEnd);
    // c1's next window lands at the end: nothing recorded lacks it, the recording stays.
    await send(lastEnd + 10_000, "c1");
    expect((await caller.graph.get({ orgSlug, lastSeconds: 900 })).recordedAt).toBe(served.recordedAt);
  });

  it("records no empty graph: a cluster that has sent only windows without traffic does not hide the others' traffic", async () => {
    const { caller, orgSlug, send } = await organizationWithClusters("rec-empty-cut");
    const lastEnd = Math.floor(Date.now() / 10_000) * 10_000;
    // c1's agent has sent one window, before any traffic: the cut waits for it, a minute back.
    await send(lastEnd - 60_000, "c1", { isWithoutTraffic: true });
    // c0's traffic since.
    for (let end = lastEnd - 30_000; end <= lastEnd; end += 10_000) await send(end, "c0");
    await runTelemetryJob();
    const graph = await caller.graph.get({ orgSlug, lastSeconds: 900 });
    expect(graph.recordedAt).toBeUndefined();
    expect(graph.nodes.length).toBeGreaterThan(0);
    const overview = await caller.graph.overview({ orgSlug, lastSeconds: 900 });
    expect(overview.mode === "graph" && overview.graph.nodes.length).toBeGreaterThan(0);
  });

  it("is not served once stale, nor after a desired config changed the badges", async () => {
    const { caller, orgSlug, organizationId, clusterIds } = await liveOrganization("rec-stale");
    await runTelemetryJob();
    expect((await caller.graph.get({ orgSlug, lastSeconds: 900 })).recordedAt).toBeDefined();

    // The job stopped two minutes ago.
    await services.prisma.$executeRaw`
      update telemetry_graph_recordings set computed_at = computed_at - interval '2 minutes'
      where organization_id = ${organizationId}`;
    expect((await caller.graph.get({ orgSlug, lastSeconds: 900 })).recordedAt).toBeUndefined();

    await runTelemetryJob();
    expect((await caller.graph.get({ orgSlug, lastSeconds: 900 })).recordedAt).toBeDefined();
    await services.prisma.desiredConfigVersion.create({
      data: {
        organizationId,
        clusterId: clusterIds.get("c0") ?? "",
        version: 1,
        contentHash: "test",
        resources: [],
        cause: "test",
      },
    });
    expect((await caller.graph.get({ orgSlug, lastSeconds: 900 })).recordedAt).toBeUndefined();
  });

  it("serves an organization only its own recording", async () => {
    const first = await liveOrganization("rec-own-a");
    const second = await liveOrganization("rec-own-b");
    await runTelemetryJob();
    const a = await first.caller.graph.get({ orgSlug: first.orgSlug, lastSeconds: 900 });
    const b = await second.caller.graph.get({ orgSlug: second.orgSlug, lastSeconds: 900 });
    expect(a.recordedAt).toBeDefined();
    expect(b.recordedAt).toBeDefined();
    // Different seeds, different meshes: each got the graph of its own telemetry.
    expect(a.nodes.map((node) => node.id)).not.toEqual(b.nodes.map((node) => node.id));
    await expect(first.caller.graph.get({ orgSlug: second.orgSlug, lastSeconds: 900 })).rejects.toThrow();
  });
});
