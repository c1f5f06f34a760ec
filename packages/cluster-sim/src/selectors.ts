import { badRequest } from "./errors";
import { getObject, isJsonObject, type JsonObject, type JsonValue } from "./json";

type Requirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

/** A parsed label selector (`app=reviews,version in (v1,v2),!canary`). */
export class LabelSelector {
  private constructor(private readonly requirements: Requirement[]) {}

  static parse(text: string | undefined): LabelSelector {
    if (!text) return new LabelSelector([]);
    const requirements: Requirement[] = [];
    for (const part of splitTopLevel(text)) {
      const term = part.trim();
      if (term === "") continue;
      const setMatch = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
      if (setMatch) {
        const [, key = "", op, values = ""] = setMatch;
        requirements.push({
          key,
          op: op === "in" ? "in" : "notin",
          values: values
            .split(",")
            .map((value) => value.trim())
            .filter((value) => value !== ""),
        });
        continue;
      }
      const eqMatch = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(term);
      if (eqMatch) {
        const [, key = "", op, value = ""] = eqMatch;
        requirements.push({ key, op: op === "!=" ? "!=" : "=", value });
        continue;
      }
      if (/^![^\s!=]+$/.test(term)) {
        requirements.push({ key: term.slice(1), op: "!exists" });
        continue;
      }
      if (/^[^\s!=()]+$/.test(term)) {
        requirements.push({ key: term, op: "exists" });
        continue;
      }
      throw badRequest(`unable to parse requirement: ${term}`);
    }
    return new LabelSelector(requirements);
  }

  /** A Deployment/Service style selector: every key must equal. */
  static fromMap(labels: Record<string, string>): LabelSelector {
    return new LabelSelector(Object.entries(labels).map(([key, value]) => ({ key, op: "=", value })));
  }

  get isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  matches(labels: Record<string, string>): boolean {
    return this.requirements.every((requirement) => {
      const value = labels[requirement.key];
      switch (requirement.op) {
        case "=":
          return value === requirement.value;
        case "!=":
          return value !== requirement.value;
        case "in":
          return value !== undefined && requirement.values.includes(value);
        case "notin":
          return value === undefined || !requirement.values.includes(value);
        case "exists":
          return value !== undefined;
        case "!exists":
          return value === undefined;
        default:
          return false;
      }
    });
  }
}

/** Splits on commas that are not inside `in (...)` sets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts;
}

/** Field selectors on dotted paths (`metadata.name=x`, `status.phase!=Running`). */
export class FieldSelector {
  private constructor(private readonly terms: { path: string[]; isNegated: boolean; value: string }[]) {}

  static parse(text: string | undefined): FieldSelector {
    if (!text) return new FieldSelector([]);
    const terms = text
      .split(",")
      .filter((term) => term.trim() !== "")
      .map((term) => {
        const match = /^([^!=]+)(==|=|!=)(.*)$/.exec(term.trim());
        if (!match) throw badRequest(`invalid field selector: ${term}`);
        const [, path = "", op, value = ""] = match;
        return { path: path.split("."), isNegated: op === "!=", value };
      });
    return new FieldSelector(terms);
  }

  matches(object: JsonObject): boolean {
    return this.terms.every((term) => {
      let node: JsonValue | undefined = object;
      for (const segment of term.path) node = isJsonObject(node) ? node[segment] : undefined;
      const actual = node === undefined || node === null ? "" : String(node);
      return term.isNegated ? actual !== term.value : actual === term.value;
    });
  }
}

// Stored objects are never mutated, so their labels can be decoded once.
const labelCache = new WeakMap<JsonObject, Record<string, string>>();

export function labelsOf(object: JsonObject): Record<string, string> {
  const cached = labelCache.get(object);
  if (cached) return cached;
  const labels = getObject(object, "metadata")?.labels;
  const out: Record<string, string> = {};
  if (isJsonObject(labels)) {
    for (const [key, value] of Object.entries(labels)) if (typeof value === "string") out[key] = value;
  }
  labelCache.set(object, out);
  return out;
}
