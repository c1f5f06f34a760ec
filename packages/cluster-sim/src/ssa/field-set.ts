import { deepEqual, isJsonObject, type JsonObject, type JsonValue } from "../json";
import { type ResourceType, type Structure, structureAt } from "../resource-registry";

/**
 * A set of field paths in the FieldsV1 shape: keys are `f:<field>` or `k:<json key>` elements; a
 * node is a member of the set itself when it is a leaf or carries `.` (an associative list item,
 * or a map an Update created).
 */
export class FieldSet {
  readonly children = new Map<string, FieldSet>();
  isMember = false;

  static fromFieldsV1(value: JsonValue | undefined): FieldSet {
    const set = new FieldSet();
    if (!isJsonObject(value)) return set;
    for (const [key, child] of Object.entries(value)) {
      if (key === ".") set.isMember = true;
      else set.children.set(key, FieldSet.fromFieldsV1(child));
    }
    if (set.children.size === 0) set.isMember = true;
    return set;
  }

  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    if (this.isMember && this.children.size > 0) out["."] = {};
    for (const key of [...this.children.keys()].sort()) {
      const child = this.children.get(key);
      if (child) out[key] = child.toFieldsV1();
    }
    return out;
  }

  isEmpty(): boolean {
    return !this.isMember && this.children.size === 0;
  }

  child(element: string): FieldSet {
    let node = this.children.get(element);
    if (!node) {
      node = new FieldSet();
      this.children.set(element, node);
    }
    return node;
  }

  /** Every member path, depth first. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = [];
    if (this.isMember && prefix.length > 0) out.push(prefix);
    for (const [key, child] of this.children) out.push(...child.paths([...prefix, key]));
    return out;
  }

  has(path: readonly string[]): boolean {
    let node: FieldSet | undefined = this;
    for (const element of path) {
      node = node.children.get(element);
      if (!node) return false;
    }
    return node.isMember;
  }

  add(path: readonly string[]): void {
    let node: FieldSet = this;
    for (const element of path) node = node.child(element);
    node.isMember = true;
  }

  /** Removes the member at path and prunes parents left empty. */
  remove(path: readonly string[]): void {
    const [head, ...rest] = path;
    if (head === undefined) {
      this.isMember = false;
      return;
    }
    const child = this.children.get(head);
    if (!child) return;
    child.remove(rest);
    if (child.isEmpty()) this.children.delete(head);
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    for (const path of other.paths()) out.add(path);
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.isMember = this.isMember;
    for (const [key, child] of this.children) out.children.set(key, child.clone());
    return out;
  }

  /** Whether this member has member descendants (a `.` node rather than a leaf). */
  isLeafAt(path: readonly string[]): boolean {
    let node: FieldSet | undefined = this;
    for (const element of path) {
      node = node?.children.get(element);
    }
    return node !== undefined && node.children.size === 0;
  }
}

/** One decoded path element. */
export type PathElement = { field: string } | { key: Record<string, JsonValue> };

export function decodeElement(element: string): PathElement {
  if (element.startsWith("f:")) return { field: element.slice(2) };
  if (element.startsWith("k:")) {
    const parsed: unknown = JSON.parse(element.slice(2));
    if (isJsonObject(parsed)) return { key: parsed };
  }
  throw new Error(`unsupported field path element ${element}`);
}

/** `.spec.http` or `.spec.template.spec.containers[name="reviews"].image`, as conflicts print paths. */
export function formatPath(path: readonly string[]): string {
  let out = "";
  for (const element of path) {
    const decoded = decodeElement(element);
    if ("field" in decoded) out += `.${decoded.field}`;
    else {
      const parts = Object.entries(decoded.key).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      out += `[${parts.join(",")}]`;
    }
  }
  return out;
}

/** Schema path (for structure lookups) of a field path: keys become `[]`. */
function structurePath(path: readonly string[]): string[] {
  return path.map((element) => (element.startsWith("k:") ? "[]" : element.slice(2)));
}

export function keyElement(item: JsonObject, structure: Structure): string | undefined {
  if (structure.type !== "associative") return undefined;
  const key: Record<string, JsonValue> = {};
  for (const name of structure.keys) {
    const value = item[name] ?? structure.keyDefaults[name];
    if (value === undefined) return undefined;
    key[name] = value;
  }
  return `k:${JSON.stringify(key)}`;
}

function matchesKey(item: JsonValue, key: Record<string, JsonValue>, structure: Structure): boolean {
  if (!isJsonObject(item) || structure.type !== "associative") return false;
  return Object.entries(key).every(([name, value]) =>
    deepEqual(item[name] ?? structure.keyDefaults[name], value),
  );
}

/** Value at a field path, or undefined when absent. */
export function valueAt(type: ResourceType, root: JsonValue, path: readonly string[]): JsonValue | undefined {
  let node: JsonValue | undefined = root;
  for (let index = 0; index < path.length; index++) {
    const element = path[index];
    if (element === undefined || node === undefined) return undefined;
    const decoded = decodeElement(element);
    if ("field" in decoded) {
      node = isJsonObject(node) ? node[decoded.field] : undefined;
    } else {
      if (!Array.isArray(node)) return undefined;
      const structure = structureAt(type, structurePath(path.slice(0, index)));
      node = node.find((item) => matchesKey(item, decoded.key, structure));
    }
  }
  return node;
}

/** Removes the value at a field path from root (in place). */
export function removeAt(type: ResourceType, root: JsonObject, path: readonly string[]): void {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  if (last === undefined) return;
  const parent = valueAt(type, root, parentPath);
  const decoded = decodeElement(last);
  if ("field" in decoded) {
    if (isJsonObject(parent)) delete parent[decoded.field];
    return;
  }
  if (!Array.isArray(parent)) return;
  const structure = structureAt(type, structurePath(parentPath));
  const index = parent.findIndex((item) => matchesKey(item, decoded.key, structure));
  if (index >= 0) parent.splice(index, 1);
}

/** Fields of an object that are server-owned identity, never in a field set. */
const ignoredMetadata = new Set([
  "name",
  "namespace",
  "generateName",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
]);

/**
 * The field set an applied configuration manages: every leaf, atomic list or map, and every
 * associative list item (marked `.`). Maps and structs are not members themselves.
 */
export function fieldSetOf(
  type: ResourceType,
  config: JsonObject,
  options: { markNewMaps?: boolean } = {},
): FieldSet {
  const set = new FieldSet();
  for (const [key, value] of Object.entries(config)) {
    if (key === "apiVersion" || key === "kind" || key === "status") continue;
    if (key === "metadata" && isJsonObject(value)) {
      for (const [metaKey, metaValue] of Object.entries(value)) {
        if (ignoredMetadata.has(metaKey)) continue;
        collect(type, metaValue, ["f:metadata", `f:${metaKey}`], set, options.markNewMaps === true);
      }
      continue;
    }
    collect(type, value, [`f:${key}`], set, options.markNewMaps === true);
  }
  return set;
}

function collect(
  type: ResourceType,
  value: JsonValue,
  path: string[],
  set: FieldSet,
  markMaps: boolean,
): void {
  const structure = structureAt(type, structurePath(path));
  if (isJsonObject(value) && structure.type === "granular") {
    const entries = Object.entries(value);
    if (entries.length === 0 || (markMaps && isMapType(type, path))) set.add(path);
    for (const [key, child] of entries) collect(type, child, [...path, `f:${key}`], set, markMaps);
    return;
  }
  if (Array.isArray(value) && structure.type === "associative") {
    for (const item of value) {
      if (!isJsonObject(item)) continue;
      const element = keyElement(item, structure);
      if (!element) continue;
      const itemPath = [...path, element];
      set.add(itemPath);
      for (const [key, child] of Object.entries(item))
        collect(type, child, [...itemPath, `f:${key}`], set, markMaps);
    }
    return;
  }
  set.add(path);
}

const builtinMapFields = new Set(["f:labels", "f:annotations", "f:matchLabels", "f:nodeSelector", "f:data"]);

/**
 * Whether a new object node is itself a member of an Update's set: every object of a custom
 * resource (unstructured maps), but only real maps (labels, annotations...) of built-in types,
 * whose other objects are structs.
 */
function isMapType(type: ResourceType, path: readonly string[]): boolean {
  const last = path[path.length - 1] ?? "";
  if (path.length === 1 && last === "f:metadata") return false;
  return type.isCustom || builtinMapFields.has(last);
}

/**
 * Paths an Update changed between two objects (added or modified, at the granularity ownership
 * is tracked): new maps are members (`.`), as the server records for Update managers.
 */
export function changedFieldSet(type: ResourceType, before: JsonObject, after: JsonObject): FieldSet {
  const set = new FieldSet();
  const beforeMeta = isJsonObject(before.metadata) ? before.metadata : {};
  const afterMeta = isJsonObject(after.metadata) ? after.metadata : {};
  for (const [key, value] of Object.entries(afterMeta)) {
    if (ignoredMetadata.has(key)) continue;
    diff(type, beforeMeta[key], value, ["f:metadata", `f:${key}`], set);
  }
  for (const [key, value] of Object.entries(after)) {
    if (key === "apiVersion" || key === "kind" || key === "metadata" || key === "status") continue;
    diff(type, before[key], value, [`f:${key}`], set);
  }
  return set;
}

function diff(
  type: ResourceType,
  before: JsonValue | undefined,
  after: JsonValue,
  path: string[],
  set: FieldSet,
) {
  if (before === undefined) {
    collect(type, after, path, set, true);
    return;
  }
  const structure = structureAt(type, structurePath(path));
  if (isJsonObject(after) && isJsonObject(before) && structure.type === "granular") {
    for (const [key, value] of Object.entries(after))
      diff(type, before[key], value, [...path, `f:${key}`], set);
    return;
  }
  if (Array.isArray(after) && Array.isArray(before) && structure.type === "associative") {
    for (const item of after) {
      if (!isJsonObject(item)) continue;
      const element = keyElement(item, structure);
      if (!element) continue;
      const previous = before.find(
        (candidate) => isJsonObject(candidate) && keyElement(candidate, structure) === element,
      );
      if (previous === undefined) {
        set.add([...path, element]);
        for (const [key, child] of Object.entries(item))
          collect(type, child, [...path, element, `f:${key}`], set, true);
      } else if (isJsonObject(previous)) {
        for (const [key, child] of Object.entries(item))
          diff(type, previous[key], child, [...path, element, `f:${key}`], set);
      }
    }
    return;
  }
  if (!deepEqual(before, after)) set.add(path);
}
