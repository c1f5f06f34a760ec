import type { ResourceRegistry, ResourceType } from "../resource-registry";

export type Route =
  | { kind: "version" }
  | { kind: "health" }
  | { kind: "api" }
  | { kind: "apis" }
  | { kind: "group"; group: string }
  | { kind: "groupVersion"; group: string; version: string }
  | { kind: "resource"; type: ResourceType; namespace?: string; name?: string; subresource?: string };

/** Maps a URL path onto what the API server serves there; undefined is a plain 404. */
export function route(registry: ResourceRegistry, pathname: string): Route | undefined {
  const segments = pathname
    .split("/")
    .filter((segment) => segment !== "")
    .map(decodeURIComponent);
  const [first, second, third, ...rest] = segments;
  if (first === "version" && segments.length === 1) return { kind: "version" };
  if ((first === "healthz" || first === "readyz" || first === "livez") && segments.length === 1)
    return { kind: "health" };
  if (first === "api") {
    if (second === undefined) return { kind: "api" };
    if (second !== "v1") return undefined;
    if (third === undefined) return { kind: "groupVersion", group: "", version: "v1" };
    return resourceRoute(registry, "", "v1", [third, ...rest]);
  }
  if (first === "apis") {
    if (second === undefined) return { kind: "apis" };
    if (!registry.groupVersions().some((gv) => gv.group === second)) return undefined;
    if (third === undefined) return { kind: "group", group: second };
    if (!registry.groupVersions().some((gv) => gv.group === second && gv.version === third)) return undefined;
    const [fourth, ...remaining] = rest;
    if (fourth === undefined) return { kind: "groupVersion", group: second, version: third };
    return resourceRoute(registry, second, third, [fourth, ...remaining]);
  }
  return undefined;
}

function resourceRoute(
  registry: ResourceRegistry,
  group: string,
  version: string,
  parts: string[],
): Route | undefined {
  const [first, second, third, fourth, fifth, ...extra] = parts;
  if (first === "namespaces" && second !== undefined && third !== undefined) {
    const type = registry.find(group, version, third);
    if (type?.namespaced) {
      if (extra.length > 0) return undefined;
      if (fifth !== undefined && !type.subresources.some((sub) => sub.name === fifth)) return undefined;
      return { kind: "resource", type, namespace: second, name: fourth, subresource: fifth };
    }
  }
  if (first === undefined) return undefined;
  const type = registry.find(group, version, first);
  if (!type || fourth !== undefined) return undefined;
  if (type.namespaced && second !== undefined) return undefined;
  if (third !== undefined && !type.subresources.some((sub) => sub.name === third)) return undefined;
  return { kind: "resource", type, name: second, subresource: third };
}
