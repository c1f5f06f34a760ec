// The one way to get a Prisma client: the Rust-free Prisma 7 client on the pg driver adapter, over
// a pg pool of our own so that the few statements Prisma cannot express (COPY, for telemetry
// ingest: docs/telemetry.md) run on the same connections.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { PrismaClient } from "./generated/prisma/client";

export type { Prisma, PrismaClient } from "./generated/prisma/client";
export type { Role as RoleName } from "./generated/prisma/enums";
export { Role } from "./generated/prisma/enums";

const pools = new WeakMap<PrismaClient, pg.Pool>();

export function createPrismaClient(options: { databaseUrl: string; maxConnections?: number }): PrismaClient {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.maxConnections ?? 10 });
  // The adapter ends the pool when the client disconnects.
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(client, pool);
  return client;
}

/**
 * A connection of the client's pool, for statements Prisma cannot express. `use` owns it inside
 * one transaction: committed when `use` resolves, rolled back when it throws.
 */
export async function withPoolTransaction<T>(
  prisma: PrismaClient,
  use: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const pool = pools.get(prisma);
  if (!pool) throw new Error("not a client from createPrismaClient");
  const client = await pool.connect();
  // A connection whose rollback failed is broken: it is closed, not handed to the next caller.
  let isBroken = false;
  try {
    await client.query("begin");
    const result = await use(client);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch(() => {
      isBroken = true;
    });
    throw error;
  } finally {
    client.release(isBroken);
  }
}

/** `COPY table (columns) FROM STDIN` of rows in COPY's text format (tab-separated, one per line). */
export async function copyRows(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  text: string,
): Promise<void> {
  await pipeline(
    Readable.from([text]),
    client.query(copyFrom(`copy ${table} (${columns.join(", ")}) from stdin`)),
  );
}

/** Whether a pg error is a unique violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "23505";
}
