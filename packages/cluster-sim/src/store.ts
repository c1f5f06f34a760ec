import { randomUUID } from "node:crypto";
import { alreadyExists, conflict, notFound } from "./errors";
import { deepEqual, getObject, getString, isJsonObject, type JsonObject } from "./json";
import type { ResourceRegistry, ResourceType } from "./resource-registry";
import { canonicalize } from "./serialize";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

/** One committed change, kept in the bounded history that watches replay from. */
export interface StoreEvent {
  type: EventType;
  resourceVersion: number;
  resource: ResourceType;
  namespace: string;
  name: string;
  object: JsonObject;
  /** the stored object before this change (absent for ADDED) */
  previous?: JsonObject;
}

export type StoreListener = (event: StoreEvent) => void;

export interface StoreOptions {
  registry: ResourceRegistry;
  /** How many events the watch history keeps; older resourceVersions get 410 Gone. */
  historyLimit?: number;
  now?: () => Date;
}

export function keyOf(namespace: string, name: string): string {
  return namespace === "" ? name : `${namespace}/${name}`;
}

/** `2026-11-22T07:51:22Z`: the API server writes timestamps at second precision. */
export function timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * The simulated etcd: every object by resource, one cluster-wide revision counter shared by all
 * kinds, and a bounded event history. Stored objects are never mutated after they are written, so
 * the history and in-flight responses can share them.
 */
export class ObjectStore {
  readonly registry: ResourceRegistry;
  private revision = 1;
  /** resource → namespace ("" for cluster-scoped) → name → object */
  private readonly tables = new Map<ResourceType, Map<string, Map<string, JsonObject>>>();
  private history: StoreEvent[] = [];
  private historyHead = 0;
  /** The oldest revision the history can replay from (watches at or after it are served). */
  private compactedRevision = 1;
  private readonly historyLimit: number;
  private readonly lastEventByResource = new Map<ResourceType, number>();
  private readonly listeners = new Set<StoreListener>();
  private readonly idleHooks = new Set<() => boolean>();
  private readonly pending: StoreEvent[] = [];
  private isDispatching = false;
  readonly now: () => Date;
  private isRecording = true;

  constructor(options: StoreOptions) {
    this.registry = options.registry;
    this.historyLimit = options.historyLimit ?? 10_000;
    this.now = options.now ?? (() => new Date());
    for (const type of this.registry.all) this.tables.set(type, new Map());
  }

  get resourceVersion(): number {
    return this.revision;
  }

  /** Oldest resourceVersion a watch or an Exact list can still start from. */
  get oldestResourceVersion(): number {
    return this.compactedRevision;
  }

  lastEventResourceVersion(type: ResourceType): number | undefined {
    return this.lastEventByResource.get(type);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Like `etcdctl compaction`: forget history up to the current revision. */
  compact(): void {
    this.history = [];
    this.historyHead = 0;
    this.compactedRevision = this.revision;
  }

  /**
   * Seeding writes thousands of objects nobody watches yet; skipping the history for them keeps
   * start-up fast, and the history window then starts after the seed.
   */
  withoutHistory(run: () => void): void {
    this.isRecording = false;
    try {
      run();
    } finally {
      this.isRecording = true;
      this.compact();
    }
  }

  /**
   * Runs after every dispatched event has reached every listener; controllers use it to coalesce
   * work (one status write after many pod events). Returns whether it did anything.
   */
  onIdle(hook: () => boolean): () => void {
    this.idleHooks.add(hook);
    return () => this.idleHooks.delete(hook);
  }

  /** Defers dispatch until `run` returns, so controllers see a burst of writes at once. */
  batch(run: () => void): void {
    if (this.isDispatching) {
      run();
      return;
    }
    this.isDispatching = true;
    try {
      run();
    } finally {
      this.isDispatching = false;
    }
    this.drain();
  }

  get(type: ResourceType, namespace: string, name: string): JsonObject | undefined {
    return this.table(type).get(namespace)?.get(name);
  }

  namespacesOf(type: ResourceType): string[] {
    return [...this.table(type).keys()];
  }

  mustGet(type: ResourceType, namespace: string, name: string): JsonObject {
    const found = this.get(type, namespace, name);
    if (!found) throw notFound(type.resource, type.group, name);
    return found;
  }

  /** Objects sorted the way etcd keys sort (namespace, then name). */
  list(type: ResourceType, namespace?: string): JsonObject[] {
    return this.listWithKeys(type, namespace).map(([, object]) => object);
  }

  /** [etcd-style key (`ns/name`), object] pairs in key order, as pagination walks them. */
  listWithKeys(type: ResourceType, namespace?: string): [string, JsonObject][] {
    const table = this.table(type);
    const out: [string, JsonObject][] = [];
    const namespaces = namespace !== undefined ? [namespace] : [...table.keys()];
    for (const ns of namespaces) {
      const byName = table.get(ns);
      if (!byName) continue;
      // Keys are relative to the list's prefix, as continue tokens carry them.
      for (const [name, object] of byName)
        out.push([namespace !== undefined ? name : keyOf(ns, name), object]);
    }
    // etcd orders by the whole key, so `a-b/x` sorts before `a/x`.
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Objects of one namespace in no particular order (controllers' hot path). */
  unsortedIn(type: ResourceType, namespace: string): IterableIterator<JsonObject> {
    return (this.table(type).get(namespace) ?? new Map<string, JsonObject>()).values();
  }

  count(type: ResourceType): number {
    let total = 0;
    for (const byName of this.table(type).values()) total += byName.size;
    return total;
  }

  /**
   * The collection as it was at `resourceVersion`, rebuilt by undoing newer history events; the
   * caller checks the revision is inside the history window.
   */
  listAt(type: ResourceType, resourceVersion: number, namespace?: string): [string, JsonObject][] {
    const state = new Map<string, JsonObject>(this.listWithKeys(type, namespace));
    for (let index = this.history.length - 1; index >= this.historyHead; index--) {
      const event = this.history[index];
      if (!event || event.resourceVersion <= resourceVersion) break;
      if (event.resource !== type || (namespace && event.namespace !== namespace)) continue;
      const key = namespace !== undefined ? event.name : keyOf(event.namespace, event.name);
      if (event.previous) state.set(key, event.previous);
      else state.delete(key);
    }
    return [...state.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Events after `resourceVersion` (exclusive), oldest first. */
  eventsSince(resourceVersion: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (let index = this.history.length - 1; index >= this.historyHead; index--) {
      const event = this.history[index];
      if (!event || event.resourceVersion <= resourceVersion) break;
      out.push(event);
    }
    return out.reverse();
  }

  /**
   * Stores a new object: assigns uid, creationTimestamp, generation and the next revision. With
   * dryRun the object is completed but not stored (and carries no resourceVersion).
   */
  create(type: ResourceType, object: JsonObject, options: { dryRun?: boolean } = {}): JsonObject {
    const metadata = getObject(object, "metadata") ?? {};
    const name = getString(metadata, "name") ?? "";
    const namespace = type.namespaced ? (getString(metadata, "namespace") ?? "") : "";
    if (this.get(type, namespace, name)) throw alreadyExists(type.resource, type.group, name);
    const completed: JsonObject = {
      ...object,
      metadata: {
        ...metadata,
        uid: getString(metadata, "uid") ?? randomUUID(),
        creationTimestamp: getString(metadata, "creationTimestamp") ?? timestamp(this.now()),
        ...(type.hasGeneration ? { generation: 1 } : {}),
      },
    };
    if (!type.namespaced) delete (completed.metadata as JsonObject).namespace;
    if (options.dryRun) {
      delete (completed.metadata as JsonObject).resourceVersion;
      return canonicalize(type, completed);
    }
    const stored = this.commit(type, namespace, name, completed, undefined);
    return stored;
  }

  /**
   * Replaces a stored object. A write that changes nothing keeps the revision (no event). The
   * generation moves when anything outside metadata and status changed.
   */
  update(
    type: ResourceType,
    object: JsonObject,
    options: { dryRun?: boolean; expectedResourceVersion?: string } = {},
  ): JsonObject {
    const metadata = getObject(object, "metadata") ?? {};
    const name = getString(metadata, "name") ?? "";
    const namespace = type.namespaced ? (getString(metadata, "namespace") ?? "") : "";
    const current = this.mustGet(type, namespace, name);
    const currentMeta = getObject(current, "metadata") ?? {};
    if (
      options.expectedResourceVersion !== undefined &&
      options.expectedResourceVersion !== getString(currentMeta, "resourceVersion")
    ) {
      throw conflict(
        type.resource,
        type.group,
        name,
        "the object has been modified; please apply your changes to the latest version and try again",
      );
    }
    const next: JsonObject = {
      ...object,
      metadata: {
        ...metadata,
        uid: currentMeta.uid ?? null,
        creationTimestamp: currentMeta.creationTimestamp ?? null,
        resourceVersion: currentMeta.resourceVersion ?? null,
      },
    };
    const nextMeta = getObject(next, "metadata") ?? {};
    if (type.hasGeneration) {
      const generation = typeof currentMeta.generation === "number" ? currentMeta.generation : 1;
      nextMeta.generation = isSpecChanged(current, next) ? generation + 1 : generation;
    }
    const canonical = canonicalize(type, next);
    // Like the API server (1.28's IgnoreManagedFieldsTimestampsTransformer), an update that would
    // only move managed fields' times is not written: a re-applied Secret's stringData differs from
    // its stored data, so the apply counts as a change and stamps a new time.
    if (deepEqual(withoutManagedFieldTimes(canonical), withoutManagedFieldTimes(current))) return current;
    if (options.dryRun) return canonical;
    return this.commit(type, namespace, name, canonical, current);
  }

  /** Removes an object; the DELETED event carries its last state with a new revision. */
  delete(
    type: ResourceType,
    namespace: string,
    name: string,
    options: { dryRun?: boolean } = {},
  ): JsonObject {
    const current = this.mustGet(type, namespace, name);
    if (options.dryRun) return current;
    this.revision += 1;
    const finalState: JsonObject = {
      ...current,
      metadata: { ...(getObject(current, "metadata") ?? {}), resourceVersion: String(this.revision) },
    };
    const byName = this.table(type).get(namespace);
    byName?.delete(name);
    if (byName && byName.size === 0) this.table(type).delete(namespace);
    this.record({
      type: "DELETED",
      resourceVersion: this.revision,
      resource: type,
      namespace,
      name,
      object: finalState,
      previous: current,
    });
    return finalState;
  }

  private commit(
    type: ResourceType,
    namespace: string,
    name: string,
    object: JsonObject,
    previous: JsonObject | undefined,
  ): JsonObject {
    this.revision += 1;
    const metadata = isJsonObject(object.metadata) ? object.metadata : {};
    const stored = canonicalize(type, {
      ...object,
      metadata: { ...metadata, resourceVersion: String(this.revision) },
    });
    const table = this.table(type);
    let byName = table.get(namespace);
    if (!byName) {
      byName = new Map();
      table.set(namespace, byName);
    }
    byName.set(name, stored);
    const event: StoreEvent = {
      type: previous ? "MODIFIED" : "ADDED",
      resourceVersion: this.revision,
      resource: type,
      namespace,
      name,
      object: stored,
    };
    if (previous) event.previous = previous;
    this.record(event);
    return stored;
  }

  private record(event: StoreEvent): void {
    this.lastEventByResource.set(event.resource, event.resourceVersion);
    if (this.isRecording) {
      this.history.push(event);
      if (this.history.length - this.historyHead > this.historyLimit) {
        const dropped = this.history[this.historyHead];
        this.historyHead += 1;
        if (dropped) this.compactedRevision = dropped.resourceVersion;
        // Reclaim the array's dead prefix once it dominates.
        if (this.historyHead > this.historyLimit) {
          this.history = this.history.slice(this.historyHead);
          this.historyHead = 0;
        }
      }
    }
    this.pending.push(event);
    this.drain();
  }

  /**
   * Listeners (controllers) write in response to events; their events queue behind the current
   * one so every watcher sees changes in revision order. Idle hooks run once the queue is empty.
   */
  private drain(): void {
    if (this.isDispatching) return;
    this.isDispatching = true;
    try {
      for (;;) {
        const next = this.pending.shift();
        if (next) {
          for (const listener of [...this.listeners]) listener(next);
          continue;
        }
        let didWork = false;
        for (const hook of [...this.idleHooks]) didWork = hook() || didWork;
        if (!didWork && this.pending.length === 0) break;
      }
    } finally {
      this.isDispatching = false;
    }
  }

  private table(type: ResourceType): Map<string, Map<string, JsonObject>> {
    let table = this.tables.get(type);
    if (!table) {
      table = new Map();
      this.tables.set(type, table);
    }
    return table;
  }
}

function isSpecChanged(before: JsonObject, after: JsonObject): boolean {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    if (key === "metadata" || key === "status" || key === "apiVersion" || key === "kind") continue;
    if (!deepEqual(before[key], after[key])) return true;
  }
  return false;
}

/** The object with its managed fields' `time`s left out (for comparing what an update would change). */
function withoutManagedFieldTimes(object: JsonObject): JsonObject {
  const metadata = getObject(object, "metadata");
  const entries = metadata?.managedFields;
  if (!metadata || !Array.isArray(entries)) return object;
  return {
    ...object,
    metadata: {
      ...metadata,
      managedFields: entries.map((entry) => {
        if (!isJsonObject(entry)) return entry;
        const { time: _time, ...rest } = entry;
        return rest;
      }),
    },
  };
}
