/**
 * Validates emitted resources against Istio's own CRD schemas (release 1.30.3, from the shared
 * fixtures), the way an API server under server-side apply would: unknown fields are rejected
 * (`additionalProperties: false` wherever the schema does not preserve unknown fields), and the CEL
 * rules we can evaluate without CEL (durations >= 1ms, ports, no wildcards in selectors) are checked.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import { parseDurationMs } from "../src/duration";
import type { MeshResource } from "../src/resource";
import { labelKeyProblem, labelValueProblem } from "../src/schema";

const here = dirname(fileURLToPath(import.meta.url));
/** The repo's `../shared/fixtures`, resolved from this file: packages/policy-model/test → repo root → .. */
export const crdFixturePath = resolve(here, "../../../../shared/fixtures/istio/crds-1.30.3.yaml");

type Schema = { [key: string]: unknown };
const isSchema = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);

/** Close every object node that lists its properties, unless it preserves unknown fields. */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) closeObjects(item);
    return;
  }
  if (!isSchema(node)) return;
  if (
    isSchema(node.properties) &&
    node.additionalProperties === undefined &&
    node["x-kubernetes-preserve-unknown-fields"] !== true
  )
    node.additionalProperties = false;
  for (const value of Object.values(node)) closeObjects(value);
}

/** The CEL rules Istio's CRDs carry that matter to us, evaluated in TypeScript; others pass. */
function celRule(rule: string, data: unknown): boolean {
  if (rule === "duration(self) >= duration('1ms')") {
    if (typeof data !== "string") return false;
    const ms = parseDurationMs(data);
    return ms !== undefined && ms >= 1;
  }
  if (rule === "0 < self && self <= 65535") return typeof data === "number" && data > 0 && data <= 65535;
  if (rule === '!self.contains("*")') return typeof data === "string" && !data.includes("*");
  if (rule === 'self.all(key, !key.contains("*"))')
    return isSchema(data) && Object.keys(data).every((k) => !k.includes("*"));
  if (rule === "self.all(key, key.size() != 0)")
    return isSchema(data) && Object.keys(data).every((k) => k.length > 0);
  if (rule === "self.all(key, 0 < int(key) && int(key) <= 65535)")
    return isSchema(data) && Object.keys(data).every((k) => Number(k) > 0 && Number(k) <= 65535);
  return true;
}

export interface CrdValidator {
  /** Problems with one resource; empty when the API server would accept it. */
  validate(resource: MeshResource): string[];
}

const formatErrors = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map(
    (e) => `${e.instancePath || "/"} ${e.message ?? ""}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`,
  );

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

let cached: CrdValidator | undefined;

export function loadCrdValidator(): CrdValidator {
  if (cached) return cached;
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const keyword of [
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-embedded-resource",
  ])
    ajv.addKeyword({ keyword });
  ajv.addKeyword({
    keyword: "x-kubernetes-validations",
    errors: false,
    validate: (rules: unknown, data: unknown) =>
      !Array.isArray(rules) ||
      rules.every((r) => !isSchema(r) || typeof r.rule !== "string" || celRule(r.rule, data)),
  });
  ajv.addFormat("int32", {
    type: "number",
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat("uint32", {
    type: "number",
    validate: (n: number) => Number.isInteger(n) && n >= 0 && n < 2 ** 32,
  });
  ajv.addFormat("double", { type: "number", validate: () => true });
  ajv.addFormat("byte", /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat("string", /.*/);
  // Parse only the CRDs we emit: the whole 1 MB file takes seconds to parse and compile.
  const wanted = new Set([
    "VirtualService",
    "DestinationRule",
    "EnvoyFilter",
    "PeerAuthentication",
    "AuthorizationPolicy",
  ]);
  const texts = readFileSync(crdFixturePath, "utf8")
    .split(/^---$/m)
    .filter((text) => [...wanted].some((kind) => text.includes(`kind: ${kind}\n`)));
  const schemas = new Map<string, Schema>();
  for (const text of texts) {
    const doc: unknown = parse(text);
    if (!isSchema(doc) || !isSchema(doc.spec)) continue;
    const { group, names, versions } = doc.spec;
    if (
      typeof group !== "string" ||
      !isSchema(names) ||
      !Array.isArray(versions) ||
      !wanted.has(String(names.kind))
    )
      continue;
    for (const version of versions) {
      if (!isSchema(version) || !isSchema(version.schema) || !isSchema(version.schema.openAPIV3Schema))
        continue;
      const root = version.schema.openAPIV3Schema;
      const spec = isSchema(root.properties) ? root.properties.spec : undefined;
      if (!isSchema(spec)) continue;
      closeObjects(spec);
      const apiVersion = `${group}/${String(version.name)}`;
      const stringMap = { type: "object", additionalProperties: { type: "string" } };
      schemas.set(`${apiVersion}/${String(names.kind)}`, {
        type: "object",
        required: ["apiVersion", "kind", "metadata", "spec"],
        additionalProperties: false,
        properties: {
          apiVersion: { const: apiVersion },
          kind: { const: names.kind },
          metadata: {
            type: "object",
            required: ["name", "namespace"],
            additionalProperties: false,
            properties: {
              name: { type: "string", minLength: 1, maxLength: 253 },
              namespace: { type: "string", minLength: 1, maxLength: 63 },
              labels: stringMap,
              annotations: stringMap,
            },
          },
          spec,
        },
      });
    }
  }
  // Compile lazily: only the served versions we emit are ever asked for.
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (key: string): ValidateFunction | undefined => {
    const known = validators.get(key);
    if (known) return known;
    const schema = schemas.get(key);
    if (!schema) return undefined;
    const compiled = ajv.compile(schema);
    validators.set(key, compiled);
    return compiled;
  };
  cached = {
    validate(resource) {
      const validator = validatorFor(`${resource.apiVersion}/${resource.kind}`);
      if (!validator) return [`no CRD serves ${resource.apiVersion} ${resource.kind}`];
      const problems = validator(resource) ? [] : formatErrors(validator.errors);
      if (!dnsSubdomain.test(resource.metadata.name))
        problems.push(`metadata.name ${resource.metadata.name} is not a DNS subdomain`);
      for (const [key, value] of Object.entries(resource.metadata.labels)) {
        const problem = labelKeyProblem(key) ?? labelValueProblem(value);
        if (problem) problems.push(`metadata.labels: ${problem}`);
      }
      return problems;
    },
  };
  return cached;
}
