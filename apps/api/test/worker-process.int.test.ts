// The workers' own process (src/worker.ts), as `npm run demo` runs it beside an API started with
// RUN_WORKERS=false: a real process on the run's database and Redis that runs the telemetry job
// (the organization's graphs get recorded) and stops cleanly on SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ingestTelemetryBatch } from "../src/telemetry/ingest";
import { syntheticMeshBatches } from "../src/telemetry/synthetic-mesh";
import { createTestServices, eventually, signUpOwner, type TestServices, testAuthSecret } from "./harness";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
let services: TestServices;
let worker: ChildProcess | null = null;

beforeAll(() => {
  services = createTestServices();
});
afterAll(async () => {
  if (worker && worker.exitCode === null) worker.kill("SIGKILL");
  await services.close();
});

describe("the worker process", () => {
  it("runs the telemetry job without the HTTP server, and exits 0 on SIGTERM", async () => {
    const { orgSlug } = await signUpOwner(services, "worker-process");
    const organization = await services.prisma.organization.findUniqueOrThrow({ where: { slug: orgSlug } });
    const cluster = await services.prisma.cluster.create({
      data: { organizationId: organization.id, name: "c0" },
    });
    const windowEnd = Math.floor(Date.now() / 10_000) * 10_000;
    for (const { batch } of syntheticMeshBatches({
      clusters: 1,
      namespacesPerCluster: 2,
      workloadsPerNamespace: 3,
      edgesPerNode: 2,
      windowEnd,
      windowSeconds: 10,
      seed: "worker-process",
    }))
      await ingestTelemetryBatch({
        prisma: services.prisma,
        organizationId: organization.id,
        clusterId: cluster.id,
        batch,
      });

    const stderr: string[] = [];
    worker = spawn(process.execPath, ["--import", "tsx", "apps/api/src/worker.ts"], {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: inject("databaseUrl"),
        REDIS_URL: inject("redisUrl"),
        AUTH_SECRET: testAuthSecret,
        PUBLIC_URL: "http://console.test",
        // Its own queues: the schedulers it starts must not run on in other test files' workers.
        QUEUE_PREFIX: `sy-worker-test-${Date.now()}`,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    worker.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));

    // The rollup job runs when its scheduler starts, and records the organization's graphs after it.
    const recorded = await eventually(
      async () => {
        const rows = await services.prisma.$queryRaw<{ range_seconds: number }[]>`
          select range_seconds from telemetry_graph_recordings where organization_id = ${organization.id}`;
        // Both recorded ranges: a run writes the 15 min before the hour.
        return rows.length === 2 ? rows.map((row) => row.range_seconds).sort((a, b) => a - b) : undefined;
      },
      { timeoutMs: 45_000, what: `the worker process to record the graphs (stderr: ${stderr.join("")})` },
    );
    expect(recorded).toEqual([900, 3600]);

    const running = worker;
    const exitCode = await new Promise<number | null>((resolve) => {
      running.once("exit", (code) => resolve(code));
      running.kill("SIGTERM");
    });
    expect(exitCode).toBe(0);
  }, 60_000);
});
