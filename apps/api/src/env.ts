// The API's configuration, read once at start-up. Nothing else reads process.env.
import { z } from "zod";

const envSchema = z.object({
  /** Postgres connection string (the source of truth). */
  DATABASE_URL: z.url(),
  /** Redis connection string (queues, pub/sub, sign-in throttling). */
  REDIS_URL: z.url(),
  /** Port the API listens on (loopback or behind the console's proxy). */
  API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Address the API binds to. */
  API_HOST: z.string().default("127.0.0.1"),
  /** Secret shared with the console: it signs session tokens, the API reads them. 32+ chars. */
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters"),
  /** The console's public URL, used in links we hand out (invitations, install lines). */
  PUBLIC_URL: z.url(),
  /** The URL agents use to reach the API (written into install manifests); defaults to PUBLIC_URL. */
  AGENT_API_URL: z.url().optional(),
  /** The agent's container image in install manifests. */
  AGENT_IMAGE: z.string().min(1).default("ghcr.io/switchyard/cluster-agent:0.1.0"),
  /** How long an install line works before it must be re-created. */
  BOOTSTRAP_TOKEN_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  /** How often agents send heartbeats; a cluster unheard for 3 intervals counts as disconnected. */
  AGENT_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  /** Prefix of the BullMQ queues' Redis keys, so deployments sharing a Redis keep their jobs apart. */
  QUEUE_PREFIX: z.string().min(1).max(64).default("switchyard"),
  /** Whether this process runs the workers (compile, outbox relay); replicas may leave it to others. */
  RUN_WORKERS: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
  /** pino log level. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type ApiEnv = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): ApiEnv {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`The API's configuration is invalid:\n${problems.join("\n")}`);
  }
  return result.data;
}
