/**
 * The agent's lifecycle: make sure there is a credential (register once), keep the inventory
 * watchers running for the whole life of the process, and run sessions against the API — hello,
 * then inventory sync, heartbeats and the events stream side by side — until a fatal error or
 * stop(). A transient failure in any part ends the session; the next one starts after a backoff
 * with hello and a full snapshot, so nothing is lost across an API restart and nothing is applied
 * twice (the API applies by key).
 */
import type { Logger } from "pino";
import { Backoff, type BackoffOptions, defaultBackoff, sleep } from "./backoff";
import type { AgentApiClient } from "./clients/api-client";
import type { KubernetesClient } from "./clients/kubernetes";
import { ConfigLoop, ConfigState } from "./config/config-loop";
import { type IstioCluster, KubeIstioCluster } from "./config/istio-resources";
import type { CredentialStore, StoredCredential } from "./credential-store";
import { FatalAgentError, isFatal, isSequenceGap, toFatal } from "./errors";
import { EventStream } from "./events";
import { HeartbeatLoop } from "./heartbeat";
import { InventoryStore } from "./inventory/inventory-store";
import { InventorySync } from "./inventory/inventory-sync";
import { InventoryWatcher } from "./inventory/inventory-watcher";
import { agentVersion } from "./version";

export interface AgentDependencies {
  api: AgentApiClient;
  kube: KubernetesClient;
  credentials: CredentialStore;
  logger: Logger;
  /** Where desired configuration is applied; defaults to the Kubernetes client's cluster. */
  istio?: IstioCluster;
}

export interface AgentSettings {
  /** Needed only when no credential is stored yet. */
  bootstrapToken?: string;
  agentVersion?: string;
  /** Delta coalescing window (default 200 ms). */
  coalesceMs?: number;
  /** Objects per inventory batch (default 500). */
  batchSize?: number;
  /** Reconnect backoff (default 0.5 s doubling to 30 s, full jitter). */
  backoff?: BackoffOptions;
  /** Kubernetes list page size (default 500). */
  pageSize?: number;
  /** Base length of each Kubernetes watch (default 300 s, jittered up to twice that). */
  watchTimeoutSeconds?: number;
  /** How long drift changes are gathered into one report (default 200 ms). */
  configDebounceMs?: number;
}

export type AgentResult = { status: "stopped" } | { status: "fatal"; code: string; message: string };

type Loop = { start(): Promise<void>; stop(): Promise<void> };

export class Agent {
  private readonly abort = new AbortController();
  private readonly store = new InventoryStore();
  private readonly watcher: InventoryWatcher;
  private readonly backoff: Backoff;
  private stored: StoredCredential | undefined;
  /** Outlives sessions: the desired-configuration version reached and the drift baseline. */
  configState: ConfigState | undefined;
  private running: Promise<AgentResult> | undefined;
  /** Sessions that reached hello; for logs and tests. */
  sessions = 0;
  snapshots = 0;

  constructor(
    private readonly deps: AgentDependencies,
    private readonly settings: AgentSettings = {},
  ) {
    this.backoff = new Backoff(settings.backoff ?? defaultBackoff);
    this.watcher = new InventoryWatcher({
      kube: deps.kube,
      store: this.store,
      logger: deps.logger.child({ component: "inventory" }),
      pageSize: settings.pageSize,
      backoff: settings.backoff,
      watchTimeoutSeconds: settings.watchTimeoutSeconds,
    });
  }

  get inventoryStats() {
    return this.store.stats();
  }

  /** Runs until stop() or a fatal error; never rejects. */
  start(): Promise<AgentResult> {
    this.running ??= this.run();
    return this.running;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<AgentResult> {
    const { logger } = this.deps;
    try {
      // Listing the cluster does not need the API: start it now, so the snapshot is ready sooner.
      this.watcher.start();
      this.stored = await this.credential();
      if (this.abort.signal.aborted) return { status: "stopped" };
      this.deps.api.setCredential(this.stored.credential);
      this.configState = new ConfigState(this.stored.reachedConfigVersion ?? 0);
      await this.sessionLoop();
      return { status: "stopped" };
    } catch (error) {
      if (this.abort.signal.aborted && !isFatal(error)) return { status: "stopped" };
      const fatal = toFatal(error);
      logger.fatal({ code: fatal.code }, `agent stopped: ${fatal.message}`);
      return { status: "fatal", code: fatal.code, message: fatal.message };
    } finally {
      await this.watcher.stop();
    }
  }

  /** The stored credential, or a new one from the bootstrap token — stored before first use. */
  private async credential(): Promise<StoredCredential> {
    const { credentials, api, logger } = this.deps;
    const existing = await this.retrying("load the credential", () => credentials.load());
    if (existing) {
      logger.info({ store: credentials.description }, "using the stored cluster credential");
      return existing;
    }
    const token = this.settings.bootstrapToken;
    if (!token) {
      throw new FatalAgentError(
        `no credential in ${credentials.description} and no bootstrap token given (--token or SWITCHYARD_BOOTSTRAP_TOKEN)`,
        "no_credential",
      );
    }
    const registered = await this.retrying("register", (signal) =>
      api.register({ bootstrapToken: token, agentVersion: this.version }, signal),
    );
    const stored = {
      credential: registered.credential,
      clusterId: registered.clusterId,
      clusterName: registered.clusterName,
    };
    // If this fails the credential is lost with the used bootstrap token; say so plainly.
    await this.retrying("store the new credential", () => credentials.save(stored)).catch(
      (error: unknown) => {
        throw new FatalAgentError(
          `registered as ${registered.clusterName} but could not store the credential in ${credentials.description}: ${String(error)}; create a new install line`,
          "credential_not_stored",
        );
      },
    );
    logger.info(
      {
        clusterId: registered.clusterId,
        clusterName: registered.clusterName,
        store: credentials.description,
      },
      "registered; credential stored",
    );
    return stored;
  }

  private get version(): string {
    return this.settings.agentVersion ?? agentVersion;
  }

  /** Retries transient failures with backoff; fatal ones and stop() end it. */
  private async retrying<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const backoff = new Backoff(this.settings.backoff ?? defaultBackoff);
    for (;;) {
      try {
        return await call(this.abort.signal);
      } catch (error) {
        if (isFatal(error) || this.abort.signal.aborted || backoff.attempts >= 30) throw error;
        const delayMs = backoff.next();
        this.deps.logger.warn({ err: String(error), delayMs }, `could not ${what}; retrying`);
        await sleep(delayMs, this.abort.signal);
      }
    }
  }

  private async sessionLoop(): Promise<void> {
    const { logger } = this.deps;
    let gaps = 0;
    while (!this.abort.signal.aborted) {
      try {
        await this.session(() => {
          gaps = 0;
        });
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (isFatal(error)) throw error;
        if (isSequenceGap(error) && gaps++ === 0) {
          logger.warn("the API reports a sequence gap; saying hello again and re-sending a snapshot");
          continue;
        }
        const delayMs = this.backoff.next();
        logger.warn(
          { err: error instanceof Error ? error.message : String(error), delayMs },
          "disconnected; reconnecting",
        );
        await sleep(delayMs, this.abort.signal);
      }
    }
  }

  private async session(onSynced: () => void): Promise<void> {
    const { api, kube, logger } = this.deps;
    const signal = this.abort.signal;
    const [kubernetesVersion, mesh] = await Promise.all([kube.kubernetesVersion(), kube.detectMesh()]);
    const hello = await api.hello({ agentVersion: this.version, kubernetesVersion, mesh }, signal);
    this.sessions++;
    logger.info(
      {
        clusterId: hello.clusterId,
        clusterName: hello.clusterName,
        kubernetesVersion,
        mesh,
        lastInventorySequence: hello.lastInventorySequence,
      },
      "connected",
    );
    const sync = new InventorySync({
      api,
      store: this.store,
      logger: logger.child({ component: "inventory" }),
      startSequence: hello.lastInventorySequence,
      synced: this.watcher.synced,
      coalesceMs: this.settings.coalesceMs,
      batchSize: this.settings.batchSize,
      onSnapshotAcknowledged: () => {
        this.snapshots++;
        this.backoff.reset();
        onSynced();
      },
    });
    const heartbeat = new HeartbeatLoop({
      api,
      intervalMs: hello.heartbeatIntervalSeconds * 1000,
      sequence: () => sync.lastAppliedSequence,
      logger,
    });
    const config = new ConfigLoop({
      api,
      cluster: this.deps.istio ?? new KubeIstioCluster(kube.config),
      state: this.configState ?? new ConfigState(),
      logger: logger.child({ component: "config" }),
      saveReachedVersion: (version) => this.saveReachedVersion(version),
      debounceMs: this.settings.configDebounceMs,
      backoff: this.settings.backoff,
      watchTimeoutSeconds: this.settings.watchTimeoutSeconds,
    });
    const events = new EventStream({
      api,
      logger,
      onRotate: (rotateSignal) => this.rotate(rotateSignal),
      onDesiredConfig: (version) => config.notify(version),
      onSettingsChanged: () => config.refresh(),
    });
    const loops: Loop[] = [sync, heartbeat, events, config];
    const stopped = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    try {
      await Promise.race([...loops.map((loop) => loop.start()), stopped]);
    } finally {
      await Promise.all(loops.map((loop) => loop.stop()));
    }
  }

  /** Kept with the credential (same store, same write), so a restart resumes from this version. */
  private async saveReachedVersion(version: number): Promise<void> {
    if (this.stored === undefined) return;
    const next = { ...this.stored, reachedConfigVersion: version };
    this.stored = next;
    await this.retrying("store the reached configuration version", () => this.deps.credentials.save(next));
  }

  /** Rotate: get the new credential, store it, then use it (a restart must find the new one). */
  private async rotate(signal: AbortSignal): Promise<void> {
    const { api, credentials, logger } = this.deps;
    const { credential } = await api.rotate(signal);
    const next = { ...this.stored, credential };
    try {
      await this.retrying("store the rotated credential", () => credentials.save(next));
    } catch (error) {
      logger.error(
        { err: String(error), store: credentials.description },
        "could not store the rotated credential; using it anyway, but a restart will need a new install line",
      );
    }
    this.stored = next;
    api.setCredential(credential);
  }
}
