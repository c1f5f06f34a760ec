// Stores one agent telemetry batch: exactly once (by batch id), in one transaction, in two
// statements however many edges it carries.
import { createHash } from "node:crypto";
import type { TelemetryAck, TelemetryBatch, TelemetryEdgeSample } from "@switchyard/agent-protocol/v1";
import type { PrismaClient } from "@switchyard/db/client";
import { Prisma } from "@switchyard/db/generated/prisma/client";
import { conflictTarget, edgeTables, labelColumns, valueColumns } from "./columns";

/** Width of the buckets ingest writes (the finest table). */
export const ingestBucketSeconds = 10;

/**
 * The 10 s bucket a batch's samples are stored in: the one holding `windowEnd − 1`, the last
 * millisecond the window covers (windows are `[start, end)`). Agents read windows aligned to their
 * scrape interval (≤ 10 s), so a window lies in one bucket and this is exact. A longer window (an
 * agent catching up after an outage) lands whole in its last bucket: totals over any range that
 * contains it stay exact, only that bucket's rate is overstated. Spreading it proportionally would
 * invent a flat rate the agent never saw, and would cost one row per bucket and edge.
 */
export function bucketStartOf(windowEndMs: number, bucketSeconds = ingestBucketSeconds): number {
  const width = bucketSeconds * 1000;
  return Math.floor((windowEndMs - 1) / width) * width;
}

/** The labels that make a sample's identity (with the reporting cluster and the bucket). */
export function labelValuesOf(sample: TelemetryEdgeSample): string[] {
  const { source, destination } = sample;
  return [
    sample.reporter,
    sample.protocol,
    source.cluster,
    source.namespace,
    source.workload,
    source.app,
    source.version,
    destination.cluster,
    destination.namespace,
    destination.service,
    destination.workload,
    destination.app,
    destination.version,
  ];
}

/** An MD5 of the labels as a uuid: the tables' key compares 16 bytes instead of 13 strings. */
export function edgeKeyOf(labels: readonly string[]): string {
  const hex = createHash("md5").update(JSON.stringify(labels)).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The summable values of a sample, in `valueColumns` order. */
export function valuesOf(sample: TelemetryEdgeSample): number[] {
  const r = sample.responses;
  return [
    r["1xx"],
    r["2xx"],
    r["3xx"],
    r["4xx"],
    r["5xx"],
    r.other,
    ...sample.latencyCounts,
    sample.latencySumMs,
    sample.mutualTlsRequests,
    sample.requestBytes,
    sample.responseBytes,
    sample.tcpConnectionsOpened,
    sample.tcpSentBytes,
    sample.tcpReceivedBytes,
  ];
}

const insertColumns = Prisma.raw(
  ["organization_id", "cluster_id", "bucket_start", "edge_key", ...labelColumns, ...valueColumns].join(", "),
);
const unnestColumns = Prisma.raw(
  ["edge_key", ...labelColumns, ...valueColumns].map((c) => `u.${c}`).join(", "),
);
const unnestAliases = Prisma.raw(["edge_key", ...labelColumns, ...valueColumns].join(", "));
const addOnConflict = Prisma.raw(
  valueColumns.map((c) => `${c} = ${edgeTables[10]}.${c} + excluded.${c}`).join(", "),
);
const table10s = Prisma.raw(edgeTables[10]);

/**
 * Stores a batch of the cluster's agent. One transaction: the batch id first (a conflict means it
 * was stored before: acknowledge as a duplicate, store nothing), then every edge in one
 * `INSERT … SELECT FROM unnest(…)` that adds into existing rows of the same bucket (two batches
 * whose windows share a bucket, or a row of another reporter's batch, sum up).
 *
 * `clusterId` and `organizationId` come from the agent's credential, never from the batch.
 */
export async function ingestTelemetryBatch(options: {
  prisma: PrismaClient;
  organizationId: string;
  clusterId: string;
  batch: TelemetryBatch;
}): Promise<TelemetryAck> {
  const { prisma, organizationId, clusterId, batch } = options;
  // Samples with equal labels in one batch are summed first: one statement cannot update a row twice.
  const rows = new Map<string, { labels: string[]; values: number[] }>();
  for (const sample of batch.edges) {
    const labels = labelValuesOf(sample);
    const key = edgeKeyOf(labels);
    const values = valuesOf(sample);
    const existing = rows.get(key);
    if (existing)
      for (let i = 0; i < values.length; i++)
        existing.values[i] = (existing.values[i] ?? 0) + (values[i] ?? 0);
    else rows.set(key, { labels, values });
  }
  const keys = [...rows.keys()];
  const entries = [...rows.values()];
  const labelArrays = labelColumns.map((_, column) => entries.map((row) => row.labels[column] ?? ""));
  const valueArrays = valueColumns.map((_, column) => entries.map((row) => row.values[column] ?? 0));
  const bucketStart = new Date(bucketStartOf(batch.windowEnd));

  return prisma.$transaction(
    async (tx) => {
      const inserted = await tx.$executeRaw`
        insert into telemetry_batches (cluster_id, batch_id, edge_count, received_at)
        values (${clusterId}, ${batch.batchId}, ${batch.edges.length}, now())
        on conflict (cluster_id, batch_id) do nothing`;
      if (inserted === 0) return { isDuplicate: true, storedEdges: 0 };
      if (entries.length > 0) {
        // Array literals built here and sent as one text parameter each: much cheaper than letting
        // the driver serialize 41 arrays element by element (measured: see docs/telemetry.md).
        const arrays = Prisma.join(
          [
            Prisma.sql`${arrayLiteral(keys)}::uuid[]`,
            ...labelArrays.map((values) => Prisma.sql`${arrayLiteral(values)}::text[]`),
            ...valueArrays.map((values) => Prisma.sql`${numberArrayLiteral(values)}::float8[]`),
          ],
          ", ",
        );
        await tx.$executeRaw`
          insert into ${table10s} (${insertColumns})
          select ${organizationId}, ${clusterId}, ${bucketStart}::timestamptz, ${unnestColumns}
          from unnest(${arrays}) as u(${unnestAliases})
          on conflict ${Prisma.raw(conflictTarget)} do update set ${addOnConflict}`;
      }
      return { isDuplicate: false, storedEdges: batch.edges.length };
    },
    { timeout: 60_000 },
  );
}

/** A Postgres array literal of strings: every element quoted, `"` and `\\` escaped. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
}

/** A Postgres array literal of finite numbers (zod already refused anything else). */
export function numberArrayLiteral(values: readonly number[]): string {
  return `{${values.join(",")}}`;
}
