// The API process runs the workers: the compile worker, the outbox relay's sweep and the telemetry
// rollups/retention (telemetry-job.ts). Any number of
// replicas can run them; jobs are keyed and compiles of one organization serialized in Postgres.
import { Worker } from "bullmq";
import type { Services } from "../trpc/context";
import { type CompileJobPayload, compileQueueName, handleCompileJob } from "./compile-job";
import { relayOutbox } from "./outbox-relay";
import { startTelemetryJobs, type TelemetryJobOptions } from "./telemetry-job";

export type WorkerOptions = {
  /** How often unprocessed outbox rows are re-enqueued (those enqueued longer ago than this). */
  sweepIntervalMs?: number;
  concurrency?: number;
  /** Telemetry rollup/retention intervals and ages; false: do not run them here. */
  telemetry?: TelemetryJobOptions | false;
};

export async function startWorkers(
  services: Pick<Services, "prisma" | "redis" | "events" | "logger" | "compileQueue" | "queuePrefix">,
  options: WorkerOptions = {},
): Promise<{ close: () => Promise<void> }> {
  const logger = services.logger.child({ component: "workers" });
  const worker = new Worker<CompileJobPayload>(
    compileQueueName,
    (job) => handleCompileJob({ prisma: services.prisma, events: services.events, logger }, job),
    {
      connection: services.redis,
      prefix: services.queuePrefix,
      concurrency: options.concurrency ?? 2,
    },
  );
  worker.on("failed", (job, error) =>
    logger.warn({ err: error, jobId: job?.id, attempts: job?.attemptsMade }, "compile job failed"),
  );
  worker.on("error", (error) => logger.error({ err: error }, "compile worker error"));
  await worker.waitUntilReady();

  const sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
  let isClosed = false;
  const sweep = async (enqueuedBefore?: Date) => {
    try {
      const count = await relayOutbox({
        prisma: services.prisma,
        queue: services.compileQueue,
        ...(enqueuedBefore ? { enqueuedBefore } : {}),
      });
      if (count > 0) logger.info({ organizations: count }, "re-enqueued unprocessed outbox rows");
    } catch (error) {
      if (!isClosed) logger.warn({ err: error }, "outbox sweep failed");
    }
  };
  // On start-up every unprocessed row goes back in the queue: its job may have died with a replica.
  await sweep();
  const timer = setInterval(() => void sweep(new Date(Date.now() - sweepIntervalMs)), sweepIntervalMs);
  const telemetry =
    options.telemetry === false ? null : await startTelemetryJobs(services, options.telemetry ?? {});
  return {
    close: async () => {
      isClosed = true;
      clearInterval(timer);
      await worker.close();
      await telemetry?.close();
    },
  };
}
