"use client";

// What the graph shows about the clicked node or edge: its figures, its series, its neighbours.
import type { GraphView, ViewEdge, ViewNode } from "@switchyard/telemetry-model/graph-aggregate";
import type { GraphNode, ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import { Button } from "@switchyard/ui/button";
import Link from "next/link";
import { useEffect, useMemo } from "react";
import { type EdgeRow, EdgeTable, edgeRowsOf, nodeLabelOf } from "./edge-tables";
import styles from "./graph.module.css";
import type { GraphSelection } from "./graph-canvas";
import {
  formatBytesRate,
  formatPercentile,
  formatRate,
  formatShare,
  healthLabels,
  serviceOfNodeId,
  servicePageHref,
} from "./graph-format";
import { SeriesCharts } from "./series-charts-lazy";

type Props = {
  slug: string;
  graph: ServiceGraph;
  view: GraphView;
  selection: GraphSelection;
  lastSeconds: number;
  refetchMs: number;
  onClose: () => void;
  onSelect: (selection: GraphSelection) => void;
  onExpand: (namespaceKey: string) => void;
};

function viewEdgeRows(edges: readonly ViewEdge[], nodeId: string) {
  const inbound: EdgeRow[] = [];
  const outbound: EdgeRow[] = [];
  for (const edge of edges) {
    if (edge.target === nodeId) inbound.push({ ...edge, peerId: edge.source });
    if (edge.source === nodeId) outbound.push({ ...edge, peerId: edge.target });
  }
  return { inbound, outbound };
}

function Facts({ rows }: { rows: [string, string][] }) {
  return (
    <dl className={styles.facts}>
      {rows.map(([term, value]) => (
        <div key={term} style={{ display: "contents" }}>
          <dt className="muted">{term}</dt>
          <dd style={{ margin: 0 }} data-test={`fact-${term.toLowerCase().replaceAll(" ", "-")}`}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function GraphSidePanel({
  slug,
  graph,
  view,
  selection,
  lastSeconds,
  refetchMs,
  onClose,
  onSelect,
  onExpand,
}: Props) {
  // For bench/graph-render: when the panel for a new selection has been committed to the page.
  useEffect(() => {
    performance.mark("graph:panel", { detail: selection.id });
  }, [selection.id]);
  const graphNodes = useMemo(
    () => new Map<string, GraphNode>(graph.nodes.map((node) => [node.id, node])),
    [graph],
  );
  const viewNodes = useMemo(
    () => new Map<string, ViewNode>(view.nodes.map((node) => [node.id, node])),
    [view],
  );
  const allNodes = useMemo(
    () => new Map<string, ViewNode | GraphNode>([...graphNodes, ...viewNodes]),
    [graphNodes, viewNodes],
  );
  const header = (title: string, subtitle: string) => (
    <div style={{ display: "flex", justifyContent: "space-between", gap: 8 }}>
      <div>
        <h2 data-test="panel-title">{title}</h2>
        <p className="muted" style={{ fontSize: 12, margin: 0 }}>
          {subtitle}
        </p>
      </div>
      <Button size="sm" variant="secondary" onClick={onClose} data-test="panel-close" aria-label="Close">
        ✕
      </Button>
    </div>
  );

  if (selection.kind === "node") {
    const node = viewNodes.get(selection.id) ?? graphNodes.get(selection.id);
    if (!node) {
      return (
        <aside className={styles.panel} data-test="graph-panel">
          {header(selection.id, "Not in the current view")}
        </aside>
      );
    }
    const facts: [string, string][] = [
      ["Health", healthLabels[node.health]],
      ["Inbound", formatRate(node.inboundRate)],
      ["Outbound", formatRate(node.outboundRate)],
      ["Error rate", formatShare(node.errorRate)],
    ];
    const badges = [
      node.badges.hasNoSidecar ? "no sidecar" : null,
      node.badges.hasTrafficSplit ? "traffic split" : null,
      node.badges.hasFaultInjection ? "fault injection" : null,
      node.badges.hasCircuitBreaker ? "circuit breaker" : null,
    ].filter((badge): badge is string => badge !== null);
    if (badges.length > 0) facts.push(["Badges", badges.join(", ")]);
    const isNamespace = node.kind === "namespace";
    const rows = isNamespace ? viewEdgeRows(view.edges, node.id) : edgeRowsOf(graph.edges, node.id);
    const service = serviceOfNodeId(node.id);
    return (
      <aside className={styles.panel} data-test="graph-panel" data-selected={node.id}>
        {header(
          isNamespace ? `namespace ${node.namespace}` : node.kind === "unknown" ? "unknown" : node.name,
          isNamespace
            ? `cluster ${node.cluster} · ${"memberCount" in node ? node.memberCount : 1} nodes`
            : `${node.kind} · ${nodeLabelOf(node, node.id)}`,
        )}
        <Facts rows={facts} />
        {service ? (
          <p style={{ fontSize: 13 }}>
            <Link href={servicePageHref(slug, service)} data-test="panel-service-link">
              Open the service page →
            </Link>
          </p>
        ) : null}
        {isNamespace ? (
          <>
            <Button
              size="sm"
              onClick={() => onExpand(`${node.cluster}|${node.namespace}`)}
              data-test="panel-expand"
            >
              Expand namespace
            </Button>
            <p className="muted" style={{ fontSize: 12 }}>
              Series are per service, workload or edge: expand the namespace to pick one.
            </p>
          </>
        ) : (
          <SeriesCharts
            slug={slug}
            target={{ kind: "node", id: node.id }}
            lastSeconds={lastSeconds}
            refetchMs={refetchMs}
          />
        )}
        <EdgeTable
          title="Inbound"
          rows={rows.inbound}
          nodes={allNodes}
          slug={slug}
          onSelectEdge={(id) => onSelect({ kind: "edge", id })}
          data-test="panel-inbound"
        />
        <EdgeTable
          title="Outbound"
          rows={rows.outbound}
          nodes={allNodes}
          slug={slug}
          onSelectEdge={(id) => onSelect({ kind: "edge", id })}
          data-test="panel-outbound"
        />
      </aside>
    );
  }

  const edge = view.edges.find((candidate) => candidate.id === selection.id);
  const graphEdge = graph.edges.find((candidate) => candidate.id === selection.id);
  const shown =
    edge ?? (graphEdge ? { ...graphEdge, isLatencyWorstOfMembers: false, memberIds: [graphEdge.id] } : null);
  if (!shown) {
    return (
      <aside className={styles.panel} data-test="graph-panel">
        {header("Edge", "Not in the current view")}
      </aside>
    );
  }
  const isAggregated = shown.id.endsWith("|agg");
  const facts: [string, string][] = [
    ["Protocol", shown.protocol],
    ["Health", healthLabels[shown.health]],
    ["Request rate", formatRate(shown.requestRate)],
    ["Error rate", formatShare(shown.errorRate)],
    ["4xx rate", formatShare(shown.clientErrorRate)],
    [isAggregated ? "p50 (worst)" : "p50", formatPercentile("", shown.latency.p50).trim()],
    [isAggregated ? "p95 (worst)" : "p95", formatPercentile("", shown.latency.p95).trim()],
    [isAggregated ? "p99 (worst)" : "p99", formatPercentile("", shown.latency.p99).trim()],
    ["mTLS", formatShare(shown.mtlsShare)],
  ];
  if (shown.tcpBytesRate > 0) facts.push(["TCP", formatBytesRate(shown.tcpBytesRate)]);
  if (shown.isCrossCluster) facts.push(["Cross-cluster", "yes"]);
  const members = graph.edges.filter((candidate) => shown.memberIds.includes(candidate.id));
  return (
    <aside className={styles.panel} data-test="graph-panel" data-selected={shown.id}>
      {header(
        `${nodeLabelOf(allNodes.get(shown.source), shown.source)} → ${nodeLabelOf(allNodes.get(shown.target), shown.target)}`,
        isAggregated ? `${shown.memberIds.length} edges summed` : "edge",
      )}
      <Facts rows={facts} />
      {isAggregated ? (
        <section data-test="panel-members">
          <h3>Edges ({members.length})</h3>
          <table className={styles.smallTable}>
            <tbody>
              {members.map((member) => (
                <tr key={member.id}>
                  <td>
                    {nodeLabelOf(graphNodes.get(member.source), member.source)} →{" "}
                    {nodeLabelOf(graphNodes.get(member.target), member.target)}{" "}
                    <span className="muted">{member.protocol}</span>
                  </td>
                  <td className={styles.num}>{formatRate(member.requestRate)}</td>
                  <td className={styles.num}>{formatShare(member.errorRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : (
        <SeriesCharts
          slug={slug}
          target={{ kind: "edge", id: shown.id }}
          lastSeconds={lastSeconds}
          refetchMs={refetchMs}
        />
      )}
    </aside>
  );
}
