// Stores one agent telemetry batch: exactly once (by batch id), in one transaction, its rows by
// COPY however many edges it carries.
import { createHash } from "node:crypto";
import type {
  TelemetryAck,
  TelemetryBatch,
  TelemetryEdgeSample,
  TelemetryResume,
} from "@switchyard/agent-protocol/v1";
import { copyRows, isUniqueViolation, type PrismaClient, withPoolTransaction } from "@switchyard/db/client";
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

const insertColumnNames = ["organization_id", "cluster_id", "bucket_start", "edge_key", ...valueColumns];
const table10s = edgeTables[10];
/** `u.edge_key, u.r1xx, …` and `edge_key, r1xx, …` for the upsert from unnest. */
const unnestColumns = ["edge_key", ...valueColumns].map((c) => `u.${c}`).join(", ");
const unnestAliases = ["edge_key", ...valueColumns].join(", ");
const addOnConflict = valueColumns.map((c) => `${c} = ${table10s}.${c} + excluded.${c}`).join(", ");
const keyColumns = labelColumns.join(", ");
const keyUnnestColumns = labelColumns.map((c) => `k.${c}`).join(", ");

/** Parameters `$from, $from+1, …` for `count` arrays, cast to `type[]`. */
function arrayParameters(from: number, count: number, type: string): string {
  return Array.from({ length: count }, (_, index) => `$${from + index}::${type}[]`).join(", ");
}

/**
 * The batch id, and only when that inserted a row, what a late batch moves back — in one round
 * trip; `inserted` is 0 for a duplicate.
 */
const insertBatchSql = `
  with batch as (
    insert into telemetry_batches (cluster_id, batch_id, edge_count, received_at, window_end)
    values ($1, $2, $3, now(), $4)
    on conflict (cluster_id, batch_id) do nothing
    returning 1
  ), rewound as (
    -- A late batch (an agent that was away, buffering) lands in a bucket a rollup level may have
    -- closed: move that level's watermark back to the bucket holding it, so queries read it from
    -- the finer table at once and the next rollup recomputes the coarse buckets from there.
    update telemetry_rollup_state
    set rolled_up_to = to_timestamp(floor(extract(epoch from $5::timestamptz) / resolution) * resolution),
        updated_at = clock_timestamp()
    where rolled_up_to > $5::timestamptz and exists (select 1 from batch)
  ), forgotten as (
    -- The same for the organization's graph recordings: one whose window ends after this bucket
    -- lacks this batch, so it is deleted and the graph computed on request until the next run.
    delete from telemetry_graph_recordings
    where organization_id = $6 and window_end > $5::timestamptz and exists (select 1 from batch)
  )
  select count(*)::int as inserted from batch`;
const insertKeysSql = `
  insert into telemetry_edge_keys (organization_id, edge_key, ${keyColumns}, last_seen_at)
  select $1, k.edge_key, ${keyUnnestColumns}, now()
  from unnest(${arrayParameters(2, 1, "uuid")}, ${arrayParameters(3, labelColumns.length, "text")})
    as k(edge_key, ${keyColumns})
  on conflict (organization_id, edge_key) do update set last_seen_at = excluded.last_seen_at
    where telemetry_edge_keys.last_seen_at < excluded.last_seen_at - interval '1 day'`;
const upsertRowsSql = `
  insert into ${table10s} (${insertColumnNames.join(", ")})
  select $1, $2, $3::timestamptz, ${unnestColumns}
  from unnest(${arrayParameters(4, 1, "uuid")}, ${arrayParameters(5, valueColumns.length, "float8")})
    as u(${unnestAliases})
  on conflict ${conflictTarget} do update set ${addOnConflict}`;
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
 * Stores a batch of the cluster's agent in one transaction: the batch id (a conflict means it was
 * stored before: acknowledge as a duplicate, store nothing), and only when that inserted a row, the
 * labels of keys this process has not stored lately (`on conflict` refreshes `last_seen_at` once a
 * day), every edge's bucket row by COPY (or, when the bucket has rows already, an upsert that adds
 * into them: two batches whose windows share a bucket sum up), and the late-batch bookkeeping.
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
  // One pass, column-wise: samples with equal labels in one batch are summed into one row (a bucket
  // row is written once). The columns then become COPY's lines, or, for the upsert, one array
  // literal each, sent as one text parameter: much cheaper than letting the driver serialize 33
  // arrays element by element (measured: see docs/telemetry.md).
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
  const bucketStart = new Date(bucketStartOf(batch.windowEnd));
  const rowCount = keyParts.length;
  /** The batch's rows in COPY's text format: ids, uuids and numbers need no escaping. */
  const copyText = () => {
    const prefix = `${organizationId}\t${clusterId}\t${bucketStart.toISOString()}\t`;
    const lines: string[] = new Array(rowCount);
    for (let row = 0; row < rowCount; row++) {
      let line = prefix + keyParts[row];
      for (const parts of valueParts) line += `\t${parts[row] ?? 0}`;
      lines[row] = line;
    }
    return `${lines.join("\n")}\n`;
  };
  /** The same rows as array literals, one per column, for the upsert. */
  const rowArrays = () => [`{${keyParts.join(",")}}`, ...valueParts.map((parts) => `{${parts.join(",")}}`)];
  // One transaction: the batch id with what a late batch moves back (a conflict means it was
  // stored before: acknowledge as a duplicate, store nothing), the labels of keys this process has
  // not stored lately, the rows. The rows go in by COPY: agents ship windows further apart
  // than a bucket, so a batch's bucket rows are almost always new, and COPY writes them about a
  // third faster than INSERT … SELECT (measured, docs/telemetry.md). When a row is there already (a
  // short catch-up window), the failed transaction changed nothing, and the second one adds into
  // it with an upsert.
  const store = (rows: "copy" | "upsert") =>
    withPoolTransaction(prisma, async (client) => {
      const [batchRow] = (
        await client.query<{ inserted: number }>(insertBatchSql, [
          clusterId,
          batch.batchId,
          batch.edges.length,
          new Date(batch.windowEnd),
          bucketStart,
          organizationId,
        ])
      ).rows;
      if (batchRow?.inserted !== 1) return false;
      if (newKeyParts.length > 0)
        await client.query(insertKeysSql, [
          organizationId,
          `{${newKeyParts.join(",")}}`,
          ...newLabelParts.map((parts) => `{${parts.join(",")}}`),
        ]);
      // A window without traffic has no rows (COPY refuses an empty line), only its batch id and
      // window end (resume, recordings).
      if (rowCount > 0 && rows === "copy") await copyRows(client, table10s, insertColumnNames, copyText());
      if (rowCount > 0 && rows === "upsert")
        await client.query(upsertRowsSql, [organizationId, clusterId, bucketStart, ...rowArrays()]);
      return true;
    });
  let isNew: boolean;
  try {
    isNew = await store("copy");
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    isNew = await store("upsert");
  }
  // A duplicate batch's keys were stored with the original.
  rememberStoredKeys(cache, storing, now);
  return isNew
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
