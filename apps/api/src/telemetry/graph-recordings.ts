// Recorded graphs (docs/telemetry.md, "Recorded graphs"): the telemetry job builds the graph of the
// last 15 min and of the last hour of every organization with live telemetry after each rollup
// and stores it, as Prometheus' recording rules precompute what dashboards read; the graph page's
// requests then cost a read instead of summing every edge's buckets. This module stores, finds
// and times them; graph-query.ts builds them.
import type { PrismaClient } from "@switchyard/db/client";
import { ingestBucketSeconds } from "./ingest";

/** The ranges recorded: the console's default range (15 min) and the last hour. */
export const recordedGraphRanges: readonly number[] = [900, 3600];

/**
 * A recording is served only while it was computed, and its window ended, at most this long ago:
 * the job runs every 30 s, so a fresh recording is never older than about a minute; an older one
 * means the job stopped or a cluster's telemetry lags, and the graph is computed on request.
 */
export const graphRecordingMaxAgeMs = 90_000;

/**
 * A recorded whole graph is at most this long (JSON characters; ≈ 1.5 MB for the 1,000-node
 * benchmark mesh, 7.8 MB for the 5,000-node one). Bigger graphs are opened on their overview, which
 * is recorded; the whole graph is computed when asked for ("Show every node"), instead of writing
 * ≈ 16 MB per organization every 30 s (measured: ≈ 0.45 s of each run for the 5,000-node mesh).
 */
export const recordedGraphMaxChars = 4_000_000;

/** Clusters whose latest batch arrived within this long are the ones a recording waits for. */
export const activeClusterWithinMs = 120_000;

/**
 * Batches received within this long before a run are left to the next one: an ingest statement
 * that began then may still be committing, and the run could not tell whether its read saw it.
 */
export const ingestSettleMs = 1_000;

/** What the cut needs of a cluster: its latest batch's window end and when that batch arrived. */
export interface ClusterTelemetryProgress {
  lastWindowEnd: number;
  lastReceivedAt: number;
}

/**
 * Where an organization's recording ends (exclusive, ms; undefined: nothing to record): the start
 * of the 10 s bucket holding the earliest latest window end of its active clusters. Every bucket
 * before it is complete — each active cluster's next batch ends after its last one, so it lands in
 * that bucket or later (`bucketStartOf`) — and a batch that lands before it anyway (a cluster that
 * was away, a batch out of order) deletes the recording at ingest. Pure.
 */
export function recordingCutOf(
  clusters: readonly ClusterTelemetryProgress[],
  now: number,
): number | undefined {
  const active = clusters.filter((cluster) => now - cluster.lastReceivedAt <= activeClusterWithinMs);
  if (active.length === 0) return undefined;
  const width = ingestBucketSeconds * 1000;
  return Math.floor(Math.min(...active.map((cluster) => cluster.lastWindowEnd)) / width) * width;
}

/**
 * Each organization with telemetry arriving (a batch within `activeClusterWithinMs`) and its cut,
 * from the batches received up to `ingestSettleMs` before `now`.
 */
export async function findRecordingCuts(prisma: PrismaClient, now: number): Promise<Map<string, number>> {
  const rows = await prisma.$queryRaw<
    { organization_id: string; last_window_end: Date; last_received_at: Date }[]
  >`
    select c."organizationId" as organization_id, max(b.window_end) as last_window_end,
           max(b.received_at) as last_received_at
    from telemetry_batches b join clusters c on c.id = b.cluster_id
    where b.received_at > ${new Date(now - activeClusterWithinMs)} and b.received_at <= ${new Date(now - ingestSettleMs)}
      and b.window_end is not null
    group by c."organizationId", b.cluster_id`;
  const progress = new Map<string, ClusterTelemetryProgress[]>();
  for (const row of rows) {
    const clusters = progress.get(row.organization_id) ?? [];
    clusters.push({
      lastWindowEnd: row.last_window_end.getTime(),
      lastReceivedAt: row.last_received_at.getTime(),
    });
    progress.set(row.organization_id, clusters);
  }
  const cuts = new Map<string, number>();
  for (const [organizationId, clusters] of progress) {
    const cut = recordingCutOf(clusters, now);
    if (cut !== undefined) cuts.set(organizationId, cut);
  }
  return cuts;
}

/**
 * Stores a recording of a run at `computedAt` (the `now` its cut was found at), unless a batch
 * that lands before its end arrived since the batches the cut was found from: the read may have
 * missed it (ingest's delete may have run before this write), and the next run records again. In
 * order, a cluster's batches received since end after its cut, so only late ones stop the write.
 */
export async function writeGraphRecording(options: {
  prisma: PrismaClient;
  organizationId: string;
  rangeSeconds: number;
  window: { start: number; end: number };
  computedAt: number;
  /** Null when longer than recordedGraphMaxChars (the caller checks, having the JSON). */
  graph: string | null;
  overview: string | null;
}): Promise<boolean> {
  const { prisma, organizationId, window } = options;
  const written = await prisma.$executeRaw`
    insert into telemetry_graph_recordings
      (organization_id, range_seconds, window_start, window_end, computed_at, graph, overview)
    select ${organizationId}, ${options.rangeSeconds}, ${new Date(window.start)}, ${new Date(window.end)},
           ${new Date(options.computedAt)}, ${options.graph}, ${options.overview}
    where not exists (
      select 1 from telemetry_batches b join clusters c on c.id = b.cluster_id
      where c."organizationId" = ${organizationId} and b.received_at > ${new Date(options.computedAt - ingestSettleMs)}
        and b.window_end <= ${new Date(window.end)})
    on conflict (organization_id, range_seconds) do update set
      window_start = excluded.window_start, window_end = excluded.window_end,
      computed_at = excluded.computed_at, graph = excluded.graph, overview = excluded.overview`;
  return written > 0;
}

/**
 * The organization's recording of the last `rangeSeconds`, when it is fresh (`graphRecordingMaxAgeMs`)
 * and no desired config was created since it was computed (its badges would be out of date): the
 * overview's JSON when asked for and the mesh is big, else the graph's (when it was not too big to
 * record). Undefined: compute instead.
 */
export async function findGraphRecording(options: {
  prisma: PrismaClient;
  organizationId: string;
  rangeSeconds: number;
  part: "graph" | "overview";
  now: number;
}): Promise<{ json: string; isOverview: boolean; recordedAt: number } | undefined> {
  const { prisma, organizationId } = options;
  if (!recordedGraphRanges.includes(options.rangeSeconds)) return undefined;
  const freshSince = new Date(options.now - graphRecordingMaxAgeMs);
  const wantsOverview = options.part === "overview";
  const [row] = await prisma.$queryRaw<{ json: string | null; is_overview: boolean; computed_at: Date }[]>`
    select case when ${wantsOverview} and r.overview is not null then r.overview else r.graph end as json,
           ${wantsOverview} and r.overview is not null as is_overview, r.computed_at
    from telemetry_graph_recordings r
    where r.organization_id = ${organizationId} and r.range_seconds = ${options.rangeSeconds}
      and r.computed_at >= ${freshSince} and r.window_end >= ${freshSince}
      and not exists (
        select 1 from desired_config_versions v
        where v."organizationId" = ${organizationId} and v."createdAt" > r.computed_at)`;
  // A big mesh's recording may hold its overview only.
  if (!row?.json) return undefined;
  return { json: row.json, isOverview: row.is_overview, recordedAt: row.computed_at.getTime() };
}
