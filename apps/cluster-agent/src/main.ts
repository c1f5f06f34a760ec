/** The agent's composition root: configuration, logger, agent, signals, exit code. */
import pino from "pino";
import { ConfigError, readConfig, usage } from "./env";
import { startAgent } from "./start-agent";

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let config: ReturnType<typeof readConfig>;
  try {
    config = readConfig(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (config === "help") {
    process.stdout.write(usage);
    return 0;
  }
  const logger = pino({ name: "switchyard-agent", level: config.logLevel });
  const running = startAgent({
    apiUrl: config.apiUrl,
    bootstrapToken: config.bootstrapToken,
    logger,
    telemetry:
      config.telemetry === undefined
        ? undefined
        : {
            prometheusUrl: config.telemetry.prometheusUrl,
            metricsUrls: config.telemetry.metricsUrls,
            intervalMs: config.telemetry.intervalSeconds * 1000,
          },
    ...(config.mode === "shell"
      ? { kubeconfigPath: config.kubeconfigPath, stateFile: config.stateFile }
      : { secret: { namespace: config.secretNamespace, name: config.secretName } }),
  });
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "stopping");
    void running.stop();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const result = await running.done;
  if (result.status === "fatal") {
    process.stderr.write(`switchyard-agent: ${result.message}\n`);
    return 1;
  }
  return 0;
}

// Run when executed directly (tsx src/main.ts), not when imported by the bin shim or tests.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
