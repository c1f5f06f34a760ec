import { readyStatus } from "./controllers/pods";
import { ApiError } from "./errors";
import { deepClone, getObject, type JsonObject } from "./json";
import { deleteResource, type ResourceOperations } from "./operations";
import type { ResourceRegistry, ResourceType } from "./resource-registry";
import {
  deploymentManifest,
  namespaceManifest,
  type ServiceSpec,
  serviceManifest,
  statefulSetManifest,
  type WorkloadSpec,
} from "./seed/manifests";
import { type ObjectStore, timestamp } from "./store";

const storeManager = { dryRun: false, fieldManager: "switchyard-sim" };

/**
 * The programmatic face of a simulated cluster for tests and the demo: the changes an operator
 * or a controller would make, each going through the same write path (and producing the same
 * watch events) as a request to the API.
 */
export class ClusterStore {
  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly operations: ResourceOperations,
  ) {}

  /** The cluster-wide resourceVersion (etcd revision). */
  get resourceVersion(): number {
    return this.store.resourceVersion;
  }

  private type(kind: string): ResourceType {
    const type = this.registry.all.find((candidate) => candidate.kind === kind);
    if (!type) throw new Error(`the simulated cluster does not serve kind ${kind}`);
    return type;
  }

  /** A copy of one object, or undefined. `kind` is e.g. "Deployment", "VirtualService". */
  get(kind: string, namespace: string, name: string): JsonObject | undefined {
    const found = this.store.get(this.type(kind), namespace, name);
    return found ? deepClone(found) : undefined;
  }

  /** Copies of every object of a kind (optionally in one namespace), in etcd order. */
  list(kind: string, namespace?: string): JsonObject[] {
    return this.store.list(this.type(kind), namespace).map((object) => deepClone(object));
  }

  count(kind: string): number {
    return this.store.count(this.type(kind));
  }

  createNamespace(
    name: string,
    options: { labels?: Record<string, string>; isInjected?: boolean } = {},
  ): JsonObject {
    const labels = { ...options.labels, ...(options.isInjected ? { "istio-injection": "enabled" } : {}) };
    return this.operations.create(this.type("Namespace"), "", namespaceManifest(name, labels), storeManager)
      .object;
  }

  /** Merges labels into a namespace (null removes one), e.g. to turn sidecar injection on. */
  labelNamespace(name: string, labels: Record<string, string | null>): JsonObject {
    return this.operations.patch(
      this.type("Namespace"),
      "",
      name,
      "application/merge-patch+json",
      JSON.stringify({ metadata: { labels } }),
      storeManager,
    ).object;
  }

  /** Deletes a namespace and, as the namespace controller would, everything in it. */
  deleteNamespace(name: string): void {
    deleteResource(this.store, this.type("Namespace"), "", name, { dryRun: false });
  }

  createService(spec: ServiceSpec): JsonObject {
    return this.operations.create(this.type("Service"), spec.namespace, serviceManifest(spec), storeManager)
      .object;
  }

  createDeployment(spec: WorkloadSpec): JsonObject {
    return this.operations.create(
      this.type("Deployment"),
      spec.namespace,
      deploymentManifest(spec),
      storeManager,
    ).object;
  }

  createStatefulSet(spec: WorkloadSpec): JsonObject {
    return this.operations.create(
      this.type("StatefulSet"),
      spec.namespace,
      statefulSetManifest(spec),
      storeManager,
    ).object;
  }

  /** Changes spec.replicas; the simulated controllers add or remove pods and update status. */
  scaleDeployment(namespace: string, name: string, replicas: number): JsonObject {
    return this.scale("Deployment", namespace, name, replicas);
  }

  scaleStatefulSet(namespace: string, name: string, replicas: number): JsonObject {
    return this.scale("StatefulSet", namespace, name, replicas);
  }

  private scale(kind: string, namespace: string, name: string, replicas: number): JsonObject {
    this.operations.patch(
      this.type(kind),
      namespace,
      name,
      "application/merge-patch+json",
      JSON.stringify({ spec: { replicas } }),
      storeManager,
    );
    return this.get(kind, namespace, name) ?? {};
  }

  /** Marks a pod ready or not (a failing readiness probe); workload status and endpoints follow. */
  setPodReady(namespace: string, name: string, isReady: boolean): JsonObject {
    const type = this.type("Pod");
    const pod = this.store.mustGet(type, namespace, name);
    const status = getObject(pod, "status") ?? {};
    const containers = getObject(pod, "spec")?.containers;
    const podIP = typeof status.podIP === "string" ? status.podIP : "";
    const next = readyStatus(
      Array.isArray(containers) ? containers : [],
      podIP,
      timestamp(this.store.now()),
      isReady,
    );
    return deepClone(this.store.update(type, { ...pod, status: next }));
  }

  /**
   * Server-side apply of any object we serve (Istio resources included), as a client with this
   * field manager would.
   */
  apply(
    object: JsonObject,
    options: { fieldManager: string; force?: boolean; dryRun?: boolean },
  ): JsonObject {
    const type = this.type(String(object.kind));
    const metadata = getObject(object, "metadata") ?? {};
    const name = typeof metadata.name === "string" ? metadata.name : "";
    const namespace = type.namespaced && typeof metadata.namespace === "string" ? metadata.namespace : "";
    return this.operations.patch(
      type,
      namespace,
      name,
      "application/apply-patch+yaml",
      JSON.stringify(object),
      {
        dryRun: options.dryRun === true,
        fieldManager: options.fieldManager,
        force: options.force === true,
      },
    ).object;
  }

  /** Deletes one object the way `kubectl delete` would (dependents follow). */
  delete(kind: string, namespace: string, name: string): void {
    deleteResource(this.store, this.type(kind), namespace, name, { dryRun: false });
  }

  deleteService(namespace: string, name: string): void {
    this.delete("Service", namespace, name);
  }

  deleteDeployment(namespace: string, name: string): void {
    this.delete("Deployment", namespace, name);
  }

  deletePod(namespace: string, name: string): void {
    this.delete("Pod", namespace, name);
  }

  /**
   * Forgets the watch history, like an etcd compaction with the watch cache restarted: watches
   * and Exact lists from an older resourceVersion get 410 Gone.
   */
  compact(): void {
    this.store.compact();
  }

  /** Re-throws API errors as they are: callers (tests) can assert on `code` and `reason`. */
  static isApiError(error: unknown): error is ApiError {
    return error instanceof ApiError;
  }
}
