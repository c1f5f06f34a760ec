// The policy editor's form <-> YAML tab round trip, on the same `yaml` library the API and
// policy-model parse policies with, so the editor never reads a document differently from them.
import { parseAllDocuments, stringify } from "yaml";

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };
export type YamlMap = { [key: string]: YamlValue };

/** Text the form cannot take (not one YAML document of plain data); it stays in the YAML tab. */
export class YamlSubsetError extends Error {}

export function toYaml(value: YamlValue): string {
  return stringify(value, { lineWidth: 0 });
}

function toYamlValue(value: unknown, path: string): YamlValue {
  if (
    value === null ||
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean"
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => toYamlValue(item, `${path}[${index}]`));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, toYamlValue(item, path ? `${path}.${key}` : key)]),
    );
  }
  throw new YamlSubsetError(`${path || "the document"} is not plain data the form can show`);
}

export function fromYaml(text: string): YamlValue {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents) || documents.length !== 1) {
    throw new YamlSubsetError("the form edits one policy document at a time");
  }
  const [document] = documents;
  const [error] = document?.errors ?? [];
  if (error) throw new YamlSubsetError(error.message);
  return toYamlValue(document?.toJS() ?? null, "");
}

export function isYamlMap(value: YamlValue | undefined): value is YamlMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
