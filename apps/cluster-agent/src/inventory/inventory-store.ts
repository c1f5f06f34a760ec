/**
 * The agent's slim picture of the cluster, fed by the watchers, and the bookkeeping that turns
 * changes into protocol batches: which keys are dirty, and what mapped form the API last
 * acknowledged for each key (so an update that does not change the mapped form sends nothing,
 * e.g. a pod's status heartbeat).
 */
import type { InventoryKey, InventoryObject } from "@switchyard/agent-protocol/v1";
import { inventoryKeyOf } from "@switchyard/agent-protocol/v1";
import { keyString, mapNamespace, mapService, mapWorkload, type WorkloadPodStats } from "./mapping";
import type { SlimNamespace, SlimPod, SlimService, SlimWorkload, WorkloadKind } from "./slim";

export type ResourceName = "namespaces" | "services" | "deployments" | "statefulsets" | "pods";

/** A complete list of one resource, as a (re-)list returns it. */
export type ListResult =
  | { resource: "namespaces"; items: SlimNamespace[] }
  | { resource: "services"; items: SlimService[] }
  | { resource: "deployments" | "statefulsets"; items: SlimWorkload[] }
  | { resource: "pods"; items: SlimPod[] };

const noPods: WorkloadPodStats = { pods: 0, withSidecar: 0 };

function namespacedKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function workloadKey(kind: WorkloadKind, namespace: string, name: string): string {
  return keyString({ kind, namespace, name });
}

export interface Delta {
  upserts: InventoryObject[];
  deletes: InventoryKey[];
  /** The mapped forms to remember once the API acknowledged the batch. */
  commit: () => void;
}

export interface Snapshot {
  objects: InventoryObject[];
  commit: () => void;
}

export class InventoryStore {
  private readonly namespaces = new Map<string, SlimNamespace>();
  private readonly services = new Map<string, SlimService>();
  /** keyed by keyString(kind, namespace, name) */
  private readonly workloads = new Map<string, SlimWorkload>();
  private readonly pods = new Map<string, SlimPod>();
  private readonly podsPerNamespace = new Map<string, number>();
  private readonly podsPerWorkload = new Map<string, WorkloadPodStats>();
  private readonly dirty = new Map<string, InventoryKey>();
  /** keyString → JSON of the mapped form the API acknowledged last. */
  private sent = new Map<string, string>();
  private readonly synced = new Set<ResourceName>();
  private readonly listeners = new Set<() => void>();

  /** Called (synchronously) whenever a key turns dirty; the sender coalesces. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get isSynced(): boolean {
    return this.synced.size === 5;
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }

  markSynced(resource: ResourceName): void {
    this.synced.add(resource);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private touch(key: InventoryKey): void {
    this.dirty.set(keyString(key), key);
  }

  private touchNamespaceWorkloads(namespace: string): void {
    // Injection of pod-less workloads follows the namespace label.
    for (const workload of this.workloads.values()) {
      if (workload.namespace === namespace) this.touch(workload);
    }
  }

  // ── namespaces ──
  upsertNamespace(namespace: SlimNamespace): void {
    this.namespaces.set(namespace.name, namespace);
    this.touch({ kind: "Namespace", namespace: "", name: namespace.name });
    this.touchNamespaceWorkloads(namespace.name);
    this.notify();
  }

  deleteNamespace(name: string): void {
    if (!this.namespaces.delete(name)) return;
    this.touch({ kind: "Namespace", namespace: "", name });
    this.touchNamespaceWorkloads(name);
    this.notify();
  }

  // ── services ──
  upsertService(service: SlimService): void {
    this.services.set(namespacedKey(service.namespace, service.name), service);
    this.touch({ kind: "Service", namespace: service.namespace, name: service.name });
    this.notify();
  }

  deleteService(namespace: string, name: string): void {
    if (!this.services.delete(namespacedKey(namespace, name))) return;
    this.touch({ kind: "Service", namespace, name });
    this.notify();
  }

  // ── workloads ──
  upsertWorkload(workload: SlimWorkload): void {
    this.workloads.set(workloadKey(workload.kind, workload.namespace, workload.name), workload);
    this.touch(workload);
    this.notify();
  }

  deleteWorkload(kind: WorkloadKind, namespace: string, name: string): void {
    if (!this.workloads.delete(workloadKey(kind, namespace, name))) return;
    this.touch({ kind, namespace, name });
    this.notify();
  }

  // ── pods: only counts and sidecar presence reach the inventory ──
  upsertPod(pod: SlimPod): void {
    const key = namespacedKey(pod.namespace, pod.name);
    const previous = this.pods.get(key);
    if (
      previous &&
      previous.hasSidecar === pod.hasSidecar &&
      previous.owner?.kind === pod.owner?.kind &&
      previous.owner?.name === pod.owner?.name
    ) {
      return;
    }
    if (previous) this.countPod(previous, -1);
    this.pods.set(key, pod);
    this.countPod(pod, 1);
    this.notify();
  }

  deletePod(namespace: string, name: string): void {
    const key = namespacedKey(namespace, name);
    const previous = this.pods.get(key);
    if (!previous) return;
    this.pods.delete(key);
    this.countPod(previous, -1);
    this.notify();
  }

  private countPod(pod: SlimPod, delta: 1 | -1): void {
    const inNamespace = (this.podsPerNamespace.get(pod.namespace) ?? 0) + delta;
    if (inNamespace <= 0) this.podsPerNamespace.delete(pod.namespace);
    else this.podsPerNamespace.set(pod.namespace, inNamespace);
    this.touch({ kind: "Namespace", namespace: "", name: pod.namespace });
    if (!pod.owner) return;
    const key = workloadKey(pod.owner.kind, pod.namespace, pod.owner.name);
    const stats = this.podsPerWorkload.get(key) ?? { pods: 0, withSidecar: 0 };
    const next = { pods: stats.pods + delta, withSidecar: stats.withSidecar + (pod.hasSidecar ? delta : 0) };
    if (next.pods <= 0) this.podsPerWorkload.delete(key);
    else this.podsPerWorkload.set(key, next);
    this.touch({ kind: pod.owner.kind, namespace: pod.namespace, name: pod.owner.name });
  }

  /**
   * After a (re-)list: everything the list did not return is gone. Items that are unchanged leave
   * their keys clean because the mapped form is compared before sending.
   */
  replace(list: ListResult): void {
    const seen = new Set<string>();
    switch (list.resource) {
      case "namespaces":
        for (const item of list.items) {
          seen.add(item.name);
          if (JSON.stringify(this.namespaces.get(item.name)) !== JSON.stringify(item))
            this.upsertNamespace(item);
        }
        for (const name of [...this.namespaces.keys()]) if (!seen.has(name)) this.deleteNamespace(name);
        break;
      case "services":
        for (const item of list.items) {
          seen.add(namespacedKey(item.namespace, item.name));
          this.upsertService(item);
        }
        for (const [key, item] of [...this.services])
          if (!seen.has(key)) this.deleteService(item.namespace, item.name);
        break;
      case "deployments":
      case "statefulsets": {
        const kind: WorkloadKind = list.resource === "deployments" ? "Deployment" : "StatefulSet";
        for (const item of list.items) {
          seen.add(workloadKey(kind, item.namespace, item.name));
          this.upsertWorkload(item);
        }
        for (const [key, item] of [...this.workloads]) {
          if (item.kind === kind && !seen.has(key)) this.deleteWorkload(kind, item.namespace, item.name);
        }
        break;
      }
      case "pods":
        for (const item of list.items) {
          seen.add(namespacedKey(item.namespace, item.name));
          this.upsertPod(item);
        }
        for (const [key, item] of [...this.pods])
          if (!seen.has(key)) this.deletePod(item.namespace, item.name);
        break;
    }
    this.markSynced(list.resource);
  }

  /** The mapped form of one key now, or undefined when the object does not exist. */
  mapped(key: InventoryKey): InventoryObject | undefined {
    switch (key.kind) {
      case "Namespace": {
        const namespace = this.namespaces.get(key.name);
        return namespace && mapNamespace(namespace, this.podsPerNamespace.get(key.name) ?? 0);
      }
      case "Service": {
        const service = this.services.get(namespacedKey(key.namespace, key.name));
        return service && mapService(service);
      }
      case "Deployment":
      case "StatefulSet": {
        const id = keyString(key);
        const workload = this.workloads.get(id);
        return (
          workload &&
          mapWorkload(
            workload,
            this.podsPerWorkload.get(id) ?? noPods,
            this.namespaces.get(key.namespace)?.labels,
          )
        );
      }
    }
  }

  /** Everything, mapped, in a stable order (namespaces first, so the API can create parents first). */
  snapshot(): Snapshot {
    const objects: InventoryObject[] = [];
    for (const namespace of this.namespaces.values()) {
      objects.push(mapNamespace(namespace, this.podsPerNamespace.get(namespace.name) ?? 0));
    }
    for (const service of this.services.values()) objects.push(mapService(service));
    for (const [id, workload] of this.workloads) {
      objects.push(
        mapWorkload(
          workload,
          this.podsPerWorkload.get(id) ?? noPods,
          this.namespaces.get(workload.namespace)?.labels,
        ),
      );
    }
    // Whatever changes after this instant turns dirty again and goes out as a delta.
    this.dirty.clear();
    const sent = new Map<string, string>();
    for (const object of objects) sent.set(keyString(inventoryKeyOf(object)), JSON.stringify(object));
    return {
      objects,
      commit: () => {
        this.sent = sent;
      },
    };
  }

  /** The changes since the last acknowledged state, at most `limit` keys of them. */
  takeDelta(limit: number): Delta {
    const upserts: InventoryObject[] = [];
    const deletes: InventoryKey[] = [];
    const remembered: [string, string | undefined][] = [];
    for (const [id, key] of this.dirty) {
      if (upserts.length + deletes.length >= limit) break;
      this.dirty.delete(id);
      const object = this.mapped(key);
      const previous = this.sent.get(id);
      if (object === undefined) {
        if (previous !== undefined) {
          deletes.push(key);
          remembered.push([id, undefined]);
        }
        continue;
      }
      const json = JSON.stringify(object);
      if (json === previous) continue;
      upserts.push(object);
      remembered.push([id, json]);
    }
    return {
      upserts,
      deletes,
      commit: () => {
        for (const [id, json] of remembered) {
          if (json === undefined) this.sent.delete(id);
          else this.sent.set(id, json);
        }
      },
    };
  }

  /** Counts for logs and tests. */
  stats() {
    return {
      namespaces: this.namespaces.size,
      services: this.services.size,
      workloads: this.workloads.size,
      pods: this.pods.size,
    };
  }
}
