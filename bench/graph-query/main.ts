// p50/p99 of the graph query for the last hour (lastSeconds = 3600) of a mesh of ≈ 1,000 nodes and
// 3,000 edges, after an hour of 10 s batches went through the real ingest path and the rollup job
// ran as it would have. Measured through the service function `getServiceGraph` (SQL sum per
// edge key + badges + the pure builder), without HTTP and tRPC's output validation; on a database
// of its own. Also reported: the same query forced to read the 1 min and 10 s tables, which is why
// an hour reads 5 min buckets.
import { createPrismaClient } from "@switchyard/db/client";
import { getServiceGraph } from "../../apps/api/src/telemetry/graph-query";
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
    for (let w = 0; w < windows; w++) {
      const batches = syntheticMeshBatches({
        ...meshShape,
        windowEnd: last - (windows - 1 - w) * 10_000,
        seed: "graph",
      });
      // One agent per cluster, sending at the same time.
      await Promise.all(
        batches.map(({ cluster, batch }) => {
          samples += batch.edges.length;
          return ingestTelemetryBatch({
            prisma,
            organizationId: organization.id,
            clusterId: clusterIds.get(cluster) ?? "",
            batch,
          });
        }),
      );
      if ((w + 1) % 60 === 0) console.log(`ingested ${w + 1}/${windows} windows`);
    }
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

    const query = (resolution?: 10 | 60) => {
      const end = Date.now();
      return getServiceGraph({
        prisma,
        organizationId: organization.id,
        range: { start: end - 3_600_000, end },
        ...(resolution ? { resolution } : {}),
      });
    };
    const graph = await query();
    for (let i = 0; i < 5; i++) await query(); // warm-up
    const latencies: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const started = performance.now();
      await query();
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    // The same range read from finer tables: why an hour reads 5 min buckets.
    const medianOf = async (resolution: 10 | 60, times: number) => {
      const measured: number[] = [];
      for (let i = 0; i < times; i++) {
        const started = performance.now();
        await query(resolution);
        measured.push(performance.now() - started);
      }
      return quantile(
        measured.sort((a, b) => a - b),
        0.5,
      );
    };
    const oneMinute = await medianOf(60, 5);
    const tenSecond = await medianOf(10, 3);
    console.log(
      JSON.stringify({
        bench: "graph-query",
        via: "getServiceGraph (service function)",
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
        p50_ms_reading_1m: round2(oneMinute),
        p50_ms_reading_10s: round2(tenSecond),
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
