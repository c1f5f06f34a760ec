import { ApiError } from "../errors";
import { deepClone, deepEqual, isJsonObject, type JsonObject, type JsonValue } from "../json";
import { apiVersionOf, type ResourceType, structureAt } from "../resource-registry";
import {
  changedFieldSet,
  FieldSet,
  fieldSetOf,
  formatPath,
  keyElement,
  removeAt,
  valueAt,
} from "./field-set";

/** One metadata.managedFields entry, decoded. */
export interface ManagerEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  fields: FieldSet;
  subresource?: string;
}

export function readManagedFields(object: JsonObject): ManagerEntry[] {
  const metadata = isJsonObject(object.metadata) ? object.metadata : {};
  const raw = metadata.managedFields;
  if (!Array.isArray(raw)) return [];
  const out: ManagerEntry[] = [];
  for (const entry of raw) {
    if (!isJsonObject(entry) || typeof entry.manager !== "string") continue;
    const decoded: ManagerEntry = {
      manager: entry.manager,
      operation: entry.operation === "Apply" ? "Apply" : "Update",
      apiVersion: typeof entry.apiVersion === "string" ? entry.apiVersion : "",
      fields: FieldSet.fromFieldsV1(entry.fieldsV1),
    };
    if (typeof entry.time === "string") decoded.time = entry.time;
    if (typeof entry.subresource === "string") decoded.subresource = entry.subresource;
    out.push(decoded);
  }
  return out;
}

/**
 * Encodes entries in the server's order: by operation (Apply before Update), then time (an entry
 * without a time first), manager, apiVersion, subresource. Built-in and custom resources list the
 * entry's keys in different orders on the wire.
 */
export function encodeManagedFields(entries: ManagerEntry[], isCustom: boolean): JsonValue[] {
  const sorted = [...entries].sort((a, b) => {
    if (a.operation !== b.operation) return a.operation < b.operation ? -1 : 1;
    const ta = a.time ? Math.floor(Date.parse(a.time) / 1000) : 0;
    const tb = b.time ? Math.floor(Date.parse(b.time) / 1000) : 0;
    if (ta !== tb) return ta - tb;
    if (a.manager !== b.manager) return a.manager < b.manager ? -1 : 1;
    if (a.apiVersion !== b.apiVersion) return a.apiVersion < b.apiVersion ? -1 : 1;
    return (a.subresource ?? "") < (b.subresource ?? "") ? -1 : 1;
  });
  return sorted.map((entry) => {
    const out: JsonObject = {
      manager: entry.manager,
      operation: entry.operation,
      apiVersion: entry.apiVersion,
    };
    if (entry.time) out.time = entry.time;
    out.fieldsType = "FieldsV1";
    out.fieldsV1 = entry.fields.toFieldsV1();
    if (entry.subresource) out.subresource = entry.subresource;
    if (!isCustom) return out;
    // Unstructured objects are written with sorted keys.
    const sortedOut: JsonObject = {};
    for (const key of Object.keys(out).sort()) {
      const value = out[key];
      if (value !== undefined) sortedOut[key] = value;
    }
    return sortedOut;
  });
}

function sameEntry(
  a: ManagerEntry,
  manager: string,
  operation: string,
  subresource: string | undefined,
): boolean {
  return a.manager === manager && a.operation === operation && (a.subresource ?? "") === (subresource ?? "");
}

/** The identity a conflict names: Apply managers by name, Update managers with their apiVersion. */
function describeManager(entry: ManagerEntry): string {
  return entry.operation === "Apply"
    ? `conflict with "${entry.manager}"`
    : `conflict with "${entry.manager}" using ${entry.apiVersion}`;
}

/** Merges an applied configuration into the live object, lists by their structure. */
function mergeApplied(
  type: ResourceType,
  live: JsonValue | undefined,
  config: JsonValue,
  path: string[],
): JsonValue {
  const structure = structureAt(type, path);
  if (isJsonObject(config) && isJsonObject(live) && structure.type === "granular") {
    const out: JsonObject = { ...live };
    for (const [key, value] of Object.entries(config))
      out[key] = mergeApplied(type, live[key], value, [...path, key]);
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live) && structure.type === "associative") {
    const out: JsonValue[] = [...live];
    for (const item of config) {
      if (!isJsonObject(item)) continue;
      const element = keyElement(item, structure);
      const index = out.findIndex(
        (candidate) => isJsonObject(candidate) && keyElement(candidate, structure) === element,
      );
      if (index >= 0) out[index] = mergeApplied(type, out[index], item, [...path, "[]"]);
      else out.push(deepClone(item));
    }
    return out;
  }
  return deepClone(config);
}

export interface ApplyResult {
  object: JsonObject;
  managers: ManagerEntry[];
}

/**
 * Server-side apply: merges `config` into `live`, removes fields this manager applied before and
 * no longer applies (unless someone else owns them), and moves ownership. A field owned by another
 * manager whose value would change is a conflict (409) unless `force` takes it over.
 */
export function applyConfiguration(options: {
  type: ResourceType;
  live: JsonObject | undefined;
  config: JsonObject;
  manager: string;
  force: boolean;
  now: string;
}): ApplyResult {
  const { type, live, config, manager, force } = options;
  const base: JsonObject = live ? deepClone(live) : {};
  const managers = live ? readManagedFields(live) : [];
  const configSet = fieldSetOf(type, config);

  const merged = mergeApplied(type, base, stripIdentity(config), []);
  if (!isJsonObject(merged)) throw new Error("apply produced a non-object");

  const previous = managers.find((entry) => sameEntry(entry, manager, "Apply", undefined));
  const others = managers.filter((entry) => entry !== previous);
  if (previous) {
    for (const path of previous.fields.paths()) {
      if (configSet.has(path)) continue;
      if (others.some((entry) => entry.fields.has(path))) continue;
      removeAt(type, merged, path);
    }
  }

  const conflicts: { entry: ManagerEntry; path: string[] }[] = [];
  for (const path of configSet.paths()) {
    const before = valueAt(type, base, path);
    const after = valueAt(type, merged, path);
    const isLeaf = configSet.isLeafAt(path);
    const changed = isLeaf ? !deepEqual(before, after) : before === undefined;
    if (!changed) continue;
    for (const entry of others) if (entry.fields.has(path)) conflicts.push({ entry, path });
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  for (const { entry, path } of conflicts) entry.fields.remove(path);

  const isObjectChanged = !deepEqual(withoutManagedFields(base), withoutManagedFields(merged));
  const entry: ManagerEntry = {
    manager,
    operation: "Apply",
    apiVersion: apiVersionOf(type),
    fields: configSet,
  };
  // The server stamps a manager's time only when its operation changed the object.
  const time = isObjectChanged ? options.now : previous?.time;
  if (time) entry.time = time;
  const next = [...others.filter((other) => !other.fields.isEmpty()), entry];
  return { object: merged, managers: next };
}

/**
 * Ownership after a non-apply write (create, update, merge/strategic/json patch): the manager's
 * Update entry gains every field it changed and those fields leave every other manager. Updates
 * never conflict.
 */
export function recordUpdate(options: {
  type: ResourceType;
  before: JsonObject | undefined;
  after: JsonObject;
  manager: string;
  subresource?: string;
  now: string;
}): ManagerEntry[] {
  const { type, before, after, manager, subresource } = options;
  const managers = before ? readManagedFields(before) : [];
  const changed = changedFieldSet(type, before ?? {}, after);
  const existing = managers.find((entry) => sameEntry(entry, manager, "Update", subresource));
  const others = managers.filter((entry) => entry !== existing);
  for (const other of others) for (const path of changed.paths()) other.fields.remove(path);
  if (changed.isEmpty() && !existing) return others.filter((entry) => !entry.fields.isEmpty());
  const fields = existing ? existing.fields.union(changed) : changed;
  const entry: ManagerEntry = { manager, operation: "Update", apiVersion: apiVersionOf(type), fields };
  const isObjectChanged = !deepEqual(withoutManagedFields(before ?? {}), withoutManagedFields(after));
  const time = isObjectChanged ? options.now : existing?.time;
  if (time) entry.time = time;
  if (subresource) entry.subresource = subresource;
  return [...others.filter((other) => !other.fields.isEmpty()), entry];
}

/** Drops fields no longer present in the object from every manager (e.g. after a JSON patch remove). */
export function pruneMissing(
  type: ResourceType,
  object: JsonObject,
  managers: ManagerEntry[],
): ManagerEntry[] {
  for (const entry of managers) {
    for (const path of entry.fields.paths()) {
      if (valueAt(type, object, path) === undefined) entry.fields.remove(path);
    }
  }
  return managers.filter((entry) => !entry.fields.isEmpty());
}

function conflictError(conflicts: { entry: ManagerEntry; path: string[] }[]): ApiError {
  const sorted = [...conflicts].sort((a, b) => {
    const ma = describeManager(a.entry);
    const mb = describeManager(b.entry);
    if (ma !== mb) return ma < mb ? -1 : 1;
    return formatPath(a.path) < formatPath(b.path) ? -1 : 1;
  });
  let detail: string;
  if (sorted.length === 1 && sorted[0]) {
    detail = `${describeManager(sorted[0].entry)}: ${formatPath(sorted[0].path)}`;
  } else {
    const lines: string[] = [];
    let current = "";
    for (const { entry, path } of sorted) {
      const name = describeManager(entry).replace(/^conflict with/, "conflicts with");
      if (name !== current) {
        lines.push(`${name}:`);
        current = name;
      }
      lines.push(`- ${formatPath(path)}`);
    }
    detail = lines.join("\n");
  }
  const count = sorted.length;
  return new ApiError(
    409,
    "Conflict",
    `Apply failed with ${count} conflict${count === 1 ? "" : "s"}: ${detail}`,
    {
      causes: sorted.map(({ entry, path }) => ({
        reason: "FieldManagerConflict",
        message: describeManager(entry),
        field: formatPath(path),
      })),
    },
  );
}

function stripIdentity(config: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === "status") continue;
    if (key === "metadata" && isJsonObject(value)) {
      const metadata: JsonObject = {};
      for (const [metaKey, metaValue] of Object.entries(value)) {
        if (["labels", "annotations", "ownerReferences", "finalizers", "name", "namespace"].includes(metaKey))
          metadata[metaKey] = metaValue;
      }
      out.metadata = metadata;
      continue;
    }
    out[key] = value;
  }
  return out;
}

export function withoutManagedFields(object: JsonObject): JsonObject {
  const metadata = isJsonObject(object.metadata) ? { ...object.metadata } : {};
  delete metadata.managedFields;
  delete metadata.resourceVersion;
  return { ...object, metadata };
}
