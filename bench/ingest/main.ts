// Edge samples per second through the telemetry ingest path (ingestTelemetryBatch: one statement
// per batch (batch-id insert, the labels of keys new to the process, one unnest upsert of the
// bucket rows), through Prisma) into Postgres, against the ceiling: a plain COPY of the same bucket
// rows into a table of the same shape (same columns, primary key and BRIN index), through psql's
// \copy. One agent's batches, sent one after the other, on a database of its own; the warm-up
// batch stores the mesh's edge keys (labels are written once per key, not per batch, as in a
// steady mesh). The batches are what the agent endpoint hands to ingest — JSON parsed and
// validated by the protocol's schema — prepared before the timing (the endpoint's parse is not
// counted). Medians of several runs.
import { spawn } from "node:child_process";
import { TelemetryBatch } from "@switchyard/agent-protocol/v1";
import { createPrismaClient } from "@switchyard/db/client";
import {
  bucketStartOf,
  edgeKeyOf,
  ingestTelemetryBatch,
  labelValuesOf,
  valuesOf,
} from "../../apps/api/src/telemetry/ingest";
import { syntheticMeshBatches } from "../../apps/api/src/telemetry/synthetic-mesh";
import { dropTestDatabase } from "../../packages/db/src/test-database";
import { createBenchDatabase, median, round2 } from "../support";

const runs = 5;
const windowsPerRun = 20;
// One cluster of 10 namespaces × 40 workloads calling 3 services each: ≈ 3,000 samples per batch.
const meshShape = {
  clusters: 1,
  namespacesPerCluster: 10,
  workloadsPerNamespace: 40,
  edgesPerNode: 3,
  windowSeconds: 10,
};

function copyWithPsql(databaseUrl: string, table: string, tsv: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const psql = spawn(
      "psql",
      [databaseUrl, "-q", "-v", "ON_ERROR_STOP=1", "-c", `\\copy ${table} from stdin`],
      {
        stdio: ["pipe", "ignore", "inherit"],
      },
    );
    psql.on("error", reject);
    psql.on("exit", (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`psql exited with ${code}`)),
    );
    psql.stdin.end(tsv);
  });
}

async function main() {
  const databaseUrl = await createBenchDatabase();
  const prisma = createPrismaClient({ databaseUrl });
  try {
    const organization = await prisma.organization.create({ data: { name: "Bench", slug: "bench" } });
    const cluster = await prisma.cluster.create({ data: { organizationId: organization.id, name: "c0" } });
    await prisma.$executeRawUnsafe("create table copy_ceiling (like telemetry_edges_10s including all)");
    const base = Date.UTC(2026, 0, 1);
    const ingestRates: number[] = [];
    const copyRates: number[] = [];
    // Warm-up (JIT, connections, plans), not counted.
    for (const { batch } of syntheticMeshBatches({ ...meshShape, windowEnd: base, seed: "warm" }))
      await ingestTelemetryBatch({ prisma, organizationId: organization.id, clusterId: cluster.id, batch });
    for (let run = 0; run < runs; run++) {
      // As the agent endpoint hands them to ingest: JSON parsed and validated (not timed here).
      const batches = Array.from({ length: windowsPerRun }, (_, w) =>
        syntheticMeshBatches({
          ...meshShape,
          windowEnd: base + (run * windowsPerRun + w + 1) * 10_000,
          seed: "bench",
        }),
      )
        .flat()
        .map(({ batch }) => ({ batch: TelemetryBatch.parse(JSON.parse(JSON.stringify(batch))) }));
      const samples = batches.reduce((sum, { batch }) => sum + batch.edges.length, 0);

      const started = performance.now();
      for (const { batch } of batches)
        await ingestTelemetryBatch({ prisma, organizationId: organization.id, clusterId: cluster.id, batch });
      const ingestMs = performance.now() - started;

      // The same rows as ingest stores them (samples with equal labels summed, bucket assigned).
      const lines: string[] = [];
      for (const { batch } of batches) {
        const rows = new Map<string, string[]>();
        const bucket = new Date(bucketStartOf(batch.windowEnd)).toISOString();
        for (const sample of batch.edges) {
          const labels = labelValuesOf(sample);
          const key = edgeKeyOf(labels);
          rows.set(key, [organization.id, cluster.id, bucket, key, ...valuesOf(sample).map(String)]);
        }
        for (const row of rows.values()) lines.push(row.join("\t"));
      }
      const copyMs = await copyWithPsql(databaseUrl, "copy_ceiling", `${lines.join("\n")}\n`);

      ingestRates.push(samples / (ingestMs / 1000));
      copyRates.push(samples / (copyMs / 1000));
      console.log(
        `run ${run + 1}: ${samples} samples, ingest ${Math.round(ingestMs)} ms (${Math.round(samples / (ingestMs / 1000))}/s), copy ${Math.round(copyMs)} ms`,
      );
    }
    const samplesPerSecond = median(ingestRates);
    const copyPerSecond = median(copyRates);
    console.log(
      JSON.stringify({
        bench: "ingest",
        runs,
        samples_per_run:
          Math.round(
            syntheticMeshBatches({ ...meshShape, windowEnd: base, seed: "bench" })[0]?.batch.edges.length ??
              0,
          ) * windowsPerRun,
        samples_per_s: Math.round(samplesPerSecond),
        copy_samples_per_s: Math.round(copyPerSecond),
        ratio_to_copy: round2(samplesPerSecond / copyPerSecond),
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
