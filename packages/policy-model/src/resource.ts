/**
 * What the compiler emits: Kubernetes objects for Istio's CRDs, plain JSON data, in a total order.
 */
import { contentHash, type JsonValue } from "./hash";

export const meshKinds = {
  VirtualService: "networking.istio.io/v1",
  DestinationRule: "networking.istio.io/v1",
  EnvoyFilter: "networking.istio.io/v1alpha3",
  PeerAuthentication: "security.istio.io/v1",
  AuthorizationPolicy: "security.istio.io/v1",
} as const;
export type MeshKind = keyof typeof meshKinds;

export type JsonObject = { [key: string]: JsonValue };

export interface MeshResource {
  apiVersion: string;
  kind: MeshKind;
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: JsonObject;
}

/** Labels and annotations that mark a resource as ours and tie it to the policies it came from. */
export const managedByLabel = "app.kubernetes.io/managed-by";
export const managedByValue = "switchyard";
/** One label per source policy: `policy.switchyard.dev/<policy name>: "<revision>"`, for label selectors. */
export const policyLabelPrefix = "policy.switchyard.dev/";
/** `name@revision` of every source policy, comma-separated and sorted. */
export const policiesAnnotation = "switchyard.dev/policies";
/** Hash of the resource without this annotation; the agent compares it to detect drift cheaply. */
export const contentHashAnnotation = "switchyard.dev/content-hash";

export interface PolicySource {
  name: string;
  revision?: number;
}

const kindOrder: Record<MeshKind, number> = {
  PeerAuthentication: 0,
  AuthorizationPolicy: 1,
  DestinationRule: 2,
  VirtualService: 3,
  EnvoyFilter: 4,
};

/** The identity of a resource in a cluster: what server-side apply keys on. */
export const resourceKey = (r: Pick<MeshResource, "apiVersion" | "kind" | "metadata">): string =>
  `${r.apiVersion.split("/")[0] ?? ""}/${r.kind}/${r.metadata.namespace}/${r.metadata.name}`;

export function compareResources(a: MeshResource, b: MeshResource): number {
  const byKind = kindOrder[a.kind] - kindOrder[b.kind];
  if (byKind !== 0) return byKind;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

const sortedRecord = (record: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Build a resource with our labels and annotations, including its content hash. */
export function makeResource(options: {
  kind: MeshKind;
  name: string;
  namespace: string;
  sources: readonly PolicySource[];
  spec: JsonObject;
}): MeshResource {
  const sources = [...options.sources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const labels: Record<string, string> = { [managedByLabel]: managedByValue };
  for (const s of sources)
    labels[`${policyLabelPrefix}${s.name}`] = s.revision === undefined ? "" : String(s.revision);
  const withoutHash: MeshResource = {
    apiVersion: meshKinds[options.kind],
    kind: options.kind,
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: sortedRecord(labels),
      annotations: {
        [policiesAnnotation]: sources
          .map((s) => (s.revision === undefined ? s.name : `${s.name}@${s.revision}`))
          .join(","),
      },
    },
    spec: options.spec,
  };
  withoutHash.metadata.annotations[contentHashAnnotation] = contentHash(withoutHash);
  return withoutHash;
}

/** Drop undefined fields so emitted objects are plain JSON (and YAML shows no `null`s). */
export function compact<T extends Record<string, unknown>>(object: T): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value as JsonValue;
  return out;
}

export { sortedRecord };
