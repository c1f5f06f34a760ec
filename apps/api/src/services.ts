// Composition root for the API's long-lived clients; tests build the same from their own config.
import { createPrismaClient } from "@switchyard/db/client";
import { Redis } from "ioredis";
import pino from "pino";
import type { Services } from "./trpc/context";

export function createServices(config: {
  databaseUrl: string;
  redisUrl: string;
  publicUrl: string;
  logLevel: string;
}): Services & { close: () => Promise<void> } {
  const prisma = createPrismaClient({ databaseUrl: config.databaseUrl });
  // BullMQ needs maxRetriesPerRequest: null on the connections it uses; we share the setting.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  const logger = pino({ level: config.logLevel, base: { service: "api" } });
  return {
    prisma,
    redis,
    logger,
    publicUrl: config.publicUrl,
    close: async () => {
      await Promise.allSettled([prisma.$disconnect(), redis.quit()]);
    },
  };
}
