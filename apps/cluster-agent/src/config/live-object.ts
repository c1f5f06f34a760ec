/**
 * The parts of a live Istio object the agent reads, decoded from the API server's JSON. Loose:
 * everything else passes through untouched, because the agent never writes back what it read.
 */
import { z } from "zod";
import { ownershipLabelKey, ownershipLabelValue } from "./resource-kinds";

export const ManagedFieldsEntry = z.looseObject({
  manager: z.string().optional(),
  operation: z.string().optional(),
  apiVersion: z.string().optional(),
  time: z.string().optional(),
  fieldsV1: z.unknown().optional(),
});
export type ManagedFieldsEntry = z.infer<typeof ManagedFieldsEntry>;

export const LiveObject = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    managedFields: z.array(ManagedFieldsEntry).optional(),
    deletionTimestamp: z.string().optional(),
  }),
  spec: z.unknown().optional(),
});
export type LiveObject = z.infer<typeof LiveObject>;

export function isOwned(object: { metadata: { labels?: Record<string, string> } }): boolean {
  return object.metadata.labels?.[ownershipLabelKey] === ownershipLabelValue;
}

/**
 * Whether `a` is newer than `b`. ResourceVersions are opaque by contract, but every API server we
 * talk to (etcd-backed, and the simulator) uses increasing integers; the agent needs the order so
 * a watch event that trails an apply response does not put the older object back in its cache.
 * Anything non-numeric counts as newer, which only costs an extra comparison.
 */
export function isNewerResourceVersion(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return a !== b;
  return BigInt(a) > BigInt(b);
}
