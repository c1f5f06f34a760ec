// What benchmarks share: a free port, medians, and a real API process on a database of its own.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import path from "node:path";
import { createTestDatabase, dropTestDatabase } from "../packages/db/src/test-database";
import { benchEnv, inheritedEnv } from "./env";

export const repoRoot = path.resolve(import.meta.dirname, "..");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The q-quantile of sorted values, nearest rank. */
export function quantile(sorted: number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const round2 = (value: number) => Number(value.toFixed(2));

export type BenchApi = { url: string; databaseUrl: string; authSecret: string; stop: () => Promise<void> };

/** A fresh database beside the setup's one (DATABASE_URL, from scripts/env.sh) for one bench run. */
export function createBenchDatabase(): Promise<string> {
  return createTestDatabase(benchEnv.DATABASE_URL);
}

/**
 * Starts `apps/api` as its own process on a fresh database; `stop` ends it and drops the database.
 * With `workersApart`, the API runs no workers and `apps/api/src/worker.ts` runs them in a second
 * process, as `npm run demo` does.
 */
export async function startBenchApi(
  env: Record<string, string> = {},
  options: { workersApart?: boolean } = {},
): Promise<BenchApi> {
  const databaseUrl = await createBenchDatabase();
  const authSecret = randomBytes(32).toString("hex");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const processEnv = {
    ...inheritedEnv,
    DATABASE_URL: databaseUrl,
    API_PORT: String(port),
    AUTH_SECRET: authSecret,
    PUBLIC_URL: url,
    LOG_LEVEL: "warn",
    // Jobs of its own: a demo or another run sharing this Redis must not take them.
    QUEUE_PREFIX: `bench-${randomBytes(4).toString("hex")}`,
    ...(options.workersApart ? { RUN_WORKERS: "false" } : {}),
    ...env,
  };
  // node --import tsx (not npx) so that killing the child stops the API itself. BENCH_API_NODE_ARGS
  // adds flags for investigation, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = benchEnv.BENCH_API_NODE_ARGS.split(" ").filter(Boolean);
  const start = (entry: string): ChildProcess =>
    spawn(process.execPath, [...nodeArgs, "--import", "tsx", entry], {
      cwd: repoRoot,
      env: processEnv,
      stdio: ["ignore", "ignore", "inherit"],
    });
  const api = start("apps/api/src/main.ts");
  const children = [api, ...(options.workersApart ? [start("apps/api/src/worker.ts")] : [])];
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null) return;
        child.kill("SIGTERM");
        await new Promise((resolve) => child.once("exit", resolve));
      }),
    );
    await dropTestDatabase(databaseUrl);
  };
  try {
    for (let attempt = 0; ; attempt++) {
      if (children.some((child) => child.exitCode !== null))
        throw new Error("the API or its worker process exited during start-up");
      if (attempt > 300) throw new Error("the API did not become ready");
      const isReady = await fetch(`${url}/readyz`).then(
        (response) => response.ok,
        () => false,
      );
      if (isReady) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, databaseUrl, authSecret, stop };
}
