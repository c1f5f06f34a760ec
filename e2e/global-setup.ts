// Brings up what the journeys need, all of it this run's own: a fresh database (dropped at the end),
// the API on a free port, and the console (a production build) on another. Returns the teardown.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, dropTestDatabase } from "@switchyard/db/test-database";
import { buildConsole, isConsoleBuildStale } from "../scripts/console-build";
import { freePort, type Service, startService, stopService, waitUntilReady } from "./support/processes";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function log(message: string) {
  process.stderr.write(`e2e: ${message}\n`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const started = Date.now();
  // The same defaults as scripts/env.sh, so `npm run test:e2e` works without sourcing it first.
  const baseDatabaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/switchyard";
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  // A secret of the run's own: only the API and console started here need to share it.
  const authSecret = randomBytes(32).toString("base64");
  const logDirectory = path.join(repoRoot, "e2e/.logs");
  mkdirSync(logDirectory, { recursive: true });

  const services: Service[] = [];
  let databaseUrl: string | undefined;
  async function teardown() {
    for (const service of services.reverse()) await stopService(service);
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  }

  try {
    databaseUrl = await createTestDatabase(baseDatabaseUrl);
    const [apiPort, consolePort] = [await freePort(), await freePort()];
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const consoleUrl = `http://127.0.0.1:${consolePort}`;

    const api = startService({
      name: "api",
      command: path.join(repoRoot, "node_modules/.bin/tsx"),
      args: ["apps/api/src/main.ts"],
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        API_PORT: String(apiPort),
        AUTH_SECRET: authSecret,
        PUBLIC_URL: consoleUrl,
        LOG_LEVEL: "warn",
        // Jobs of its own: a demo or another run sharing this Redis must not take them.
        QUEUE_PREFIX: `e2e-${path.basename(new URL(databaseUrl).pathname)}`,
      },
      logPath: path.join(logDirectory, "api.log"),
    });
    services.push(api);

    // Built while the API starts; the build needs no configuration (the console reads it at run time).
    if (isConsoleBuildStale(repoRoot)) {
      log("building the console (sources changed since the last build)...");
      buildConsole(repoRoot, process.env);
    }

    const consoleService = startService({
      name: "console",
      command: path.join(repoRoot, "node_modules/.bin/next"),
      args: ["start", "--hostname", "127.0.0.1", "--port", String(consolePort)],
      cwd: path.join(repoRoot, "apps/console"),
      env: {
        ...process.env,
        API_URL: apiUrl,
        AUTH_SECRET: authSecret,
        NEXTAUTH_URL: consoleUrl,
        NEXT_TELEMETRY_DISABLED: "1",
      },
      logPath: path.join(logDirectory, "console.log"),
    });
    services.push(consoleService);

    await waitUntilReady(api, `${apiUrl}/readyz`, 60_000);
    await waitUntilReady(consoleService, `${consoleUrl}/signin`, 60_000);
    process.env.E2E_CONSOLE_URL = consoleUrl;
    log(`console ${consoleUrl}, api ${apiUrl}, ready in ${Math.round((Date.now() - started) / 1000)} s`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
