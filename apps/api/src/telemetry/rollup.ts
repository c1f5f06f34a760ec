// Rollups (10 s → 1 min → 5 min → 15 min → 1 h) and retention of the edge bucket tables. Rollups recompute whole
// closed buckets from the finer table and overwrite (`= excluded`), so running twice, or two
// replicas at once, gives the same rows. Each level resumes from its watermark
// (telemetry_rollup_state) and also recomputes a lookback window, so a batch that arrives a little
// late is still counted and a worker outage leaves no gap.
import type { PrismaClient } from "@switchyard/db/client";
import { Prisma } from "@switchyard/db/generated/prisma/client";
import { conflictTarget, edgeTables, type Resolution, valueColumns } from "./columns";

export interface RollupSettings {
  /** A 1 min bucket is rolled up once it ended this long ago (batches arrive after their window). */
  minuteGraceMs: number;
  /** How far back every run recomputes 1 min buckets (late batches). */
  minuteLookbackMs: number;
  /** How far back every run recomputes 5 min buckets. */
  fiveMinuteLookbackMs: number;
  /** How far back every run recomputes 15 min buckets. */
  quarterHourLookbackMs: number;
  /** How far back every run recomputes 1 h buckets. */
  hourLookbackMs: number;
}

export const defaultRollupSettings: RollupSettings = {
  minuteGraceMs: 30_000,
  minuteLookbackMs: 10 * 60_000,
  fiveMinuteLookbackMs: 30 * 60_000,
  quarterHourLookbackMs: 60 * 60_000,
  hourLookbackMs: 3 * 3_600_000,
};

export interface RetentionSettings {
  tenSecondMs: number;
  oneMinuteMs: number;
  fiveMinuteMs: number;
  quarterHourMs: number;
  oneHourMs: number;
  batchIdMs: number;
}

export const defaultRetentionSettings: RetentionSettings = {
  tenSecondMs: 86_400_000,
  oneMinuteMs: 14 * 86_400_000,
  fiveMinuteMs: 30 * 86_400_000,
  quarterHourMs: 30 * 86_400_000,
  oneHourMs: 90 * 86_400_000,
  batchIdMs: 86_400_000,
};

const insertColumns = Prisma.raw(
  ["organization_id", "cluster_id", "bucket_start", "edge_key", ...valueColumns].join(", "),
);
const sums = Prisma.raw(valueColumns.map((c) => `sum(${c})`).join(", "));
const overwrite = Prisma.raw(valueColumns.map((c) => `${c} = excluded.${c}`).join(", "));

/**
 * Recomputes the coarse buckets in `[from, to)` (aligned to `into`) from the finer table. Buckets
 * with no finer rows left are not touched (retention of the finer table never erases rollups).
 */
export async function rollupRange(options: {
  prisma: PrismaClient;
  from: Resolution;
  into: Resolution;
  start: Date;
  end: Date;
}): Promise<number> {
  const { prisma, start, end } = options;
  const source = Prisma.raw(edgeTables[options.from]);
  const target = Prisma.raw(edgeTables[options.into]);
  const width = Prisma.raw(`'${options.into} seconds'`);
  return prisma.$executeRaw`
    insert into ${target} (${insertColumns})
    select organization_id, cluster_id, date_bin(${width}::interval, bucket_start, timestamptz 'epoch'), edge_key, ${sums}
    from ${source}
    where bucket_start >= ${start} and bucket_start < ${end}
    group by organization_id, cluster_id, 3, edge_key
    on conflict ${Prisma.raw(conflictTarget)} do update set ${overwrite}`;
}

/** A rollup level's watermark and when it last moved (undefined: never rolled up). */
async function readRollupState(
  prisma: PrismaClient,
  resolution: Exclude<Resolution, 10>,
): Promise<{ rolled_up_to: Date; updated_at: Date } | undefined> {
  const [row] = await prisma.$queryRaw<{ rolled_up_to: Date; updated_at: Date }[]>`
    select rolled_up_to, updated_at from telemetry_rollup_state where resolution = ${resolution}`;
  return row;
}

/** Every bucket of the coarse table before this was rolled up (undefined: never). */
export async function findRolledUpTo(
  prisma: PrismaClient,
  resolution: Exclude<Resolution, 10>,
): Promise<Date | undefined> {
  return (await readRollupState(prisma, resolution))?.rolled_up_to;
}

/** Every rollup level's watermark (ms), in one read: what the graph and series queries plan with. */
export async function readRollupWatermarks(prisma: PrismaClient): Promise<Map<Resolution, number>> {
  const rows = await prisma.$queryRaw<{ resolution: number; rolled_up_to: Date }[]>`
    select resolution, rolled_up_to from telemetry_rollup_state`;
  return new Map(rows.map((row) => [row.resolution as Resolution, row.rolled_up_to.getTime()]));
}

/**
 * One rollup level: recompute the closed coarse buckets from where the last run got to (minus the
 * lookback, for late batches) up to `end`, then move the watermark. Never further back than the
 * finer table keeps rows (after a long outage, or on the first run).
 */
async function rollupLevel(options: {
  prisma: PrismaClient;
  from: Resolution;
  into: Exclude<Resolution, 10>;
  /** Exclusive end, aligned to `into`. */
  end: number;
  lookbackMs: number;
  finerRetentionMs: number;
  now: number;
}): Promise<number> {
  const { prisma, end } = options;
  const width = options.into * 1000;
  const state = await readRollupState(prisma, options.into);
  const rolledUpTo = state?.rolled_up_to.getTime() ?? Number.NEGATIVE_INFINITY;
  const oldest = Math.floor((options.now - options.finerRetentionMs) / width) * width;
  const start = Math.max(oldest, Math.min(rolledUpTo, end - options.lookbackMs));
  if (end <= start) return 0;
  const rows = await rollupRange({
    prisma,
    from: options.from,
    into: options.into,
    start: new Date(start),
    end: new Date(end),
  });
  await prisma.$executeRaw`
    insert into telemetry_rollup_state (resolution, rolled_up_to, updated_at)
    values (${options.into}, ${new Date(end)}, now())
    on conflict (resolution) do update
      set rolled_up_to = greatest(telemetry_rollup_state.rolled_up_to, excluded.rolled_up_to), updated_at = clock_timestamp()
      -- A late batch moved the watermark back while this ran: leave it there for the next run.
      where ${state === undefined} or telemetry_rollup_state.updated_at = ${state?.updated_at ?? new Date(0)}`;
  return rows;
}

/**
 * One run of every rollup at `now`, finest first: 10 s → 1 min for minutes closed `minuteGraceMs`
 * ago, then 1 min → 5 min, 5 min → 15 min and 15 min → 1 h for buckets the finer level has completely rolled up
 * (its watermark), so a coarse bucket is never computed from a half-finished finer one.
 */
export async function rollupTelemetry(options: {
  prisma: PrismaClient;
  now?: Date;
  settings?: Partial<RollupSettings>;
  retention?: Partial<RetentionSettings>;
}): Promise<{ minuteRows: number; fiveMinuteRows: number; quarterHourRows: number; hourRows: number }> {
  const { prisma } = options;
  const settings = { ...defaultRollupSettings, ...options.settings };
  const retention = { ...defaultRetentionSettings, ...options.retention };
  const now = (options.now ?? new Date()).getTime();
  const align = (ms: number, seconds: number) => Math.floor(ms / (seconds * 1000)) * seconds * 1000;
  const minuteEnd = align(now - settings.minuteGraceMs, 60);
  const minuteRows = await rollupLevel({
    prisma,
    from: 10,
    into: 60,
    end: minuteEnd,
    lookbackMs: settings.minuteLookbackMs,
    finerRetentionMs: retention.tenSecondMs,
    now,
  });
  const minutesDone = Math.min(minuteEnd, (await findRolledUpTo(prisma, 60))?.getTime() ?? minuteEnd);
  const fiveMinuteEnd = align(minutesDone, 300);
  const fiveMinuteRows = await rollupLevel({
    prisma,
    from: 60,
    into: 300,
    end: fiveMinuteEnd,
    lookbackMs: settings.fiveMinuteLookbackMs,
    finerRetentionMs: retention.oneMinuteMs,
    now,
  });
  const fivesDone = Math.min(fiveMinuteEnd, (await findRolledUpTo(prisma, 300))?.getTime() ?? fiveMinuteEnd);
  const quarterHourEnd = align(fivesDone, 900);
  const quarterHourRows = await rollupLevel({
    prisma,
    from: 300,
    into: 900,
    end: quarterHourEnd,
    lookbackMs: settings.quarterHourLookbackMs,
    finerRetentionMs: retention.fiveMinuteMs,
    now,
  });
  const quartersDone = Math.min(
    quarterHourEnd,
    (await findRolledUpTo(prisma, 900))?.getTime() ?? quarterHourEnd,
  );
  const hourRows = await rollupLevel({
    prisma,
    from: 900,
    into: 3600,
    end: align(quartersDone, 3600),
    lookbackMs: settings.hourLookbackMs,
    finerRetentionMs: retention.quarterHourMs,
    now,
  });
  return { minuteRows, fiveMinuteRows, quarterHourRows, hourRows };
}

/**
 * How much longer than the hourly table keeps rows an edge key is kept after it was last seen:
 * ingest moves `last_seen_at` at most once a day, and a process that knows a key stored skips it
 * for an hour, so no kept bucket row ever loses its key's labels.
 */
const edgeKeyMarginMs = 2 * 86_400_000;

/** Deletes buckets, edge keys and batch ids older than their retention at `now`. */
export async function pruneTelemetry(options: {
  prisma: PrismaClient;
  now?: Date;
  settings?: Partial<RetentionSettings>;
}): Promise<{
  tenSecond: number;
  oneMinute: number;
  fiveMinute: number;
  quarterHour: number;
  oneHour: number;
  edgeKeys: number;
  batchIds: number;
}> {
  const { prisma } = options;
  const settings = { ...defaultRetentionSettings, ...options.settings };
  const now = (options.now ?? new Date()).getTime();
  const before = (ms: number) => new Date(now - ms);
  const tenSecond = await prisma.$executeRaw`
    delete from telemetry_edges_10s where bucket_start < ${before(settings.tenSecondMs)}`;
  const oneMinute = await prisma.$executeRaw`
    delete from telemetry_edges_1m where bucket_start < ${before(settings.oneMinuteMs)}`;
  const fiveMinute = await prisma.$executeRaw`
    delete from telemetry_edges_5m where bucket_start < ${before(settings.fiveMinuteMs)}`;
  const quarterHour = await prisma.$executeRaw`
    delete from telemetry_edges_15m where bucket_start < ${before(settings.quarterHourMs)}`;
  const oneHour = await prisma.$executeRaw`
    delete from telemetry_edges_1h where bucket_start < ${before(settings.oneHourMs)}`;
  const edgeKeys = await prisma.$executeRaw`
    delete from telemetry_edge_keys where last_seen_at < ${before(settings.oneHourMs + edgeKeyMarginMs)}`;
  const batchIds = await prisma.$executeRaw`
    delete from telemetry_batches where received_at < ${before(settings.batchIdMs)}`;
  return { tenSecond, oneMinute, fiveMinute, quarterHour, oneHour, edgeKeys, batchIds };
}
