import { createHash } from "node:crypto";
import type { JsonObject, JsonValue } from "./json";
import type { ResourceRegistry, ResourceType } from "./resource-registry";

/** The `Accept` type client-go ≥1.28 and kubectl send for aggregated discovery. */
export const aggregatedDiscoveryType =
  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

export const versionInfo: JsonObject = {
  major: "1",
  minor: "28",
  gitVersion: "v1.28.7",
  gitCommit: "c8dcb00be9961ec36d141d2e4103f85f92bcf291",
  gitTreeState: "",
  buildDate: "1970-01-01T00:00:00Z",
  goVersion: "go1.21.13",
  compiler: "gc",
  platform: "linux/amd64",
};

function resourceEntries(type: ResourceType): JsonObject[] {
  const main: JsonObject = {
    name: type.resource,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: type.verbs,
  };
  if (type.shortNames.length > 0) main.shortNames = type.shortNames;
  if (type.categories.length > 0) main.categories = type.categories;
  if (type.storageVersionHash) main.storageVersionHash = type.storageVersionHash;
  const subresources = type.subresources.map((sub) => {
    const entry: JsonObject = {
      name: `${type.resource}/${sub.name}`,
      singularName: "",
      namespaced: type.namespaced,
    };
    if (sub.group) entry.group = sub.group;
    if (sub.version) entry.version = sub.version;
    entry.kind = sub.kind;
    entry.verbs = sub.verbs;
    return entry;
  });
  return [main, ...subresources];
}

/** GET /api/v1 or /apis/<group>/<version>. */
export function resourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): JsonObject | undefined {
  const types = registry.all.filter((type) => type.group === group && type.version === version);
  if (types.length === 0) return undefined;
  const resources = types.sort((a, b) => (a.resource < b.resource ? -1 : 1)).flatMap(resourceEntries);
  const groupVersion = group === "" ? version : `${group}/${version}`;
  if (group === "") return { kind: "APIResourceList", groupVersion, resources };
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources };
}

export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupEntry(group: string, versions: string[]): JsonObject {
  const list = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: list, preferredVersion: list[0] ?? {} };
}

function namedGroups(registry: ResourceRegistry): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { group, version } of registry.groupVersions()) {
    if (group === "") continue;
    const versions = groups.get(group) ?? [];
    if (!versions.includes(version)) versions.push(version);
    groups.set(group, versions);
  }
  return groups;
}

/** GET /apis */
export function groupList(registry: ResourceRegistry): JsonObject {
  const groups = [...namedGroups(registry)].map(([group, versions]) => groupEntry(group, versions));
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

/** GET /apis/<group> */
export function group(registry: ResourceRegistry, name: string): JsonObject | undefined {
  const versions = namedGroups(registry).get(name);
  if (!versions) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupEntry(name, versions) };
}

function aggregatedResource(type: ResourceType): JsonObject {
  const responseKind = (kind: string, group?: string, version?: string): JsonObject => ({
    group: group ?? (type.isCustom ? type.group : ""),
    version: version ?? (type.isCustom ? type.version : ""),
    kind,
  });
  const entry: JsonObject = {
    resource: type.resource,
    responseKind: responseKind(type.kind),
    scope: type.namespaced ? "Namespaced" : "Cluster",
    singularResource: type.singular,
    verbs: type.verbs,
  };
  if (type.shortNames.length > 0) entry.shortNames = type.shortNames;
  if (type.categories.length > 0) entry.categories = type.categories;
  if (type.subresources.length > 0) {
    entry.subresources = type.subresources.map((sub) => ({
      subresource: sub.name,
      responseKind: responseKind(sub.kind, sub.group, sub.version),
      verbs: sub.verbs,
    }));
  }
  return entry;
}

/** Aggregated discovery (v2beta1) for /api (core) or /apis (every named group). */
export function aggregatedDiscovery(registry: ResourceRegistry, isCore: boolean): JsonObject {
  const groups = new Map<string, Map<string, ResourceType[]>>();
  for (const type of registry.all) {
    if ((type.group === "") !== isCore) continue;
    const versions = groups.get(type.group) ?? new Map<string, ResourceType[]>();
    const list = versions.get(type.version) ?? [];
    list.push(type);
    versions.set(type.version, list);
    groups.set(type.group, versions);
  }
  const items: JsonValue[] = [...groups].map(([name, versions]): JsonObject => {
    const metadata: JsonObject = isCore ? { creationTimestamp: null } : { name, creationTimestamp: null };
    return {
      metadata,
      versions: [...versions].map(([version, types]) => ({
        version,
        resources: types.sort((a, b) => (a.resource < b.resource ? -1 : 1)).map(aggregatedResource),
        freshness: "Current",
      })),
    };
  });
  return { kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2beta1", metadata: {}, items };
}

/** A strong ETag over the document, as the aggregated endpoint sends. */
export function etagOf(body: string): string {
  return `"${createHash("sha512").update(body).digest("hex").toUpperCase()}"`;
}
