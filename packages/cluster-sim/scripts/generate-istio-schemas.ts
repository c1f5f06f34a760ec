/**
 * Regenerates src/schema/istio-schemas.generated.json from Istio's CRDs.
 *
 * The simulator must reject unknown fields and wrong types the way a real API server does for
 * Istio objects, which needs the CRD schemas; the package cannot read ../shared at run time (a
 * clean clone has no such directory), so the served v1 schemas are compacted into a JSON file
 * that is committed. Run: npx tsx packages/cluster-sim/scripts/generate-istio-schemas.ts [crds.yaml]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { CompactSchema } from "../src/schema/compact-schema";

type Raw = Record<string, unknown>;

const here = dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? join(here, "../../../../shared/fixtures/istio/crds-1.30.3.yaml");
const target = join(here, "../src/schema/istio-schemas.generated.json");
const groups = new Set(["networking.istio.io", "security.istio.io"]);

function isRaw(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function compact(node: Raw): CompactSchema {
  const out: CompactSchema = {};
  const type = node.type;
  if (type === "object" || type === "array" || type === "string" || type === "integer") out.t = type;
  if (type === "number" || type === "boolean") out.t = type;
  if (node["x-kubernetes-int-or-string"] === true) out.ios = true;
  if (node["x-kubernetes-preserve-unknown-fields"] === true) out.u = true;
  const props = node.properties;
  if (isRaw(props)) {
    out.p = {};
    for (const [key, child] of Object.entries(props)) if (isRaw(child)) out.p[key] = compact(child);
  }
  if (isRaw(node.items)) out.i = compact(node.items);
  if (isRaw(node.additionalProperties)) out.ap = compact(node.additionalProperties);
  const listType = node["x-kubernetes-list-type"];
  if (listType === "map" || listType === "set") out.lt = listType;
  const keys = node["x-kubernetes-list-map-keys"];
  if (Array.isArray(keys)) out.lk = keys.filter((k): k is string => typeof k === "string");
  const rules = node["x-kubernetes-validations"];
  if (Array.isArray(rules)) {
    for (const rule of rules) {
      if (!isRaw(rule)) continue;
      if (rule.rule === "duration(self) >= duration('1ms')") out.d = true;
      if (rule.rule === "0 < self && self <= 65535") out.port = true;
    }
  }
  return out;
}

const result: Record<string, CompactSchema> = {};
for (const doc of parseAllDocuments(readFileSync(source, "utf8"))) {
  const crd: unknown = doc.toJS();
  if (!isRaw(crd) || !isRaw(crd.spec)) continue;
  const group = crd.spec.group;
  const names = crd.spec.names;
  if (typeof group !== "string" || !groups.has(group) || !isRaw(names)) continue;
  const versions = Array.isArray(crd.spec.versions) ? crd.spec.versions : [];
  for (const version of versions) {
    if (!isRaw(version) || version.name !== "v1" || !isRaw(version.schema)) continue;
    const schema = version.schema.openAPIV3Schema;
    if (isRaw(schema)) result[`${group}/${String(names.kind)}`] = compact(schema);
  }
}
writeFileSync(target, `${JSON.stringify(result)}\n`);
console.log(`wrote ${Object.keys(result).length} schemas to ${target}`);
