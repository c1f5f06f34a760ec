// The "compile" job: one definition (name + payload schema) beside its handler. A job compiles an
// organization's current policies (for all its clusters, or only those whose inventory changed)
// into new desired-config versions, then tells the clusters' agents through Redis pub/sub.
import type { PrismaClient } from "@switchyard/db/client";
import { type Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { z } from "zod";
import type { AgentEventHub } from "../clusters/agent-events";
import { compileOrganization } from "../policies/desired-config";

export const compileQueueName = "compile";

export const compileJob = {
  name: "compile",
  payload: z.object({
    organizationId: z.string().min(1),
    /** Null: every cluster of the organization (a policy change); else only these (an inventory change). */
    clusterIds: z.array(z.string().min(1)).nullable(),
    /** The outbox row that asked for it, for policy changes: the job claims it and every older one. */
    outboxSeq: z.number().int().positive().nullable(),
  }),
} as const;
export type CompileJobPayload = z.infer<typeof compileJob.payload>;

export type CompileQueue = Queue<CompileJobPayload>;

export function createCompileQueue(options: { connection: Redis; prefix: string }): CompileQueue {
  return new Queue<CompileJobPayload>(compileQueueName, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: "exponential", delay: 200 },
      removeOnComplete: true,
      removeOnFail: 200,
    },
  });
}

/** How long inventory changes of one cluster are gathered into one compile. */
const inventoryWindowMs = 250;

/**
 * Enqueue a compile. Policy changes are keyed by their outbox row, so re-enqueueing a row (after a
 * crash, or by two replicas' relays) adds nothing; a job that finds its rows already claimed by a
 * newer compile ends at once, so N quick change sets cost at most two compiles. Inventory changes
 * of one cluster are keyed by a time window and delayed to its end, so a snapshot's many batches
 * compile once, after the last batch of the window was committed.
 */
export async function enqueueCompile(queue: CompileQueue, payload: CompileJobPayload): Promise<void> {
  const data = compileJob.payload.parse(payload);
  if (data.outboxSeq !== null) {
    await queue.add(compileJob.name, data, { jobId: `org-${data.organizationId}-${data.outboxSeq}` });
    return;
  }
  const now = Date.now();
  const window = Math.floor(now / inventoryWindowMs);
  const clusters = (data.clusterIds ?? ["all"]).join("-");
  await queue.add(compileJob.name, data, {
    jobId: `inventory-${data.organizationId}-${clusters}-${window}`,
    delay: (window + 1) * inventoryWindowMs - now,
  });
}

export type CompileJobServices = { prisma: PrismaClient; events: AgentEventHub; logger: Logger };

export async function handleCompileJob(
  services: CompileJobServices,
  job: Pick<Job, "data" | "id">,
): Promise<{ versions: number; claimed: number }> {
  const payload = compileJob.payload.parse(job.data);
  const started = Date.now();
  const result = await compileOrganization({
    prisma: services.prisma,
    organizationId: payload.organizationId,
    clusterIds: payload.clusterIds,
    claimOutbox: payload.outboxSeq !== null,
  });
  // After commit: an agent told of a version can always fetch it. A lost message is caught up by
  // the desired-config event every stream starts with.
  await Promise.all(
    result.versions.map((v) =>
      services.events.publish(v.clusterId, { type: "desired-config", version: v.version }),
    ),
  );
  if (result.versions.length > 0 || result.claimed > 0)
    services.logger.info(
      {
        jobId: job.id,
        organizationId: payload.organizationId,
        versions: result.versions.length,
        claimed: result.claimed,
        ms: Date.now() - started,
      },
      "compiled desired config",
    );
  return { versions: result.versions.length, claimed: result.claimed };
}
