// How graph numbers read, in the canvas labels, the side panel and the tables alike.
import type { Health, Percentile } from "@switchyard/telemetry-model/graph-types";

export function formatRate(rps: number): string {
  if (rps === 0) return "0 rps";
  if (rps < 0.01) return "<0.01 rps";
  if (rps < 10) return `${rps.toFixed(2)} rps`;
  if (rps < 1000) return `${rps.toFixed(1)} rps`;
  return `${(rps / 1000).toFixed(1)}k rps`;
}

export function formatBytesRate(bytesPerSecond: number): string {
  if (bytesPerSecond < 1024) return `${Math.round(bytesPerSecond)} B/s`;
  if (bytesPerSecond < 1024 * 1024) return `${(bytesPerSecond / 1024).toFixed(1)} KB/s`;
  return `${(bytesPerSecond / 1024 / 1024).toFixed(1)} MB/s`;
}

export function formatShare(share: number | null): string {
  if (share === null) return "–";
  if (share === 0) return "0 %";
  if (share < 0.001) return "<0.1 %";
  return `${(share * 100).toFixed(share < 0.1 ? 2 : 1)} %`;
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(0)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

function formatBound(ms: number): string {
  return Number.isFinite(ms) ? String(Math.round(ms)) : "∞";
}

/** "p95 182 ms (100–250)": the estimate and the histogram bucket it is only known to lie in. */
export function formatPercentile(name: string, percentile: Percentile | null): string {
  if (!percentile) return `${name} –`;
  const { lowerMs, upperMs } = percentile.bucket;
  return `${name} ${formatMs(percentile.valueMs)} (${formatBound(lowerMs)}–${formatBound(upperMs)})`;
}

export const healthColors: Record<Health, string> = {
  healthy: "#2e9e5b",
  degraded: "#d89a00",
  failing: "#d64545",
  idle: "#9aa3ad",
};

export const healthLabels: Record<Health, string> = {
  healthy: "Healthy (< 0.1 % errors)",
  degraded: "Degraded (≥ 0.1 % errors)",
  failing: "Failing (≥ 20 % errors)",
  idle: "No traffic",
};

export type LabelMode = "rate" | "errors" | "p95";

export const labelModes: { id: LabelMode; label: string }[] = [
  { id: "rate", label: "Request rate" },
  { id: "errors", label: "Error rate" },
  { id: "p95", label: "p95 latency" },
];

export const timeRanges = [
  { id: "5m", label: "5 m", seconds: 300 },
  { id: "15m", label: "15 m", seconds: 900 },
  { id: "1h", label: "1 h", seconds: 3600 },
  { id: "6h", label: "6 h", seconds: 6 * 3600 },
  { id: "1d", label: "1 d", seconds: 86_400 },
  { id: "7d", label: "7 d", seconds: 7 * 86_400 },
] as const;
export type TimeRangeId = (typeof timeRanges)[number]["id"];

export const refreshIntervals = [
  { id: "off", label: "Off", ms: 0 },
  { id: "10s", label: "10 s", ms: 10_000 },
  { id: "30s", label: "30 s", ms: 30_000 },
  { id: "1m", label: "1 m", ms: 60_000 },
] as const;
export type RefreshId = (typeof refreshIntervals)[number]["id"];

export function secondsOf(range: TimeRangeId): number {
  return timeRanges.find((entry) => entry.id === range)?.seconds ?? 900;
}

/** The range the graph page opens on. */
export const defaultGraphRange: TimeRangeId = "15m";

export function refreshMsOf(refresh: RefreshId): number {
  return refreshIntervals.find((entry) => entry.id === refresh)?.ms ?? 0;
}

/** Parses a service node id `s|<cluster>|<namespace>|<service>`; null for any other id. */
export function serviceOfNodeId(id: string): { cluster: string; namespace: string; service: string } | null {
  const [kind, cluster, namespace, service] = id.split("|");
  if (kind !== "s" || !cluster || !namespace || !service) return null;
  return { cluster, namespace, service };
}

export function servicePageHref(
  slug: string,
  service: { cluster: string; namespace: string; service: string },
): string {
  return `/o/${encodeURIComponent(slug)}/services/${encodeURIComponent(service.cluster)}/${encodeURIComponent(service.namespace)}/${encodeURIComponent(service.service)}`;
}

/** Where a graph's data ends, for the toolbar: a recorded graph (docs/telemetry.md) lags by up to a minute. */
export function dataUntilLabel(end: number): string {
  return `Data to ${new Date(end).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })}`;
}
