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
}

export interface RunningAgent {
  agent: Agent;
  /** Stops every loop and waits for them. */
  stop(): Promise<void>;
  /** Settles when the agent ends: stopped, or fatal with the reason. Never rejects. */
  done: Promise<AgentResult>;
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
  const done = agent.start();
  return { agent, stop: () => agent.stop(), done };
}
