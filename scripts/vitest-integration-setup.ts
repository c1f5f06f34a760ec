// Integration tests run against the real Postgres and Redis. Each run gets a database of its own
// (created and migrated here, dropped at the end), so runs never collide or touch the demo data.
// The provided values are typed for tests in apps/api/test/provided-context.d.ts.
import type { TestProject } from "vitest/node";
import { createTestDatabase, dropTestDatabase } from "../packages/db/src/test-database";

export default async function setup(project: TestProject) {
  const baseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/switchyard";
  const databaseUrl = await createTestDatabase(baseUrl);
  project.provide("databaseUrl", databaseUrl);
  project.provide("redisUrl", process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  return async () => {
    await dropTestDatabase(databaseUrl);
  };
}
