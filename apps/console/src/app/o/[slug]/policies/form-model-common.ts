// Shared pieces of the per-kind form models (document <-> form state). Each model names the
// document paths its form shows; everything else in the document rides along in `extra`, so a
// YAML -> form -> YAML round trip never drops what someone wrote by hand.
import { isYamlMap, type YamlMap, type YamlValue } from "~/lib/policy-yaml";
import { type ClusterMode, FormShapeError } from "./traffic-form-model";

export { FormShapeError };

/** A number when the text is one, else the text itself, so validation names the bad value. */
export function numberOrText(value: string): YamlValue {
  const trimmed = value.trim();
  return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/** Comma-separated text as a list, without empty items. */
export function list(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

export function text(value: YamlValue | undefined): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") throw new FormShapeError("a nested value where the form expects text");
  return String(value);
}

export function mapOf(value: YamlValue | undefined): YamlMap {
  if (value === undefined || value === null) return {};
  if (!isYamlMap(value)) throw new FormShapeError("a list or text where the form expects a map");
  return value;
}

export function listOf(value: YamlValue | undefined): YamlValue[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new FormShapeError("text where the form expects a list");
  return value;
}

/** A list of scalars as comma-separated text. */
export function listText(value: YamlValue | undefined): string {
  return listOf(value).map(text).join(", ");
}

/** Sets `key` to the trimmed text when there is some. */
export function putText(target: YamlMap, key: string, value: string): void {
  if (value.trim() !== "") target[key] = value.trim();
}

/** Sets `key` to the number (or the text, for validation to name) when there is some. */
export function putNumber(target: YamlMap, key: string, value: string): void {
  if (value.trim() !== "") target[key] = numberOrText(value);
}

/** Sets `key` to the comma-separated list when it has items. */
export function putList(target: YamlMap, key: string, value: string, item = (v: string): YamlValue => v) {
  const items = list(value);
  if (items.length > 0) target[key] = items.map(item);
}

/** Sets `key` to the map when it has entries. */
export function putMap(target: YamlMap, key: string, value: YamlMap): void {
  if (Object.keys(value).length > 0) target[key] = value;
}

/**
 * The document without the dotted paths the form shows. A map left empty by the removal goes too,
 * so what remains is exactly what the form does not know about.
 */
export function withoutPaths(value: YamlMap, paths: readonly string[]): YamlMap {
  const out: YamlMap = { ...value };
  const heads = new Map<string, string[]>();
  for (const path of paths) {
    const [head = "", ...rest] = path.split(".");
    if (rest.length === 0) delete out[head];
    else heads.set(head, [...(heads.get(head) ?? []), rest.join(".")]);
  }
  for (const [head, rest] of heads) {
    const child = out[head];
    if (!isYamlMap(child)) continue;
    const remaining = withoutPaths(child, rest);
    if (Object.keys(remaining).length === 0 && Object.keys(child).length > 0) delete out[head];
    else out[head] = remaining;
  }
  return out;
}

/** What the form wrote, with the fields it does not show put back (the form's value wins a clash). */
export function withExtra(written: YamlMap, extra: YamlMap): YamlMap {
  const out: YamlMap = { ...written };
  for (const [key, value] of Object.entries(extra)) {
    const mine = out[key];
    if (mine === undefined) out[key] = value;
    else if (isYamlMap(mine) && isYamlMap(value)) out[key] = withExtra(mine, value);
  }
  return out;
}

export type LabelRow = { key: string; value: string };

export function labelRows(value: YamlValue | undefined): LabelRow[] {
  const rows = Object.entries(mapOf(value)).map(([key, item]) => ({ key, value: text(item) }));
  return rows.length > 0 ? rows : [{ key: "", value: "" }];
}

export function labelMap(rows: readonly LabelRow[]): YamlMap {
  const labels: YamlMap = {};
  for (const row of rows) if (row.key.trim()) labels[row.key.trim()] = row.value.trim();
  return labels;
}

/** Which clusters a policy selects, as the TrafficPolicy form shows it. */
export type ClusterScopeForm = { clusterMode: ClusterMode; clusterLabels: LabelRow[]; clusterNames: string };

export function emptyClusterScope(): ClusterScopeForm {
  return { clusterMode: "all", clusterLabels: [{ key: "", value: "" }], clusterNames: "" };
}

export function clusterScopeFromDocument(value: YamlValue | undefined): ClusterScopeForm {
  const clusters = mapOf(value);
  const labels = Object.keys(mapOf(clusters.matchLabels));
  const names = listOf(clusters.names).map(text);
  if (labels.length > 0 && names.length > 0) {
    throw new FormShapeError("the form selects clusters by labels or by names, not both");
  }
  return {
    clusterMode: labels.length > 0 ? "labels" : names.length > 0 ? "names" : "all",
    clusterLabels: labelRows(clusters.matchLabels),
    clusterNames: names.join(", "),
  };
}

/** `scope.clusters`, or undefined for every cluster. */
export function clusterScopeToDocument(form: ClusterScopeForm): YamlMap | undefined {
  if (form.clusterMode === "labels") return { matchLabels: labelMap(form.clusterLabels) };
  if (form.clusterMode === "names") return { names: list(form.clusterNames) };
  return undefined;
}

/** The paths of `scope.clusters` a cluster scope form shows. */
export const clusterScopePaths = ["spec.scope.clusters.matchLabels", "spec.scope.clusters.names"];

export const policyHeaderPaths = ["apiVersion", "kind", "metadata.name"];
