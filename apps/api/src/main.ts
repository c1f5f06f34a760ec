// Starts the API: read config, build services, listen, and shut down cleanly on SIGTERM/SIGINT.
import { readEnv } from "./env";
import { createApiServer } from "./http/server";
import { startWorkers } from "./jobs/workers";
import { createServicesFromEnv } from "./services";

const env = readEnv();
const services = createServicesFromEnv(env);
await services.events.start();
const workers = env.RUN_WORKERS ? await startWorkers(services) : null;
const server = createApiServer({
  ...services,
  authSecret: env.AUTH_SECRET,
  agentApiUrl: env.AGENT_API_URL ?? env.PUBLIC_URL,
  agentImage: env.AGENT_IMAGE,
});
server.listen(env.API_PORT, env.API_HOST, () => {
  services.logger.info({ port: env.API_PORT, host: env.API_HOST }, "api listening");
});

async function shutDown(signal: string) {
  services.logger.info({ signal }, "shutting down");
  server.close();
  server.closeAllConnections();
  await workers?.close();
  await services.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutDown("SIGTERM"));
process.on("SIGINT", () => void shutDown("SIGINT"));
