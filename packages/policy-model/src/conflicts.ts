/**
 * When two policies claim the same thing in one cluster (a service host, a rate limit, an mTLS
 * target), one rule decides: the higher `spec.precedence` wins; on equal precedence the policy whose
 * clusters selector is more specific wins (names, then labels, then all clusters). Anything still
 * tied is an error and neither policy is applied there: guessing would make the outcome depend on
 * the order policies were stored.
 */
import type { Diagnostic } from "./diagnostics";
import type { ClusterSelector, Policy } from "./schema";

export function selectorSpecificity(selector: ClusterSelector | undefined): number {
  if (!selector) return 0;
  if (selector.names) return 2;
  if (selector.matchLabels && Object.keys(selector.matchLabels).length > 0) return 1;
  return 0;
}

const specificityWords = ["every cluster", "clusters by label", "clusters by name"];

function rankOf(policy: Policy): { precedence: number; specificity: number } {
  const spec = policy.spec;
  const precedence = "precedence" in spec && spec.precedence !== undefined ? spec.precedence : 0;
  return { precedence, specificity: selectorSpecificity(spec.scope?.clusters) };
}

export interface Resolution<P extends Policy> {
  winner?: P;
  diagnostics: Diagnostic[];
}

/** Decide between policies claiming `what` (e.g. `host reviews.shop.svc.cluster.local`) in `cluster`. */
export function resolveClaims<P extends Policy>(
  claimants: readonly P[],
  what: string,
  cluster: string,
): Resolution<P> {
  if (claimants.length <= 1) return { winner: claimants[0], diagnostics: [] };
  const ranked = claimants
    .map((policy) => ({ policy, ...rankOf(policy) }))
    .sort(
      (a, b) =>
        b.precedence - a.precedence ||
        b.specificity - a.specificity ||
        (a.policy.metadata.name < b.policy.metadata.name ? -1 : 1),
    );
  const [top, second] = ranked;
  if (!top || !second) return { winner: top?.policy, diagnostics: [] };
  const names = ranked.map((r) => r.policy.metadata.name).join(", ");
  if (top.precedence === second.precedence && top.specificity === second.specificity) {
    const tied = ranked.filter((r) => r.precedence === top.precedence && r.specificity === top.specificity);
    return {
      diagnostics: tied.map((r) => ({
        severity: "error",
        code: "host-conflict",
        message: `policies ${names} all claim ${what}; ${tied.map((t) => t.policy.metadata.name).join(" and ")} have the same precedence (${top.precedence}) and cluster scope (${specificityWords[top.specificity] ?? ""}), so none is applied. Give one a higher spec.precedence.`,
        policy: r.policy.metadata.name,
        path: ["spec", "precedence"],
        cluster,
      })),
    };
  }
  const reason =
    top.precedence !== second.precedence ? "higher spec.precedence" : "a more specific clusters selector";
  return {
    winner: top.policy,
    diagnostics: ranked.slice(1).map((r) => ({
      severity: "warning",
      code: "host-conflict-resolved",
      message: `${top.policy.metadata.name} and ${r.policy.metadata.name} both claim ${what}; ${top.policy.metadata.name} wins by ${reason}, so ${r.policy.metadata.name} is not applied in this cluster`,
      policy: r.policy.metadata.name,
      path: ["spec", "scope"],
      cluster,
    })),
  };
}
