"use client";

import type { GraphNode } from "@switchyard/telemetry-model/graph-types";
import { Banner } from "@switchyard/ui/banner";
import { EmptyState } from "@switchyard/ui/empty-state";
import { Skeleton } from "@switchyard/ui/skeleton";
import Link from "next/link";
import { useMemo, useState } from "react";
import { EdgeTable, edgeRowsOf } from "~/components/graph/edge-tables";
import styles from "~/components/graph/graph.module.css";
import {
  formatRate,
  formatShare,
  healthLabels,
  type RefreshId,
  refreshIntervals,
  refreshMsOf,
  secondsOf,
  type TimeRangeId,
  timeRanges,
} from "~/components/graph/graph-format";
import { useServiceGraph } from "~/components/graph/graph-queries";
import { OptionSelect } from "~/components/graph/option-select";
import { SeriesCharts } from "~/components/graph/series-charts-lazy";
import { messageOf } from "~/lib/api-errors";

type Props = { slug: string; cluster: string; namespace: string; service: string };

export function ServiceView({ slug, cluster, namespace, service }: Props) {
  const [range, setRange] = useState<TimeRangeId>("15m");
  const [refresh, setRefresh] = useState<RefreshId>("off");
  const lastSeconds = secondsOf(range);
  const refetchMs = refreshMsOf(refresh);
  const nodeId = `s|${cluster}|${namespace}|${service}`;
  // The whole graph: callers and callees may live in any namespace or cluster.
  const graphQuery = useServiceGraph({ slug, lastSeconds, refetchMs });
  const graph = graphQuery.data;
  const nodes = useMemo(
    () => new Map<string, GraphNode>((graph?.nodes ?? []).map((node) => [node.id, node])),
    [graph],
  );
  const node = nodes.get(nodeId);
  const rows = useMemo(() => edgeRowsOf(graph?.edges ?? [], nodeId), [graph, nodeId]);

  return (
    <div className="page" data-test="service-page">
      <div className="page__header">
        <div>
          <h1 className="page__title">{service}</h1>
          <p className="page__subtitle">
            Service in namespace {namespace} of cluster {cluster} ·{" "}
            <Link href={`/o/${encodeURIComponent(slug)}/graph`}>back to the graph</Link>
          </p>
        </div>
      </div>
      <div className={styles.toolbar}>
        <OptionSelect
          label="Range"
          value={range}
          options={timeRanges}
          onChange={setRange}
          data-test="service-range"
        />
        <OptionSelect
          label="Auto-refresh"
          value={refresh}
          options={refreshIntervals}
          onChange={setRefresh}
          data-test="service-refresh"
        />
      </div>
      {graphQuery.isPending ? (
        <Skeleton lines={8} data-test="service-loading" />
      ) : graphQuery.isError && !graph ? (
        <Banner
          tone="error"
          title="This service could not be loaded"
          onRetry={() => graphQuery.refetch()}
          data-test="service-error"
        >
          {messageOf(graphQuery.error)}
        </Banner>
      ) : !node ? (
        <section className="card card--hero">
          <EmptyState
            title="No traffic for this service in this range"
            description="Pick a longer range, or check that the service exists and its cluster reports telemetry."
            data-test="service-empty"
          />
        </section>
      ) : (
        <div style={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr) minmax(0, 1fr)", gap: 16 }}>
          <section className="card">
            <h2 className="card__title">Traffic</h2>
            <dl className={styles.facts}>
              <dt className="muted">Health</dt>
              <dd style={{ margin: 0 }} data-test="service-health">
                {healthLabels[node.health]}
              </dd>
              <dt className="muted">Inbound</dt>
              <dd style={{ margin: 0 }}>{formatRate(node.inboundRate)}</dd>
              <dt className="muted">Error rate</dt>
              <dd style={{ margin: 0 }}>{formatShare(node.errorRate)}</dd>
            </dl>
            <SeriesCharts
              slug={slug}
              target={{ kind: "node", id: nodeId }}
              lastSeconds={lastSeconds}
              refetchMs={refetchMs}
            />
          </section>
          <section className="card">
            <EdgeTable
              title="Inbound"
              rows={rows.inbound}
              nodes={nodes}
              slug={slug}
              data-test="service-inbound"
            />
            <EdgeTable
              title="Outbound"
              rows={rows.outbound}
              nodes={nodes}
              slug={slug}
              data-test="service-outbound"
            />
          </section>
        </div>
      )}
    </div>
  );
}
