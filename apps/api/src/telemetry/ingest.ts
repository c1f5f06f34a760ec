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
  return edgeKeyFromId(labels.join("\u0000"));
}

function edgeKeyFromId(id: string): string {
  const hex = createHash("md5").update(id).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The summable values of a sample, in `valueColumns` order. */
export function valuesOf(sample: TelemetryEdgeSample): number[] {
  const r = sample.responses;
  const values = [r["1xx"], r["2xx"], r["3xx"], r["4xx"], r["5xx"], r.other];
  for (const count of sample.latencyCounts) values.push(count);
  values.push(
    sample.latencySumMs,
    sample.mutualTlsRequests,
    sample.requestBytes,
    sample.responseBytes,
    sample.tcpConnectionsOpened,
    sample.tcpSentBytes,
    sample.tcpReceivedBytes,
  );
  return values;
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
 * Stores a batch of the cluster's agent in one statement (so one implicit transaction, one round
 * trip): a data-modifying CTE inserts the batch id (a conflict means it was stored before:
 * acknowledge as a duplicate, store nothing), and only when that inserted a row, every edge in one
 * `INSERT … SELECT FROM unnest(…)` that adds into existing rows of the same bucket (two batches
 * whose windows share a bucket sum up).
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
    // NUL never occurs in a stored label (Postgres text cannot hold it), so this key is unambiguous.
    const id = labels.join("\u0000");
    const values = valuesOf(sample);
    const existing = rows.get(id);
    if (existing)
      for (let i = 0; i < values.length; i++)
        existing.values[i] = (existing.values[i] ?? 0) + (values[i] ?? 0);
    else rows.set(id, { labels, values });
  }
  // Column-wise array literals in one pass, sent as one text parameter each: much cheaper than
  // letting the driver serialize 41 arrays element by element (measured: see docs/telemetry.md).
  const quote = quoter();
  const keyParts: string[] = [];
  const labelParts = labelColumns.map((): string[] => []);
  const valueParts = valueColumns.map((): number[] => []);
  for (const [id, row] of rows) {
    keyParts.push(edgeKeyFromId(id));
    for (let c = 0; c < labelParts.length; c++) labelParts[c]?.push(quote(row.labels[c] ?? ""));
    for (let c = 0; c < valueParts.length; c++) valueParts[c]?.push(row.values[c] ?? 0);
  }
  const arrays = Prisma.join(
    [
      Prisma.sql`${`{${keyParts.join(",")}}`}::uuid[]`,
      ...labelParts.map((parts) => Prisma.sql`${`{${parts.join(",")}}`}::text[]`),
      ...valueParts.map((parts) => Prisma.sql`${`{${parts.join(",")}}`}::float8[]`),
    ],
    ", ",
  );
  const bucketStart = new Date(bucketStartOf(batch.windowEnd));
  const [result] = await prisma.$queryRaw<{ is_new: boolean }[]>`
    with batch as (
      insert into telemetry_batches (cluster_id, batch_id, edge_count, received_at)
      values (${clusterId}, ${batch.batchId}, ${batch.edges.length}, now())
      on conflict (cluster_id, batch_id) do nothing
      returning 1
    ), edges as (
      insert into ${table10s} (${insertColumns})
      select ${organizationId}, ${clusterId}, ${bucketStart}::timestamptz, ${unnestColumns}
      from unnest(${arrays}) as u(${unnestAliases})
      where exists (select 1 from batch)
      on conflict ${Prisma.raw(conflictTarget)} do update set ${addOnConflict}
    )
    select exists (select 1 from batch) as is_new`;
  if (result?.is_new) {
    // A late batch (an agent that was away, buffering) lands in a bucket a rollup level may have
    // closed: move that level's watermark back to the bucket holding it, so queries read it from
    // the finer table at once and the next rollup recomputes the coarse buckets from there.
    await prisma.$executeRaw`
      update telemetry_rollup_state
      set rolled_up_to = to_timestamp(floor(extract(epoch from ${bucketStart}::timestamptz) / resolution) * resolution),
          updated_at = clock_timestamp()
      where rolled_up_to > ${bucketStart}::timestamptz`;
  }
  return result?.is_new
    ? { isDuplicate: false, storedEdges: batch.edges.length }
    : { isDuplicate: true, storedEdges: 0 };
}

/** Quotes strings for an array literal, remembering each: label values repeat a lot in a batch. */
function quoter(): (value: string) => string {
  const quoted = new Map<string, string>();
  return (value) => {
    let found = quoted.get(value);
    if (found === undefined) {
      found = arrayLiteral([value]).slice(1, -1);
      quoted.set(value, found);
    }
    return found;
  };
}

/** A Postgres array literal of strings: every element quoted, `"` and `\\` escaped. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
}
