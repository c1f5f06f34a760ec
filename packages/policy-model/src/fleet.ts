/**
 * Many clusters at once: compile a policy set for every cluster, and find which clusters one policy
 * change touches so only those are recompiled (the incremental path the compile job takes).
 */
import { type ClusterRef, type CompileResult, compile, compileIndexed, policyAppliesTo } from "./compile";
import { type Diagnostic, sortDiagnostics } from "./diagnostics";
import { type ClusterInventory, type InventoryIndex, indexInventory, resolveInventory } from "./inventory";
import type { Policy } from "./schema";

export interface FleetCompileResult {
  /** One result per inventory, in the inventories' order. */
  results: CompileResult[];
  /** Diagnostics about the set as a whole, e.g. a policy no cluster selects. */
  diagnostics: Diagnostic[];
}

export function compileFleet(
  policies: readonly Policy[],
  inventories: readonly ClusterInventory[],
): FleetCompileResult {
  const results = inventories.map((inventory) => compile(policies, inventory));
  const diagnostics: Diagnostic[] = [];
  for (const policy of policies) {
    if (inventories.some((i) => policyAppliesTo(policy, i.cluster))) continue;
    diagnostics.push({
      severity: "warning",
      code: "no-matching-cluster",
      message: "the clusters selector matches none of the known clusters, so this policy lands nowhere",
      policy: policy.metadata.name,
      path: ["spec", "scope", "clusters"],
    });
  }
  return { results, diagnostics: sortDiagnostics(diagnostics) };
}

// Inventories are treated as immutable values: the key set is computed once per inventory object.
const serviceKeyCache = new WeakMap<ClusterInventory, Set<string>>();
function serviceKeys(inventory: ClusterInventory): Set<string> {
  let keys = serviceKeyCache.get(inventory);
  if (!keys) {
    keys = new Set((inventory.services ?? []).map((s) => `${s.namespace}/${s.name}`));
    serviceKeyCache.set(inventory, keys);
  }
  return keys;
}

/**
 * Could this policy change anything in this cluster? It must select the cluster, and the cluster must
 * have what the policy targets (its service or namespace) — unless the policy names the cluster, in
 * which case a missing service is itself a diagnostic there.
 */
export function policyTouches(policy: Policy, inventory: ClusterInventory): boolean {
  const cluster: ClusterRef = inventory.cluster;
  if (!policyAppliesTo(policy, cluster)) return false;
  if (policy.spec.scope?.clusters?.names?.includes(cluster.name)) return true;
  const hasService = (namespace: string, name: string) => serviceKeys(inventory).has(`${namespace}/${name}`);
  switch (policy.kind) {
    case "TrafficPolicy":
    case "ResiliencePolicy":
    case "RateLimitPolicy":
      return hasService(policy.spec.scope.namespace, policy.spec.scope.service);
    case "AuthorizationPolicy": {
      const { namespace, service } = policy.spec.scope;
      if (service !== undefined) return hasService(namespace, service);
      return (
        (inventory.namespaces ?? []).some((n) => n.name === namespace) ||
        (inventory.workloads ?? []).some((w) => w.namespace === namespace)
      );
    }
    case "MtlsPolicy":
      // mTLS modes interact across levels (and feed the sidecar check): recompile every selected cluster.
      return true;
  }
}

/**
 * Clusters whose desired config may change when `before` becomes `after` (either may be absent for
 * a created or deleted policy). Every other cluster's compile result stays valid as it is, so the
 * compile job recompiles only these.
 */
export function affectedClusters(
  before: Policy | undefined,
  after: Policy | undefined,
  inventories: readonly ClusterInventory[],
): string[] {
  return inventories
    .filter(
      (i) =>
        (before !== undefined && policyTouches(before, i)) ||
        (after !== undefined && policyTouches(after, i)),
    )
    .map((i) => i.cluster.name);
}

/**
 * A long-lived compiler for a fleet: keeps each cluster's indexed inventory and last result, so a
 * change to one policy recompiles only the clusters it touches. Inventories and policies are treated
 * as immutable; give it a new inventory with `setInventory` when a cluster reports a change.
 */
export class FleetCompiler {
  private readonly indexes = new Map<string, InventoryIndex>();
  private readonly inventories = new Map<string, ClusterInventory>();
  private readonly policies = new Map<string, Policy>();
  private readonly results = new Map<string, CompileResult>();

  constructor(inventories: readonly ClusterInventory[], policies: readonly Policy[]) {
    for (const inventory of inventories) this.setInventory(inventory, { isDeferred: true });
    for (const policy of policies) this.policies.set(policy.metadata.name, policy);
  }

  /** Compile every cluster from scratch. */
  compileAll(): CompileResult[] {
    const policies = [...this.policies.values()];
    const out: CompileResult[] = [];
    for (const [name, index] of this.indexes) {
      const result = compileIndexed(policies, index);
      this.results.set(name, result);
      out.push(result);
    }
    return out;
  }

  /**
   * Replace (before and after), create (no before) or delete (no after) one policy and recompile the
   * clusters it touches. Returns those clusters' new results; every other cluster's result stands.
   */
  applyChange(before: Policy | undefined, after: Policy | undefined): CompileResult[] {
    if (before) this.policies.delete(before.metadata.name);
    if (after) this.policies.set(after.metadata.name, after);
    const policies = [...this.policies.values()];
    const out: CompileResult[] = [];
    for (const name of affectedClusters(before, after, [...this.inventories.values()])) {
      const index = this.indexes.get(name);
      if (!index) continue;
      const result = compileIndexed(policies, index);
      this.results.set(name, result);
      out.push(result);
    }
    return out;
  }

  /** A cluster's inventory changed: index it again and recompile it (unless deferred). */
  setInventory(
    inventory: ClusterInventory,
    options: { isDeferred?: boolean } = {},
  ): CompileResult | undefined {
    const name = inventory.cluster.name;
    const index = indexInventory(resolveInventory(inventory));
    this.inventories.set(name, inventory);
    this.indexes.set(name, index);
    if (options.isDeferred) return undefined;
    const result = compileIndexed([...this.policies.values()], index);
    this.results.set(name, result);
    return result;
  }

  result(cluster: string): CompileResult | undefined {
    return this.results.get(cluster);
  }
}
