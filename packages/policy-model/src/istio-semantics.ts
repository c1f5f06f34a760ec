/**
 * How Istio reads the resources we emit: which AuthorizationPolicy and PeerAuthentication apply to a
 * workload, whether one rule matches every request another does, and what a request from a known
 * source is likely to meet. Shared by compile (shadowed allow rules) and impact (blocked edges), so
 * both judge the same thing the same way. Only the fields our emitters write are read.
 */
import type { JsonValue } from "./hash";
import { labelsMatch } from "./inventory";
import type { MeshResource } from "./resource";

export interface IstioSource {
  namespaces?: string[];
  principals?: string[];
}
export interface IstioOperation {
  methods?: string[];
  paths?: string[];
  ports?: string[];
}
export interface IstioCondition {
  key: string;
  values: string[];
}
export interface IstioRule {
  from?: IstioSource[];
  to?: IstioOperation[];
  when?: IstioCondition[];
}
export interface IstioAuthorization {
  resource: MeshResource;
  action: "ALLOW" | "DENY";
  matchLabels?: Record<string, string>;
  rules: IstioRule[];
}

const asObject = (v: JsonValue | undefined): { [key: string]: JsonValue } | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined;
const asArray = (v: JsonValue | undefined): JsonValue[] | undefined => (Array.isArray(v) ? v : undefined);
const asStrings = (v: JsonValue | undefined): string[] | undefined =>
  asArray(v)?.filter((x): x is string => typeof x === "string");
const asStringRecord = (v: JsonValue | undefined): Record<string, string> | undefined => {
  const o = asObject(v);
  if (!o) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) if (typeof x === "string") out[k] = x;
  return out;
};

function readRule(v: JsonValue): IstioRule {
  const o = asObject(v) ?? {};
  const rule: IstioRule = {};
  const from = asArray(o.from);
  if (from)
    rule.from = from.map((f) => {
      const s = asObject(asObject(f)?.source) ?? {};
      const source: IstioSource = {};
      const namespaces = asStrings(s.namespaces);
      const principals = asStrings(s.principals);
      if (namespaces) source.namespaces = namespaces;
      if (principals) source.principals = principals;
      return source;
    });
  const to = asArray(o.to);
  if (to)
    rule.to = to.map((t) => {
      const op = asObject(asObject(t)?.operation) ?? {};
      const operation: IstioOperation = {};
      const methods = asStrings(op.methods);
      const paths = asStrings(op.paths);
      const ports = asStrings(op.ports);
      if (methods) operation.methods = methods;
      if (paths) operation.paths = paths;
      if (ports) operation.ports = ports;
      return operation;
    });
  const when = asArray(o.when);
  if (when)
    rule.when = when.map((w) => {
      const c = asObject(w) ?? {};
      return { key: typeof c.key === "string" ? c.key : "", values: asStrings(c.values) ?? [] };
    });
  return rule;
}

export function readAuthorization(resource: MeshResource): IstioAuthorization | undefined {
  if (resource.kind !== "AuthorizationPolicy") return undefined;
  const spec = resource.spec;
  const action =
    spec.action === "DENY"
      ? "DENY"
      : spec.action === "ALLOW" || spec.action === undefined
        ? "ALLOW"
        : undefined;
  if (!action) return undefined;
  const matchLabels = asStringRecord(asObject(spec.selector)?.matchLabels);
  return {
    resource,
    action,
    ...(matchLabels ? { matchLabels } : {}),
    rules: (asArray(spec.rules) ?? []).map(readRule),
  };
}

export interface WorkloadRef {
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

/** A policy applies to a workload when it is in the root namespace or the workload's, and its selector matches. */
export function appliesTo(
  resource: MeshResource,
  matchLabels: Record<string, string> | undefined,
  workload: WorkloadRef,
  rootNamespace: string,
): boolean {
  const ns = resource.metadata.namespace;
  if (ns !== workload.namespace && ns !== rootNamespace) return false;
  return matchLabels === undefined || labelsMatch(matchLabels, workload.labels);
}

/** Read every AuthorizationPolicy among the resources once; filter per workload with authorizationsFor. */
export function readAuthorizations(resources: readonly MeshResource[]): IstioAuthorization[] {
  const out: IstioAuthorization[] = [];
  for (const r of resources) {
    const a = readAuthorization(r);
    if (a) out.push(a);
  }
  return out;
}

export function authorizationsFor(
  authorizations: readonly IstioAuthorization[],
  workload: WorkloadRef,
  rootNamespace: string,
): IstioAuthorization[] {
  return authorizations.filter((a) => appliesTo(a.resource, a.matchLabels, workload, rootNamespace));
}

export type IstioMtlsMode = "STRICT" | "PERMISSIVE" | "DISABLE";

/** The mTLS mode Istio enforces on a workload: workload selector beats namespace beats root; PERMISSIVE if none. */
export function effectiveMtlsMode(
  resources: readonly MeshResource[],
  workload: WorkloadRef,
  rootNamespace: string,
): IstioMtlsMode {
  let best: { rank: number; mode: IstioMtlsMode } | undefined;
  for (const r of resources) {
    if (r.kind !== "PeerAuthentication") continue;
    const matchLabels = asStringRecord(asObject(r.spec.selector)?.matchLabels);
    if (!appliesTo(r, matchLabels, workload, rootNamespace)) continue;
    const rank = matchLabels
      ? 3
      : r.metadata.namespace === workload.namespace && r.metadata.namespace !== rootNamespace
        ? 2
        : 1;
    const raw = asObject(r.spec.mtls)?.mode;
    const mode: IstioMtlsMode | undefined =
      raw === "STRICT" || raw === "PERMISSIVE" || raw === "DISABLE" ? raw : undefined;
    if (mode && (!best || rank > best.rank)) best = { rank, mode };
  }
  return best?.mode ?? "PERMISSIVE";
}

// ---------------------------------------------------------------------------------------------
// Coverage: does rule `d` match every request rule `a` matches?

/** Istio string patterns: exact, `prefix*`, `*suffix`, or `*`. Does pattern `d` match everything `a` does? */
export function patternCovers(d: string, a: string): boolean {
  if (d === "*" || d === a) return true;
  if (d.endsWith("*")) {
    const prefix = d.slice(0, -1);
    if (a.startsWith("*") && a !== "*") return false;
    const aPrefix = a.endsWith("*") ? a.slice(0, -1) : a;
    return aPrefix.startsWith(prefix);
  }
  if (d.startsWith("*")) {
    const suffix = d.slice(1);
    if (a.endsWith("*") && a !== "*") return false;
    const aSuffix = a.startsWith("*") ? a.slice(1) : a;
    return aSuffix.endsWith(suffix);
  }
  return false;
}

/** Does constraint `d` (undefined: anything) accept every value constraint `a` (undefined: anything) accepts? */
function fieldCovers(d: readonly string[] | undefined, a: readonly string[] | undefined): boolean {
  if (d === undefined) return true;
  if (a === undefined) return false;
  return a.every((av) => d.some((dv) => patternCovers(dv, av)));
}

const namespaceOfPrincipal = (principal: string): string | undefined =>
  /\/ns\/([^/]+)\/sa\//.exec(principal)?.[1];

function sourceCovers(d: IstioSource, a: IstioSource): boolean {
  if (!fieldCovers(d.principals, a.principals)) return false;
  if (d.namespaces === undefined) return true;
  if (a.namespaces !== undefined) return fieldCovers(d.namespaces, a.namespaces);
  // A principal names its namespace, so namespaces can cover principals.
  const implied = a.principals?.map(namespaceOfPrincipal);
  if (!implied || implied.some((ns) => ns === undefined)) return false;
  return fieldCovers(
    d.namespaces,
    implied.filter((ns): ns is string => ns !== undefined),
  );
}

const operationCovers = (d: IstioOperation, a: IstioOperation): boolean =>
  fieldCovers(d.methods, a.methods) && fieldCovers(d.paths, a.paths) && fieldCovers(d.ports, a.ports);

function listCovers<T>(
  d: readonly T[] | undefined,
  a: readonly T[] | undefined,
  covers: (d: T, a: T) => boolean,
): boolean {
  if (d === undefined || d.length === 0) return true;
  if (a === undefined || a.length === 0) return false;
  return a.every((av) => d.some((dv) => covers(dv, av)));
}

/** True when deny rule `d` matches every request allow rule `a` matches. */
export function ruleCovers(d: IstioRule, a: IstioRule): boolean {
  if (!listCovers(d.from, a.from, sourceCovers)) return false;
  if (!listCovers(d.to, a.to, operationCovers)) return false;
  for (const dc of d.when ?? []) {
    const ac = a.when?.find((c) => c.key === dc.key);
    if (!ac || !fieldCovers(dc.values, ac.values)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Evaluation of a request whose source we know and whose operation we mostly do not.

/** Three-valued truth: what telemetry does not tell us (paths, methods, headers) is "unknown". */
export type Truth = "yes" | "no" | "unknown";
const and = (values: Truth[]): Truth =>
  values.includes("no") ? "no" : values.includes("unknown") ? "unknown" : "yes";
const or = (values: Truth[]): Truth =>
  values.includes("yes") ? "yes" : values.includes("unknown") ? "unknown" : "no";

export interface RequestFacts {
  /** Present only when the request arrives over mTLS (Istio knows the peer's identity then). */
  sourceNamespace?: string;
  sourcePrincipal?: string;
  port?: number;
}

const matchAny = (patterns: readonly string[] | undefined, value: string | undefined): Truth => {
  if (patterns === undefined) return "yes";
  if (value === undefined) return "no";
  return patterns.some((p) => patternCovers(p, value)) ? "yes" : "no";
};

export function ruleMatches(rule: IstioRule, facts: RequestFacts): Truth {
  const from: Truth =
    rule.from && rule.from.length > 0
      ? or(
          rule.from.map((s) =>
            and([
              matchAny(s.namespaces, facts.sourceNamespace),
              matchAny(s.principals, facts.sourcePrincipal),
            ]),
          ),
        )
      : "yes";
  const to: Truth =
    rule.to && rule.to.length > 0
      ? or(
          rule.to.map((op) =>
            and([
              op.methods ? "unknown" : "yes",
              op.paths ? (op.paths.includes("*") ? "yes" : "unknown") : "yes",
              op.ports
                ? facts.port === undefined
                  ? "unknown"
                  : op.ports.includes(String(facts.port))
                    ? "yes"
                    : "no"
                : "yes",
            ]),
          ),
        )
      : "yes";
  const when: Truth = rule.when && rule.when.length > 0 ? "unknown" : "yes";
  return and([from, to, when]);
}

export type Verdict = "allowed" | "denied" | "conditional";

/** Istio's order: any matching DENY denies; then, if any ALLOW applies, some ALLOW rule must match. */
export function authorize(
  policies: readonly IstioAuthorization[],
  facts: RequestFacts,
): { verdict: Verdict; by?: MeshResource } {
  const denies = policies.filter((p) => p.action === "DENY");
  const allows = policies.filter((p) => p.action === "ALLOW");
  let maybeDenied: MeshResource | undefined;
  for (const p of denies) {
    const t = or(p.rules.map((r) => ruleMatches(r, facts)));
    if (t === "yes") return { verdict: "denied", by: p.resource };
    if (t === "unknown") maybeDenied ??= p.resource;
  }
  let allowed: Truth = allows.length === 0 ? "yes" : "no";
  for (const p of allows) allowed = or([allowed, or(p.rules.map((r) => ruleMatches(r, facts)))]);
  if (allowed === "no") return { verdict: "denied", by: allows[0]?.resource };
  if (maybeDenied) return { verdict: "conditional", by: maybeDenied };
  if (allowed === "unknown") return { verdict: "conditional", by: allows[0]?.resource };
  return { verdict: "allowed" };
}
