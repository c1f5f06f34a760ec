/**
 * Emitting is a pure function of a policy and a few inventory facts (domain suffix, trust domain, a
 * selector), and the same global policy usually lands identically in many clusters. Caching by
 * policy object identity lets a fleet compile emit and hash each such resource once. Policies and
 * emitted resources are immutable values: nothing in this package mutates them, and callers must not.
 */
import type { MeshResource } from "../resource";

const cache = new WeakMap<object, Map<string, MeshResource>>();
const ids = new WeakMap<object, number>();
let nextId = 1;

/** A stable number per object, for composing cache keys from several policies. */
export function identity(object: object): number {
  let id = ids.get(object);
  if (id === undefined) {
    id = nextId++;
    ids.set(object, id);
  }
  return id;
}

export function memoEmit(owner: object, key: string, emit: () => MeshResource): MeshResource {
  let byKey = cache.get(owner);
  if (!byKey) {
    byKey = new Map();
    cache.set(owner, byKey);
  }
  const known = byKey.get(key);
  if (known) return known;
  const resource = emit();
  byKey.set(key, resource);
  return resource;
}
