// Per-request context: who is calling (resolved from the console's session token) and the services.
import type { PrismaClient } from "@switchyard/db/client";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { AgentEventHub } from "../clusters/agent-events";
import type { ClusterSettings } from "../clusters/clusters";
import type { CompileQueue } from "../jobs/compile-job";

export type SessionUser = { id: string; email: string; name: string };

export type Services = {
  prisma: PrismaClient;
  redis: Redis;
  logger: Logger;
  /** The console's public URL, for links we hand out. */
  publicUrl: string;
  /** Control messages to agents, delivered by whichever replica holds their stream. */
  events: AgentEventHub;
  clusterSettings: ClusterSettings;
  /** Where compile work goes; any replica's worker takes it (see jobs/). */
  compileQueue: CompileQueue;
  queuePrefix: string;
};

export type Context = Services & {
  user: SessionUser | null;
  requestId: string;
  /** The caller's address as the console saw it, for throttling. */
  clientIp: string;
};
