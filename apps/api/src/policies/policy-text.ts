// Pure helpers between stored policy text and policy-model: parse one policy's YAML, compare
// contents, diff documents, summarize scope, judge a cluster's sync state. Unit-tested.
import type { ConfigStatusReport } from "@switchyard/agent-protocol/v1";
import type { Diagnostic } from "@switchyard/policy-model/diagnostics";
import { parsePolicies } from "@switchyard/policy-model/documents";
import { canonicalJson, type JsonValue } from "@switchyard/policy-model/hash";
import type { Policy } from "@switchyard/policy-model/schema";

/** A value for a DTO's JSON field (policy documents and field values are JSON already). */
export const toJsonValue = (value: unknown): JsonValue =>
  value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);

/** A diagnostic as the console's editor shows it: the field path dotted, and where it is written. */
export type FieldDiagnostic = {
  severity: "error" | "warning" | "info";
  code: string;
  message: string;
  policy: string | null;
  /** Dotted path of the field at fault inside the policy, e.g. `spec.routes.0.destinations`. */
  field: string;
  path: (string | number)[];
  cluster: string | null;
  line: number | null;
  column: number | null;
};

export function toFieldDiagnostic(d: Diagnostic): FieldDiagnostic {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    policy: d.policy ?? null,
    field: d.path.join("."),
    path: [...d.path],
    cluster: d.cluster ?? null,
    line: d.source?.line ?? null,
    column: d.source?.column ?? null,
  };
}

export type ParsedPolicyText = { policy: Policy | null; diagnostics: FieldDiagnostic[] };

/**
 * One policy's YAML (exactly one document). `expectedName`, when given, must be its metadata.name:
 * the editor edits one named policy, and a renamed document would silently create another.
 */
export function parsePolicyText(yaml: string, expectedName?: string): ParsedPolicyText {
  const result = parsePolicies(yaml);
  const diagnostics = result.diagnostics.map(toFieldDiagnostic);
  const error = (message: string, path: (string | number)[] = []): FieldDiagnostic => ({
    severity: "error",
    code: "schema-invalid",
    message,
    policy: expectedName ?? null,
    field: path.join("."),
    path,
    cluster: null,
    line: null,
    column: null,
  });
  if (diagnostics.some((d) => d.severity === "error")) return { policy: null, diagnostics };
  const [policy, ...others] = result.policies;
  if (!policy) return { policy: null, diagnostics: [...diagnostics, error("the text holds no policy")] };
  if (others.length > 0)
    return { policy: null, diagnostics: [...diagnostics, error("write one policy per edit, not several")] };
  if (expectedName !== undefined && policy.metadata.name !== expectedName)
    return {
      policy: null,
      diagnostics: [
        ...diagnostics,
        error(`metadata.name is "${policy.metadata.name}" but this edit is for "${expectedName}"`, [
          "metadata",
          "name",
        ]),
      ],
    };
  return { policy, diagnostics };
}

/** The policy as stored in revision `number`: metadata.revision ties emitted resources to it. */
export function withRevision(policy: Policy, number: number): Policy {
  return { ...policy, metadata: { ...policy.metadata, revision: number } };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Same content, whatever revision each was stored as: an edit that changes nothing stores nothing. */
export function isSameContent(a: unknown, b: unknown): boolean {
  return canonicalJson(withoutRevision(a)) === canonicalJson(withoutRevision(b));
}

function withoutRevision(document: unknown): unknown {
  if (!isPlainObject(document) || !isPlainObject(document.metadata)) return document;
  const { revision: _revision, ...metadata } = document.metadata;
  return { ...document, metadata };
}

export type DocumentChange = { field: string; before?: unknown; after?: unknown };

/** Every leaf field that differs between two policy documents (revision numbers aside). */
export function diffDocuments(before: unknown, after: unknown): DocumentChange[] {
  const out: DocumentChange[] = [];
  const walk = (b: unknown, a: unknown, path: string[]) => {
    if (canonicalJson(b ?? null) === canonicalJson(a ?? null) && (b === undefined) === (a === undefined))
      return;
    if (isPlainObject(b) && isPlainObject(a)) {
      for (const key of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort())
        walk(b[key], a[key], [...path, key]);
      return;
    }
    if (Array.isArray(b) && Array.isArray(a)) {
      for (let i = 0; i < Math.max(b.length, a.length); i++) walk(b[i], a[i], [...path, String(i)]);
      return;
    }
    out.push({
      field: path.join("."),
      ...(b === undefined ? {} : { before: b }),
      ...(a === undefined ? {} : { after: a }),
    });
  };
  walk(withoutRevision(before ?? undefined), withoutRevision(after ?? undefined), []);
  return out;
}

export type ScopeSummary = {
  clusterNames: string[] | null;
  clusterLabels: Record<string, string> | null;
  namespace: string | null;
  service: string | null;
  /** One line for a list, e.g. `clusters env=prod · shop/reviews`. */
  summary: string;
};

export function summarizeScope(policy: Policy): ScopeSummary {
  const scope = policy.spec.scope;
  const clusters = scope?.clusters;
  const namespace = scope?.namespace ?? null;
  const service = scope && "service" in scope && typeof scope.service === "string" ? scope.service : null;
  const clusterPart = clusters?.names
    ? `clusters ${clusters.names.join(", ")}`
    : clusters?.matchLabels
      ? `clusters ${Object.entries(clusters.matchLabels)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ")}`
      : "all clusters";
  const target =
    namespace === null ? "every namespace" : service === null ? namespace : `${namespace}/${service}`;
  return {
    clusterNames: clusters?.names ?? null,
    clusterLabels: clusters?.matchLabels ?? null,
    namespace,
    service,
    summary: `${clusterPart} · ${target}`,
  };
}

export type SyncState = "in-sync" | "pending" | "failed";

type StoredStatus = Pick<ConfigStatusReport, "reachedVersion" | "results"> & { reportedVersion: number };

/**
 * A cluster is in sync when it runs its latest desired version, failed when its agent reported that
 * version and could not reach it, pending otherwise (not yet reported, or an older one).
 */
export function syncStateOf(latestVersion: number, status: StoredStatus | null): SyncState {
  const reached = status?.reachedVersion ?? 0;
  if (reached >= latestVersion) return "in-sync";
  if (
    status &&
    status.reportedVersion >= latestVersion &&
    status.results.some((r) => r.outcome === "conflict" || r.outcome === "rejected")
  )
    return "failed";
  return "pending";
}
