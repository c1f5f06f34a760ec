/**
 * Stage 1 → 2: untrusted input (parsed YAML or JSON from a form) → typed policies, or diagnostics
 * that name the field at fault. Checks that need a cluster's inventory happen in compile.
 */
import type { z } from "zod";
import {
  type Diagnostic,
  type DiagnosticCode,
  diagnosticCodes,
  type FieldPath,
  sortDiagnostics,
} from "./diagnostics";
import { type Policy, policyApiVersion, policyKinds, policySchema } from "./schema";

export interface PolicyValidation {
  /** The typed policy, present exactly when there are no error diagnostics. */
  policy?: Policy;
  diagnostics: Diagnostic[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function policyNameOf(input: unknown): string | undefined {
  if (!isRecord(input) || !isRecord(input.metadata)) return undefined;
  const name = input.metadata.name;
  return typeof name === "string" ? name : undefined;
}

const knownCodes = new Set<string>(diagnosticCodes);
const isDiagnosticCode = (value: unknown): value is DiagnosticCode =>
  typeof value === "string" && knownCodes.has(value);

type Issue = z.core.$ZodIssue;

function issueToDiagnostics(issue: Issue, policy: string | undefined): Diagnostic[] {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  const base = policy === undefined ? {} : { policy };
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      ...base,
      severity: "error",
      code: "unknown-field",
      message: `unknown field "${key}"`,
      path: [...path, key],
    }));
  }
  if (issue.code === "invalid_union" && path.length === 1 && path[0] === "kind") {
    return [
      {
        ...base,
        severity: "error",
        code: "unknown-kind",
        message: `kind must be one of ${policyKinds.join(", ")}`,
        path,
      },
    ];
  }
  if (issue.code === "custom") {
    const code = issue.params?.diagnosticCode;
    return [
      {
        ...base,
        severity: "error",
        code: isDiagnosticCode(code) ? code : "schema-invalid",
        message: issue.message,
        path,
      },
    ];
  }
  return [{ ...base, severity: "error", code: "schema-invalid", message: issue.message, path }];
}

/** Validate one policy document (already parsed from YAML or JSON). */
export function validatePolicy(input: unknown): PolicyValidation {
  const policy = policyNameOf(input);
  if (isRecord(input) && input.apiVersion !== policyApiVersion) {
    return {
      diagnostics: [
        {
          ...(policy === undefined ? {} : { policy }),
          severity: "error",
          code: "unknown-kind",
          message: `apiVersion must be ${policyApiVersion}`,
          path: ["apiVersion"],
        },
      ],
    };
  }
  const result = policySchema.safeParse(input, { error: missingFieldMessage });
  if (result.success) return { policy: result.data, diagnostics: lintPolicy(result.data) };
  return {
    diagnostics: sortDiagnostics(result.error.issues.flatMap((issue) => issueToDiagnostics(issue, policy))),
  };
}

export interface PolicySetValidation {
  /** Policies that passed validation, in input order; a policy with errors is left out. */
  policies: Policy[];
  diagnostics: Diagnostic[];
}

export interface ValidateOptions {
  /** Where a field of the i-th input is written, so diagnostics can carry a line number. */
  locate?: (index: number, path: FieldPath) => Diagnostic["source"];
}

/** zod's default for an absent required field reads "expected string, received undefined". */
function missingFieldMessage(issue: {
  code: string;
  input?: unknown;
  path?: PropertyKey[];
}): string | undefined {
  if (issue.code !== "invalid_type" || issue.input !== undefined) return undefined;
  const field = issue.path?.at(-1);
  return `${typeof field === "string" ? field : "this field"} is required`;
}

/** Validate a set of policies: each on its own, then what only the set can show (duplicate names). */
export function validatePolicies(
  inputs: readonly unknown[],
  options: ValidateOptions = {},
): PolicySetValidation {
  const policies: Policy[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const { locate } = options;
  const place = (index: number, d: Diagnostic): Diagnostic => {
    const source = locate?.(index, d.path);
    return source ? { ...d, source } : d;
  };
  for (const [index, input] of inputs.entries()) {
    const result = validatePolicy(input);
    diagnostics.push(...result.diagnostics.map((d) => place(index, d)));
    if (!result.policy) continue;
    const name = result.policy.metadata.name;
    if (seen.has(name)) {
      diagnostics.push(
        place(index, {
          severity: "error",
          code: "duplicate-policy-name",
          message: `another policy is already named "${name}"; names are unique across kinds`,
          policy: name,
          path: ["metadata", "name"],
        }),
      );
      continue;
    }
    seen.add(name);
    policies.push(result.policy);
  }
  return { policies, diagnostics: sortDiagnostics(diagnostics) };
}

/** Warnings about valid policies that probably do not do what their author wants. */
export function lintPolicy(policy: Policy): Diagnostic[] {
  const policyName = policy.metadata.name;
  const out: Diagnostic[] = [];
  if (policy.kind === "TrafficPolicy") {
    const routes = policy.spec.routes;
    const catchAll = routes.findIndex((r) => r.match === undefined);
    if (catchAll < 0)
      out.push({
        severity: "warning",
        code: "no-default-route",
        message:
          "every route has a match, so requests that match none get 404; add a last route without match",
        policy: policyName,
        path: ["spec", "routes"],
      });
    else if (catchAll < routes.length - 1)
      out.push({
        severity: "warning",
        code: "no-default-route",
        message: `route ${catchAll} has no match and takes every request, so the routes after it are never used`,
        policy: policyName,
        path: ["spec", "routes", catchAll + 1],
      });
  }
  if (
    policy.kind === "ResiliencePolicy" &&
    policy.spec.loadBalancer?.localityFailover &&
    !policy.spec.outlierDetection
  )
    out.push({
      severity: "warning",
      code: "failover-without-outlier-detection",
      message:
        "Istio only fails over between localities when outlier detection is configured; add outlierDetection",
      policy: policyName,
      path: ["spec", "loadBalancer", "localityFailover"],
    });
  return out;
}
