/**
 * Many clusters at once: compile a policy set for every cluster, and find which clusters one policy
 * change touches so only those are recompiled (the incremental path the compile job takes).
 */
import { assembleResult, updateResult } from "./assemble";
import {
  addPolicyToGroups,
  type ClusterRef,
  type CompileResult,
  type CompileUnit,
  compileGrouped,
  compileUnit,
  compileUnits,
  groupPolicies,
  type PolicyGroups,
  policyAppliesTo,
  removePolicyFromGroups,
  unitKeyOf,
} from "./compile";
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
  // Grouping sorts the whole set: do it once for the fleet, not once per cluster.
  const groups = groupPolicies(policies);
  const results = inventories.map((inventory) =>
    compileGrouped(groups, indexInventory(resolveInventory(inventory))),
  );
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

interface ClusterState {
  inventory: ClusterInventory;
  index: InventoryIndex;
  /** The last compile's units by unit key (only those that contribute something). */
  units: Map<string, CompileUnit>;
  result?: CompileResult;
}

/**
 * A long-lived compiler for a fleet: keeps each cluster's indexed inventory, its compile units and
 * last result, so a change to one policy recompiles only the units it feeds (one service host, or a
 * cluster's mTLS or authorization policies) in only the clusters it touches, and merges them into
 * the rest of each result. Every result is exactly what `compile` gives for the same input.
 * Inventories and policies are treated as immutable; give it a new inventory with `setInventory`
 * when a cluster reports a change.
 */
export class FleetCompiler {
  private readonly clusters = new Map<string, ClusterState>();
  private readonly policies = new Map<string, Policy>();
  private readonly groups: PolicyGroups;

  constructor(inventories: readonly ClusterInventory[], policies: readonly Policy[]) {
    for (const inventory of inventories) this.setInventory(inventory, { isDeferred: true });
    for (const policy of policies) this.policies.set(policy.metadata.name, policy);
    this.groups = groupPolicies([...this.policies.values()]);
  }

  /** Compile every cluster from scratch. */
  compileAll(): CompileResult[] {
    const out: CompileResult[] = [];
    for (const state of this.clusters.values()) out.push(this.compileCluster(state));
    return out;
  }

  /**
   * Replace (before and after), create (no before) or delete (no after) one policy and recompile the
   * clusters it touches. Returns those clusters' new results; every other cluster's result stands.
   */
  applyChange(before: Policy | undefined, after: Policy | undefined): CompileResult[] {
    // What leaves the set is what is stored under the name, whatever `before` says.
    const changed: Policy[] = [];
    const leave = (name: string) => {
      const stored = this.policies.get(name);
      if (!stored) return;
      this.policies.delete(name);
      removePolicyFromGroups(this.groups, stored);
      changed.push(stored);
    };
    if (before) leave(before.metadata.name);
    if (after) {
      leave(after.metadata.name);
      this.policies.set(after.metadata.name, after);
      addPolicyToGroups(this.groups, after);
      changed.push(after);
    }
    if (before && !changed.includes(before)) changed.push(before);
    const unitKeys = [...new Set(changed.map(unitKeyOf))];
    const out: CompileResult[] = [];
    for (const state of this.clusters.values()) {
      if (!changed.some((p) => policyTouches(p, state.inventory))) continue;
      out.push(
        state.result ? this.recompileUnits(state, state.result, unitKeys) : this.compileCluster(state),
      );
    }
    return out;
  }

  /** A cluster's inventory changed: index it again and recompile it (unless deferred). */
  setInventory(
    inventory: ClusterInventory,
    options: { isDeferred?: boolean } = {},
  ): CompileResult | undefined {
    const state: ClusterState = {
      inventory,
      index: indexInventory(resolveInventory(inventory)),
      units: new Map(),
    };
    this.clusters.set(inventory.cluster.name, state);
    if (options.isDeferred) return undefined;
    return this.compileCluster(state);
  }

  result(cluster: string): CompileResult | undefined {
    return this.clusters.get(cluster)?.result;
  }

  private compileCluster(state: ClusterState): CompileResult {
    state.units = compileUnits(this.groups, state.index);
    const result = assembleResult(state.index.inventory.cluster.name, state.units.values());
    state.result = result;
    return result;
  }

  private recompileUnits(
    state: ClusterState,
    previous: CompileResult,
    keys: readonly string[],
  ): CompileResult {
    const removed: CompileUnit[] = [];
    const added: CompileUnit[] = [];
    for (const key of keys) {
      const old = state.units.get(key);
      if (old) removed.push(old);
      const unit = compileUnit(key, this.groups, state.index);
      if (unit.resources.length > 0 || unit.diagnostics.length > 0) {
        state.units.set(key, unit);
        added.push(unit);
      } else state.units.delete(key);
    }
    const result = updateResult(previous, removed, added);
    state.result = result;
    return result;
  }
}
