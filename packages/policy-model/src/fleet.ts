/**
 * Many clusters at once: compile a policy set for every cluster, and find which clusters one policy
 * change touches so only those are recompiled (the incremental path the compile job takes).
 */
import { type ClusterRef, type CompileResult, compile, policyAppliesTo } from "./compile";
import { type Diagnostic, sortDiagnostics } from "./diagnostics";
import type { ClusterInventory } from "./inventory";
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

/**
 * Clusters whose desired config may change when `before` becomes `after` (either may be absent for
 * a created or deleted policy): those selected by either version. Other clusters keep their output.
 */
export function affectedClusters(
  before: Policy | undefined,
  after: Policy | undefined,
  clusters: readonly ClusterRef[],
): string[] {
  return clusters
    .filter(
      (c) =>
        (before !== undefined && policyAppliesTo(before, c)) ||
        (after !== undefined && policyAppliesTo(after, c)),
    )
    .map((c) => c.name);
}
