/**
 * Diagnostics are data, not exceptions: every stage returns them beside its result so the console,
 * the API and the CLI can show all problems at once, each pointing at the field at fault.
 */

export type Severity = "error" | "warning" | "info";

export const diagnosticCodes = [
  /** The document is not valid YAML. */
  "yaml-syntax",
  /** A field has the wrong type, a missing required value or a value out of its allowed set. */
  "schema-invalid",
  /** A field the language does not know (usually a typo); Istio would reject it too. */
  "unknown-field",
  /** `kind` or `apiVersion` is not one this version of the language knows. */
  "unknown-kind",
  /** Destination weights of a route do not add up to 100. */
  "weights-not-100",
  /** A duration is below Istio's minimum of 1ms (Istio's CEL rule `duration(self) >= duration('1ms')`). */
  "duration-too-short",
  /** A duration is not written as e.g. `250ms`, `1.5s`, `2m`, `1h30m`. */
  "duration-invalid",
  /** A port outside 1..65535 (Istio's CEL rule on ports). */
  "port-out-of-range",
  /** A label key or value Kubernetes or Istio would reject (including the `*` wildcard in selectors). */
  "label-invalid",
  /** Two policies in one set share a name. */
  "duplicate-policy-name",
  /** A route or mirror names a version that has no ready workloads in the cluster. */
  "route-version-missing",
  /** The policy targets a service that does not exist in a cluster it names explicitly. */
  "service-not-in-cluster",
  /** Two policies claim the same host (or mTLS target) in one cluster; precedence decided it. */
  "host-conflict-resolved",
  /** Two policies claim the same host (or mTLS target) in one cluster and nothing decides between them. */
  "host-conflict",
  /** Strict mTLS would apply to workloads without a sidecar, which would break their traffic. */
  "mtls-strict-without-sidecar",
  /** A deny rule matches every request that the allow rules of the same workloads allow. */
  "deny-shadows-allow",
  /** Locality failover only takes effect with outlier detection configured. */
  "failover-without-outlier-detection",
  /** No route without a match: requests that match no route get 404 from the sidecar. */
  "no-default-route",
  /** A policy's clusters selector matches no cluster in the inventory. */
  "no-matching-cluster",
] as const;

export type DiagnosticCode = (typeof diagnosticCodes)[number];

export type FieldPath = readonly (string | number)[];

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  /** metadata.name of the policy at fault, when there is one. */
  policy?: string;
  /** Path of the field at fault inside the policy document, e.g. ["spec", "routes", 0, "destinations"]. */
  path: FieldPath;
  /** The cluster the diagnostic is about, for diagnostics that depend on a cluster's inventory. */
  cluster?: string;
  /** Source location, filled in when policies were parsed from YAML text. */
  source?: { file?: string; line: number; column: number };
}

/** A bug or a broken invariant inside the model — never the user's fault, never shown as a diagnostic. */
export class PolicyModelInternalError extends Error {
  override readonly name = "PolicyModelInternalError";
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === "error");

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

const pathKey = (path: FieldPath): string =>
  path.map((p) => (typeof p === "number" ? String(p).padStart(6, "0") : p)).join("\u0000");

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A total order on diagnostics, so that output does not depend on the order policies came in. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareStrings(a.cluster ?? "", b.cluster ?? "") ||
    compareStrings(a.policy ?? "", b.policy ?? "") ||
    severityRank[a.severity] - severityRank[b.severity] ||
    compareStrings(pathKey(a.path), pathKey(b.path)) ||
    compareStrings(a.code, b.code) ||
    compareStrings(a.message, b.message)
  );
}

export const sortDiagnostics = (diagnostics: readonly Diagnostic[]): Diagnostic[] =>
  [...diagnostics].sort(compareDiagnostics);

/** `spec.routes[0].destinations[1].weight` — how the CLI and the console print a path. */
export function formatPath(path: FieldPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = [
    d.source ? `${d.source.file ?? ""}:${d.source.line}:${d.source.column}` : undefined,
    d.cluster ? `cluster ${d.cluster}` : undefined,
    d.policy ? `policy ${d.policy}` : undefined,
    d.path.length > 0 ? formatPath(d.path) : undefined,
  ]
    .filter((s) => s !== undefined)
    .join(" ");
  return `${d.severity} ${d.code}${where ? ` (${where})` : ""}: ${d.message}`;
}
