"use client";

import { type MtlsCoverageEntry, mtlsCoverage } from "@switchyard/telemetry-model/graph-aggregate";
import { Banner } from "@switchyard/ui/banner";
import { EmptyState } from "@switchyard/ui/empty-state";
import { Skeleton } from "@switchyard/ui/skeleton";
import { useMemo, useState } from "react";
import { nodeLabelOf } from "~/components/graph/edge-tables";
import styles from "~/components/graph/graph.module.css";
import {
  formatBytesRate,
  formatRate,
  formatShare,
  secondsOf,
  type TimeRangeId,
  timeRanges,
} from "~/components/graph/graph-format";
import { useServiceGraph } from "~/components/graph/graph-queries";
import { OptionSelect } from "~/components/graph/option-select";
import { messageOf } from "~/lib/api-errors";
import { GraphTabs } from "../graph-tabs";

function CoverageCell({ coverage }: { coverage: number | null }) {
  return (
    <span>
      <span className={styles.coverageBar} aria-hidden="true">
        <span className={styles.coverageFill} style={{ width: `${Math.round((coverage ?? 0) * 100)}%` }} />
      </span>
      {formatShare(coverage)}
    </span>
  );
}

function CoverageTable({
  entries,
  isNamespace,
  "data-test": dataTest,
}: {
  entries: MtlsCoverageEntry[];
  isNamespace: boolean;
  "data-test": string;
}) {
  return (
    <table className={styles.smallTable} data-test={dataTest}>
      <thead>
        <tr>
          <th>Cluster</th>
          {isNamespace ? <th>Namespace</th> : null}
          <th>mTLS coverage</th>
          <th className={styles.num}>Requests in</th>
          <th className={styles.num}>Edges</th>
          <th className={styles.num}>Plain-text edges</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={`${entry.cluster}|${entry.namespace ?? ""}`} data-test="coverage-row">
            <td>{entry.cluster}</td>
            {isNamespace ? <td>{entry.namespace}</td> : null}
            <td>
              <CoverageCell coverage={entry.coverage} />
            </td>
            <td className={styles.num}>{formatRate(entry.requestRate)}</td>
            <td className={styles.num}>{entry.edgeCount}</td>
            <td className={styles.num}>{entry.plainTextEdgeCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MtlsView({ slug }: { slug: string }) {
  const [range, setRange] = useState<TimeRangeId>("15m");
  const graphQuery = useServiceGraph({ slug, lastSeconds: secondsOf(range), refetchMs: 0 });
  const coverage = useMemo(() => (graphQuery.data ? mtlsCoverage(graphQuery.data) : null), [graphQuery.data]);

  return (
    <div className="page" data-test="mtls-page">
      <div className="page__header">
        <div>
          <h1 className="page__title">mTLS coverage</h1>
          <p className="page__subtitle">
            How much traffic each cluster and namespace receives over mutual TLS, and the edges still sending
            plain text.
          </p>
        </div>
      </div>
      <GraphTabs slug={slug} current="mtls" />
      <div className={styles.toolbar}>
        <OptionSelect
          label="Range"
          value={range}
          options={timeRanges}
          onChange={setRange}
          data-test="mtls-range"
        />
      </div>
      {graphQuery.isPending ? (
        <Skeleton lines={8} data-test="mtls-loading" />
      ) : graphQuery.isError && !graphQuery.data ? (
        <Banner
          tone="error"
          title="mTLS coverage could not be loaded"
          onRetry={() => graphQuery.refetch()}
          data-test="mtls-error"
        >
          {messageOf(graphQuery.error)}
        </Banner>
      ) : !coverage || graphQuery.data.edges.length === 0 ? (
        <section className="card card--hero">
          <EmptyState
            title="No traffic yet"
            description="Coverage is computed from the requests your clusters report. Connect a cluster and check that telemetry is configured."
            data-test="mtls-empty"
          />
        </section>
      ) : (
        <>
          <section className="card" style={{ marginBottom: 16 }}>
            <h2 className="card__title">Per cluster</h2>
            <CoverageTable entries={coverage.clusters} isNamespace={false} data-test="mtls-clusters" />
          </section>
          <section className="card" style={{ marginBottom: 16 }}>
            <h2 className="card__title">Per namespace</h2>
            <CoverageTable entries={coverage.namespaces} isNamespace data-test="mtls-namespaces" />
          </section>
          <section className="card">
            <h2 className="card__title">Plain-text edges ({coverage.plainTextEdges.length})</h2>
            {coverage.plainTextEdges.length === 0 ? (
              <p className="muted" data-test="mtls-no-plain-text">
                Every request in this range used mutual TLS.
              </p>
            ) : (
              <table className={styles.smallTable} data-test="mtls-plain-text-edges">
                <thead>
                  <tr>
                    <th>Source</th>
                    <th>Destination</th>
                    <th>Protocol</th>
                    <th className={styles.num}>Rate</th>
                    <th className={styles.num}>Plain text</th>
                  </tr>
                </thead>
                <tbody>
                  {coverage.plainTextEdges.map((edge) => (
                    <tr key={edge.id} data-test="plain-text-edge" data-edge-id={edge.id}>
                      <td>{nodeLabelOf(edge.source, edge.sourceId)}</td>
                      <td>{nodeLabelOf(edge.target, edge.targetId)}</td>
                      <td>{edge.protocol}</td>
                      <td className={styles.num}>
                        {edge.protocol === "tcp"
                          ? formatBytesRate(edge.tcpBytesRate)
                          : formatRate(edge.requestRate)}
                      </td>
                      <td className={styles.num}>{formatShare(edge.plainTextShare)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </div>
  );
}
