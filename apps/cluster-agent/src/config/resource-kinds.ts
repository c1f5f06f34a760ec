/**
 * The Istio kinds the agent manages, how their URLs are built, and the order they are applied in.
 * Order matters because Istio reads a VirtualService route to a subset that no DestinationRule
 * defines yet as a 503 for that traffic: DestinationRules go before the VirtualServices that use
 * their subsets (and, symmetrically, mTLS settings before the rules that assume them).
 */
import type { ResourceRef } from "@switchyard/agent-protocol/v1";

export const fieldManager = "switchyard";
export const ownershipLabelKey = "app.kubernetes.io/managed-by";
export const ownershipLabelValue = "switchyard";
export const ownershipSelector = `${ownershipLabelKey}=${ownershipLabelValue}`;

export interface ManagedKind {
  group: string;
  version: string;
  kind: string;
  plural: string;
  /** Lower first. */
  applyOrder: number;
}

export const managedKinds: readonly ManagedKind[] = [
  {
    group: "security.istio.io",
    version: "v1",
    kind: "PeerAuthentication",
    plural: "peerauthentications",
    applyOrder: 0,
  },
  {
    group: "networking.istio.io",
    version: "v1",
    kind: "DestinationRule",
    plural: "destinationrules",
    applyOrder: 1,
  },
  {
    group: "security.istio.io",
    version: "v1",
    kind: "AuthorizationPolicy",
    plural: "authorizationpolicies",
    applyOrder: 2,
  },
  {
    group: "networking.istio.io",
    version: "v1alpha3",
    kind: "EnvoyFilter",
    plural: "envoyfilters",
    applyOrder: 3,
  },
  {
    group: "networking.istio.io",
    version: "v1",
    kind: "VirtualService",
    plural: "virtualservices",
    applyOrder: 4,
  },
];

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

/** The managed kind of an apiVersion/kind pair, any served version of the group. */
export function managedKindOf(apiVersion: string, kind: string): ManagedKind | undefined {
  const group = groupOf(apiVersion);
  return managedKinds.find((candidate) => candidate.group === group && candidate.kind === kind);
}

/**
 * Identity of an object regardless of the API version it was read or written through (the same
 * VirtualService is served as v1 and v1beta1).
 */
export function resourceKey(ref: {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}): string {
  return `${groupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace}/${ref.name}`;
}

export function collectionPath(kind: ManagedKind): string {
  return `/apis/${kind.group}/${kind.version}/${kind.plural}`;
}

export function objectPath(apiVersion: string, kind: ManagedKind, namespace: string, name: string): string {
  return `/apis/${apiVersion}/namespaces/${encodeURIComponent(namespace)}/${kind.plural}/${encodeURIComponent(name)}`;
}

/** Stable: resources of one kind keep the compiler's order. Unknown kinds go just before VirtualServices. */
export function sortForApply<T extends { apiVersion: string; kind: string }>(resources: readonly T[]): T[] {
  const rank = (resource: T) => managedKindOf(resource.apiVersion, resource.kind)?.applyOrder ?? 3.5;
  return resources
    .map((resource, index) => ({ resource, index, rank: rank(resource) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.resource);
}

export function refOf(resource: {
  apiVersion: string;
  kind: string;
  metadata: { namespace: string; name: string };
}): ResourceRef {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    namespace: resource.metadata.namespace,
    name: resource.metadata.name,
  };
}
