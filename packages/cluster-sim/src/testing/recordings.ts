import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isJsonObject, type JsonObject, type JsonValue, toJsonValue } from "../json";

/** ../shared/fixtures/kube-apiserver-1.28 beside the repository (absent in some checkouts). */
export const recordingsDir = fileURLToPath(
  new URL("../../../../../shared/fixtures/kube-apiserver-1.28/", import.meta.url),
);
export const hasRecordings = existsSync(recordingsDir);

export interface Recording {
  file: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: JsonValue | null;
  status: number;
  responseHeaders: Record<string, string | string[]>;
  responseBody: JsonValue;
}

function stringRecord(value: JsonValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isJsonObject(value)) return out;
  for (const [key, item] of Object.entries(value)) if (typeof item === "string") out[key] = item;
  return out;
}

export function loadRecording(file: string): Recording {
  const raw = toJsonValue(JSON.parse(readFileSync(`${recordingsDir}${file}`, "utf8")));
  if (!isJsonObject(raw) || !isJsonObject(raw.request)) throw new Error(`${file} is not an envelope`);
  const request = raw.request;
  const responseHeaders: Record<string, string | string[]> = {};
  if (isJsonObject(raw.headers)) {
    for (const [key, value] of Object.entries(raw.headers)) {
      if (typeof value === "string") responseHeaders[key] = value;
      if (Array.isArray(value)) responseHeaders[key] = value.map(String);
    }
  }
  return {
    file,
    method: String(request.method),
    path: String(request.path),
    query: stringRecord(request.query),
    headers: stringRecord(request.headers),
    body: request.body ?? null,
    status: typeof raw.status === "number" ? raw.status : 0,
    responseHeaders,
    responseBody: raw.body ?? null,
  };
}

export interface Replayed {
  status: number;
  headers: Headers;
  text: string;
  body: JsonValue;
}

/** Sends a recorded request (method, path, query, headers, body as sent) to a server. */
export async function replay(
  baseUrl: string,
  recording: Recording,
  overrides: { path?: string; query?: Record<string, string> } = {},
): Promise<Replayed> {
  const url = new URL(overrides.path ?? recording.path, baseUrl);
  for (const [key, value] of Object.entries(overrides.query ?? recording.query))
    url.searchParams.set(key, value);
  const body =
    recording.body === null
      ? undefined
      : typeof recording.body === "string"
        ? recording.body
        : JSON.stringify(recording.body);
  const response = await fetch(url, { method: recording.method, headers: recording.headers, body });
  const text = await response.text();
  let parsed: JsonValue = text;
  try {
    parsed = toJsonValue(JSON.parse(text)) ?? text;
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** Values that differ between any two runs (ids, clocks, allocated addresses, generated tokens). */
const variableKeys = new Set([
  "uid",
  "creationTimestamp",
  "deletionTimestamp",
  "time",
  "resourceVersion",
  "lastTransitionTime",
  "lastUpdateTime",
  "startTime",
  "startedAt",
  "clusterIP",
  "clusterIPs",
  "podIP",
  "continue",
  "serverAddress",
]);

/** Masks inherently variable values so two bodies can be compared structurally. */
export function normalize(value: JsonValue, key = ""): JsonValue {
  if (variableKeys.has(key) && value !== null && value !== "") return "<variable>";
  if (Array.isArray(value)) {
    const items = value.map((item) => normalize(item));
    // Entries sort by their time (whole seconds); a replay landing in other seconds reorders them.
    if (key === "managedFields") items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    return items;
  }
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const name of Object.keys(value).sort()) {
    const item = value[name];
    if (item !== undefined) out[name] = normalize(item, name);
  }
  return out;
}

export function resourceVersionOf(body: JsonValue): string | undefined {
  if (!isJsonObject(body) || !isJsonObject(body.metadata)) return undefined;
  const rv = body.metadata.resourceVersion;
  return typeof rv === "string" ? rv : undefined;
}

/**
 * Checks that resourceVersions relate the same way in both runs: the recorded RV 476 always maps
 * to the same simulated RV, and vice versa (same RV on a no-op, a new one on a write).
 */
export class ResourceVersionMap {
  private readonly forward = new Map<string, string>();
  private readonly backward = new Map<string, string>();

  check(recorded: string | undefined, simulated: string | undefined): string | undefined {
    if (recorded === undefined || simulated === undefined) {
      return recorded === simulated
        ? undefined
        : `resourceVersion presence differs: ${recorded} vs ${simulated}`;
    }
    const mapped = this.forward.get(recorded);
    const reverse = this.backward.get(simulated);
    if (mapped !== undefined && mapped !== simulated)
      return `recorded RV ${recorded} was ${mapped}, now ${simulated}`;
    if (reverse !== undefined && reverse !== recorded)
      return `simulated RV ${simulated} stands for ${reverse} and ${recorded}`;
    this.forward.set(recorded, simulated);
    this.backward.set(simulated, recorded);
    return undefined;
  }
}
