// The "telemetry" jobs: rollups (10 s → 1 min → 5 min → 15 min → 1 h) followed by the graph
// recordings, and retention, as BullMQ job schedulers (repeatable), one definition beside its
// handler. Schedulers are upserted by id, so every replica can start them and they still run once
// per interval; both jobs are idempotent anyway.
import type { PrismaClient } from "@switchyard/db/client";
import { type Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { z } from "zod";
import { recordGraphs } from "../telemetry/graph-query";
import {
  pruneTelemetry,
  type RetentionSettings,
  type RollupSettings,
  rollupTelemetry,
} from "../telemetry/rollup";

export const telemetryQueueName = "telemetry";

export const telemetryJob = {
  rollup: { name: "rollup", payload: z.object({}) },
  retention: { name: "retention", payload: z.object({}) },
} as const;

export interface TelemetryJobOptions {
  /** How often the rollups run (default 30 s). */
  rollupEveryMs?: number;
  /** How often retention runs (default 10 min). */
  retentionEveryMs?: number;
  rollup?: Partial<RollupSettings>;
  retention?: Partial<RetentionSettings>;
}

export async function handleTelemetryJob(
  services: { prisma: PrismaClient; logger: Logger },
  job: Pick<Job, "name" | "id">,
  options: TelemetryJobOptions = {},
): Promise<unknown> {
  const started = Date.now();
  if (job.name === telemetryJob.rollup.name) {
    const rolledUp = await rollupTelemetry({
      prisma: services.prisma,
      settings: options.rollup ?? {},
      retention: options.retention ?? {},
    });
    // After the rollups, so the recordings read the coarsest tables they can.
    const { failed, ...recorded } = await recordGraphs({ prisma: services.prisma });
    for (const failure of failed) services.logger.warn(failure, "graph recording failed");
    const result = { ...rolledUp, recorded };
    services.logger.debug({ ...result, ms: Date.now() - started }, "telemetry rolled up and graphs recorded");
    return result;
  }
  if (job.name === telemetryJob.retention.name) {
    const result = await pruneTelemetry({ prisma: services.prisma, settings: options.retention ?? {} });
    services.logger.info({ ...result, ms: Date.now() - started }, "telemetry retention");
    return result;
  }
  throw new Error(`unknown telemetry job ${job.name}`);
}

/** Starts the telemetry worker and (re)declares its schedulers. */
export async function startTelemetryJobs(
  services: { prisma: PrismaClient; redis: Redis; logger: Logger; queuePrefix: string },
  options: TelemetryJobOptions = {},
): Promise<{ close: () => Promise<void> }> {
  const logger = services.logger.child({ component: "telemetry-jobs" });
  const queue = new Queue(telemetryQueueName, {
    connection: services.redis,
    prefix: services.queuePrefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: 50 },
  });
  const worker = new Worker(
    telemetryQueueName,
    (job) => handleTelemetryJob({ prisma: services.prisma, logger }, job, options),
    // One at a time per replica: the rollups are big statements; two at once only contend.
    { connection: services.redis, prefix: services.queuePrefix, concurrency: 1 },
  );
  worker.on("failed", (job, error) => logger.warn({ err: error, job: job?.name }, "telemetry job failed"));
  worker.on("error", (error) => logger.error({ err: error }, "telemetry worker error"));
  await worker.waitUntilReady();
  await queue.upsertJobScheduler(
    telemetryJob.rollup.name,
    { every: options.rollupEveryMs ?? 30_000 },
    { name: telemetryJob.rollup.name, data: {} },
  );
  await queue.upsertJobScheduler(
    telemetryJob.retention.name,
    { every: options.retentionEveryMs ?? 600_000 },
    { name: telemetryJob.retention.name, data: {} },
  );
  return {
    close: async () => {
      await worker.close();
      await queue.close();
    },
  };
}
