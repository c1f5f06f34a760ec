/**
 * Stage 3: (policies, one cluster's inventory) → that cluster's Istio resources and the diagnostics
 * only the inventory can reveal. Deterministic: the output depends on the set of policies, not their
 * order, and is sorted, so equal input gives byte-identical YAML and the same hash.
 *
 * A policy with an error in a cluster contributes nothing there — a policy never half-lands.
 */
import { assembleResult } from "./assemble";
import { resolveClaims } from "./conflicts";
import { type Diagnostic, PolicyModelInternalError } from "./diagnostics";
import { emitAuthorizationPolicy } from "./emit/authorization-policy";
import { emitDestinationRule } from "./emit/destination-rule";
import { emitRateLimitFilter } from "./emit/envoy-filter";
import { identity, memoEmit } from "./emit/memo";
import { namePrefix, serviceHost } from "./emit/names";
import { emitPeerAuthentication } from "./emit/peer-authentication";
import { emitVirtualService } from "./emit/virtual-service";
import { canonicalJson, shortHash } from "./hash";
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
import {
  authorizationsFor,
  effectiveMtlsMode,
  type IstioAuthorization,
  readAuthorization,
  ruleCovers,
} from "./istio-semantics";
import type { MeshResource } from "./resource";
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

/** What one independent unit of a cluster's compile contributes, in no particular order. */
export interface CompileUnit {
  resources: MeshResource[];
  diagnostics: Diagnostic[];
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

/** Decide between the policies claiming one thing; the losers' and ties' diagnostics go to ctx. */
function claim<P extends Policy>(ctx: Context, claimants: readonly P[], what: string): P | undefined {
  if (claimants.length === 0) return undefined;
  const resolution = resolveClaims(claimants, what, ctx.cluster);
  ctx.diagnostics.push(...resolution.diagnostics);
  return resolution.winner;
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

/**
 * Everything one service host gets in a cluster: its DestinationRule, VirtualService and rate limit
 * filter, and the diagnostics about them. Depends only on the policies that target this service, so
 * a change to one of them recompiles this unit alone.
 */
function compileService(ctx: Context, group: ServiceGroup) {
  const cluster = ctx.inventory.cluster;
  const applicable = group.policies.filter((p) => policyAppliesTo(p, cluster));
  if (applicable.length === 0) return;
  const { namespace, service: name } = group;
  const service = ctx.index.service(namespace, name);
  if (!service) {
    for (const policy of applicable)
      if (namesCluster(policy, ctx.cluster))
        ctx.diagnostics.push({
          severity: "warning",
          code: "service-not-in-cluster",
          message: `service ${namespace}/${name} does not exist in cluster ${ctx.cluster}, which the policy names`,
          policy: policy.metadata.name,
          path: ["spec", "scope", "service"],
          cluster: ctx.cluster,
        });
    return;
  }
  const traffic: TrafficPolicy[] = [];
  const resilience: ResiliencePolicy[] = [];
  const limits: RateLimitPolicy[] = [];
  for (const policy of applicable) {
    if (policy.kind === "TrafficPolicy") traffic.push(policy);
    else if (policy.kind === "ResiliencePolicy") resilience.push(policy);
    else limits.push(policy);
  }
  const domainSuffix = cluster.domainSuffix;
  const host = serviceHost(service.namespace, service.name, domainSuffix);
  const claimed = claim(ctx, traffic, `the routes of ${host}`);
  const routed = claimed && checkVersions(ctx, claimed, service) ? claimed : undefined;
  const resilient = claim(ctx, resilience, `the traffic policy of ${host}`);
  const owner = routed ?? resilient;
  if (owner) {
    const key = `${namespace}/${name}`;
    ctx.resources.push(
      memoEmit(
        owner,
        `dr|${routed ? identity(routed) : 0}|${resilient ? identity(resilient) : 0}|${service.name}|${domainSuffix}`,
        () => {
          const emitted = emitDestinationRule({
            namespace: service.namespace,
            service: service.name,
            domainSuffix,
            ...(routed ? { traffic: routed } : {}),
            ...(resilient ? { resilience: resilient } : {}),
          });
          if (!emitted) throw new PolicyModelInternalError(`no DestinationRule for ${key}`);
          return emitted;
        },
      ),
    );
  }
  if (routed)
    ctx.resources.push(
      memoEmit(routed, `vs|${domainSuffix}`, () => emitVirtualService({ policy: routed, domainSuffix })),
    );
  const limited = claim(ctx, limits, `the rate limit of ${host}`);
  if (limited)
    ctx.resources.push(
      memoEmit(limited, `rl|${canonicalJson(serviceSelector(service))}`, () =>
        emitRateLimitFilter({ policy: limited, matchLabels: serviceSelector(service) }),
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

// Emitted resources and inventory labels are immutable values shared by every cluster (and every
// recompile) they occur in: read each once, not once per cluster that checks shadowed allows.
const authorizationCache = new WeakMap<MeshResource, IstioAuthorization | undefined>();
function authorizationOf(resource: MeshResource): IstioAuthorization | undefined {
  if (authorizationCache.has(resource)) return authorizationCache.get(resource);
  const read = readAuthorization(resource);
  authorizationCache.set(resource, read);
  return read;
}
const labelKeys = new WeakMap<Readonly<Record<string, string>>, string>();
function labelsKey(labels: Readonly<Record<string, string>>): string {
  let key = labelKeys.get(labels);
  if (key === undefined) {
    key = canonicalJson(labels);
    labelKeys.set(labels, key);
  }
  return key;
}

/** A deny that matches everything every allow rule of a workload allows leaves those allows dead. */
function reportShadowedAllows(
  ctx: Context,
  emitted: { policy: AuthorizationPolicy; resource: MeshResource }[],
) {
  if (!emitted.some((e) => e.policy.spec.action === "deny")) return;
  const policyOf = new Map(emitted.map((e) => [e.resource, e.policy]));
  const authorizations = emitted.flatMap((e) => authorizationOf(e.resource) ?? []);
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
        const key = labelsKey(w.labels);
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

/**
 * The policies of a set, grouped by the unit of a cluster's compile they feed, each group in name
 * order (the order every stage sees them in, so output never depends on input order).
 */
export interface PolicyGroups {
  /** Traffic, resilience and rate limit policies by `namespace/service`. */
  services: Map<string, ServiceGroup>;
  mtls: MtlsPolicy[];
  authorization: AuthorizationPolicy[];
}

export interface ServiceGroup {
  namespace: string;
  service: string;
  policies: ServicePolicy[];
}

/**
 * The unit of a cluster's compile a policy feeds. Units are independent: each reads only its own
 * policies and the inventory, and no resource or diagnostic of one depends on another's.
 */
export function unitKeyOf(policy: Policy): string {
  switch (policy.kind) {
    case "TrafficPolicy":
    case "ResiliencePolicy":
    case "RateLimitPolicy":
      return `service:${policy.spec.scope.namespace}/${policy.spec.scope.service}`;
    case "MtlsPolicy":
      // Modes interact across mesh, namespace and workload level (and feed the sidecar check).
      return "mtls";
    case "AuthorizationPolicy":
      // The shadowed-allow check reads every authorization policy of the cluster together.
      return "authorization";
  }
}

export function groupPolicies(policies: readonly Policy[]): PolicyGroups {
  const groups: PolicyGroups = { services: new Map(), mtls: [], authorization: [] };
  for (const policy of [...policies].sort(byName)) addToGroup(groups, policy, false);
  return groups;
}

/** Insert at the policy's place in name order (appending when the caller adds in name order). */
function insertByName<P extends Policy>(list: P[], policy: P, isSorted: boolean): void {
  if (!isSorted) {
    list.push(policy);
    return;
  }
  let at = list.length;
  while (at > 0) {
    const previous = list[at - 1];
    if (!previous || byName(previous, policy) <= 0) break;
    at--;
  }
  list.splice(at, 0, policy);
}

function addToGroup(groups: PolicyGroups, policy: Policy, isSorted: boolean): void {
  switch (policy.kind) {
    case "TrafficPolicy":
    case "ResiliencePolicy":
    case "RateLimitPolicy": {
      const { namespace, service } = policy.spec.scope;
      const key = `${namespace}/${service}`;
      const group = groups.services.get(key);
      if (group) insertByName(group.policies, policy, isSorted);
      else groups.services.set(key, { namespace, service, policies: [policy] });
      return;
    }
    case "MtlsPolicy":
      insertByName(groups.mtls, policy, isSorted);
      return;
    case "AuthorizationPolicy":
      insertByName(groups.authorization, policy, isSorted);
      return;
  }
}

/** Add a policy to groups kept up to date across changes, at its place in name order. */
export const addPolicyToGroups = (groups: PolicyGroups, policy: Policy): void =>
  addToGroup(groups, policy, true);

/** Remove exactly this policy object from groups kept up to date across changes. */
export function removePolicyFromGroups(groups: PolicyGroups, policy: Policy): void {
  const drop = <P extends Policy>(list: P[]) => {
    const at = list.indexOf(policy as P);
    if (at >= 0) list.splice(at, 1);
  };
  switch (policy.kind) {
    case "TrafficPolicy":
    case "ResiliencePolicy":
    case "RateLimitPolicy": {
      const key = `${policy.spec.scope.namespace}/${policy.spec.scope.service}`;
      const group = groups.services.get(key);
      if (!group) return;
      drop(group.policies);
      if (group.policies.length === 0) groups.services.delete(key);
      return;
    }
    case "MtlsPolicy":
      drop(groups.mtls);
      return;
    case "AuthorizationPolicy":
      drop(groups.authorization);
      return;
  }
}

const newContext = (index: InventoryIndex): Context => ({
  inventory: index.inventory,
  index,
  cluster: index.inventory.cluster.name,
  diagnostics: [],
  resources: [],
});

const servicePrefix = "service:";

/** Compile one unit (see `unitKeyOf`) of one cluster. */
export function compileUnit(key: string, groups: PolicyGroups, index: InventoryIndex): CompileUnit {
  const ctx = newContext(index);
  const cluster = index.inventory.cluster;
  if (key === "mtls")
    compileMtls(
      ctx,
      groups.mtls.filter((p) => policyAppliesTo(p, cluster)),
    );
  else if (key === "authorization")
    compileAuthorization(
      ctx,
      groups.authorization.filter((p) => policyAppliesTo(p, cluster)),
    );
  else if (key.startsWith(servicePrefix)) {
    const group = groups.services.get(key.slice(servicePrefix.length));
    if (group) compileService(ctx, group);
  } else throw new PolicyModelInternalError(`unknown compile unit ${key}`);
  return { resources: ctx.resources, diagnostics: ctx.diagnostics };
}

/** Every unit of one cluster that contributes something, by unit key. */
export function compileUnits(groups: PolicyGroups, index: InventoryIndex): Map<string, CompileUnit> {
  const units = new Map<string, CompileUnit>();
  const keep = (key: string, unit: CompileUnit) => {
    if (unit.resources.length > 0 || unit.diagnostics.length > 0) units.set(key, unit);
  };
  const cluster = index.inventory.cluster.name;
  for (const [key, group] of groups.services) {
    // Most services of a fleet are not in a given cluster: without the service, only a policy that
    // names the cluster has something to say (service-not-in-cluster), so skip the rest unbuilt.
    if (
      !index.service(group.namespace, group.service) &&
      !group.policies.some((p) => namesCluster(p, cluster))
    )
      continue;
    keep(`${servicePrefix}${key}`, compileUnit(`${servicePrefix}${key}`, groups, index));
  }
  keep("mtls", compileUnit("mtls", groups, index));
  keep("authorization", compileUnit("authorization", groups, index));
  return units;
}

/** Compile every policy that applies to one cluster into that cluster's Istio resources. */
export function compile(policies: readonly Policy[], inventory: ClusterInventory): CompileResult {
  return compileIndexed(policies, indexInventory(resolveInventory(inventory)));
}

/** compile() over an inventory already resolved and indexed — what a long-lived FleetCompiler reuses. */
export function compileIndexed(policies: readonly Policy[], index: InventoryIndex): CompileResult {
  return compileGrouped(groupPolicies(policies), index);
}

/** compile() over policies already grouped, so a fleet groups them once for all its clusters. */
export function compileGrouped(groups: PolicyGroups, index: InventoryIndex): CompileResult {
  return assembleResult(index.inventory.cluster.name, compileUnits(groups, index).values());
}

// Kept here too: callers hashed configs through compile before assembling had its own stage.
export { configHash } from "./assemble";
