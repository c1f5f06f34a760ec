/**
 * Stage 4: what applying a new desired config changes in one cluster — the console's preview.
 * Resources are matched by identity (group, kind, namespace, name); for changed ones every leaf
 * field that differs is listed with its old and new value.
 */
import type { CompileResult } from "./compile";
import type { FieldPath } from "./diagnostics";
import type { JsonValue } from "./hash";
import { contentHashAnnotation, type MeshResource, resourceKey } from "./resource";

export interface FieldChange {
  /** Path inside the resource, e.g. ["spec", "http", 1, "route", 0, "weight"]. */
  path: FieldPath;
  /** Absent when the field was added. */
  before?: JsonValue;
  /** Absent when the field was removed. */
  after?: JsonValue;
}

export interface ChangedResource {
  key: string;
  before: MeshResource;
  after: MeshResource;
  fields: FieldChange[];
}

export interface ResourceDiff {
  added: MeshResource[];
  changed: ChangedResource[];
  removed: MeshResource[];
  unchanged: number;
}

const isObject = (v: JsonValue | undefined): v is { [key: string]: JsonValue } =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function diffValues(
  before: JsonValue | undefined,
  after: JsonValue | undefined,
  path: (string | number)[],
  out: FieldChange[],
) {
  if (before === after) return;
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) diffValues(before[key], after[key], [...path, key], out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) diffValues(before[i], after[i], [...path, i], out);
    return;
  }
  if (before === undefined) out.push({ path, after: after as JsonValue });
  else if (after === undefined) out.push({ path, before });
  else out.push({ path, before, after });
}

const asJson = (r: MeshResource): JsonValue => {
  const { [contentHashAnnotation]: _hash, ...annotations } = r.metadata.annotations;
  return { ...r, metadata: { ...r.metadata, annotations } } as unknown as JsonValue;
};

/** The field-level changes between two versions of one resource (the content-hash annotation aside). */
export function diffResource(before: MeshResource, after: MeshResource): FieldChange[] {
  const out: FieldChange[] = [];
  diffValues(asJson(before), asJson(after), [], out);
  return out;
}

type Resources = readonly MeshResource[] | Pick<CompileResult, "resources">;
const listOf = (r: Resources): readonly MeshResource[] => ("resources" in r ? r.resources : r);

/** Resources added, changed (with the changed fields) and removed between two configs of one cluster. */
export function diff(before: Resources, after: Resources): ResourceDiff {
  const old = new Map(listOf(before).map((r) => [resourceKey(r), r]));
  const next = new Map(listOf(after).map((r) => [resourceKey(r), r]));
  const result: ResourceDiff = { added: [], changed: [], removed: [], unchanged: 0 };
  for (const key of [...new Set([...old.keys(), ...next.keys()])].sort()) {
    const b = old.get(key);
    const a = next.get(key);
    if (b && a) {
      const sameHash =
        b.metadata.annotations[contentHashAnnotation] !== undefined &&
        b.metadata.annotations[contentHashAnnotation] === a.metadata.annotations[contentHashAnnotation];
      const fields = sameHash ? [] : diffResource(b, a);
      if (fields.length === 0) result.unchanged++;
      else result.changed.push({ key, before: b, after: a, fields });
    } else if (a) result.added.push(a);
    else if (b) result.removed.push(b);
  }
  return result;
}

export const isEmptyDiff = (d: ResourceDiff): boolean =>
  d.added.length === 0 && d.changed.length === 0 && d.removed.length === 0;
