// Telemetry end to end on the real database and Redis: the agent endpoint (dedup, validation,
// isolation by credential), rollups and retention, and graph.get / graph.series against totals
// computed here, independently, from the batches that were sent.
import type { TelemetryEdgeSample } from "@switchyard/agent-protocol/v1";
import {
  aggregateByNamespace,
  buildGraphView,
  expandOverview,
  limitOverviewEdges,
  namespaceOfKey,
  overviewAboveNodes,
  overviewEdgeLimit,
} from "@switchyard/telemetry-model/graph-aggregate";
import type { ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import { ISTIO_DEFAULT_BUCKETS_MS } from "@switchyard/telemetry-model/histogram";
import { histogramQuantile } from "@switchyard/telemetry-model/quantile";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getServiceGraph } from "../src/telemetry/graph-query";
import { ingestTelemetryBatch } from "../src/telemetry/ingest";
import { pruneTelemetry, rollupTelemetry } from "../src/telemetry/rollup";
import { type SyntheticClusterBatch, syntheticMeshBatches } from "../src/telemetry/synthetic-mesh";
import { callerFor, createTestServices, signUpOwner, startTestApi, type TestServices } from "./harness";

let services: TestServices;
let api: Awaited<ReturnType<typeof startTestApi>>;

beforeAll(async () => {
  services = createTestServices();
  api = await startTestApi(services);
});
afterAll(async () => {
  await api.close();
  await services.close();
});

async function agentPost(path: string, body: unknown, credential?: string) {
  const response = await fetch(`${api.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

/** An organization with registered clusters (named like the synthetic mesh's cluster labels). */
async function orgWithClusters(label: string, clusterNames: string[]) {
  const { user, orgSlug } = await signUpOwner(services, label);
  const caller = callerFor(services, user);
  const organization = await services.prisma.organization.findUniqueOrThrow({ where: { slug: orgSlug } });
  const clusters = new Map<string, { id: string; credential: string }>();
  for (const name of clusterNames) {
    const line = await caller.clusters.create({ orgSlug, name, labels: {} });
    const registered = await agentPost("/agent/v1/register", {
      bootstrapToken: line.bootstrapToken,
      agentVersion: "0.1.0",
    });
    expect(registered.status).toBe(200);
    clusters.set(name, { id: line.clusterId, credential: String(registered.body.credential) });
  }
  return { caller, orgSlug, organizationId: organization.id, clusters };
}

async function ingestAll(
  organizationId: string,
  clusters: Map<string, { id: string }>,
  batches: SyntheticClusterBatch[],
) {
  for (const { cluster, batch } of batches) {
    const id = clusters.get(cluster)?.id;
    if (!id) throw new Error(`no cluster ${cluster}`);
    await ingestTelemetryBatch({ prisma: services.prisma, organizationId, clusterId: id, batch });
  }
}

const requestsOf = (s: TelemetryEdgeSample) => Object.values(s.responses).reduce((a, b) => a + b, 0);

async function storedTotals(table: string, organizationId: string) {
  const [row] = await services.prisma.$queryRawUnsafe<
    { requests: number; lat: number; bytes: number; n: number }[]
  >(
    `select coalesce(sum(r1xx + r2xx + r3xx + r4xx + r5xx + r_other), 0)::float8 as requests,
            coalesce(sum(lat05 + lat19), 0)::float8 as lat, coalesce(sum(tcp_sent_bytes), 0)::float8 as bytes,
            count(*)::int as n
     from ${table} where organization_id = $1`,
    organizationId,
  );
  return row;
}

const mesh = {
  clusters: 2,
  namespacesPerCluster: 2,
  workloadsPerNamespace: 5,
  edgesPerNode: 2,
  windowSeconds: 10,
};

describe("POST /agent/v1/telemetry", () => {
  it("stores a batch once: a re-sent batch is acknowledged as a duplicate", async () => {
    const { organizationId, clusters } = await orgWithClusters("tele-dup", ["c0"]);
    const [first] = syntheticMeshBatches({ ...mesh, clusters: 1, windowEnd: Date.now(), seed: "dup" });
    if (!first) throw new Error("no batch");
    const credential = clusters.get("c0")?.credential;
    const ack = await agentPost("/agent/v1/telemetry", first.batch, credential);
    expect(ack).toEqual({ status: 200, body: { isDuplicate: false, storedEdges: first.batch.edges.length } });
    const again = await agentPost("/agent/v1/telemetry", first.batch, credential);
    expect(again).toEqual({ status: 200, body: { isDuplicate: true, storedEdges: 0 } });
    const stored = await storedTotals("telemetry_edges_10s", organizationId);
    const sent = first.batch.edges.reduce((sum, e) => sum + requestsOf(e), 0);
    expect(stored?.requests).toBeCloseTo(sent, 6);
    expect(stored?.bytes).toBeCloseTo(
      first.batch.edges.reduce((sum, e) => sum + e.tcpSentBytes, 0),
      6,
    );
  });

  it("stores a window without traffic: its batch id and window end, no rows", async () => {
    const { organizationId, clusters } = await orgWithClusters("tele-empty", ["c0"]);
    const [first] = syntheticMeshBatches({ ...mesh, clusters: 1, windowEnd: Date.now(), seed: "empty" });
    if (!first) throw new Error("no batch");
    const empty = { ...first.batch, edges: [] };
    const credential = clusters.get("c0")?.credential;
    expect(await agentPost("/agent/v1/telemetry", empty, credential)).toEqual({
      status: 200,
      body: { isDuplicate: false, storedEdges: 0 },
    });
    expect((await agentPost("/agent/v1/telemetry", empty, credential)).body.isDuplicate).toBe(true);
    expect((await storedTotals("telemetry_edges_10s", organizationId))?.n).toBe(0);
    const [stored] = await services.prisma.telemetryBatch.findMany({ where: { batchId: empty.batchId } });
    expect(stored?.windowEnd?.getTime()).toBe(empty.windowEnd);
  });

  it("adds up two batches whose windows fall in one 10 s bucket", async () => {
    const { organizationId, clusters } = await orgWithClusters("tele-same-bucket", ["c0"]);
    const bucket = Math.floor(Date.now() / 10_000) * 10_000 - 60_000;
    const [early] = syntheticMeshBatches({ ...mesh, clusters: 1, windowEnd: bucket + 4_000, seed: "same" });
    const [late] = syntheticMeshBatches({ ...mesh, clusters: 1, windowEnd: bucket + 9_000, seed: "same" });
    if (!early || !late) throw new Error("no batch");
    expect(early.batch.batchId).not.toBe(late.batch.batchId);
    const credential = clusters.get("c0")?.credential;
    for (const { batch } of [early, late])
      expect((await agentPost("/agent/v1/telemetry", batch, credential)).body).toEqual({
        isDuplicate: false,
        storedEdges: batch.edges.length,
      });
    const stored = await storedTotals("telemetry_edges_10s", organizationId);
    const sent = [...early.batch.edges, ...late.batch.edges].reduce((sum, e) => sum + requestsOf(e), 0);
    expect(stored?.requests).toBeCloseTo(sent, 6);
    // One row per key: the second batch added into the first one's rows.
    expect(stored?.n).toBe(await services.prisma.telemetryEdgeKey.count({ where: { organizationId } }));
  });

  it("refuses an invalid batch with 400 naming the field, and stores nothing", async () => {
    const { organizationId, clusters } = await orgWithClusters("tele-bad", ["c0"]);
    const [first] = syntheticMeshBatches({ ...mesh, clusters: 1, windowEnd: Date.now(), seed: "bad" });
    if (!first) throw new Error("no batch");
    const edges = first.batch.edges.map((e, i) =>
      i === 1 ? { ...e, latencyCounts: e.latencyCounts.slice(1) } : e,
    );
    const response = await agentPost(
      "/agent/v1/telemetry",
      { ...first.batch, edges },
      clusters.get("c0")?.credential,
    );
    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe("bad_request");
    expect(response.body.error?.message).toContain("edges.1.latencyCounts");
    const negative = await agentPost(
      "/agent/v1/telemetry",
      { ...first.batch, windowEnd: first.batch.windowStart },
      clusters.get("c0")?.credential,
    );
    expect(negative.status).toBe(400);
    expect(negative.body.error?.message).toContain("windowEnd");
    expect((await storedTotals("telemetry_edges_10s", organizationId))?.n).toBe(0);
    expect(await services.prisma.telemetryBatch.count({ where: { batchId: first.batch.batchId } })).toBe(0);
    const unauthenticated = await agentPost("/agent/v1/telemetry", first.batch);
    expect(unauthenticated.status).toBe(401);
  });

  it("writes only the credential's cluster: the body cannot name another", async () => {
    const { organizationId, clusters } = await orgWithClusters("tele-iso", ["c0", "c1"]);
    const other = await orgWithClusters("tele-iso-other", ["c0"]);
    const [first] = syntheticMeshBatches({ ...mesh, clusters: 1, windowEnd: Date.now(), seed: "iso" });
    if (!first) throw new Error("no batch");
    const a = clusters.get("c0");
    const b = clusters.get("c1");
    // A cluster id or organization in the body is not part of the protocol and is ignored.
    const response = await agentPost(
      "/agent/v1/telemetry",
      { ...first.batch, clusterId: b?.id, organizationId: other.organizationId },
      a?.credential,
    );
    expect(response.status).toBe(200);
    const rows = await services.prisma.$queryRaw<
      { cluster_id: string; organization_id: string; n: number }[]
    >`
      select cluster_id, organization_id, count(*)::int as n from telemetry_edges_10s
      where organization_id = ${organizationId} or organization_id = ${other.organizationId}
      group by 1, 2`;
    expect(rows).toEqual([{ cluster_id: a?.id, organization_id: organizationId, n: expect.any(Number) }]);
    // The same batch id from another cluster is that cluster's own batch, not a duplicate.
    const fromB = await agentPost("/agent/v1/telemetry", first.batch, b?.credential);
    expect(fromB.body.isDuplicate).toBe(false);
  });

  it("tells an agent where its own cluster's stored telemetry ends, so a restart resumes there", async () => {
    const { clusters } = await orgWithClusters("tele-resume", ["c0", "c1"]);
    const resumeOf = async (credential?: string) => {
      const response = await fetch(`${api.url}/agent/v1/telemetry/resume`, {
        headers: credential ? { authorization: `Bearer ${credential}` } : {},
      });
      return { status: response.status, body: (await response.json()) as { lastWindowEnd?: number | null } };
    };
    const a = clusters.get("c0")?.credential;
    expect(await resumeOf(a)).toEqual({ status: 200, body: { lastWindowEnd: null } });
    const end = Math.floor(Date.now() / 10_000) * 10_000;
    for (const windowEnd of [end - 20_000, end, end - 10_000]) {
      const [batch] = syntheticMeshBatches({ ...mesh, clusters: 1, windowEnd, seed: "resume" });
      if (!batch) throw new Error("no batch");
      expect((await agentPost("/agent/v1/telemetry", batch.batch, a)).status).toBe(200);
    }
    expect(await resumeOf(a)).toEqual({ status: 200, body: { lastWindowEnd: end } });
    // Another cluster sees its own (none), and no credential sees nothing.
    expect(await resumeOf(clusters.get("c1")?.credential)).toEqual({
      status: 200,
      body: { lastWindowEnd: null },
    });
    expect((await resumeOf(undefined)).status).toBe(401);
  });
});

describe("rollups and retention", () => {
  it("rolls 10 s buckets up to 1 min, 5 min, 15 min and 1 h with the raw sums, idempotently", async () => {
    const { organizationId, clusters } = await orgWithClusters("tele-rollup", ["c0", "c1"]);
    const hour = Date.UTC(2026, 0, 5, 10);
    // Windows spread over two hours, several in one minute, one in the last minute of an hour.
    const ends = [
      10_000,
      20_000,
      70_000,
      7 * 60_000,
      59 * 60_000 + 50_000,
      3_600_000,
      61 * 60_000,
      119 * 60_000 + 10_000,
    ];
    for (const offset of ends)
      await ingestAll(
        organizationId,
        clusters,
        syntheticMeshBatches({ ...mesh, windowEnd: hour + offset, seed: "rollup" }),
      );
    const raw = await storedTotals("telemetry_edges_10s", organizationId);
    const settings = {
      minuteLookbackMs: 4 * 3_600_000,
      fiveMinuteLookbackMs: 4 * 3_600_000,
      quarterHourLookbackMs: 4 * 3_600_000,
      hourLookbackMs: 4 * 3_600_000,
    };
    const now = new Date(hour + 2 * 3_600_000 + 10 * 60_000);
    await rollupTelemetry({ prisma: services.prisma, now, settings });
    const minute = await storedTotals("telemetry_edges_1m", organizationId);
    const fiveMinute = await storedTotals("telemetry_edges_5m", organizationId);
    const quarterHour = await storedTotals("telemetry_edges_15m", organizationId);
    const hourly = await storedTotals("telemetry_edges_1h", organizationId);
    expect(quarterHour?.requests).toBeCloseTo(raw?.requests ?? Number.NaN, 6);
    expect(quarterHour?.lat).toBeCloseTo(raw?.lat ?? Number.NaN, 6);
    expect(minute?.requests).toBeCloseTo(raw?.requests ?? Number.NaN, 6);
    expect(fiveMinute?.requests).toBeCloseTo(raw?.requests ?? Number.NaN, 6);
    expect(fiveMinute?.lat).toBeCloseTo(raw?.lat ?? Number.NaN, 6);
    expect(minute?.lat).toBeCloseTo(raw?.lat ?? Number.NaN, 6);
    expect(hourly?.requests).toBeCloseTo(raw?.requests ?? Number.NaN, 6);
    expect(hourly?.bytes).toBeCloseTo(raw?.bytes ?? Number.NaN, 6);
    // Per edge key and hour, too.
    const mismatches = await services.prisma.$queryRaw<{ n: number }[]>`
      select count(*)::int as n from (
        select cluster_id, edge_key, date_bin('1 hour', bucket_start, timestamptz 'epoch') h, sum(r2xx) s, sum(lat07) l
        from telemetry_edges_10s where organization_id = ${organizationId} group by 1, 2, 3) a
      full join (select cluster_id, edge_key, bucket_start h, r2xx s, lat07 l from telemetry_edges_1h
                 where organization_id = ${organizationId}) b using (cluster_id, edge_key, h)
      where a.s is distinct from b.s or a.l is distinct from b.l`;
    expect(mismatches[0]?.n).toBe(0);
    // Twice is harmless.
    await rollupTelemetry({ prisma: services.prisma, now, settings });
    expect(await storedTotals("telemetry_edges_1h", organizationId)).toEqual(hourly);
    expect(await storedTotals("telemetry_edges_1m", organizationId)).toEqual(minute);
    expect(await storedTotals("telemetry_edges_5m", organizationId)).toEqual(fiveMinute);
    expect(await storedTotals("telemetry_edges_15m", organizationId)).toEqual(quarterHour);
  });

  it("leaves open buckets alone until they close", async () => {
    const { organizationId, clusters } = await orgWithClusters("tele-open", ["c0", "c1"]);
    const minute = Date.UTC(2026, 0, 6, 10, 30);
    await ingestAll(
      organizationId,
      clusters,
      syntheticMeshBatches({ ...mesh, windowEnd: minute + 20_000, seed: "open" }),
    );
    await rollupTelemetry({ prisma: services.prisma, now: new Date(minute + 40_000) });
    expect((await storedTotals("telemetry_edges_1m", organizationId))?.n).toBe(0);
    await rollupTelemetry({ prisma: services.prisma, now: new Date(minute + 95_000) });
    expect((await storedTotals("telemetry_edges_1m", organizationId))?.n).toBeGreaterThan(0);
  });

  it("retention deletes old rows only", async () => {
    const { organizationId, clusters } = await orgWithClusters("tele-retention", ["c0", "c1"]);
    const now = Date.UTC(2026, 1, 1);
    const day = 86_400_000;
    // 10 s rows 2 days and 1 hour old; roll them up so the coarse tables have rows of both ages too.
    for (const age of [2 * day, 3_600_000 * 3])
      await ingestAll(
        organizationId,
        clusters,
        syntheticMeshBatches({ ...mesh, windowEnd: now - age, seed: `ret${age}` }),
      );
    await rollupTelemetry({
      prisma: services.prisma,
      now: new Date(now),
      settings: { minuteLookbackMs: 3 * day, fiveMinuteLookbackMs: 3 * day, hourLookbackMs: 3 * day },
      // Rollups never read further back than the finer table keeps rows: keep 10 s rows 3 days here.
      retention: { tenSecondMs: 3 * day },
    });
    const count = async (table: string, olderThan: number) =>
      (
        await services.prisma.$queryRawUnsafe<{ n: number }[]>(
          `select count(*)::int as n from ${table} where organization_id = $1 and bucket_start ${olderThan > 0 ? "<" : ">="} $2`,
          organizationId,
          new Date(now - Math.abs(olderThan)),
        )
      )[0]?.n ?? 0;
    const recent10s = await count("telemetry_edges_10s", -day);
    const recent1m = await count("telemetry_edges_1m", -day);
    expect(recent10s).toBeGreaterThan(0);
    expect(await count("telemetry_edges_10s", day)).toBeGreaterThan(0);
    // Ages shortened for the test: 1 min rows older than 1 day, 1 h rows older than 2.5 days.
    const pruned = await pruneTelemetry({
      prisma: services.prisma,
      now: new Date(now),
      settings: { oneMinuteMs: day, oneHourMs: 2.5 * day },
    });
    expect(pruned.tenSecond).toBeGreaterThan(0);
    expect(await count("telemetry_edges_10s", day)).toBe(0);
    expect(await count("telemetry_edges_10s", -day)).toBe(recent10s);
    expect(await count("telemetry_edges_1m", day)).toBe(0);
    expect(await count("telemetry_edges_1m", -day)).toBe(recent1m);
    expect(await count("telemetry_edges_1h", 2 * day)).toBeGreaterThan(0); // 2 days old: kept
    const batches = await services.prisma.telemetryBatch.count({
      where: { clusterId: { in: [...clusters.values()].map((c) => c.id) } },
    });
    expect(batches).toBeGreaterThan(0); // received now, so kept
    // Two days on, batch ids go; edge rows kept (other test files share this database).
    await pruneTelemetry({
      prisma: services.prisma,
      now: new Date(Date.now() + 2 * day),
      settings: {
        tenSecondMs: 3650 * day,
        oneMinuteMs: 3650 * day,
        fiveMinuteMs: 3650 * day,
        oneHourMs: 3650 * day,
      },
    });
    expect(
      await services.prisma.telemetryBatch.count({
        where: { clusterId: { in: [...clusters.values()].map((c) => c.id) } },
      }),
    ).toBe(0);
    // Edge keys go once unseen for longer than the hourly table keeps rows (plus a margin).
    const keysOf = () => services.prisma.telemetryEdgeKey.count({ where: { organizationId } });
    expect(await keysOf()).toBeGreaterThan(0);
    const tenYears = 3650 * day;
    await services.prisma.telemetryEdgeKey.updateMany({
      where: { organizationId },
      data: { lastSeenAt: new Date(Date.now() - tenYears - day) },
    });
    await pruneTelemetry({ prisma: services.prisma, settings: { oneHourMs: tenYears } });
    expect(await keysOf()).toBeGreaterThan(0); // within the margin
    await services.prisma.telemetryEdgeKey.updateMany({
      where: { organizationId },
      data: { lastSeenAt: new Date(Date.now() - tenYears - 3 * day) },
    });
    const { edgeKeys } = await pruneTelemetry({ prisma: services.prisma, settings: { oneHourMs: tenYears } });
    expect(edgeKeys).toBeGreaterThan(0);
    expect(await keysOf()).toBe(0);
  });
});

/** Expected graph edges computed from the batches: counts from source reports, else destination. */
function expectedCalls(batches: SyntheticClusterBatch[]) {
  const calls = new Map<
    string,
    { requests: number; errors: number; latency: number[]; mtls: number; secured: number }
  >();
  const hasSource = new Set<string>();
  const all = batches.flatMap((b) => b.batch.edges);
  const fine = (e: TelemetryEdgeSample) =>
    `${e.protocol}|${e.source.cluster}|${e.source.namespace}|${e.source.workload}|${e.destination.cluster}|${e.destination.namespace}|${e.destination.service}|${e.destination.workload}`;
  for (const e of all) if (e.reporter === "source") hasSource.add(fine(e));
  for (const e of all) {
    const source =
      e.source.workload === "unknown"
        ? "unknown"
        : `w|${e.source.cluster}|${e.source.namespace}|${e.source.workload}`;
    const id = `${source}>s|${e.destination.cluster}|${e.destination.namespace}|${e.destination.service}|${e.protocol}`;
    const entry = calls.get(id) ?? {
      requests: 0,
      errors: 0,
      latency: new Array<number>(20).fill(0),
      mtls: 0,
      secured: 0,
    };
    const counts = e.reporter === "source" || !hasSource.has(fine(e));
    if (counts) {
      entry.requests += requestsOf(e);
      entry.errors += e.responses["5xx"];
      e.latencyCounts.forEach((c, i) => {
        entry.latency[i] = (entry.latency[i] ?? 0) + c;
      });
    }
    if (e.reporter === "destination") {
      entry.mtls += e.mutualTlsRequests;
      entry.secured += e.protocol === "tcp" ? e.tcpConnectionsOpened : requestsOf(e);
    }
    calls.set(id, entry);
  }
  return calls;
}

function p95Of(latency: number[]): number {
  let running = 0;
  const samples = latency.map((count, i) => {
    running += count;
    return { upperBound: ISTIO_DEFAULT_BUCKETS_MS[i] ?? Number.POSITIVE_INFINITY, count: running };
  });
  return histogramQuantile(0.95, samples).value;
}

describe("graph.get and graph.series", () => {
  const fiveMinutes = 300_000;

  async function meshOverFiveMinutes(label: string) {
    const org = await orgWithClusters(label, ["c0", "c1"]);
    // Aligned to a minute: a 5 min range reads 1 min buckets (and the 10 s ones not rolled up).
    const start = Math.floor(Date.now() / 60_000) * 60_000 - fiveMinutes - 60_000;
    const batches: SyntheticClusterBatch[] = [];
    for (let end = start + 10_000; end <= start + fiveMinutes; end += 10_000)
      batches.push(...syntheticMeshBatches({ ...mesh, windowEnd: end, seed: label }));
    await ingestAll(org.organizationId, org.clusters, batches);
    return { ...org, start, end: start + fiveMinutes, batches };
  }

  it("returns the nodes, edges, rates, error rates, mTLS shares and percentiles of the batches", async () => {
    const { caller, orgSlug, start, end, batches } = await meshOverFiveMinutes("tele-graph");
    const graph = await caller.graph.get({ orgSlug, start, end });
    expect(graph.resolutionSeconds).toBe(60);
    expect(graph.range).toEqual({ start, end });
    const expected = expectedCalls(batches);
    const calls = graph.edges.filter((e) => e.target.startsWith("s|"));
    expect(calls.map((e) => e.id).sort()).toEqual([...expected.keys()].sort());
    for (const edge of calls) {
      const want = expected.get(edge.id);
      if (!want) throw new Error(edge.id);
      expect(edge.requestRate).toBeCloseTo(want.requests / 300, 9);
      if (edge.protocol !== "tcp") {
        expect(edge.errorRate).toBeCloseTo(want.errors / want.requests, 9);
        expect(edge.latency.p95?.valueMs).toBeCloseTo(p95Of(want.latency), 9);
        const p95 = edge.latency.p95;
        if (p95) {
          expect(p95.valueMs).toBeGreaterThanOrEqual(p95.bucket.lowerMs);
          expect(p95.valueMs).toBeLessThanOrEqual(p95.bucket.upperMs);
        }
      }
      expect(edge.mtlsShare).toBeCloseTo(want.mtls / want.secured, 9);
      expect(edge.isCrossCluster).toBe(
        !edge.source.startsWith("unknown") && edge.source.split("|")[1] !== edge.target.split("|")[1],
      );
    }
    // The mesh has what it promises: cross-cluster, plain-text, failing and unknown callers.
    expect(calls.some((e) => e.isCrossCluster)).toBe(true);
    expect(calls.some((e) => e.mtlsShare === 0)).toBe(true);
    expect(graph.nodes.some((n) => n.kind === "unknown")).toBe(true);
    // Nodes: every service and workload seen, service inbound = sum of its inbound calls.
    for (const node of graph.nodes.filter((n) => n.kind === "service")) {
      const inbound = calls.filter((e) => e.target === node.id).reduce((sum, e) => sum + e.requestRate, 0);
      expect(node.inboundRate).toBeCloseTo(inbound, 9);
      const served = graph.edges
        .filter((e) => e.source === node.id)
        .reduce((sum, e) => sum + e.requestRate, 0);
      expect(node.outboundRate).toBeCloseTo(served, 9);
    }
    const v2 = graph.nodes.find((n) => n.kind === "workload" && n.version === "v2");
    expect(v2?.app).toBeDefined();
    expect(graph.edges.some((e) => e.target === v2?.id && e.source.startsWith("s|"))).toBe(true);
  });

  it("filters by cluster and namespace", async () => {
    const { caller, orgSlug, start, end } = await meshOverFiveMinutes("tele-filter");
    const all = await caller.graph.get({ orgSlug, start, end });
    const byCluster = await caller.graph.get({ orgSlug, start, end, clusters: ["c1"] });
    const inC1 = (id: string) => id.split("|")[1] === "c1";
    expect(byCluster.edges.length).toBeGreaterThan(0);
    expect(byCluster.edges.length).toBeLessThan(all.edges.length);
    for (const edge of byCluster.edges) expect(inC1(edge.source) || inC1(edge.target)).toBe(true);
    // Every call into or out of c1 is there with the same rate; nodes are the edges' ends.
    for (const edge of all.edges.filter(
      (e) => e.target.startsWith("s|") && (inC1(e.source) || inC1(e.target)),
    ))
      expect(byCluster.edges.find((e) => e.id === edge.id)?.requestRate).toBeCloseTo(edge.requestRate, 9);
    const ends = new Set(byCluster.edges.flatMap((e) => [e.source, e.target]));
    expect(byCluster.nodes.map((n) => n.id).sort()).toEqual([...ends].sort());
    const byNamespace = await caller.graph.get({
      orgSlug,
      start,
      end,
      namespaces: ["ns1"],
      clusters: ["c0"],
    });
    const inScope = (id: string) => id.split("|")[1] === "c0" && id.split("|")[2] === "ns1";
    for (const edge of byNamespace.edges) expect(inScope(edge.source) || inScope(edge.target)).toBe(true);
    expect(byNamespace.edges.length).toBeGreaterThan(0);
  });

  it("reads only the caller's rows when another organization's edges carry the same labels (same edge keys)", async () => {
    const mine = await meshOverFiveMinutes("tele-twin");
    // Another organization with clusters of the same names sending the same traffic: its edge keys
    // are the same (they hash the labels), so its rows would double every rate if they were read.
    const twin = await orgWithClusters("tele-twin-other", ["c0", "c1"]);
    await ingestAll(twin.organizationId, twin.clusters, mine.batches);
    const expected = expectedCalls(mine.batches);
    const { caller, orgSlug, start, end } = mine;
    const scoped = await caller.graph.get({ orgSlug, start, end, clusters: ["c0"], namespaces: ["ns1"] });
    const calls = scoped.edges.filter((e) => e.target.startsWith("s|"));
    expect(calls.length).toBeGreaterThan(0);
    for (const edge of calls)
      expect(edge.requestRate).toBeCloseTo((expected.get(edge.id)?.requests ?? Number.NaN) / 300, 9);
    const [edgeId, want] = [...expected.entries()].find(([id]) => id.endsWith("|http")) ?? [];
    if (!edgeId || !want) throw new Error("no http edge");
    const series = await caller.graph.series({
      orgSlug,
      target: { kind: "edge", id: edgeId },
      lastSeconds: 600,
    });
    expect(series.points.reduce((sum, p) => sum + p.requestRate * 10, 0)).toBeCloseTo(want.requests, 6);
  });

  it("gives a node's and an edge's series with the same totals", async () => {
    const { caller, orgSlug, batches } = await meshOverFiveMinutes("tele-series");
    const expected = expectedCalls(batches);
    const [edgeId, want] =
      [...expected.entries()].find(([id]) => id.endsWith("|http") && !id.startsWith("unknown")) ?? [];
    if (!edgeId || !want) throw new Error("no http edge");
    const series = await caller.graph.series({
      orgSlug,
      target: { kind: "edge", id: edgeId },
      lastSeconds: 600,
    });
    expect(series.resolutionSeconds).toBe(10);
    expect(series.points.length).toBeGreaterThanOrEqual(60);
    const total = series.points.reduce((sum, p) => sum + p.requestRate * 10, 0);
    expect(total).toBeCloseTo(want.requests, 6);
    const active = series.points.filter((p) => p.requestRate > 0);
    expect(active.length).toBe(30);
    expect(active.every((p) => p.p50Ms !== null && p.errorRate !== null)).toBe(true);
    const serviceId = edgeId.split(">")[1]?.replace(/\|http$/, "") ?? "";
    const node = await caller.graph.series({
      orgSlug,
      target: { kind: "node", id: serviceId },
      lastSeconds: 600,
    });
    const nodeTotal = node.points.reduce((sum, p) => sum + p.requestRate * 10, 0);
    const intoService = [...expected.entries()]
      .filter(([id]) => id.split(">")[1]?.startsWith(`${serviceId}|`))
      .reduce((sum, [, v]) => sum + v.requests, 0);
    expect(nodeTotal).toBeCloseTo(intoService, 6);
    await expect(
      caller.graph.series({ orgSlug, target: { kind: "edge", id: "nonsense" }, lastSeconds: 600 }),
    ).rejects.toThrow(/Not a graph edge id/);
  });

  it("reads the same totals from quarter hours, 5 min and 1 min rollups plus the 10 s tail as from 10 s buckets alone", async () => {
    const org = await orgWithClusters("tele-tail", ["c0", "c1"]);
    const now = Date.now();
    const first = Math.floor(now / 60_000) * 60_000 - 50 * 60_000;
    const batches: SyntheticClusterBatch[] = [];
    for (let end = first + 10_000; end <= now - 10_000; end += 30_000)
      batches.push(...syntheticMeshBatches({ ...mesh, windowEnd: end, seed: "tail" }));
    await ingestAll(org.organizationId, org.clusters, batches);
    const range = { start: first - 5 * 60_000, end: now };
    // Forced to the 10 s table: what every instant of the range holds, read once.
    const fromTenSeconds = await getServiceGraph({
      prisma: services.prisma,
      organizationId: org.organizationId,
      range,
      resolution: 10,
    });
    await rollupTelemetry({ prisma: services.prisma, now: new Date(now) });
    const rolled = await services.prisma.telemetryEdge15m.count({
      where: { organizationId: org.organizationId },
    });
    expect(rolled).toBeGreaterThan(0);
    const after = await org.caller.graph.get({ orgSlug: org.orgSlug, ...range });
    expect(after.resolutionSeconds).toBe(300);
    expect(after.edges.length).toBe(fromTenSeconds.edges.length);
    const seconds = (graph: { range: { start: number; end: number } }) =>
      (graph.range.end - graph.range.start) / 1000;
    for (const edge of fromTenSeconds.edges)
      expect((after.edges.find((e) => e.id === edge.id)?.requestRate ?? 0) * seconds(after)).toBeCloseTo(
        edge.requestRate * seconds(fromTenSeconds),
        6,
      );
  });

  it("shows a late batch (an agent back after buffering) at once, and keeps it after the next rollup", async () => {
    const org = await orgWithClusters("tele-late", ["c0", "c1"]);
    const now = Date.now();
    const first = Math.floor(now / 60_000) * 60_000 - 20 * 60_000;
    const onTime: SyntheticClusterBatch[] = [];
    for (let end = first + 10_000; end <= now - 10_000; end += 60_000)
      onTime.push(...syntheticMeshBatches({ ...mesh, windowEnd: end, seed: "late" }));
    await ingestAll(org.organizationId, org.clusters, onTime);
    await rollupTelemetry({ prisma: services.prisma, now: new Date(now) });
    const range = { start: first - 30 * 60_000, end: now };
    const total = (graph: { edges: { requestRate: number }[] }) =>
      graph.edges.reduce((sum, edge) => sum + edge.requestRate, 0);
    const before = total(await org.caller.graph.get({ orgSlug: org.orgSlug, ...range }));
    // The same mesh again, 15 minutes back: buckets every rollup level has already closed.
    const late = syntheticMeshBatches({ ...mesh, windowEnd: first + 5 * 60_000 + 5_000, seed: "late-again" });
    await ingestAll(org.organizationId, org.clusters, late);
    const lateRequests = late
      .flatMap((entry) => entry.batch.edges)
      .filter((edge) => edge.reporter === "source" || edge.source.workload === "unknown")
      .reduce((sum, edge) => sum + Object.values(edge.responses).reduce((a, b) => a + b, 0), 0);
    expect(lateRequests).toBeGreaterThan(0);
    const seen = await org.caller.graph.get({ orgSlug: org.orgSlug, ...range });
    const rangeSeconds = (seen.range.end - seen.range.start) / 1000;
    expect(total(seen)).toBeGreaterThan(before);
    await rollupTelemetry({ prisma: services.prisma, now: new Date(now) });
    const kept = await org.caller.graph.get({ orgSlug: org.orgSlug, ...range });
    expect(total(kept) * rangeSeconds).toBeCloseTo(total(seen) * rangeSeconds, 3);
  });

  it("opens a big mesh on the namespace overview, whose namespaces expand from graph.get scoped to each", async () => {
    const org = await orgWithClusters("tele-overview", ["c0", "c1"]);
    const end = Math.floor(Date.now() / 10_000) * 10_000;
    // 2 clusters × 4 namespaces × 40 workloads (30 services): ≈ 560 nodes, over the overview's 300.
    const big = { ...mesh, namespacesPerCluster: 4, workloadsPerNamespace: 40, edgesPerNode: 2 };
    await ingestAll(
      org.organizationId,
      org.clusters,
      syntheticMeshBatches({ ...big, windowEnd: end, seed: "big" }),
    );
    const range = { start: end - 300_000, end };
    const full = await org.caller.graph.get({ orgSlug: org.orgSlug, ...range });
    expect(full.nodes.length).toBeGreaterThan(overviewAboveNodes);
    const opened = await org.caller.graph.overview({ orgSlug: org.orgSlug, ...range });
    if (opened.mode !== "overview") throw new Error(`expected the overview, got ${opened.mode}`);
    expect(opened.nodeCount).toBe(full.nodes.length);
    expect(opened.view).toEqual(limitOverviewEdges(aggregateByNamespace(full), overviewEdgeLimit).view);
    const namespaces = opened.view.nodes.filter((node) => node.kind === "namespace");
    expect(namespaces).toHaveLength(8);
    // Expanding two namespaces from their scoped graphs gives the view of the whole graph.
    const keys = ["c0|ns0", "c1|ns2"];
    const scoped = new Map<string, ServiceGraph>();
    for (const key of keys) {
      const { cluster, namespace } = namespaceOfKey(key);
      scoped.set(
        key,
        await org.caller.graph.get({
          orgSlug: org.orgSlug,
          ...range,
          clusters: [cluster],
          namespaces: [namespace],
        }),
      );
    }
    const byId = <T extends { id: string }>(items: readonly T[]) =>
      [...items].sort((a, b) => a.id.localeCompare(b.id));
    const expanded = expandOverview(opened.view, scoped);
    const expected = buildGraphView(full, { expanded: new Set(keys) });
    expect(byId(expanded.nodes)).toEqual(byId(expected.nodes));
    expect(byId(expanded.edges)).toEqual(byId(expected.edges));
    // A small mesh comes whole.
    const small = await orgWithClusters("tele-overview-small", ["c0", "c1"]);
    await ingestAll(
      small.organizationId,
      small.clusters,
      syntheticMeshBatches({ ...mesh, windowEnd: end, seed: "small" }),
    );
    const whole = await small.caller.graph.overview({ orgSlug: small.orgSlug, ...range });
    expect(whole.mode).toBe("graph");
  });

  it("is empty for an organization without telemetry", async () => {
    const { caller, orgSlug } = await orgWithClusters("tele-empty", []);
    const graph = await caller.graph.get({ orgSlug, lastSeconds: 3600 });
    expect(graph).toMatchObject({ nodes: [], edges: [], resolutionSeconds: 300 });
  });
});
