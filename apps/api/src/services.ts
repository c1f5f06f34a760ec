// Composition root for the API's long-lived clients; tests build the same from their own config.
import { createPrismaClient } from "@switchyard/db/client";
import { Redis } from "ioredis";
import pino from "pino";
import { AgentEventHub } from "./clusters/agent-events";
import type { ApiEnv } from "./env";
import { createCompileQueue } from "./jobs/compile-job";
import type { Services } from "./trpc/context";

export function createServices(config: {
  databaseUrl: string;
  redisUrl: string;
  publicUrl: string;
  logLevel: string;
  bootstrapTokenTtlMinutes?: number;
  heartbeatIntervalSeconds?: number;
  /** Prefix of the queues' Redis keys, so several deployments (or test runs) can share a Redis. */
  queuePrefix?: string;
}): Services & { heartbeatIntervalSeconds: number; close: () => Promise<void> } {
  const prisma = createPrismaClient({ databaseUrl: config.databaseUrl });
  // BullMQ needs maxRetriesPerRequest: null on the connections it uses; we share the setting.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  const logger = pino({ level: config.logLevel, base: { service: "api" } });
  const events = new AgentEventHub(redis);
  const heartbeatIntervalSeconds = config.heartbeatIntervalSeconds ?? 10;
  const queuePrefix = config.queuePrefix ?? "switchyard";
  const compileQueue = createCompileQueue({ connection: redis, prefix: queuePrefix });
  return {
    prisma,
    redis,
    logger,
    events,
    compileQueue,
    queuePrefix,
    publicUrl: config.publicUrl,
    heartbeatIntervalSeconds,
    clusterSettings: {
      publicUrl: config.publicUrl,
      bootstrapTokenTtlMs: (config.bootstrapTokenTtlMinutes ?? 60) * 60_000,
      connectedWithinMs: heartbeatIntervalSeconds * 3 * 1000,
    },
    close: async () => {
      await events.close();
      await compileQueue.close().catch(() => undefined);
      await Promise.allSettled([prisma.$disconnect(), redis.quit()]);
    },
  };
}

/** The services of a process started from the environment: the API (main.ts) or the workers alone (worker.ts). */
export function createServicesFromEnv(env: ApiEnv): ReturnType<typeof createServices> {
  return createServices({
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    publicUrl: env.PUBLIC_URL,
    logLevel: env.LOG_LEVEL,
    bootstrapTokenTtlMinutes: env.BOOTSTRAP_TOKEN_TTL_MINUTES,
    heartbeatIntervalSeconds: env.AGENT_HEARTBEAT_SECONDS,
    queuePrefix: env.QUEUE_PREFIX,
  });
}
