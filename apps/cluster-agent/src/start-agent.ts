/**
 * Builds an agent from plain options and starts it: the in-process entry for the CLI, the demo and
 * integration tests (one process can run several agents, one per simulated cluster).
 */
import { resolve } from "node:path";
import pino, { type Logger } from "pino";
import { Agent, type AgentResult, type AgentSettings } from "./agent";
import { AgentApiClient } from "./clients/api-client";
import { KubernetesClient, loadKubeConfig } from "./clients/kubernetes";
import { type CredentialStore, FileCredentialStore, SecretCredentialStore } from "./credential-store";
import { toFatal } from "./errors";
import { createTelemetryLoop, type TelemetryOptions } from "./telemetry/index";
import { apiTelemetrySender } from "./telemetry/telemetry-client";
import type { TelemetryLoop } from "./telemetry/telemetry-loop";

export interface StartAgentOptions extends AgentSettings {
  apiUrl: string;
  /** Outside a cluster: the kubeconfig to use. Omit it to run in-cluster (service account). */
  kubeconfigPath?: string;
  /** Where the credential is kept outside a cluster (default ./.switchyard-agent-state.json). */
  stateFile?: string;
  /** In-cluster: the Secret that keeps the credential (default switchyard-system/switchyard-agent). */
  secret?: { namespace: string; name: string };
  /** Overrides where the credential is kept (tests). */
  credentialStore?: CredentialStore;
  logger?: Logger;
  /**
   * Mesh telemetry: read from a Prometheus server (`prometheusUrl`) or by scraping Prometheus
   * text endpoints (`metricsUrls`) every `intervalMs` (default 15 s), shipped to the API. Without
   * either URL there is no telemetry loop.
   */
  telemetry?: TelemetryOptions;
}

export interface RunningAgent {
  agent: Agent;
  /** Stops every loop and waits for them. */
  stop(): Promise<void>;
  /** Settles when the agent ends: stopped, or fatal with the reason. Never rejects. */
  done: Promise<AgentResult>;
  /** The telemetry loop, when telemetry is configured. */
  telemetry?: TelemetryLoop;
}

export function startAgent(options: StartAgentOptions): RunningAgent {
  const logger = options.logger ?? pino({ name: "switchyard-agent" });
  const kubeConfig = loadKubeConfig(
    options.kubeconfigPath === undefined
      ? { kind: "in-cluster" }
      : { kind: "file", path: options.kubeconfigPath },
  );
  const kube = new KubernetesClient(kubeConfig);
  const credentials =
    options.credentialStore ??
    (options.kubeconfigPath === undefined
      ? new SecretCredentialStore(
          kube,
          options.secret?.namespace ?? "switchyard-system",
          options.secret?.name ?? "switchyard-agent",
        )
      : new FileCredentialStore(resolve(options.stateFile ?? ".switchyard-agent-state.json")));
  const api = new AgentApiClient({ baseUrl: options.apiUrl });
  const agent = new Agent({ api, kube, credentials, logger }, options);
  const agentDone = agent.start();
  const telemetry = createTelemetryLoop(options.telemetry, {
    sender: apiTelemetrySender(api),
    logger: logger.child({ component: "telemetry" }),
    // The credential is set and accepted once the first session said hello.
    isReady: () => agent.sessions > 0,
    backoff: options.backoff,
  });
  if (telemetry === undefined) return { agent, stop: () => agent.stop(), done: agentDone, telemetry };
  // Telemetry runs beside the agent's sessions (reads go on while the API is away). A fatal send
  // failure stops the agent as a fatal error in any other loop does; the agent ending stops it.
  let telemetryFatal: AgentResult | undefined;
  const telemetryRun = telemetry.start().catch(async (error: unknown) => {
    const fatal = toFatal(error);
    logger.fatal({ code: fatal.code }, `agent stopped: ${fatal.message}`);
    telemetryFatal = { status: "fatal", code: fatal.code, message: fatal.message };
    await agent.stop();
  });
  const done = agentDone.then(async (result) => {
    await telemetry.stop();
    await telemetryRun;
    return telemetryFatal ?? result;
  });
  const stop = async () => {
    await Promise.all([agent.stop(), telemetry.stop()]);
    await done;
  };
  return { agent, stop, done, telemetry };
}
