/**
 * Drift: an owned object whose live state no longer is what we applied — its spec (or a label or
 * annotation we set) changed, or it is gone. The spec is compared whole, so a field someone else
 * added counts too (Istio reads the whole spec). Who did it comes from managedFields: the most
 * recent manager other than ours.
 */
import type { DesiredResource } from "@switchyard/agent-protocol/v1";
import type { LiveObject, ManagedFieldsEntry } from "./live-object";
import { fieldManager } from "./resource-kinds";

export interface DetectedDrift {
  change: "modified" | "deleted";
  manager?: string;
}

export function isDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => isDeepEqual(item, b[index]));
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && isDeepEqual(left[key], right[key]));
}

/** Whether the live object carries what we applied: the same spec, our labels and annotations. */
export function matchesDesired(desired: DesiredResource, live: LiveObject): boolean {
  if (!isDeepEqual(desired.spec, live.spec ?? {})) return false;
  const labels = live.metadata.labels ?? {};
  const annotations = live.metadata.annotations ?? {};
  return (
    Object.entries(desired.metadata.labels).every(([key, value]) => labels[key] === value) &&
    Object.entries(desired.metadata.annotations).every(([key, value]) => annotations[key] === value)
  );
}

function touchesSpec(entry: ManagedFieldsEntry): boolean {
  return typeof entry.fieldsV1 === "object" && entry.fieldsV1 !== null && "f:spec" in entry.fieldsV1;
}

/** The latest manager other than ours, preferring one that owns spec fields. */
export function otherManager(live: LiveObject): string | undefined {
  const others = (live.metadata.managedFields ?? []).filter(
    (entry) => entry.manager !== undefined && entry.manager !== fieldManager,
  );
  const latest = (entries: ManagedFieldsEntry[]) =>
    [...entries].sort((a, b) => (b.time ?? "").localeCompare(a.time ?? ""))[0]?.manager;
  return latest(others.filter(touchesSpec)) ?? latest(others);
}

export function detectDrift(
  desired: DesiredResource,
  live: LiveObject | undefined,
): DetectedDrift | undefined {
  if (live === undefined || live.metadata.deletionTimestamp !== undefined) return { change: "deleted" };
  if (matchesDesired(desired, live)) return undefined;
  const manager = otherManager(live);
  return manager === undefined ? { change: "modified" } : { change: "modified", manager };
}
