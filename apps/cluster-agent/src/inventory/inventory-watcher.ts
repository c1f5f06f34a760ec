/** The five watches that feed the inventory store, for the agent's whole life. */
import type { Logger } from "pino";
import type { BackoffOptions } from "../backoff";
import type { KubernetesClient } from "../clients/kubernetes";
import type { InventoryStore } from "./inventory-store";
import { ResourceWatcher } from "./resource-watcher";
import { decodeNamespace, decodePod, decodeService, decodeWorkload } from "./slim";

export interface InventoryWatcherOptions {
  kube: KubernetesClient;
  store: InventoryStore;
  logger: Logger;
  pageSize?: number;
  backoff?: BackoffOptions;
  watchTimeoutSeconds?: number;
}

export class InventoryWatcher {
  private readonly watchers: Pick<ResourceWatcher<unknown>, "start" | "stop" | "synced">[];

  constructor(options: InventoryWatcherOptions) {
    const { kube, store, logger } = options;
    const common = {
      kube,
      logger,
      pageSize: options.pageSize,
      backoff: options.backoff,
      watchTimeoutSeconds: options.watchTimeoutSeconds,
    };
    this.watchers = [
      new ResourceWatcher({
        ...common,
        path: "/api/v1/namespaces",
        decode: decodeNamespace,
        onList: (items) => store.replace({ resource: "namespaces", items }),
        onUpsert: (item) => store.upsertNamespace(item),
        onDelete: (item) => store.deleteNamespace(item.name),
      }),
      new ResourceWatcher({
        ...common,
        path: "/api/v1/services",
        decode: decodeService,
        onList: (items) => store.replace({ resource: "services", items }),
        onUpsert: (item) => store.upsertService(item),
        onDelete: (item) => store.deleteService(item.namespace, item.name),
      }),
      new ResourceWatcher({
        ...common,
        path: "/apis/apps/v1/deployments",
        decode: (raw) => decodeWorkload("Deployment", raw),
        onList: (items) => store.replace({ resource: "deployments", items }),
        onUpsert: (item) => store.upsertWorkload(item),
        onDelete: (item) => store.deleteWorkload(item.kind, item.namespace, item.name),
      }),
      new ResourceWatcher({
        ...common,
        path: "/apis/apps/v1/statefulsets",
        decode: (raw) => decodeWorkload("StatefulSet", raw),
        onList: (items) => store.replace({ resource: "statefulsets", items }),
        onUpsert: (item) => store.upsertWorkload(item),
        onDelete: (item) => store.deleteWorkload(item.kind, item.namespace, item.name),
      }),
      new ResourceWatcher({
        ...common,
        path: "/api/v1/pods",
        decode: decodePod,
        onList: (items) => store.replace({ resource: "pods", items }),
        onUpsert: (item) => store.upsertPod(item),
        onDelete: (item) => store.deletePod(item.namespace, item.name),
      }),
    ];
  }

  start(): void {
    for (const watcher of this.watchers) watcher.start();
  }

  /** Resolves when every resource has been listed once. */
  get synced(): Promise<void> {
    return Promise.all(this.watchers.map((watcher) => watcher.synced)).then(() => undefined);
  }

  async stop(): Promise<void> {
    await Promise.all(this.watchers.map((watcher) => watcher.stop()));
  }
}
