// p50/p99 of the graph query for the last hour (lastSeconds = 3600) of a mesh of ≈ 1,000 nodes and
// 3,000 edges, after an hour of 10 s batches went through the real ingest path and the telemetry
// job ran as it would have (rollups, then the graph recordings). Measured through the service
// function `getServiceGraph` as the router calls it for "the last hour" (served from the
// recording), without HTTP and tRPC's output validation; on a database of its own. Also reported,
// so the recording's cost stays in view: what computing the same graph on request costs
// (`computeServiceGraph`, the path without a fresh recording), what one run of the recordings
// costs the job, and the computed query forced to read the 1 min and 10 s tables (why an hour
// reads 5 min buckets). And the query the graph page makes when a namespace is expanded
// (`computeServiceGraph` scoped to one cluster and namespace, never recorded), for the page's
// default range (15 min) and for the hour, each namespace in turn.
import { createPrismaClient } from "@switchyard/db/client";
import { namespaceKeys, namespaceOfKey } from "@switchyard/telemetry-model/graph-aggregate";
import { computeServiceGraph, getServiceGraph, recordGraphs } from "../../apps/api/src/telemetry/graph-query";
import { ingestTelemetryBatch } from "../../apps/api/src/telemetry/ingest";
import { rollupTelemetry } from "../../apps/api/src/telemetry/rollup";
import { syntheticMeshBatches } from "../../apps/api/src/telemetry/synthetic-mesh";
import { dropTestDatabase } from "../../packages/db/src/test-database";
import { createBenchDatabase, quantile, round2 } from "../support";

// 3 clusters × 10 namespaces × 20 workloads (15 services) calling 4 services each.
const meshShape = {
  clusters: 3,
  namespacesPerCluster: 10,
  workloadsPerNamespace: 20,
  edgesPerNode: 4,
  windowSeconds: 10,
};
const windows = 360;
const iterations = 100;

async function main() {
  const databaseUrl = await createBenchDatabase();
  const prisma = createPrismaClient({ databaseUrl });
  try {
    const organization = await prisma.organization.create({ data: { name: "Bench", slug: "bench" } });
    const clusterIds = new Map<string, string>();
    for (let c = 0; c < meshShape.clusters; c++) {
      const cluster = await prisma.cluster.create({
        data: { organizationId: organization.id, name: `c${c}` },
      });
      clusterIds.set(cluster.name, cluster.id);
    }
    const last = Math.floor(Date.now() / 10_000) * 10_000;
    const ingestStarted = performance.now();
    let samples = 0;
    // One agent per cluster, sending at the same time.
    const ingestWindow = (windowEnd: number) =>
      Promise.all(
        syntheticMeshBatches({ ...meshShape, windowEnd, seed: "graph" }).map(({ cluster, batch }) => {
          samples += batch.edges.length;
          return ingestTelemetryBatch({
            prisma,
            organizationId: organization.id,
            clusterId: clusterIds.get(cluster) ?? "",
            batch,
          });
        }),
      );
    for (let w = 0; w < windows; w++) {
      await ingestWindow(last - (windows - 1 - w) * 10_000);
      if ((w + 1) % 60 === 0) console.log(`ingested ${w + 1}/${windows} windows`);
    }
    // Then the windows that passed meanwhile, as agents sending live would have: the hour ends now.
    for (let windowEnd = last + 10_000; windowEnd <= Date.now(); windowEnd += 10_000)
      await ingestWindow(windowEnd);
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;
    const rollupStarted = performance.now();
    await rollupTelemetry({ prisma });
    const rollupMs = performance.now() - rollupStarted;
    await prisma.$executeRawUnsafe("vacuum analyze telemetry_edges_10s");
    await prisma.$executeRawUnsafe("vacuum analyze telemetry_edges_1m");
    await prisma.$executeRawUnsafe("vacuum analyze telemetry_edges_5m");
    const [counts] = await prisma.$queryRawUnsafe<{ rows10s: number; rows1m: number; rows5m: number }[]>(
      "select (select count(*) from telemetry_edges_10s)::int as rows10s, (select count(*) from telemetry_edges_1m)::int as rows1m, (select count(*) from telemetry_edges_5m)::int as rows5m",
    );

    const recordingRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const recorded = await recordGraphs({ prisma });
      recordingRuns.push(performance.now() - started);
      if (recorded.recordings !== 2)
        throw new Error(`expected 2 recordings, got ${JSON.stringify(recorded)}`);
    }
    const lastHour = () => {
      const end = Date.now();
      return { start: end - 3_600_000, end };
    };
    const served = () =>
      getServiceGraph({ prisma, organizationId: organization.id, range: lastHour(), lastSeconds: 3600 });
    const computed = (resolution?: 10 | 60) =>
      computeServiceGraph({
        prisma,
        organizationId: organization.id,
        range: lastHour(),
        ...(resolution ? { resolution } : {}),
      });
    const timed = async (query: () => Promise<unknown>, times: number) => {
      const measured: number[] = [];
      for (let i = 0; i < times; i++) {
        const started = performance.now();
        await query();
        measured.push(performance.now() - started);
      }
      return measured.sort((a, b) => a - b);
    };
    const graph = await served();
    if (graph.recordedAt === undefined) throw new Error("the last hour was not served from its recording");
    await timed(served, 5); // warm-up
    const latencies = await timed(served, iterations);
    const computedLatencies = await timed(computed, 20);
    // The same range read from finer tables: why an hour reads 5 min buckets.
    const oneMinute = quantile(await timed(() => computed(60), 5), 0.5);
    const tenSecond = quantile(await timed(() => computed(10), 3), 0.5);
    const graphNamespaces = namespaceKeys(graph);
    let nextNamespace = 0;
    const namespaceQuery = (rangeSeconds: number) => () => {
      const { cluster, namespace } = namespaceOfKey(
        graphNamespaces[nextNamespace++ % graphNamespaces.length] ?? "",
      );
      const end = Date.now();
      return computeServiceGraph({
        prisma,
        organizationId: organization.id,
        range: { start: end - rangeSeconds * 1000, end },
        clusters: [cluster],
        namespaces: [namespace],
      });
    };
    const namespace15m = await timed(namespaceQuery(900), 60);
    const namespaceHour = await timed(namespaceQuery(3600), 60);
    console.log(
      JSON.stringify({
        bench: "graph-query",
        via: "getServiceGraph (service function), served from the recording",
        nodes: graph.nodes.length,
        edges: graph.edges.length,
        resolution_s: graph.resolutionSeconds,
        rows_10s: counts?.rows10s,
        rows_1m: counts?.rows1m,
        rows_5m: counts?.rows5m,
        ingested_samples: samples,
        ingest_samples_per_s: Math.round(samples / ingestSeconds),
        rollup_ms: Math.round(rollupMs),
        iterations,
        p50_ms: round2(quantile(latencies, 0.5)),
        p99_ms: round2(quantile(latencies, 0.99)),
        p50_ms_computed: round2(quantile(computedLatencies, 0.5)),
        p99_ms_computed: round2(quantile(computedLatencies, 0.99)),
        recording_run_ms: round2(
          quantile(
            recordingRuns.sort((a, b) => a - b),
            0.5,
          ),
        ),
        p50_ms_reading_1m: round2(oneMinute),
        p50_ms_reading_10s: round2(tenSecond),
        namespaces: graphNamespaces.length,
        p50_ms_namespace_15m: round2(quantile(namespace15m, 0.5)),
        p99_ms_namespace_15m: round2(quantile(namespace15m, 0.99)),
        p50_ms_namespace_1h: round2(quantile(namespaceHour, 0.5)),
        p99_ms_namespace_1h: round2(quantile(namespaceHour, 0.99)),
      }),
    );
  } finally {
    await prisma.$disconnect();
    await dropTestDatabase(databaseUrl);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
