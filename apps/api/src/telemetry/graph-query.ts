// The graph and series queries: sum the stored buckets of a range in SQL (one group per reporting
// cluster and edge key, labelled from the key table), hand only the groups to the pure builders of
// @switchyard/telemetry-model/graph. Every query is scoped by organization.
import type { PrismaClient } from "@switchyard/db/client";
import { Prisma } from "@switchyard/db/generated/prisma/client";
import {
  type BadgeSources,
  buildSeries,
  buildServiceGraphFromResolved,
  type EdgeTotalsRow,
  type ResolvedEdge,
  type SeriesTarget,
  seriesTargetOf,
  serviceFeaturesOf,
} from "@switchyard/telemetry-model/graph";
import {
  aggregateByNamespace,
  type GraphView,
  limitOverviewEdges,
  overviewAboveNodes,
  overviewEdgeLimit,
} from "@switchyard/telemetry-model/graph-aggregate";
import type { SeriesPoint, ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import { AppError } from "../errors";
import { findLatestVersions, resourcesOf } from "../policies/desired-config";
import {
  edgeTables,
  labelColumns,
  latencyColumns,
  type Resolution,
  resolutions,
  responseColumns,
  valueColumns,
} from "./columns";
import {
  findGraphRecording,
  findRecordingCuts,
  recordedGraphMaxChars,
  recordedGraphRanges,
  writeGraphRecording,
} from "./graph-recordings";
import { readRollupWatermarks } from "./rollup";

/**
 * The storage resolution a graph range reads: the finest that keeps the rows to sum near 15
 * buckets per edge. Measured with `npm run bench -- graph-query` (docs/telemetry.md): an hour of
 * the 3,000-edge benchmark mesh is ≈ 2.2 M rows at 10 s and 360 k at 1 min, which took seconds and
 * ≈ 250 ms to sum; at 5 min it is ≈ 72 k rows plus the tails not rolled up yet.
 */
export function graphResolutionFor(rangeSeconds: number): Resolution {
  if (rangeSeconds <= 150) return 10;
  if (rangeSeconds <= 900) return 60;
  if (rangeSeconds <= 3 * 3600) return 300;
  return 3600;
}

/** Series resolution: enough points to draw (≤ 360 for an hour, 288 for a day). */
export function seriesResolutionFor(rangeSeconds: number): Resolution {
  if (rangeSeconds <= 3600) return 10;
  if (rangeSeconds <= 6 * 3600) return 60;
  if (rangeSeconds <= 86_400) return 300;
  return 3600;
}

// Sums by key only, labels joined to the sums (telemetry_edge_keys): an hour of the benchmark mesh
// is ≈ 40,000 rows to sum but only ≈ 6,000 keys to label (docs/telemetry.md).
const sums = Prisma.raw(valueColumns.map((c) => `sum(${c})::float8 as ${c}`).join(", "));
const storedValues = Prisma.raw(valueColumns.join(", "));
const keyLabels = Prisma.raw(labelColumns.map((c) => `k.${c}`).join(", "));
const summedValues = Prisma.raw(valueColumns.map((c) => `s.${c}`).join(", "));

type StoredGroup = Record<(typeof labelColumns)[number], string> &
  Record<string, number | string> & { cluster_id: string; bucket?: Date };

/** An edge with versions (resolveReporters' key), its reporters chosen in SQL. */
const fineKey = Prisma.raw(
  "protocol, src_cluster, src_namespace, src_workload, dst_cluster, dst_namespace, dst_service, dst_workload",
);
const countedColumns = [...responseColumns, ...latencyColumns, "latency_sum_ms", "tcp_connections_opened"];
const countedSums = Prisma.raw(
  [
    ...countedColumns.map((c) => `coalesce(sum(${c}) filter (where is_counted), 0)::float8 as ${c}`),
    "coalesce(sum(tcp_sent_bytes + tcp_received_bytes) filter (where is_counted), 0)::float8 as tcp_bytes",
  ].join(", "),
);
const requestsSum = Prisma.raw(responseColumns.join(" + "));

type ResolvedGroup = Record<
  | "protocol"
  | "src_cluster"
  | "src_namespace"
  | "src_workload"
  | "src_app"
  | "src_version"
  | "dst_cluster"
  | "dst_namespace"
  | "dst_service"
  | "dst_workload"
  | "dst_app"
  | "dst_version",
  string
> &
  Record<string, number | string | null> & {
    source_reporter: string | null;
    destination_reporter: string | null;
  };

/** The labels every summed row carries, read into an edge's protocol and ends. */
function edgeLabelsOf(
  group: Record<(typeof labelColumns)[number], string> | ResolvedGroup,
): Pick<EdgeTotalsRow, "protocol" | "source" | "destination"> {
  return {
    protocol: group.protocol === "tcp" ? "tcp" : group.protocol === "grpc" ? "grpc" : "http",
    source: {
      cluster: group.src_cluster,
      namespace: group.src_namespace,
      workload: group.src_workload,
      app: group.src_app,
      version: group.src_version,
    },
    destination: {
      cluster: group.dst_cluster,
      namespace: group.dst_namespace,
      service: group.dst_service,
      workload: group.dst_workload,
      app: group.dst_app,
      version: group.dst_version,
    },
  };
}

/** The response-class columns of a summed row. */
function responsesOf(n: (column: string) => number): EdgeTotalsRow["responses"] {
  return {
    "1xx": n("r1xx"),
    "2xx": n("r2xx"),
    "3xx": n("r3xx"),
    "4xx": n("r4xx"),
    "5xx": n("r5xx"),
    other: n("r_other"),
  };
}

function resolvedEdgeOf(group: ResolvedGroup): ResolvedEdge {
  const n = (column: string) => Number(group[column] ?? 0);
  return {
    ...edgeLabelsOf(group),
    totals: {
      responses: responsesOf(n),
      latency: latencyColumns.map(n),
      latencySumMs: n("latency_sum_ms"),
      mtls: n("mtls"),
      securedTotal: n("secured_total"),
      tcpConnections: n("tcp_connections_opened"),
      tcpBytes: n("tcp_bytes"),
    },
  };
}

/** A stretch of a range and the table it is read from. */
export interface RangePart {
  resolution: Resolution;
  start: number;
  end: number;
}

/**
 * Where each part of `[start, end)` is read from, coarsest first: a table's whole buckets inside
 * the range and before its rollup watermark (everything before it was rolled up), and the rest,
 * at both ends, from finer tables, down to the 10 s table that ingest writes. So every instant is
 * read from exactly one table (never counted twice, never missed while rollups lag), and as few
 * rows as the stored resolutions allow: an hour's range reads four 15 min buckets plus the 5 min
 * buckets at its ends rather than twelve. `coarsest` bounds the tables (a series cannot read
 * buckets wider than its points). Pure: the watermarks are passed in.
 */
export function planRangeParts(options: {
  start: number;
  end: number;
  coarsest: Resolution;
  watermarks: ReadonlyMap<Resolution, number>;
}): RangePart[] {
  const levels = [...resolutions].filter((r) => r <= options.coarsest).reverse();
  const parts: RangePart[] = [];
  const cover = (start: number, end: number, level: number): void => {
    if (end <= start) return;
    const resolution = levels[level] ?? 10;
    if (resolution === 10 || level >= levels.length - 1) {
      parts.push({ resolution: 10, start, end });
      return;
    }
    const width = resolution * 1000;
    const rolledUpTo = options.watermarks.get(resolution) ?? Number.NEGATIVE_INFINITY;
    const inner = Math.ceil(start / width) * width;
    const outer = Math.floor(Math.min(end, rolledUpTo) / width) * width;
    if (outer <= inner) {
      cover(start, end, level + 1);
      return;
    }
    cover(start, inner, level + 1);
    parts.push({ resolution, start: inner, end: outer });
    cover(outer, end, level + 1);
  };
  cover(options.start, options.end, 0);
  return parts.sort((a, b) => a.start - b.start);
}

/**
 * The stored rows of a range (`planRangeParts`) of one organization, as one `union all`; with
 * `keys`, only those edge keys' rows (`keysWhere`).
 */
async function sourcesFor(options: {
  prisma: PrismaClient;
  organizationId: string;
  coarsest: Resolution;
  start: Date;
  end: Date;
  keys?: readonly string[] | undefined;
}): Promise<Prisma.Sql> {
  const { prisma, organizationId, keys } = options;
  const keyFilter = keys ? Prisma.sql` and edge_key = any(${keys}::uuid[])` : Prisma.empty;
  const parts = planRangeParts({
    start: options.start.getTime(),
    end: options.end.getTime(),
    coarsest: options.coarsest,
    watermarks: await readRollupWatermarks(prisma),
  }).map(
    (part) => Prisma.sql`
      select cluster_id, bucket_start, edge_key, ${storedValues} from ${Prisma.raw(edgeTables[part.resolution])}
      where organization_id = ${organizationId} and bucket_start >= ${new Date(part.start)} and bucket_start < ${new Date(part.end)}${keyFilter}`,
  );
  if (parts.length === 0)
    return Prisma.sql`select cluster_id, bucket_start, edge_key, ${storedValues} from ${Prisma.raw(edgeTables[10])} where false`;
  return Prisma.join(parts, " union all ");
}

function rowOf(group: StoredGroup): EdgeTotalsRow {
  const n = (column: string) => Number(group[column] ?? 0);
  return {
    reporter: group.reporter === "destination" ? "destination" : "source",
    ...edgeLabelsOf(group),
    responses: responsesOf(n),
    latencyCounts: latencyColumns.map(n),
    latencySumMs: n("latency_sum_ms"),
    mutualTlsRequests: n("mtls_requests"),
    requestBytes: n("request_bytes"),
    responseBytes: n("response_bytes"),
    tcpConnectionsOpened: n("tcp_connections_opened"),
    tcpSentBytes: n("tcp_sent_bytes"),
    tcpReceivedBytes: n("tcp_received_bytes"),
  };
}

export interface GraphRange {
  /** ms since the epoch */
  start: number;
  end: number;
}

export interface GraphQuery {
  prisma: PrismaClient;
  organizationId: string;
  range: GraphRange;
  /**
   * Set when `range` is the last `lastSeconds` up to now (a live view): such a request is served
   * from the organization's recording when there is a fresh one (graph-recordings.ts).
   */
  lastSeconds?: number | undefined;
  clusters?: readonly string[] | undefined;
  namespaces?: readonly string[] | undefined;
  /** Benchmarks only: read this resolution (and no coarser table) instead of what the range calls for. */
  resolution?: Resolution;
  /** The job's recordings: read with one core, leaving the other to requests. */
  isBackground?: boolean;
}

/** The recording that may answer a query: only unscoped live views of a recorded range. */
function recordingFor(options: GraphQuery, part: "graph" | "overview") {
  const isUnscoped = !options.clusters?.length && !options.namespaces?.length;
  if (options.lastSeconds === undefined || !isUnscoped || options.resolution !== undefined)
    return Promise.resolve(undefined);
  return findGraphRecording({
    prisma: options.prisma,
    organizationId: options.organizationId,
    rangeSeconds: options.lastSeconds,
    part,
    now: Date.now(),
  });
}

/**
 * The organization's service graph over a range, optionally only edges touching the given
 * clusters (telemetry cluster names) and namespaces (source or destination side): its recording
 * when one answers the query, else computed.
 */
export async function getServiceGraph(options: GraphQuery): Promise<ServiceGraph> {
  const recording = await recordingFor(options, "graph");
  if (recording) return { ...(JSON.parse(recording.json) as ServiceGraph), recordedAt: recording.recordedAt };
  return computeServiceGraph(options);
}

/** The service graph computed from the stored buckets (what `getServiceGraph` does without a recording). */
export async function computeServiceGraph(options: GraphQuery): Promise<ServiceGraph> {
  const { prisma, organizationId } = options;
  const resolution =
    options.resolution ?? graphResolutionFor((options.range.end - options.range.start) / 1000);
  const width = resolution * 1000;
  // Whole buckets: the range starts at the bucket holding its start; rates are over what was read.
  const start = Math.floor(options.range.start / width) * width;
  const end = options.range.end;
  const scope = {
    clusters: options.clusters && options.clusters.length > 0 ? [...options.clusters] : undefined,
    namespaces: options.namespaces && options.namespaces.length > 0 ? [...options.namespaces] : undefined,
  };
  // A key is read when its source or its destination side is in scope (in one of the clusters and
  // one of the namespaces asked for); the builder then drops edges with neither end in scope.
  const sideInScope = (side: "src" | "dst") => {
    const conditions: Prisma.Sql[] = [];
    if (scope.clusters)
      conditions.push(Prisma.sql`${Prisma.raw(`${side}_cluster`)} = any(${scope.clusters}::text[])`);
    if (scope.namespaces)
      conditions.push(Prisma.sql`${Prisma.raw(`${side}_namespace`)} = any(${scope.namespaces}::text[])`);
    return Prisma.join(conditions, " and ");
  };
  const keys =
    scope.clusters || scope.namespaces
      ? await keysWhere(
          prisma,
          organizationId,
          Prisma.sql`(${sideInScope("src")}) or (${sideInScope("dst")})`,
        )
      : undefined;
  const source = await sourcesFor({
    prisma,
    organizationId,
    coarsest: options.resolution ?? 3600,
    start: new Date(start),
    end: new Date(end),
    keys,
  });
  const resolved = await withAggregateSettings(
    prisma,
    (db) => db.$queryRaw<ResolvedGroup[]>`
      with sums as (
        select cluster_id, edge_key, ${sums} from (${source}) e
        group by cluster_id, edge_key
      ), labelled as (
        select s.*, ${keyLabels},
          -- resolveReporters' rule (telemetry-model/graph.ts): counts from the source reports of
          -- an edge with versions when there are any, else from its destination reports.
          k.reporter = 'source' or not bool_or(k.reporter = 'source') over (partition by ${fineKey}) as is_counted
        from sums s
        join telemetry_edge_keys k on k.organization_id = ${organizationId} and k.edge_key = s.edge_key
      )
      select ${fineKey},
        min(src_app) filter (where is_counted) as src_app, min(src_version) filter (where is_counted) as src_version,
        min(dst_app) filter (where is_counted) as dst_app, min(dst_version) filter (where is_counted) as dst_version,
        ${countedSums},
        coalesce(sum(mtls_requests) filter (where reporter = 'destination'), 0)::float8 as mtls,
        coalesce(sum(case when protocol = 'tcp' then tcp_connections_opened else ${requestsSum} end)
          filter (where reporter = 'destination'), 0)::float8 as secured_total,
        min(cluster_id) filter (where reporter = 'source') as source_reporter,
        min(cluster_id) filter (where reporter = 'destination') as destination_reporter
      from labelled
      group by ${fineKey}`,
    // A scoped read (a namespace's graph) sums a few thousand rows: parallel workers cost more to
    // start than they save (≈ 90 ms against ≈ 63 ms, bench/graph-query) and take the other core.
    { isSingleCore: (options.isBackground ?? false) || keys !== undefined },
  );
  const edges = resolved.map(resolvedEdgeOf);
  const badges = await loadBadges({ prisma, organizationId, resolved });
  return buildServiceGraphFromResolved({
    edges,
    range: { start, end },
    resolutionSeconds: resolution,
    badges,
    scope,
  });
}

/**
 * What the graph page opens on: the whole graph when it is small, else the namespace overview
 * (edges between namespaces limited to the busiest and failing), computed here from the graph so
 * the browser receives about a hundred namespaces instead of thousands of nodes; the page then asks
 * `getServiceGraph` scoped to each namespace it expands.
 */
export type GraphOverview =
  | { mode: "graph"; graph: ServiceGraph }
  | {
      mode: "overview";
      range: ServiceGraph["range"];
      resolutionSeconds: number;
      /** Nodes of the whole graph. */
      nodeCount: number;
      view: GraphView;
      /** Edges between namespaces left out of the view (`limitOverviewEdges`). */
      hiddenEdgeCount: number;
      /** ms since the epoch: when its recording was computed, when it was served from one. */
      recordedAt?: number;
    };

export async function getGraphOverview(options: GraphQuery): Promise<GraphOverview> {
  const recording = await recordingFor(options, "overview");
  if (recording?.isOverview)
    return {
      ...(JSON.parse(recording.json) as GraphOverview & { mode: "overview" }),
      recordedAt: recording.recordedAt,
    };
  if (recording)
    return {
      mode: "graph",
      graph: { ...(JSON.parse(recording.json) as ServiceGraph), recordedAt: recording.recordedAt },
    };
  return overviewOf(await computeServiceGraph(options));
}

/** What the page opens on for this graph: itself when small, else its namespace overview. */
export function overviewOf(graph: ServiceGraph): GraphOverview {
  if (graph.nodes.length <= overviewAboveNodes) return { mode: "graph", graph };
  const { view, hiddenEdgeCount } = limitOverviewEdges(aggregateByNamespace(graph), overviewEdgeLimit);
  return {
    mode: "overview",
    range: graph.range,
    resolutionSeconds: graph.resolutionSeconds,
    nodeCount: graph.nodes.length,
    view,
    hiddenEdgeCount,
  };
}

/**
 * One run of the recordings (graph-recordings.ts): for every organization with telemetry arriving,
 * the graph and overview of each recorded range up to its cut, computed as a request would and
 * stored. Runs after each rollup, so a recording reads the fewest rows.
 */
export async function recordGraphs(options: {
  prisma: PrismaClient;
  now?: Date;
  /** The longest whole graph recorded (default recordedGraphMaxChars). */
  graphMaxChars?: number;
}): Promise<{
  organizations: number;
  recordings: number;
  failed: { organizationId: string; error: string }[];
}> {
  const { prisma } = options;
  const now = (options.now ?? new Date()).getTime();
  let recordings = 0;
  // One organization's failure (its graph cannot be built, say) leaves the others recorded; its
  // old recording ages out and its graph is computed on request.
  const failed: { organizationId: string; error: string }[] = [];
  const cuts = await findRecordingCuts(prisma, now);
  for (const [organizationId, cut] of cuts) {
    try {
      for (const rangeSeconds of recordedGraphRanges) {
        const graph = await computeServiceGraph({
          prisma,
          organizationId,
          range: { start: cut - rangeSeconds * 1000, end: cut },
          isBackground: true,
        });
        // Requests that arrived meanwhile go first, between the synchronous steps.
        await yieldToRequests();
        // An empty graph is not recorded (the row keeps neither part, replacing an older recording,
        // so requests compute). Its cut waits for the slowest cluster: one whose agent has sent
        // only windows without traffic so far (just started, or slow under load) would have its
        // "No traffic yet" served for up to 90 s while the other clusters' traffic lands after the
        // cut. Computing an empty graph is cheap.
        const isEmpty = graph.nodes.length === 0;
        const overview = isEmpty ? null : overviewOf(graph);
        await yieldToRequests();
        const graphJson = isEmpty ? null : JSON.stringify(graph);
        const written = await writeGraphRecording({
          prisma,
          organizationId,
          rangeSeconds,
          window: graph.range,
          computedAt: now,
          graph:
            graphJson !== null && graphJson.length <= (options.graphMaxChars ?? recordedGraphMaxChars)
              ? graphJson
              : null,
          overview: overview?.mode === "overview" ? JSON.stringify(overview) : null,
        });
        if (written && !isEmpty) recordings++;
      }
    } catch (error) {
      failed.push({ organizationId, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { organizations: cuts.size, recordings, failed };
}

/** Lets the event loop serve what is waiting before the next synchronous step of a background job. */
function yieldToRequests(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Badge inputs. Telemetry names clusters by Istio's cluster label, which need not be the
 * Switchyard cluster's name: the label of each reporting cluster is read from its own reports (a
 * source report's source cluster, a destination report's destination cluster), falling back to
 * equal names.
 */
async function loadBadges(options: {
  prisma: PrismaClient;
  organizationId: string;
  resolved: readonly ResolvedGroup[];
}): Promise<BadgeSources> {
  const { prisma, organizationId } = options;
  const clusters = await prisma.cluster.findMany({
    where: { organizationId },
    select: { id: true, name: true },
  });
  const labelOf = new Map<string, string>(clusters.map((c) => [c.id, c.name]));
  for (const group of options.resolved) {
    if (group.source_reporter) labelOf.set(group.source_reporter, group.src_cluster);
    if (group.destination_reporter) labelOf.set(group.destination_reporter, group.dst_cluster);
  }
  const ids = clusters.map((c) => c.id);
  if (ids.length === 0) return {};
  const withoutSidecar = await prisma.$queryRaw<{ clusterId: string; namespace: string; name: string }[]>`
    select "clusterId", namespace, name from inventory_objects
    where "clusterId" = any(${ids}::text[]) and kind in ('Deployment', 'StatefulSet')
      and (data->>'sidecarInjected') = 'false'`;
  const workloadsWithoutSidecar = new Set(
    withoutSidecar.map((w) => `${labelOf.get(w.clusterId) ?? ""}|${w.namespace}|${w.name}`),
  );
  const serviceFeatures = new Map<
    string,
    ReturnType<typeof serviceFeaturesOf> extends Map<string, infer V> ? V : never
  >();
  for (const [clusterId, version] of await findLatestVersions(prisma, ids)) {
    const label = labelOf.get(clusterId) ?? "";
    for (const [key, features] of serviceFeaturesOf(resourcesOf(version.resources)))
      serviceFeatures.set(`${label}|${key}`, features);
  }
  return { workloadsWithoutSidecar, serviceFeatures };
}

/**
 * The organization's edge keys whose labels match `condition`, for `sourcesFor` to read only theirs.
 * They are resolved in a query of their own and passed to the bucket read as an array parameter:
 * Postgres then knows how many there are, finds each key's buckets through the
 * (organization_id, edge_key, bucket_start) index, and checks a row against a hashed array when it
 * scans a range. As a semi-join (`in (select ...)`) it read every row of the range (≈ 100 ms for a
 * namespace of the 5,000-node mesh), and when the newest buckets were not analyzed yet it rescanned
 * a table once per key (8 s); as `any(array(select ...))` it compared each row of the 10 s tail with
 * every key in turn (175 ms). Measured in docs/telemetry.md, "Scoped reads".
 */
async function keysWhere(
  prisma: PrismaClient,
  organizationId: string,
  condition: Prisma.Sql,
): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ edge_key: string }[]>`
    select edge_key::text as edge_key from telemetry_edge_keys where organization_id = ${organizationId} and (${condition})`;
  return rows.map((row) => row.edge_key);
}

/** What rows a series target needs, as SQL (a superset; the builder applies the exact rule). */
function targetFilter(target: SeriesTarget): Prisma.Sql {
  switch (target.kind) {
    case "service":
      return Prisma.sql`dst_cluster = ${target.cluster} and dst_namespace = ${target.namespace} and dst_service = ${target.service}`;
    case "workload":
      return Prisma.sql`((dst_cluster = ${target.cluster} and dst_namespace = ${target.namespace} and dst_workload = ${target.workload})
        or (src_cluster = ${target.cluster} and src_namespace = ${target.namespace} and src_workload = ${target.workload}))`;
    case "unknown":
      return Prisma.sql`src_workload = 'unknown'`;
    case "edge":
      return Prisma.sql`protocol = ${target.protocol} and ${targetFilter(target.from)} and ${targetFilter(target.to)}`;
  }
}

/**
 * Runs a big aggregate read with settings for it, in its transaction only: JIT off (the cost
 * estimate passes jit_above_cost, and compiling costs more than it saves on ~100 k rows) and
 * 64 MB of work_mem, so the ~6,000-group hash aggregate stays in memory; with the default 4 MB
 * Postgres sorted the rows on disk instead, several times slower (docs/telemetry.md).
 */
async function withAggregateSettings<T>(
  prisma: PrismaClient,
  query: (db: Prisma.TransactionClient) => Promise<T>,
  options: { isSingleCore?: boolean } = {},
): Promise<T> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$queryRaw`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`;
      // Background reads (the recordings) use one core: a parallel plan would take both of a small
      // machine's cores from the requests being served meanwhile (measured, docs/graph.md). So do
      // scoped reads, too small for workers to pay for their start.
      if (options.isSingleCore)
        await tx.$queryRaw`select set_config('max_parallel_workers_per_gather', '0', true)`;
      return query(tx);
    },
    { timeout: 120_000 },
  );
}

/** A node's or an edge's series over the last `lastSeconds`. */
export async function getSeries(options: {
  prisma: PrismaClient;
  organizationId: string;
  target: { kind: "node" | "edge"; id: string };
  range: GraphRange;
}): Promise<{ resolutionSeconds: number; points: SeriesPoint[] }> {
  const { prisma, organizationId } = options;
  const target = seriesTargetOf(options.target.kind, options.target.id);
  if (!target)
    throw new AppError("INVALID", `Not a graph ${options.target.kind} id: ${options.target.id}`, {
      field: "target.id",
    });
  const resolution = seriesResolutionFor((options.range.end - options.range.start) / 1000);
  const width = resolution * 1000;
  const start = Math.floor(options.range.start / width) * width;
  const end = options.range.end;
  const source = await sourcesFor({
    prisma,
    organizationId,
    coarsest: resolution,
    start: new Date(start),
    end: new Date(end),
    keys: await keysWhere(prisma, organizationId, targetFilter(target)),
  });
  // Finer rows (the ends of the range, the tail not rolled up yet) go in the resolution's buckets.
  const groups = await withAggregateSettings(
    prisma,
    (db) => db.$queryRaw<StoredGroup[]>`
      select s.bucket, s.cluster_id, ${keyLabels}, ${summedValues}
      from (
        select date_bin(${`${resolution} seconds`}::interval, bucket_start, timestamptz 'epoch') as bucket,
               cluster_id, edge_key, ${sums}
        from (${source}) e
        group by 1, cluster_id, edge_key
      ) s
      join telemetry_edge_keys k on k.organization_id = ${organizationId} and k.edge_key = s.edge_key`,
    { isSingleCore: true },
  );
  const rows = groups.map((group) => ({ ...rowOf(group), bucketStart: group.bucket?.getTime() ?? 0 }));
  return {
    resolutionSeconds: resolution,
    points: buildSeries({ rows, target, range: { start, end }, resolutionSeconds: resolution }),
  };
}
