// Stores one agent telemetry batch: exactly once (by batch id), in one transaction, in one
// statement however many edges it carries.
import { createHash } from "node:crypto";
import type {
  TelemetryAck,
  TelemetryBatch,
  TelemetryEdgeSample,
  TelemetryResume,
} from "@switchyard/agent-protocol/v1";
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
  ["organization_id", "cluster_id", "bucket_start", "edge_key", ...valueColumns].join(", "),
);
const unnestColumns = Prisma.raw(["edge_key", ...valueColumns].map((c) => `u.${c}`).join(", "));
const unnestAliases = Prisma.raw(["edge_key", ...valueColumns].join(", "));
const addOnConflict = Prisma.raw(
  valueColumns.map((c) => `${c} = ${edgeTables[10]}.${c} + excluded.${c}`).join(", "),
);
const table10s = Prisma.raw(edgeTables[10]);
const keyColumns = Prisma.raw(labelColumns.join(", "));
const keyUnnestColumns = Prisma.raw(labelColumns.map((c) => `k.${c}`).join(", "));

/** An edge key this process computed, and when it last stored (or refreshed) the key's labels. */
interface CachedEdgeKey {
  key: string;
  storedAt: number;
}

/**
 * Edge keys per database client, by organization and labels: saves hashing the labels of every
 * sample, and ingest sends labels only for keys not stored lately, so a steady mesh's batches
 * carry keys and sums only. A key's labels are stored again once `storedKeyTtlMs` passed, so every
 * key with traffic is upserted at least that often, which keeps its `last_seen_at` (moved at most
 * once a day) far from the retention cutoff: a key is never dropped while an entry for it is alive.
 */
const edgeKeyCaches = new WeakMap<PrismaClient, Map<string, CachedEdgeKey>>();
const storedKeyTtlMs = 3_600_000;
/** About 250 bytes an entry: ≈ 50 MB at most. */
const edgeKeyCacheLimit = 200_000;

function edgeKeyCacheOf(prisma: PrismaClient): Map<string, CachedEdgeKey> {
  let cache = edgeKeyCaches.get(prisma);
  if (!cache) {
    cache = new Map();
    edgeKeyCaches.set(prisma, cache);
  }
  return cache;
}

/** Marks keys stored at `now`, re-inserting them last (a Map iterates oldest first), within the limit. */
function rememberStoredKeys(
  cache: Map<string, CachedEdgeKey>,
  stored: readonly [string, string][],
  now: number,
): void {
  for (const [cacheId, key] of stored) {
    cache.delete(cacheId);
    cache.set(cacheId, { key, storedAt: now });
  }
  for (const cacheId of cache.keys()) {
    if (cache.size <= edgeKeyCacheLimit) break;
    cache.delete(cacheId);
  }
}

/**
 * Stores a batch of the cluster's agent in one statement (so one implicit transaction, one round
 * trip): a data-modifying CTE inserts the batch id (a conflict means it was stored before:
 * acknowledge as a duplicate, store nothing), and only when that inserted a row, the labels of keys
 * this process has not stored lately (`on conflict` refreshes `last_seen_at` once a day) and every
 * edge in one `INSERT … SELECT FROM unnest(…)` that adds into existing rows of the same bucket (two
 * batches whose windows share a bucket sum up).
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
  // One pass, column-wise: the values go straight into the array literals' parts, and samples with
  // equal labels in one batch are summed into one row (one statement cannot update a row twice).
  // Each array is then sent as one text parameter: much cheaper than letting the driver serialize
  // 33 arrays element by element (measured: see docs/telemetry.md).
  const cache = edgeKeyCacheOf(prisma);
  const now = Date.now();
  const quote = quoter();
  const rowOfId = new Map<string, number>();
  const keyParts: string[] = [];
  const valueParts = valueColumns.map((): number[] => []);
  /** [cache id, key] of the keys whose labels this statement stores. */
  const storing: [string, string][] = [];
  const newKeyParts: string[] = [];
  const newLabelParts = labelColumns.map((): string[] => []);
  for (const sample of batch.edges) {
    const labels = labelValuesOf(sample);
    // NUL never occurs in a stored label (Postgres text cannot hold it), so this id is unambiguous.
    const id = labels.join("\u0000");
    const values = valuesOf(sample);
    const existing = rowOfId.get(id);
    if (existing !== undefined) {
      for (let c = 0; c < values.length; c++) {
        const column = valueParts[c];
        if (column) column[existing] = (column[existing] ?? 0) + (values[c] ?? 0);
      }
      continue;
    }
    rowOfId.set(id, keyParts.length);
    for (let c = 0; c < values.length; c++) valueParts[c]?.push(values[c] ?? 0);
    const cacheId = `${organizationId}\u0000${id}`;
    const cached = cache.get(cacheId);
    const key = cached?.key ?? edgeKeyFromId(id);
    keyParts.push(key);
    if (cached && now - cached.storedAt < storedKeyTtlMs) continue;
    storing.push([cacheId, key]);
    newKeyParts.push(key);
    for (let c = 0; c < newLabelParts.length; c++) newLabelParts[c]?.push(quote(labels[c] ?? ""));
  }
  const values = Prisma.join(
    [
      Prisma.sql`${`{${keyParts.join(",")}}`}::uuid[]`,
      ...valueParts.map((parts) => Prisma.sql`${`{${parts.join(",")}}`}::float8[]`),
    ],
    ", ",
  );
  const newKeys = Prisma.join(
    [
      Prisma.sql`${`{${newKeyParts.join(",")}}`}::uuid[]`,
      ...newLabelParts.map((parts) => Prisma.sql`${`{${parts.join(",")}}`}::text[]`),
    ],
    ", ",
  );
  const bucketStart = new Date(bucketStartOf(batch.windowEnd));
  const statement = (onConflict: Prisma.Sql) => Prisma.sql`
    with batch as (
      insert into telemetry_batches (cluster_id, batch_id, edge_count, received_at, window_end)
      values (${clusterId}, ${batch.batchId}, ${batch.edges.length}, now(), ${new Date(batch.windowEnd)})
      on conflict (cluster_id, batch_id) do nothing
      returning 1
    ), keys as (
      insert into telemetry_edge_keys (organization_id, edge_key, ${keyColumns}, last_seen_at)
      select ${organizationId}, k.edge_key, ${keyUnnestColumns}, now()
      from unnest(${newKeys}) as k(edge_key, ${keyColumns})
      where exists (select 1 from batch)
      on conflict (organization_id, edge_key) do update set last_seen_at = excluded.last_seen_at
        where telemetry_edge_keys.last_seen_at < excluded.last_seen_at - interval '1 day'
    ), edges as (
      insert into ${table10s} (${insertColumns})
      select ${organizationId}, ${clusterId}, ${bucketStart}::timestamptz, ${unnestColumns}
      from unnest(${values}) as u(${unnestAliases})
      where exists (select 1 from batch)
      ${onConflict}
    ), rewound as (
      -- A late batch (an agent that was away, buffering) lands in a bucket a rollup level may have
      -- closed: move that level's watermark back to the bucket holding it, so queries read it from
      -- the finer table at once and the next rollup recomputes the coarse buckets from there.
      update telemetry_rollup_state
      set rolled_up_to = to_timestamp(floor(extract(epoch from ${bucketStart}::timestamptz) / resolution) * resolution),
          updated_at = clock_timestamp()
      where rolled_up_to > ${bucketStart}::timestamptz and exists (select 1 from batch)
    ), forgotten as (
      -- The same for the organization's graph recordings: one whose window ends after this bucket
      -- lacks this batch, so it is deleted and the graph computed on request until the next run.
      delete from telemetry_graph_recordings
      where organization_id = ${organizationId} and window_end > ${bucketStart}::timestamptz
        and exists (select 1 from batch)
    )
    select exists (select 1 from batch) as is_new`;
  // A plain insert first: agents ship windows further apart than a bucket, so a batch's bucket rows
  // are almost always new, and a plain insert costs about a sixth less than an upsert (measured,
  // docs/telemetry.md). When a row is there already (a short catch-up window), the failed statement
  // changed nothing, and the upsert adds into it.
  let result: { is_new: boolean } | undefined;
  try {
    [result] = await prisma.$queryRaw<{ is_new: boolean }[]>(statement(Prisma.empty));
  } catch (error) {
    if (!isBucketRowConflict(error)) throw error;
    [result] = await prisma.$queryRaw<{ is_new: boolean }[]>(
      statement(Prisma.sql`on conflict ${Prisma.raw(conflictTarget)} do update set ${addOnConflict}`),
    );
  }
  // A duplicate batch's keys were stored with the original.
  rememberStoredKeys(cache, storing, now);
  return result?.is_new
    ? { isDuplicate: false, storedEdges: batch.edges.length }
    : { isDuplicate: true, storedEdges: 0 };
}

/**
 * Where the cluster's stored telemetry ends: the latest window end of the batches on record (kept
 * a day), null when there are none. A restarted agent resumes reading there.
 */
export async function findTelemetryResume(options: {
  prisma: PrismaClient;
  clusterId: string;
}): Promise<TelemetryResume> {
  const [row] = await options.prisma.$queryRaw<{ last: Date | null }[]>`
    select max(window_end) as last from telemetry_batches where cluster_id = ${options.clusterId}`;
  return { lastWindowEnd: row?.last ? row.last.getTime() : null };
}

/** A unique violation of the 10 s table's key (P2002 with a driver adapter; P2010 wraps 23505). */
function isBucketRowConflict(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === "P2002") return true;
  return error.code === "P2010" && JSON.stringify(error.meta ?? {}).includes("23505");
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
