// Rollups (10 s → 1 min → 1 h) and retention of the edge bucket tables. Rollups recompute whole
// closed buckets from the finer table and overwrite (`= excluded`), so running twice, or two
// replicas at once, gives the same rows; the last few buckets are recomputed on every run, so a
// batch that arrives a little late is still counted.
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

/** One run of both rollups at `now`: the closed buckets of the lookback windows. */
export async function rollupTelemetry(options: {
  prisma: PrismaClient;
  now?: Date;
  settings?: Partial<RollupSettings>;
}): Promise<{ minuteRows: number; hourRows: number }> {
  const settings = { ...defaultRollupSettings, ...options.settings };
  const now = (options.now ?? new Date()).getTime();
  const minuteEnd = Math.floor((now - settings.minuteGraceMs) / 60_000) * 60_000;
  const minuteRows = await rollupRange({
    prisma: options.prisma,
    from: 10,
    into: 60,
    start: new Date(minuteEnd - settings.minuteLookbackMs),
    end: new Date(minuteEnd),
  });
  const hourEnd = Math.floor((now - settings.hourGraceMs) / 3_600_000) * 3_600_000;
  const hourRows = await rollupRange({
    prisma: options.prisma,
    from: 60,
    into: 3600,
    start: new Date(hourEnd - settings.hourLookbackMs),
    end: new Date(hourEnd),
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
