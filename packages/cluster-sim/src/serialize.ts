import { isJsonObject, type JsonObject, sortKeysDeep } from "./json";
import { apiVersionOf, type ResourceType } from "./resource-registry";

// Go struct field order of ObjectMeta: typed objects are written in this order.
const metadataOrder = [
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
];

function orderKeys(object: JsonObject, order: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of order) {
    const value = object[key];
    if (value !== undefined) out[key] = value;
  }
  for (const [key, value] of Object.entries(object)) if (!(key in out)) out[key] = value;
  return out;
}

/**
 * Puts an object in the shape the real server writes it: custom resources as unstructured maps
 * (every key sorted), built-in types in Go field order with kind and apiVersion first. Stored
 * objects are canonical so responses are a plain JSON.stringify away.
 */
export function canonicalize(type: ResourceType, object: JsonObject): JsonObject {
  const withType: JsonObject = { ...object, apiVersion: apiVersionOf(type), kind: type.kind };
  if (type.isCustom) {
    const sorted = sortKeysDeep(withType);
    return isJsonObject(sorted) ? sorted : withType;
  }
  const metadata = isJsonObject(withType.metadata) ? orderKeys(withType.metadata, metadataOrder) : {};
  return orderKeys({ ...withType, metadata }, ["kind", "apiVersion", "metadata"]);
}

/** Typed lists drop kind/apiVersion from their items; unstructured lists keep them. */
export function listItem(type: ResourceType, object: JsonObject): JsonObject {
  if (type.isCustom) return object;
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
  return rest;
}

/** Compact JSON plus newline, with `<`, `>`, `&` escaped as Go's encoder does. */
export function encodeJson(value: unknown): string {
  const json = JSON.stringify(value);
  // Most bodies have none of these; skipping the replace keeps 10 MB lists cheap.
  if (!/[<>&]/.test(json)) return `${json}\n`;
  return `${json.replaceAll("<", "\\u003c").replaceAll(">", "\\u003e").replaceAll("&", "\\u0026")}\n`;
}
