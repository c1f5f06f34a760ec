import { isJsonObject, type JsonObject, type JsonValue } from "../json";
import type { CompactSchema } from "./compact-schema";

export interface TypeProblem {
  /** `spec.http[0].route[0].weight` */
  path: string;
  expected: "object" | "array" | "string" | "integer" | "number" | "boolean";
  value: JsonValue;
}

export interface SchemaFindings {
  /** Unknown fields, `spec.htpp`, in the order the server reports them (keys sorted). */
  unknownFields: string[];
  typeProblems: TypeProblem[];
  /** Values breaking the CEL rules we emulate. */
  ruleProblems: { path: string; message: string; value: JsonValue }[];
}

/** Checks an object's spec (and any other top-level field) against a CRD schema. */
export function checkAgainstSchema(schema: CompactSchema, object: JsonObject): SchemaFindings {
  const findings: SchemaFindings = { unknownFields: [], typeProblems: [], ruleProblems: [] };
  for (const key of Object.keys(object).sort()) {
    if (key === "apiVersion" || key === "kind" || key === "metadata") continue;
    const value = object[key];
    if (value === undefined) continue;
    const child = schema.p?.[key];
    if (!child) {
      if (!schema.u) findings.unknownFields.push(key);
      continue;
    }
    walk(child, value, key, findings);
  }
  return findings;
}

function typeOfValue(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function walk(schema: CompactSchema, value: JsonValue, path: string, findings: SchemaFindings): void {
  if (value === null) return;
  if (schema.ios) {
    if (typeof value !== "string" && typeof value !== "number") {
      findings.typeProblems.push({ path, expected: "string", value });
    }
    return;
  }
  const actual = typeOfValue(value);
  const expected = schema.t;
  if (expected) {
    const isOk = expected === actual || (expected === "number" && actual === "integer");
    if (!isOk) {
      findings.typeProblems.push({ path, expected, value });
      return;
    }
  }
  if (schema.d && typeof value === "string" && !isDurationAtLeastOneMs(value)) {
    findings.ruleProblems.push({ path, message: "must be a valid duration greater than 1ms", value });
  }
  if (schema.port && typeof value === "number" && !(value > 0 && value <= 65535)) {
    findings.ruleProblems.push({ path, message: "port must be between 1-65535", value });
  }
  if (Array.isArray(value)) {
    if (!schema.i) return;
    const items = schema.i;
    value.forEach((item, index) => {
      walk(items, item, `${path}[${index}]`, findings);
    });
    return;
  }
  if (isJsonObject(value)) {
    for (const key of Object.keys(value).sort()) {
      const item = value[key];
      if (item === undefined) continue;
      const child = schema.p?.[key] ?? schema.ap;
      if (!child) {
        if (!schema.u && schema.p) findings.unknownFields.push(`${path}.${key}`);
        continue;
      }
      walk(child, item, `${path}.${key}`, findings);
    }
  }
}

const durationUnits: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};

/** Go duration syntax (`1h2m3.5s`, `500ms`); CEL's duration() accepts the same. */
export function parseDurationMs(text: string): number | undefined {
  const pattern = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const unit = durationUnits[match[2] ?? ""];
    if (unit === undefined) return undefined;
    total += Number(match[1]) * unit;
    consumed = pattern.lastIndex;
  }
  if (consumed !== text.length || text.length === 0) return undefined;
  return total;
}

function isDurationAtLeastOneMs(text: string): boolean {
  const ms = parseDurationMs(text);
  return ms !== undefined && ms >= 1;
}

/**
 * How structured-merge-diff prints the offending value (Go's %v of its value wrapper), which the
 * 500 "failed to create typed patch object" messages carry.
 */
export function describeForTypedPatch(problem: TypeProblem): string {
  const { expected, value } = problem;
  if (expected === "number" || expected === "integer") {
    const goType =
      typeof value === "string"
        ? "string"
        : typeof value === "boolean"
          ? "bool"
          : Array.isArray(value)
            ? "[]interface {}"
            : "map[string]interface {}";
    return `expected numeric (int or float), got ${goType}`;
  }
  const shown = Array.isArray(value)
    ? `&{[${value.map((item) => String(item)).join(" ")}]}`
    : isJsonObject(value)
      ? `&{map[${Object.entries(value)
          .map(([k, v]) => `${k}:${String(v)}`)
          .join(" ")}]}`
      : `&{${String(value)}}`;
  const name = expected === "array" ? "list" : expected === "object" ? "map" : expected;
  return `expected ${name}, got ${shown}`;
}

/** The word the OpenAPI validator uses for a value's type in 422 messages. */
export function openApiTypeName(value: JsonValue): string {
  const type = typeOfValue(value);
  return type === "array" ? "array" : type === "object" ? "object" : type;
}
