/**
 * Which live objects to delete: ours (they carry the ownership label) and no longer desired.
 * The label check is repeated here even though the list used a label selector, because deleting
 * something we do not own is the one mistake this agent must never make.
 */
import type { DesiredResource } from "@switchyard/agent-protocol/v1";
import { isOwned, type LiveObject } from "./live-object";
import { managedKindOf, resourceKey } from "./resource-kinds";

export interface OwnedObject {
  apiVersion: string;
  kind: string;
  object: LiveObject;
}

export function pruneSet(desired: readonly DesiredResource[], live: readonly OwnedObject[]): OwnedObject[] {
  const wanted = new Set(
    desired.map((resource) =>
      resourceKey({
        apiVersion: resource.apiVersion,
        kind: resource.kind,
        namespace: resource.metadata.namespace,
        name: resource.metadata.name,
      }),
    ),
  );
  return live.filter((entry) => {
    if (!isOwned(entry.object)) return false;
    if (managedKindOf(entry.apiVersion, entry.kind) === undefined) return false;
    const key = resourceKey({
      apiVersion: entry.apiVersion,
      kind: entry.kind,
      namespace: entry.object.metadata.namespace ?? "",
      name: entry.object.metadata.name,
    });
    return !wanted.has(key);
  });
}
