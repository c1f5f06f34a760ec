// Starts the workers alone, without the HTTP server: the compile worker, the outbox sweep and the
// telemetry jobs. Run beside an API started with RUN_WORKERS=false (as `npm run demo` does), the
// telemetry job's CPU bursts (rollups and graph recordings: ≈ 1 s a run on a 5,000-node mesh) are
// scheduled by the OS next to the requests instead of holding up the API's event loop
// (docs/architecture.md). Same configuration as the API; any number of worker processes may run.
import { readEnv } from "./env";
import { startWorkers } from "./jobs/workers";
import { createServicesFromEnv } from "./services";

const env = readEnv();
const services = createServicesFromEnv(env);
await services.events.start();
const workers = await startWorkers(services);
services.logger.info({ queuePrefix: env.QUEUE_PREFIX }, "workers started");

async function shutDown(signal: string) {
  services.logger.info({ signal }, "shutting down the workers");
  await workers.close();
  await services.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutDown("SIGTERM"));
process.on("SIGINT", () => void shutDown("SIGINT"));
