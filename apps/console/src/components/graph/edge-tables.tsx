// Inbound and outbound edges of a node, from the graph data already loaded (no extra call).
import type { GraphEdge } from "@switchyard/telemetry-model/graph-types";
import Link from "next/link";
import styles from "./graph.module.css";
import {
  formatBytesRate,
  formatPercentile,
  formatRate,
  formatShare,
  serviceOfNodeId,
  servicePageHref,
} from "./graph-format";

/** A node of the graph or of the view (where a namespace is a node too). */
export type NodeLike = { kind: string; cluster: string; namespace: string; name: string };

export type EdgeRow = Pick<GraphEdge, "id" | "requestRate" | "errorRate" | "tcpBytesRate" | "mtlsShare"> & {
  protocol: string;
  latency: GraphEdge["latency"];
  /** The node at the other end. */
  peerId: string;
};

export function nodeLabelOf(node: NodeLike | undefined, id: string): string {
  if (!node) return id;
  if (node.kind === "unknown") return "unknown (no sidecar)";
  if (node.kind === "namespace") return `${node.cluster} / ${node.namespace}`;
  return `${node.cluster} / ${node.namespace} / ${node.name}${node.kind === "workload" ? " (workload)" : ""}`;
}

export function EdgeTable({
  title,
  rows,
  nodes,
  slug,
  onSelectEdge,
  "data-test": dataTest,
}: {
  title: string;
  rows: EdgeRow[];
  nodes: ReadonlyMap<string, NodeLike>;
  slug: string;
  onSelectEdge?: (id: string) => void;
  "data-test"?: string;
}) {
  return (
    <section data-test={dataTest}>
      <h3>
        {title} ({rows.length})
      </h3>
      {rows.length === 0 ? (
        <p className="muted" style={{ fontSize: 12 }}>
          None in this range.
        </p>
      ) : (
        <table className={styles.smallTable}>
          <thead>
            <tr>
              <th>{title === "Inbound" ? "From" : "To"}</th>
              <th className={styles.num}>Rate</th>
              <th className={styles.num}>Errors</th>
              <th className={styles.num}>p95</th>
              <th className={styles.num}>mTLS</th>
            </tr>
          </thead>
          <tbody>
            {[...rows]
              .sort((a, b) => b.requestRate - a.requestRate)
              .map((row) => {
                const peer = nodes.get(row.peerId);
                const service = serviceOfNodeId(row.peerId);
                return (
                  <tr key={row.id} data-test="edge-row" data-edge-id={row.id}>
                    <td>
                      {service ? (
                        <Link href={servicePageHref(slug, service)}>{nodeLabelOf(peer, row.peerId)}</Link>
                      ) : onSelectEdge ? (
                        <button type="button" className="link-button" onClick={() => onSelectEdge(row.id)}>
                          {nodeLabelOf(peer, row.peerId)}
                        </button>
                      ) : (
                        nodeLabelOf(peer, row.peerId)
                      )}{" "}
                      <span className="muted">{row.protocol}</span>
                    </td>
                    <td className={styles.num}>
                      {row.protocol === "tcp"
                        ? formatBytesRate(row.tcpBytesRate)
                        : formatRate(row.requestRate)}
                    </td>
                    <td className={styles.num}>{formatShare(row.errorRate)}</td>
                    <td className={styles.num}>{formatPercentile("", row.latency.p95).trim()}</td>
                    <td className={styles.num}>{formatShare(row.mtlsShare)}</td>
                  </tr>
                );
              })}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function edgeRowsOf(
  edges: readonly GraphEdge[],
  nodeId: string,
): { inbound: EdgeRow[]; outbound: EdgeRow[] } {
  const inbound: EdgeRow[] = [];
  const outbound: EdgeRow[] = [];
  for (const edge of edges) {
    if (edge.target === nodeId) inbound.push({ ...edge, peerId: edge.source });
    if (edge.source === nodeId) outbound.push({ ...edge, peerId: edge.target });
  }
  return { inbound, outbound };
}
