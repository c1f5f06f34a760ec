import { ApiError, badRequest } from "./errors";
import { deepClone, deepEqual, isJsonObject, type JsonObject, type JsonValue } from "./json";
import { type ResourceType, structureAt } from "./resource-registry";
import { keyElement } from "./ssa/field-set";

/** RFC 7386 JSON merge patch: objects merge, null deletes, everything else replaces. */
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return deepClone(patch);
  const out: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/**
 * Strategic merge patch for built-in types: like a merge patch, but lists with merge keys
 * (containers by name, ports by port) merge item by item, and `$patch: delete` removes an item.
 */
export function strategicMergePatch(
  type: ResourceType,
  target: JsonValue | undefined,
  patch: JsonValue,
  path: string[] = [],
): JsonValue {
  const structure = structureAt(type, path);
  if (Array.isArray(patch) && structure.type === "associative") {
    const out: JsonValue[] = Array.isArray(target) ? [...target] : [];
    for (const item of patch) {
      if (!isJsonObject(item)) continue;
      const element = keyElement(item, structure);
      const index = out.findIndex(
        (candidate) => isJsonObject(candidate) && keyElement(candidate, structure) === element,
      );
      if (item.$patch === "delete") {
        if (index >= 0) out.splice(index, 1);
        continue;
      }
      if (index >= 0) out[index] = strategicMergePatch(type, out[index], item, [...path, "[]"]);
      else out.push(stripDirectives(item));
    }
    return out;
  }
  if (!isJsonObject(patch)) return deepClone(patch);
  if (patch.$patch === "replace") return stripDirectives(patch);
  const out: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) continue;
    if (value === null) delete out[key];
    else out[key] = strategicMergePatch(type, out[key], value, [...path, key]);
  }
  return out;
}

function stripDirectives(value: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) if (!key.startsWith("$")) out[key] = deepClone(item);
  return out;
}

function decodePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw badRequest(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function parentOf(root: JsonValue, segments: string[]): { parent: JsonValue; key: string } {
  let node: JsonValue | undefined = root;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isJsonObject(node)) node = node[segment];
    else node = undefined;
    if (node === undefined) throw jsonPatchError(`doc is missing path: ${segments.join("/")}`);
  }
  const key = segments[segments.length - 1];
  if (key === undefined) throw jsonPatchError("cannot operate on the document root");
  return { parent: node, key };
}

function jsonPatchError(message: string): ApiError {
  return new ApiError(422, "Invalid", message);
}

function getPointer(root: JsonValue, segments: string[]): JsonValue {
  let node: JsonValue | undefined = root;
  for (const segment of segments) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isJsonObject(node)) node = node[segment];
    else node = undefined;
    if (node === undefined) throw jsonPatchError(`doc is missing path: /${segments.join("/")}`);
  }
  return node;
}

function addAt(root: JsonValue, segments: string[], value: JsonValue): void {
  const { parent, key } = parentOf(root, segments);
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length)
      throw jsonPatchError("index out of range");
    parent.splice(index, 0, value);
  } else if (isJsonObject(parent)) parent[key] = value;
  else throw jsonPatchError(`doc is missing path: /${segments.join("/")}`);
}

function removeAtPointer(root: JsonValue, segments: string[]): JsonValue {
  const { parent, key } = parentOf(root, segments);
  const existing = getPointer(root, segments);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (isJsonObject(parent)) delete parent[key];
  return existing;
}

/** RFC 6902 JSON patch. */
export function jsonPatch(target: JsonObject, operations: JsonValue): JsonObject {
  if (!Array.isArray(operations)) throw badRequest("json patch must be an array of operations");
  const doc: JsonObject = deepClone(target);
  for (const operation of operations) {
    if (!isJsonObject(operation) || typeof operation.op !== "string" || typeof operation.path !== "string") {
      throw badRequest("invalid json patch operation");
    }
    const path = decodePointer(operation.path);
    const value = operation.value ?? null;
    switch (operation.op) {
      case "add":
        addAt(doc, path, deepClone(value));
        break;
      case "remove":
        removeAtPointer(doc, path);
        break;
      case "replace":
        removeAtPointer(doc, path);
        addAt(doc, path, deepClone(value));
        break;
      case "move":
      case "copy": {
        const from = decodePointer(typeof operation.from === "string" ? operation.from : "");
        const moved = operation.op === "move" ? removeAtPointer(doc, from) : deepClone(getPointer(doc, from));
        addAt(doc, path, moved);
        break;
      }
      case "test":
        if (!deepEqual(getPointer(doc, path), value)) throw jsonPatchError("testing value failed");
        break;
      default:
        throw badRequest(`unknown json patch operation ${operation.op}`);
    }
  }
  return doc;
}
