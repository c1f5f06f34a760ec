// cytoscape's stylesheet for the service graph: health colours, mTLS line styles, boxes, badges.
import type cytoscape from "cytoscape";
import { healthColors, type LabelMode } from "./graph-format";

export const labelFieldOf: Record<LabelMode, string> = {
  rate: "labelRate",
  errors: "labelErrors",
  p95: "labelP95",
};

export function graphStylesheet(labelMode: LabelMode): cytoscape.StylesheetJson {
  return [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "text-wrap": "wrap",
        "font-size": 11,
        "text-valign": "bottom",
        "text-margin-y": 4,
        color: "#1f2937",
        "min-zoomed-font-size": 7,
        width: 28,
        height: 28,
        "background-color": healthColors.idle,
        "border-width": 2,
        "border-color": "#ffffff",
        // Boxes under edges under nodes (boxes are plain nodes, not compound parents).
        "z-index-compare": "manual",
        "z-index": 3,
      },
    },
    { selector: 'node[health="healthy"]', style: { "background-color": healthColors.healthy } },
    { selector: 'node[health="degraded"]', style: { "background-color": healthColors.degraded } },
    { selector: 'node[health="failing"]', style: { "background-color": healthColors.failing } },
    { selector: 'node[kind="service"]', style: { shape: "round-triangle", width: 32, height: 30 } },
    { selector: 'node[kind="workload"]', style: { shape: "ellipse" } },
    { selector: 'node[kind="unknown"]', style: { shape: "diamond", "background-color": "#4b5563" } },
    {
      selector: 'node[kind="namespace"]',
      style: { shape: "round-rectangle", width: 54, height: 36, "font-size": 12, "font-weight": "bold" },
    },
    {
      selector: "node[?hasNoSidecar]",
      style: { "border-width": 3, "border-style": "dashed", "border-color": "#b91c1c" },
    },
    {
      selector: 'node[kind="cluster"]',
      style: {
        shape: "round-rectangle",
        width: "data(w)",
        height: "data(h)",
        "z-index": 0,
        "background-color": "#eef2f7",
        "background-opacity": 0.6,
        "border-width": 2,
        "border-color": "#64748b",
        label: "data(label)",
        "text-valign": "top",
        "text-halign": "center",
        "font-size": 16,
        "font-weight": "bold",
        "text-margin-y": -6,
        "min-zoomed-font-size": 4,
      },
    },
    {
      selector: 'node[kind="nsbox"]',
      style: {
        shape: "round-rectangle",
        width: "data(w)",
        height: "data(h)",
        "z-index": 1,
        "background-color": "#ffffff",
        "background-opacity": 0.85,
        "border-width": 1,
        "border-style": "dashed",
        "border-color": "#94a3b8",
        "text-valign": "top",
        "text-halign": "center",
        "font-size": 13,
        "text-margin-y": -4,
      },
    },
    {
      selector: "edge",
      style: {
        "curve-style": "bezier",
        "z-index-compare": "manual",
        "z-index": 2,
        width: "data(width)",
        "line-color": healthColors.idle,
        "target-arrow-color": healthColors.idle,
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.9,
        label: `data(${labelFieldOf[labelMode]})`,
        "font-size": 9,
        color: "#111827",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": "2px",
        "min-zoomed-font-size": 7,
      },
    },
    {
      selector: 'edge[health="healthy"]',
      style: { "line-color": healthColors.healthy, "target-arrow-color": healthColors.healthy },
    },
    {
      selector: 'edge[health="degraded"]',
      style: { "line-color": healthColors.degraded, "target-arrow-color": healthColors.degraded },
    },
    {
      selector: 'edge[health="failing"]',
      style: { "line-color": healthColors.failing, "target-arrow-color": healthColors.failing },
    },
    // mTLS: solid; plain text: dashed; partly plain: dotted; not reported: faint.
    { selector: 'edge[security="plain"]', style: { "line-style": "dashed", "line-dash-pattern": [8, 5] } },
    { selector: 'edge[security="partial"]', style: { "line-style": "dashed", "line-dash-pattern": [3, 3] } },
    { selector: 'edge[security="unknown"]', style: { "line-opacity": 0.6 } },
    // Cross-cluster edges arc between the cluster boxes instead of running straight through them.
    {
      selector: "edge[?isCrossCluster]",
      style: {
        "curve-style": "unbundled-bezier",
        "control-point-distances": [80],
        "control-point-weights": [0.5],
      },
    },
    {
      selector: ".found",
      style: { "overlay-color": "#2563eb", "overlay-opacity": 0.3, "overlay-padding": 8, "z-index": 20 },
    },
    {
      selector: ".selected-item",
      style: { "overlay-color": "#7c3aed", "overlay-opacity": 0.25, "overlay-padding": 6, "z-index": 30 },
    },
  ];
}
