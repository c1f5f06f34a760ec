// The traffic a preview's impact analysis weighs a change against: the last hour of the service
// graph, as workload → service edges grouped by the destination's cluster (the cluster whose
// config decides whether the call is allowed and where it is routed).
import type { PrismaClient } from "@switchyard/db/client";
import type { ObservedEdge } from "@switchyard/policy-model/impact";
import type { ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import { getServiceGraph } from "../telemetry/graph-query";

export const impactWindowSeconds = 3600;

/** Workload → service edges of a graph by destination cluster (Istio's cluster label). */
export function observedEdgesByCluster(graph: ServiceGraph): Map<string, ObservedEdge[]> {
  const nodes = new Map(graph.nodes.map((node) => [node.id, node]));
  const byCluster = new Map<string, ObservedEdge[]>();
  for (const edge of graph.edges) {
    const source = nodes.get(edge.source);
    const target = nodes.get(edge.target);
    if (!source || !target || target.kind !== "service" || source.kind === "service") continue;
    const observed: ObservedEdge = {
      source:
        source.kind === "unknown"
          ? { namespace: "", workload: "unknown", hasSidecar: false }
          : { namespace: source.namespace, workload: source.name },
      destination: { namespace: target.namespace, service: target.name },
      requestsPerSecond: edge.requestRate,
    };
    const list = byCluster.get(target.cluster) ?? [];
    list.push(observed);
    byCluster.set(target.cluster, list);
  }
  return byCluster;
}

/** The last hour's observed edges of an organization, or undefined when it has no telemetry. */
export async function loadObservedTraffic(options: {
  prisma: PrismaClient;
  organizationId: string;
  now?: number;
}): Promise<{ since: number; edgesByCluster: Map<string, ObservedEdge[]> } | undefined> {
  const end = options.now ?? Date.now();
  const graph = await getServiceGraph({
    prisma: options.prisma,
    organizationId: options.organizationId,
    range: { start: end - impactWindowSeconds * 1000, end },
  });
  if (graph.edges.length === 0) return undefined;
  return { since: graph.range.start, edgesByCluster: observedEdgesByCluster(graph) };
}
