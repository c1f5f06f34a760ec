/**
 * The one adapter from the graph view (packages/telemetry-model graph-aggregate) to cytoscape's
 * element data. Cluster boxes and namespace boxes are plain nodes drawn under everything and sized
 * around their members (graph-canvas.tsx `fitBoxes`), not compound parents: with ~3,700 edges,
 * compound parents doubled cytoscape's first draw here. A collapsed namespace is a
 * node inside its cluster box; `unknown` sits outside every box. Element ids are the view's ids, so
 * a refresh updates data in place.
 */
import type { GraphView, ViewEdge, ViewNode } from "@switchyard/telemetry-model/graph-aggregate";
import { formatBytesRate, formatPercentile, formatRate, formatShare } from "./graph-format";

export type NodeData = {
  id: string;
  /** The cluster box and, for a member of an expanded namespace, the namespace box around it. */
  clusterBox?: string;
  namespaceBox?: string;
  /** "cluster" and "nsbox" are the boxes; the rest are ViewNode kinds. */
  kind: "cluster" | "nsbox" | ViewNode["kind"];
  label: string;
  health: ViewNode["health"] | "none";
  /** `<cluster>|<namespace>` for namespace nodes, namespace boxes and their members. */
  namespaceKey: string;
  cluster: string;
  hasNoSidecar: boolean;
  /** A box's size, set by the canvas from its members' positions. */
  w?: number;
  h?: number;
};

export type EdgeData = {
  id: string;
  source: string;
  target: string;
  health: ViewEdge["health"];
  /** "mtls" (all traffic), "plain" (none), "partial", "unknown" (not reported). */
  security: "mtls" | "plain" | "partial" | "unknown";
  isCrossCluster: boolean;
  labelRate: string;
  labelErrors: string;
  labelP95: string;
  /** Edge width, from the request rate on a log scale. */
  width: number;
};

export const clusterBoxId = (cluster: string) => `cluster|${cluster}`;
export const namespaceBoxId = (namespaceKey: string) => `nsbox|${namespaceKey}`;

function badgeLine(node: ViewNode): string {
  const badges = [
    node.badges.hasNoSidecar ? "no sidecar" : null,
    node.badges.hasTrafficSplit ? "split" : null,
    node.badges.hasFaultInjection ? "fault" : null,
    node.badges.hasCircuitBreaker ? "breaker" : null,
  ].filter((badge): badge is string => badge !== null);
  return badges.length > 0 ? `\n[${badges.join(" · ")}]` : "";
}

function nodeLabel(node: ViewNode): string {
  if (node.kind === "namespace") return `${node.name} (${node.memberCount})${badgeLine(node)}`;
  if (node.kind === "workload" && node.version)
    return `${node.app ?? node.name} ${node.version}${badgeLine(node)}`;
  return `${node.name}${badgeLine(node)}`;
}

export function securityOf(mtlsShare: number | null): EdgeData["security"] {
  if (mtlsShare === null) return "unknown";
  if (mtlsShare >= 0.999) return "mtls";
  if (mtlsShare <= 0.001) return "plain";
  return "partial";
}

export function edgeData(edge: ViewEdge): EdgeData {
  const security = securityOf(edge.mtlsShare);
  const warn = security === "plain" || security === "partial" ? "⚠ " : "";
  const rate = edge.protocol === "tcp" ? formatBytesRate(edge.tcpBytesRate) : formatRate(edge.requestRate);
  const worst = edge.isLatencyWorstOfMembers ? " worst" : "";
  return {
    id: edge.id,
    source: edge.source,
    target: edge.target,
    health: edge.health,
    security,
    isCrossCluster: edge.isCrossCluster,
    labelRate: `${warn}${rate}`,
    labelErrors: `${warn}${formatShare(edge.errorRate)} err`,
    labelP95: `${warn}${formatPercentile(`p95${worst}`, edge.latency.p95)}`,
    width: Math.min(8, 1.5 + Math.log10(1 + edge.requestRate) * 1.5),
  };
}

/** Which layout group a leaf node belongs to: its namespace box, its cluster box, or the top level. */
export function layoutGroupOf(node: NodeData): string {
  if (node.kind === "namespace") return `cluster:${node.cluster}`;
  if (node.namespaceBox) return `ns:${node.namespaceKey}`;
  return "top";
}

export function viewToElements(view: GraphView): {
  boxes: NodeData[];
  leaves: NodeData[];
  edges: EdgeData[];
} {
  const expanded = new Set(view.expanded);
  const clusters = new Set<string>();
  const boxes: NodeData[] = [];
  const leaves: NodeData[] = [];
  for (const node of view.nodes) {
    const namespaceKey = node.kind === "unknown" ? "" : `${node.cluster}|${node.namespace}`;
    if (node.cluster) clusters.add(node.cluster);
    const isInNamespaceBox = node.kind !== "namespace" && namespaceKey !== "" && expanded.has(namespaceKey);
    leaves.push({
      id: node.id,
      ...(node.cluster ? { clusterBox: clusterBoxId(node.cluster) } : {}),
      ...(isInNamespaceBox ? { namespaceBox: namespaceBoxId(namespaceKey) } : {}),
      kind: node.kind,
      label: nodeLabel(node),
      health: node.health,
      namespaceKey,
      cluster: node.cluster,
      hasNoSidecar: node.badges.hasNoSidecar,
    });
  }
  for (const cluster of [...clusters].sort()) {
    boxes.push({
      id: clusterBoxId(cluster),
      kind: "cluster",
      label: `cluster ${cluster}`,
      health: "none",
      namespaceKey: "",
      cluster,
      hasNoSidecar: false,
    });
  }
  for (const key of view.expanded) {
    const [cluster = "", namespace = ""] = key.split("|");
    boxes.push({
      id: namespaceBoxId(key),
      kind: "nsbox",
      label: `namespace ${namespace}`,
      health: "none",
      namespaceKey: key,
      cluster,
      hasNoSidecar: false,
    });
  }
  return { boxes, leaves, edges: view.edges.map(edgeData) };
}
