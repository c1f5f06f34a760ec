// Rollups (10 s → 1 min → 1 h) and retention of the edge bucket tables. Rollups recompute whole
// closed buckets from the finer table and overwrite (`= excluded`), so running twice, or two
// replicas at once, gives the same rows. Each level resumes from its watermark
// (telemetry_rollup_state) and also recomputes a lookback window, so a batch that arrives a little
// late is still counted and a worker outage leaves no gap.
import type { PrismaClient } from "@switchyard/db/client";
import { Prisma } from "@switchyard/db/generated/prisma/client";
import { conflictTarget, edgeTables, labelColumns, type Resolution, valueColumns } from "./columns";

export interface RollupSettings {
  /** A 1 min bucket is rolled up once it ended this long ago (batches arrive after their window). */
  minuteGraceMs: number;
  /** How far back every run recomputes 1 min buckets. */
  minuteLookbackMs: number;
  /** A 1 h bucket is rolled up once it ended this long ago (after its last minute was rolled up). */
  hourGraceMs: number;
  /** How far back every run recomputes 1 h buckets. */
  hourLookbackMs: number;
}

export const defaultRollupSettings: RollupSettings = {
  minuteGraceMs: 30_000,
  minuteLookbackMs: 10 * 60_000,
  hourGraceMs: 3 * 60_000,
  hourLookbackMs: 3 * 3_600_000,
};

export interface RetentionSettings {
  tenSecondMs: number;
  oneMinuteMs: number;
  oneHourMs: number;
  batchIdMs: number;
}

export const defaultRetentionSettings: RetentionSettings = {
  tenSecondMs: 86_400_000,
  oneMinuteMs: 14 * 86_400_000,
  oneHourMs: 90 * 86_400_000,
  batchIdMs: 86_400_000,
};

const insertColumns = Prisma.raw(
  ["organization_id", "cluster_id", "bucket_start", "edge_key", ...labelColumns, ...valueColumns].join(", "),
);
const labels = Prisma.raw(labelColumns.join(", "));
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
    select organization_id, cluster_id, date_bin(${width}::interval, bucket_start, timestamptz 'epoch'), edge_key,
           ${labels}, ${sums}
    from ${source}
    where bucket_start >= ${start} and bucket_start < ${end}
    group by organization_id, cluster_id, 3, edge_key, ${labels}
    on conflict ${Prisma.raw(conflictTarget)} do update set ${overwrite}`;
}

/** Every bucket of the coarse table before this was rolled up (undefined: never). */
export async function findRolledUpTo(prisma: PrismaClient, resolution: 60 | 3600): Promise<Date | undefined> {
  const [row] = await prisma.$queryRaw<{ rolled_up_to: Date }[]>`
    select rolled_up_to from telemetry_rollup_state where resolution = ${resolution}`;
  return row?.rolled_up_to;
}

/**
 * One rollup level: recompute the closed coarse buckets from where the last run got to (minus the
 * lookback, for late batches) up to `end`, then move the watermark. Never further back than the
 * finer table keeps rows (after a long outage, or on the first run).
 */
async function rollupLevel(options: {
  prisma: PrismaClient;
  from: 10 | 60;
  into: 60 | 3600;
  end: number;
  lookbackMs: number;
  finerRetentionMs: number;
}): Promise<number> {
  const { prisma, end } = options;
  const width = options.into * 1000;
  const rolledUpTo = (await findRolledUpTo(prisma, options.into))?.getTime() ?? Number.NEGATIVE_INFINITY;
  const oldest = Math.floor((end - options.finerRetentionMs) / width) * width;
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
      set rolled_up_to = greatest(telemetry_rollup_state.rolled_up_to, excluded.rolled_up_to), updated_at = now()`;
  return rows;
}

/** One run of both rollups at `now`: the closed buckets since the last run, and the lookback windows. */
export async function rollupTelemetry(options: {
  prisma: PrismaClient;
  now?: Date;
  settings?: Partial<RollupSettings>;
  retention?: Partial<RetentionSettings>;
}): Promise<{ minuteRows: number; hourRows: number }> {
  const settings = { ...defaultRollupSettings, ...options.settings };
  const retention = { ...defaultRetentionSettings, ...options.retention };
  const now = (options.now ?? new Date()).getTime();
  const minuteRows = await rollupLevel({
    prisma: options.prisma,
    from: 10,
    into: 60,
    end: Math.floor((now - settings.minuteGraceMs) / 60_000) * 60_000,
    lookbackMs: settings.minuteLookbackMs,
    finerRetentionMs: retention.tenSecondMs,
  });
  const hourRows = await rollupLevel({
    prisma: options.prisma,
    from: 60,
    into: 3600,
    end: Math.floor((now - settings.hourGraceMs) / 3_600_000) * 3_600_000,
    lookbackMs: settings.hourLookbackMs,
    finerRetentionMs: retention.oneMinuteMs,
  });
  return { minuteRows, hourRows };
}

/** Deletes buckets and batch ids older than their retention at `now`. */
export async function pruneTelemetry(options: {
  prisma: PrismaClient;
  now?: Date;
  settings?: Partial<RetentionSettings>;
}): Promise<{ tenSecond: number; oneMinute: number; oneHour: number; batchIds: number }> {
  const { prisma } = options;
  const settings = { ...defaultRetentionSettings, ...options.settings };
  const now = (options.now ?? new Date()).getTime();
  const before = (ms: number) => new Date(now - ms);
  const tenSecond = await prisma.$executeRaw`
    delete from telemetry_edges_10s where bucket_start < ${before(settings.tenSecondMs)}`;
  const oneMinute = await prisma.$executeRaw`
    delete from telemetry_edges_1m where bucket_start < ${before(settings.oneMinuteMs)}`;
  const oneHour = await prisma.$executeRaw`
    delete from telemetry_edges_1h where bucket_start < ${before(settings.oneHourMs)}`;
  const batchIds = await prisma.$executeRaw`
    delete from telemetry_batches where received_at < ${before(settings.batchIdMs)}`;
  return { tenSecond, oneMinute, oneHour, batchIds };
}
