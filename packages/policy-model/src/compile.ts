/**
 * Stage 3: (policies, one cluster's inventory) → that cluster's Istio resources and the diagnostics
 * only the inventory can reveal. Deterministic: the output depends on the set of policies, not their
 * order, and is sorted, so equal input gives byte-identical YAML and the same hash.
 *
 * A policy with an error in a cluster contributes nothing there — a policy never half-lands.
 */
import { resolveClaims } from "./conflicts";
import { type Diagnostic, PolicyModelInternalError, sortDiagnostics } from "./diagnostics";
import { emitAuthorizationPolicy } from "./emit/authorization-policy";
import { emitDestinationRule } from "./emit/destination-rule";
import { emitRateLimitFilter } from "./emit/envoy-filter";
import { identity, memoEmit } from "./emit/memo";
import { namePrefix, serviceHost } from "./emit/names";
import { emitPeerAuthentication } from "./emit/peer-authentication";
import { emitVirtualService } from "./emit/virtual-service";
import { canonicalJson, contentHash, sha256Hex, shortHash } from "./hash";
import {
  type ClusterInventory,
  type InventoryIndex,
  type InventoryService,
  indexInventory,
  labelsMatch,
  type ResolvedInventory,
  resolveInventory,
  serviceSelector,
} from "./inventory";
import { authorizationsFor, effectiveMtlsMode, readAuthorizations, ruleCovers } from "./istio-semantics";
import { compareResources, contentHashAnnotation, type MeshResource, resourceKey } from "./resource";
import type {
  AuthorizationPolicy,
  ClusterSelector,
  MtlsPolicy,
  Policy,
  RateLimitPolicy,
  ResiliencePolicy,
  TrafficPolicy,
} from "./schema";

export interface CompileResult {
  cluster: string;
  /** Sorted by kind, namespace and name. */
  resources: MeshResource[];
  /** Sorted; errors mean some policy was not applied in this cluster. */
  diagnostics: Diagnostic[];
  /** `sha256:` over every resource: equal exactly when the desired config is equal. */
  hash: string;
}

export interface ClusterRef {
  name: string;
  labels?: Readonly<Record<string, string>>;
}

/** Does a clusters selector pick this cluster? Omitted selector: every cluster. */
export function clusterMatches(selector: ClusterSelector | undefined, cluster: ClusterRef): boolean {
  if (!selector) return true;
  if (selector.names && !selector.names.includes(cluster.name)) return false;
  if (selector.matchLabels && !labelsMatch(selector.matchLabels, cluster.labels ?? {})) return false;
  return true;
}

export const policyAppliesTo = (policy: Policy, cluster: ClusterRef): boolean =>
  clusterMatches(policy.spec.scope?.clusters, cluster);

const byName = (a: Policy, b: Policy): number =>
  a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;

type ServicePolicy = TrafficPolicy | ResiliencePolicy | RateLimitPolicy;

interface Context {
  inventory: ResolvedInventory;
  index: InventoryIndex;
  cluster: string;
  diagnostics: Diagnostic[];
  resources: MeshResource[];
}

const namesCluster = (policy: Policy, cluster: string): boolean =>
  policy.spec.scope?.clusters?.names?.includes(cluster) ?? false;

/** Winners per service for one kind of service-scoped policy. */
function claimServices<P extends ServicePolicy>(
  ctx: Context,
  policies: readonly P[],
  what: string,
): Map<string, { policy: P; service: InventoryService }> {
  const claims = new Map<string, { service: InventoryService; claimants: P[] }>();
  for (const policy of policies) {
    const { namespace, service: name } = policy.spec.scope;
    const service = ctx.index.service(namespace, name);
    if (!service) {
      if (namesCluster(policy, ctx.cluster))
        ctx.diagnostics.push({
          severity: "warning",
          code: "service-not-in-cluster",
          message: `service ${namespace}/${name} does not exist in cluster ${ctx.cluster}, which the policy names`,
          policy: policy.metadata.name,
          path: ["spec", "scope", "service"],
          cluster: ctx.cluster,
        });
      continue;
    }
    const key = `${namespace}/${name}`;
    const claim = claims.get(key);
    if (claim) claim.claimants.push(policy);
    else claims.set(key, { service, claimants: [policy] });
  }
  const winners = new Map<string, { policy: P; service: InventoryService }>();
  for (const [key, { service, claimants }] of claims) {
    const host = serviceHost(service.namespace, service.name, ctx.inventory.cluster.domainSuffix);
    const resolution = resolveClaims(claimants, `${what} of ${host}`, ctx.cluster);
    ctx.diagnostics.push(...resolution.diagnostics);
    if (resolution.winner) winners.set(key, { policy: resolution.winner, service });
  }
  return winners;
}

/** Every version a traffic policy routes to must have ready workloads here, or its share gets 503s. */
function checkVersions(ctx: Context, policy: TrafficPolicy, service: InventoryService): boolean {
  const ready = new Set<string>();
  for (const w of ctx.index.workloadsOf(service)) {
    const version = w.labels.version;
    if (version !== undefined && w.readyReplicas > 0) ready.add(version);
  }
  let ok = true;
  const where = `${service.namespace}/${service.name}`;
  policy.spec.routes.forEach((route, r) => {
    route.destinations.forEach((d, i) => {
      if (ready.has(d.version)) return;
      const isLive = route.destinations.length === 1 || (d.weight ?? 0) > 0;
      if (isLive) ok = false;
      ctx.diagnostics.push({
        severity: isLive ? "error" : "warning",
        code: "route-version-missing",
        message: isLive
          ? `version ${d.version} of ${where} has no ready workloads in cluster ${ctx.cluster}; its share of traffic would fail`
          : `version ${d.version} of ${where} has no ready workloads in cluster ${ctx.cluster} (weight 0, so no traffic is lost yet)`,
        policy: policy.metadata.name,
        path: ["spec", "routes", r, "destinations", i, "version"],
        cluster: ctx.cluster,
      });
    });
    if (route.mirror && !ready.has(route.mirror.version))
      ctx.diagnostics.push({
        severity: "warning",
        code: "route-version-missing",
        message: `mirror version ${route.mirror.version} of ${where} has no ready workloads in cluster ${ctx.cluster}; mirrored requests go nowhere`,
        policy: policy.metadata.name,
        path: ["spec", "routes", r, "mirror", "version"],
        cluster: ctx.cluster,
      });
  });
  return ok;
}

function compileServices(
  ctx: Context,
  traffic: TrafficPolicy[],
  resilience: ResiliencePolicy[],
  limits: RateLimitPolicy[],
) {
  const domainSuffix = ctx.inventory.cluster.domainSuffix;
  const routed = claimServices(ctx, traffic, "the routes");
  for (const [key, { policy, service }] of routed)
    if (!checkVersions(ctx, policy, service)) routed.delete(key);
  const resilient = claimServices(ctx, resilience, "the traffic policy");
  const keys = [...new Set([...routed.keys(), ...resilient.keys()])].sort();
  for (const key of keys) {
    const t = routed.get(key);
    const r = resilient.get(key);
    const service = t?.service ?? r?.service;
    if (!service) continue;
    const owner = t?.policy ?? r?.policy;
    if (!owner) continue;
    const rule = memoEmit(
      owner,
      `dr|${t ? identity(t.policy) : 0}|${r ? identity(r.policy) : 0}|${service.name}|${domainSuffix}`,
      () => {
        const emitted = emitDestinationRule({
          namespace: service.namespace,
          service: service.name,
          domainSuffix,
          ...(t ? { traffic: t.policy } : {}),
          ...(r ? { resilience: r.policy } : {}),
        });
        if (!emitted) throw new PolicyModelInternalError(`no DestinationRule for ${key}`);
        return emitted;
      },
    );
    ctx.resources.push(rule);
    if (t) {
      const policy = t.policy;
      ctx.resources.push(
        memoEmit(policy, `vs|${domainSuffix}`, () => emitVirtualService({ policy, domainSuffix })),
      );
    }
  }
  for (const { policy, service } of claimServices(ctx, limits, "the rate limit").values())
    ctx.resources.push(
      memoEmit(policy, `rl|${canonicalJson(serviceSelector(service))}`, () =>
        emitRateLimitFilter({ policy, matchLabels: serviceSelector(service) }),
      ),
    );
}

interface MtlsTarget {
  policy: MtlsPolicy;
  key: string;
  level: "mesh" | "namespace" | "workload";
  name: string;
  namespace: string;
  matchLabels?: Record<string, string>;
}

function mtlsTarget(ctx: Context, policy: MtlsPolicy): MtlsTarget | undefined {
  const scope = policy.spec.scope;
  const root = ctx.inventory.cluster.rootNamespace;
  if (!scope?.namespace)
    return { policy, key: "mesh", level: "mesh", name: `${namePrefix}mtls`, namespace: root };
  const namespace = scope.namespace;
  const known = ctx.index.namespace(namespace) !== undefined || ctx.index.workloadsIn(namespace).length > 0;
  if (!scope.workload) {
    if (!known) return undefined;
    return { policy, key: `ns:${namespace}`, level: "namespace", name: `${namePrefix}mtls`, namespace };
  }
  let matchLabels: Record<string, string> | undefined;
  let name: string;
  if (scope.workload.service !== undefined) {
    const service = ctx.index.service(namespace, scope.workload.service);
    if (!service) return undefined;
    matchLabels = serviceSelector(service);
    name = `${namePrefix}mtls-${service.name}`;
  } else {
    matchLabels = scope.workload.matchLabels ?? {};
    name = `${namePrefix}mtls-${shortHash(canonicalJson(matchLabels))}`;
  }
  return {
    policy,
    key: `wl:${namespace}:${canonicalJson(matchLabels)}`,
    level: "workload",
    name,
    namespace,
    matchLabels,
  };
}

function compileMtls(ctx: Context, policies: MtlsPolicy[]) {
  const claims = new Map<string, MtlsTarget[]>();
  for (const policy of policies) {
    const target = mtlsTarget(ctx, policy);
    if (!target) continue;
    const list = claims.get(target.key);
    if (list) list.push(target);
    else claims.set(target.key, [target]);
  }
  const winners: MtlsTarget[] = [];
  for (const key of [...claims.keys()].sort()) {
    const targets = claims.get(key) ?? [];
    const what =
      key === "mesh"
        ? "mesh-wide mTLS"
        : key.startsWith("ns:")
          ? `mTLS of namespace ${key.slice(3)}`
          : `mTLS of workloads ${key.slice(3)}`;
    const resolution = resolveClaims(
      targets.map((t) => t.policy),
      what,
      ctx.cluster,
    );
    ctx.diagnostics.push(...resolution.diagnostics);
    const winner = targets.find((t) => t.policy === resolution.winner);
    if (winner) winners.push(winner);
  }
  // Strict mTLS breaks plaintext callers: check, per workload, the mode that would take effect.
  const candidates = winners.map((w) => ({
    target: w,
    resource: memoEmit(
      w.policy,
      `pa|${w.namespace}|${w.name}|${w.matchLabels ? canonicalJson(w.matchLabels) : ""}`,
      () => emitPeerAuthentication(w),
    ),
  }));
  const resources = candidates.map((c) => c.resource);
  const root = ctx.inventory.cluster.rootNamespace;
  const offenders = new Map<MtlsTarget, string[]>();
  for (const workload of ctx.inventory.workloads) {
    if (workload.hasSidecar) continue;
    if (effectiveMtlsMode(resources, workload, root) !== "STRICT") continue;
    const applying = candidates
      .filter(({ target }) =>
        target.level === "workload"
          ? target.namespace === workload.namespace && labelsMatch(target.matchLabels ?? {}, workload.labels)
          : target.level === "namespace"
            ? target.namespace === workload.namespace
            : true,
      )
      .sort((a, b) => rankLevel(b.target.level) - rankLevel(a.target.level))[0];
    if (!applying) continue;
    // Mesh-wide, only namespaces meant to be in the mesh count: kube-system has no sidecars by design.
    if (applying.target.level === "mesh" && !ctx.index.namespace(workload.namespace)?.hasSidecarInjection)
      continue;
    const list = offenders.get(applying.target) ?? [];
    list.push(`${workload.namespace}/${workload.name}`);
    offenders.set(applying.target, list);
  }
  for (const { target, resource } of candidates) {
    const bad = offenders.get(target);
    if (bad) {
      const isWorkload = target.level === "workload";
      ctx.diagnostics.push({
        severity: isWorkload ? "warning" : "error",
        code: "mtls-strict-without-sidecar",
        message: isWorkload
          ? `strict mTLS selects workloads without a sidecar (${bad.sort().join(", ")}); nothing enforces it there`
          : `strict mTLS would apply to workloads without a sidecar (${bad.sort().join(", ")}); plaintext traffic from them would be refused. Inject sidecars first or use permissive.`,
        policy: target.policy.metadata.name,
        path: ["spec", "mode"],
        cluster: ctx.cluster,
      });
      if (!isWorkload) continue;
    }
    ctx.resources.push(resource);
  }
}

const rankLevel = (level: MtlsTarget["level"]): number =>
  level === "workload" ? 2 : level === "namespace" ? 1 : 0;

function compileAuthorization(ctx: Context, policies: AuthorizationPolicy[]) {
  const emitted: { policy: AuthorizationPolicy; resource: MeshResource }[] = [];
  for (const policy of policies) {
    const { namespace, service: serviceName } = policy.spec.scope;
    let matchLabels: Record<string, string> | undefined;
    if (serviceName !== undefined) {
      const service = ctx.index.service(namespace, serviceName);
      if (!service) {
        if (namesCluster(policy, ctx.cluster))
          ctx.diagnostics.push({
            severity: "warning",
            code: "service-not-in-cluster",
            message: `service ${namespace}/${serviceName} does not exist in cluster ${ctx.cluster}, which the policy names`,
            policy: policy.metadata.name,
            path: ["spec", "scope", "service"],
            cluster: ctx.cluster,
          });
        continue;
      }
      matchLabels = serviceSelector(service);
    } else if (!ctx.index.namespace(namespace) && ctx.index.workloadsIn(namespace).length === 0) {
      continue;
    }
    const trustDomain = ctx.inventory.cluster.trustDomain;
    const selector = matchLabels;
    const resource = memoEmit(policy, `ap|${trustDomain}|${selector ? canonicalJson(selector) : ""}`, () =>
      emitAuthorizationPolicy({ policy, trustDomain, ...(selector ? { matchLabels: selector } : {}) }),
    );
    emitted.push({ policy, resource });
    ctx.resources.push(resource);
  }
  reportShadowedAllows(ctx, emitted);
}

/** A deny that matches everything every allow rule of a workload allows leaves those allows dead. */
function reportShadowedAllows(
  ctx: Context,
  emitted: { policy: AuthorizationPolicy; resource: MeshResource }[],
) {
  if (!emitted.some((e) => e.policy.spec.action === "deny")) return;
  const policyOf = new Map(emitted.map((e) => [e.resource, e.policy]));
  const authorizations = readAuthorizations(emitted.map((e) => e.resource));
  const root = ctx.inventory.cluster.rootNamespace;
  // Only workloads a deny applies to can have shadowed allows: the deny's namespace, or all of them
  // for a deny in the root namespace. Workloads with equal labels see the same policies: check one.
  const denyNamespaces = new Set(
    emitted.filter((e) => e.policy.spec.action === "deny").map((e) => e.policy.spec.scope.namespace),
  );
  const namespaces = [...new Set(emitted.map((e) => e.policy.spec.scope.namespace))]
    .filter((ns) => denyNamespaces.has(ns) || denyNamespaces.has(root))
    .sort();
  const reported = new Set<string>();
  for (const namespace of namespaces) {
    const workloads = ctx.index.workloadsIn(namespace);
    const seenLabels = new Set<string>();
    const subjects = (workloads.length > 0 ? workloads : [{ namespace, labels: {}, name: "" }]).filter(
      (w) => {
        const key = canonicalJson(w.labels);
        if (seenLabels.has(key)) return false;
        seenLabels.add(key);
        return true;
      },
    );
    for (const workload of subjects) {
      const applicable = authorizationsFor(authorizations, workload, root);
      const allows = applicable.filter((a) => a.action === "ALLOW").flatMap((a) => a.rules);
      if (allows.length === 0) continue;
      const denies = applicable.filter((a) => a.action === "DENY");
      const shadowing: { policy: AuthorizationPolicy; rule: number }[] = [];
      const everyShadowed = allows.every((allow) => {
        for (const deny of denies) {
          const rule = deny.rules.findIndex((d) => ruleCovers(d, allow));
          const policy = policyOf.get(deny.resource);
          if (rule >= 0 && policy) {
            shadowing.push({ policy, rule });
            return true;
          }
        }
        return false;
      });
      if (!everyShadowed) continue;
      for (const { policy, rule } of shadowing) {
        const key = `${policy.metadata.name}#${rule}`;
        if (reported.has(key)) continue;
        reported.add(key);
        ctx.diagnostics.push({
          severity: "warning",
          code: "deny-shadows-allow",
          message: `this deny rule matches every request the allow rules for ${namespace}${workload.name ? `/${workload.name}` : ""} allow, so none of them can ever allow anything`,
          policy: policy.metadata.name,
          path: ["spec", "rules", rule],
          cluster: ctx.cluster,
        });
      }
    }
  }
}

/** Compile every policy that applies to one cluster into that cluster's Istio resources. */
export function compile(policies: readonly Policy[], inventory: ClusterInventory): CompileResult {
  return compileIndexed(policies, indexInventory(resolveInventory(inventory)));
}

/** compile() over an inventory already resolved and indexed — what a long-lived FleetCompiler reuses. */
export function compileIndexed(policies: readonly Policy[], index: InventoryIndex): CompileResult {
  const resolved = index.inventory;
  const cluster = resolved.cluster.name;
  const ctx: Context = {
    inventory: resolved,
    index,
    cluster,
    diagnostics: [],
    resources: [],
  };
  const traffic: TrafficPolicy[] = [];
  const resilience: ResiliencePolicy[] = [];
  const limits: RateLimitPolicy[] = [];
  const mtls: MtlsPolicy[] = [];
  const authorization: AuthorizationPolicy[] = [];
  const applicable = policies.filter((p) => policyAppliesTo(p, resolved.cluster)).sort(byName);
  for (const policy of applicable) {
    switch (policy.kind) {
      case "TrafficPolicy":
        traffic.push(policy);
        break;
      case "ResiliencePolicy":
        resilience.push(policy);
        break;
      case "RateLimitPolicy":
        limits.push(policy);
        break;
      case "MtlsPolicy":
        mtls.push(policy);
        break;
      case "AuthorizationPolicy":
        authorization.push(policy);
        break;
    }
  }
  compileServices(ctx, traffic, resilience, limits);
  compileMtls(ctx, mtls);
  compileAuthorization(ctx, authorization);
  const resources = ctx.resources.sort(compareResources);
  for (let i = 1; i < resources.length; i++) {
    const previous = resources[i - 1];
    const current = resources[i];
    if (previous && current && resourceKey(previous) === resourceKey(current))
      throw new PolicyModelInternalError(`two resources share the key ${resourceKey(current)}`);
  }
  return {
    cluster,
    resources,
    diagnostics: sortDiagnostics(ctx.diagnostics),
    hash: configHash(resources),
  };
}

/** Hash of a cluster's desired config, from the resources' own content hashes. */
export function configHash(resources: readonly MeshResource[]): string {
  let text = "";
  for (const r of resources)
    text += `${resourceKey(r)} ${r.metadata.annotations[contentHashAnnotation] ?? contentHash(r)}\n`;
  return `sha256:${sha256Hex(text)}`;
}
