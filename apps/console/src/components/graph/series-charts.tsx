"use client";

// Request rate, error rate and p50/p95/p99 of one node or edge over the range (from graph.series).
import { Banner } from "@switchyard/ui/banner";
import { Skeleton } from "@switchyard/ui/skeleton";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { messageOf } from "~/lib/api-errors";
import styles from "./graph.module.css";
import { formatMs, formatRate, formatShare } from "./graph-format";
import { type SeriesTarget, useSeries } from "./graph-queries";

function timeLabel(t: number, spanMs: number): string {
  const date = new Date(t);
  if (spanMs > 2 * 86_400_000)
    return date.toLocaleDateString(undefined, { month: "short", day: "numeric", hour: "2-digit" });
  return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

export function SeriesCharts({
  slug,
  target,
  lastSeconds,
  refetchMs,
}: {
  slug: string;
  target: SeriesTarget;
  lastSeconds: number;
  refetchMs: number;
}) {
  const series = useSeries({ slug, target, lastSeconds, refetchMs });
  if (series.isPending) return <Skeleton lines={6} data-test="series-loading" />;
  if (series.isError && !series.data) {
    return (
      <Banner
        tone="error"
        title="Series could not be loaded"
        onRetry={() => series.refetch()}
        data-test="series-error"
      >
        {messageOf(series.error)}
      </Banner>
    );
  }
  const points = series.data.points;
  if (points.length === 0) {
    return (
      <p className="muted" data-test="series-empty">
        No requests in this range.
      </p>
    );
  }
  const first = points[0]?.t ?? 0;
  const span = (points[points.length - 1]?.t ?? first) - first;
  const data = points.map((point) => ({
    ...point,
    errorPercent: point.errorRate === null ? null : point.errorRate * 100,
  }));
  const xAxis = (
    <XAxis
      dataKey="t"
      type="number"
      domain={["dataMin", "dataMax"]}
      tickFormatter={(t: number) => timeLabel(t, span)}
      fontSize={10}
      minTickGap={30}
    />
  );
  const tooltipLabel = (t: unknown) => (typeof t === "number" ? new Date(t).toLocaleString() : "");

  return (
    <div data-test="series-charts" data-points={points.length}>
      <p className="muted" style={{ fontSize: 11, margin: 0 }}>
        {series.data.resolutionSeconds} s resolution
      </p>
      <p className={styles.chartTitle}>Request rate</p>
      <div className={styles.chart} data-test="chart-request-rate">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#eef0f4" />
            {xAxis}
            <YAxis fontSize={10} width={52} tickFormatter={(value: number) => formatRate(value)} />
            <Tooltip labelFormatter={tooltipLabel} formatter={(value) => formatRate(Number(value))} />
            <Line
              type="monotone"
              dataKey="requestRate"
              name="requests"
              stroke="#2563eb"
              dot={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <p className={styles.chartTitle}>Error rate (5xx)</p>
      <div className={styles.chart} data-test="chart-error-rate">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#eef0f4" />
            {xAxis}
            <YAxis fontSize={10} width={52} unit=" %" />
            <Tooltip labelFormatter={tooltipLabel} formatter={(value) => formatShare(Number(value) / 100)} />
            <Line
              type="monotone"
              dataKey="errorPercent"
              name="errors"
              stroke="#d64545"
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <p className={styles.chartTitle}>Latency</p>
      <div className={styles.chart} data-test="chart-latency">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#eef0f4" />
            {xAxis}
            <YAxis fontSize={10} width={52} tickFormatter={(value: number) => formatMs(value)} />
            <Tooltip labelFormatter={tooltipLabel} formatter={(value) => formatMs(Number(value))} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            <Line
              type="monotone"
              dataKey="p50Ms"
              name="p50"
              stroke="#16a34a"
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
            <Line
              type="monotone"
              dataKey="p95Ms"
              name="p95"
              stroke="#d89a00"
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
            <Line
              type="monotone"
              dataKey="p99Ms"
              name="p99"
              stroke="#b91c1c"
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}
