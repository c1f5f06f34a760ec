/**
 * The agent's configuration, read once at start-up from its command line and environment. Nothing
 * else reads process.env or argv. Flags win over environment variables.
 *
 *   switchyard-agent --api URL [--token TOKEN] --kubeconfig FILE [--state-file FILE] [--log-level L]
 *                    [--prometheus-url URL | --metrics-url URL...] [--telemetry-interval SECONDS]
 *   in-cluster: SWITCHYARD_API_URL, SWITCHYARD_BOOTSTRAP_TOKEN (service account; credential in a Secret)
 *   telemetry: SWITCHYARD_PROMETHEUS_URL, SWITCHYARD_METRICS_URLS (comma separated),
 *              SWITCHYARD_TELEMETRY_INTERVAL_SECONDS
 */
import { parseArgs } from "node:util";
import { z } from "zod";

const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

const envSchema = z.object({
  /** The Switchyard API's base URL, e.g. https://switchyard.example.com (the agent only calls out). */
  SWITCHYARD_API_URL: z.url().optional(),
  /** Single-use bootstrap token from the install line; needed only until a credential is stored. */
  SWITCHYARD_BOOTSTRAP_TOKEN: z.string().min(16).optional(),
  /** Namespace of the Secret that holds the credential in-cluster. */
  SWITCHYARD_NAMESPACE: z.string().min(1).default("switchyard-system"),
  /** Name of that Secret (key `credential`). */
  SWITCHYARD_SECRET_NAME: z.string().min(1).default("switchyard-agent"),
  /** pino log level. */
  SWITCHYARD_LOG_LEVEL: logLevel.default("info"),
  /** A Prometheus server that scrapes the mesh (telemetry through its HTTP API). */
  SWITCHYARD_PROMETHEUS_URL: z.url().optional(),
  /** Without Prometheus: Prometheus text endpoints to scrape directly, comma separated. */
  SWITCHYARD_METRICS_URLS: z
    .string()
    .optional()
    .transform((value) =>
      value === undefined
        ? undefined
        : value
            .split(",")
            .map((url) => url.trim())
            .filter((url) => url !== ""),
    )
    .pipe(z.array(z.url("each of SWITCHYARD_METRICS_URLS must be a URL")).optional()),
  /** Seconds between telemetry reads (default 15). */
  SWITCHYARD_TELEMETRY_INTERVAL_SECONDS: z.coerce.number().positive().max(3600).optional(),
  /** Set by the kubelet in every pod: its presence means we run in a cluster. */
  KUBERNETES_SERVICE_HOST: z.string().optional(),
});

const flagsSchema = z.object({
  api: z.url("--api must be a URL").optional(),
  token: z.string().min(16, "--token must be at least 16 characters").optional(),
  kubeconfig: z.string().min(1).optional(),
  "state-file": z.string().min(1).optional(),
  "log-level": logLevel.optional(),
  "prometheus-url": z.url("--prometheus-url must be a URL").optional(),
  "metrics-url": z.array(z.url("--metrics-url must be a URL")).optional(),
  "telemetry-interval": z.coerce
    .number("--telemetry-interval must be a number of seconds")
    .positive("--telemetry-interval must be positive")
    .max(3600, "--telemetry-interval must be at most 3600")
    .optional(),
});

export interface TelemetryConfig {
  prometheusUrl: string | undefined;
  metricsUrls: string[];
  intervalSeconds: number;
}

export type AgentConfig = {
  apiUrl: string;
  bootstrapToken: string | undefined;
  logLevel: z.infer<typeof logLevel>;
  /** Undefined when neither a Prometheus URL nor metrics URLs are given: no telemetry. */
  telemetry: TelemetryConfig | undefined;
} & (
  | { mode: "shell"; kubeconfigPath: string; stateFile: string }
  | { mode: "in-cluster"; secretNamespace: string; secretName: string }
);

export const usage = `Usage: switchyard-agent --api URL --token TOKEN --kubeconfig FILE [--state-file FILE] [--log-level LEVEL]
                        [--prometheus-url URL | --metrics-url URL ...] [--telemetry-interval SECONDS]

  --api URL           Switchyard API base URL (or SWITCHYARD_API_URL)
  --token TOKEN       bootstrap token from the install line (or SWITCHYARD_BOOTSTRAP_TOKEN);
                      needed only the first time, until the credential is stored
  --kubeconfig FILE   cluster to connect; without it the agent expects to run in-cluster
  --state-file FILE   where the credential is kept (default ./.switchyard-agent-state.json, mode 0600)
  --log-level LEVEL   fatal|error|warn|info|debug|trace|silent (default info)
  --prometheus-url URL
                      read mesh telemetry from this Prometheus server (or SWITCHYARD_PROMETHEUS_URL)
  --metrics-url URL   without Prometheus: scrape this Prometheus text endpoint directly; repeatable
                      (or SWITCHYARD_METRICS_URLS, comma separated)
  --telemetry-interval SECONDS
                      seconds between telemetry reads (default 15; or SWITCHYARD_TELEMETRY_INTERVAL_SECONDS)
                      without --prometheus-url or --metrics-url no telemetry is read
`;

export class ConfigError extends Error {}

/** Parses argv (without node and script) and env; throws ConfigError naming every problem. */
export function readConfig(argv: string[], env: NodeJS.ProcessEnv): AgentConfig | "help" {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        api: { type: "string" },
        token: { type: "string" },
        kubeconfig: { type: "string" },
        "state-file": { type: "string" },
        "log-level": { type: "string" },
        "prometheus-url": { type: "string" },
        "metrics-url": { type: "string", multiple: true },
        "telemetry-interval": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new ConfigError(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
  if (values.help === true) return "help";
  const problems: string[] = [];
  const flags = flagsSchema.safeParse(values);
  const vars = envSchema.safeParse(env);
  if (!flags.success)
    for (const issue of flags.error.issues) problems.push(`  --${issue.path.join(".")}: ${issue.message}`);
  if (!vars.success)
    for (const issue of vars.error.issues) problems.push(`  ${issue.path.join(".")}: ${issue.message}`);
  if (!flags.success || !vars.success)
    throw new ConfigError(`Invalid agent configuration:\n${problems.join("\n")}`);

  const apiUrl = flags.data.api ?? vars.data.SWITCHYARD_API_URL;
  if (apiUrl === undefined) problems.push("  --api (or SWITCHYARD_API_URL) is required");
  const kubeconfigPath = flags.data.kubeconfig;
  if (kubeconfigPath === undefined && vars.data.KUBERNETES_SERVICE_HOST === undefined) {
    problems.push("  --kubeconfig is required outside a cluster");
  }
  if (apiUrl === undefined || problems.length > 0) {
    throw new ConfigError(`Invalid agent configuration:\n${problems.join("\n")}\n\n${usage}`);
  }
  const common = {
    apiUrl,
    bootstrapToken: flags.data.token ?? vars.data.SWITCHYARD_BOOTSTRAP_TOKEN,
    logLevel: flags.data["log-level"] ?? vars.data.SWITCHYARD_LOG_LEVEL,
    telemetry: telemetryConfig(flags.data, vars.data),
  };
  if (kubeconfigPath !== undefined) {
    return {
      ...common,
      mode: "shell",
      kubeconfigPath,
      stateFile: flags.data["state-file"] ?? ".switchyard-agent-state.json",
    };
  }
  return {
    ...common,
    mode: "in-cluster",
    secretNamespace: vars.data.SWITCHYARD_NAMESPACE,
    secretName: vars.data.SWITCHYARD_SECRET_NAME,
  };
}

function telemetryConfig(
  flags: z.infer<typeof flagsSchema>,
  vars: z.infer<typeof envSchema>,
): TelemetryConfig | undefined {
  const prometheusUrl = flags["prometheus-url"] ?? vars.SWITCHYARD_PROMETHEUS_URL;
  const metricsUrls = flags["metrics-url"] ?? vars.SWITCHYARD_METRICS_URLS ?? [];
  if (prometheusUrl === undefined && metricsUrls.length === 0) return undefined;
  return {
    prometheusUrl,
    metricsUrls,
    intervalSeconds: flags["telemetry-interval"] ?? vars.SWITCHYARD_TELEMETRY_INTERVAL_SECONDS ?? 15,
  };
}
