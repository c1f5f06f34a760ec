// Integration tests get a database of their own per run, so runs never collide with each other or
// touch the demo data: created from the template of migrations, dropped when the run ends.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { applyMigrations } from "./migrations";

/** Creates and migrates a fresh database beside the one in `baseUrl`; returns its URL. */
export async function createTestDatabase(baseUrl: string): Promise<string> {
  const url = new URL(baseUrl);
  url.pathname = `/switchyard_test_${process.pid}_${randomBytes(3).toString("hex")}`;
  await applyMigrations(url.toString());
  return url.toString();
}

export async function dropTestDatabase(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!name.startsWith("switchyard_test_")) throw new Error(`refusing to drop ${name}: not a test database`);
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = "/postgres";
  const client = new pg.Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}
