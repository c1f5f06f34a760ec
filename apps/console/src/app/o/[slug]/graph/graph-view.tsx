"use client";

import {
  buildGraphView,
  limitOverviewEdges,
  namespaceKeyOf,
  namespaceKeys,
} from "@switchyard/telemetry-model/graph-aggregate";
import type { ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { EmptyState } from "@switchyard/ui/empty-state";
import { Skeleton } from "@switchyard/ui/skeleton";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import styles from "~/components/graph/graph.module.css";
import {
  GraphCanvas,
  type GraphCanvasHandle,
  type GraphSelection,
  type NamespaceToggle,
} from "~/components/graph/graph-canvas";
import {
  type LabelMode,
  labelModes,
  type RefreshId,
  refreshIntervals,
  refreshMsOf,
  secondsOf,
  type TimeRangeId,
  timeRanges,
} from "~/components/graph/graph-format";
import { GraphLegend } from "~/components/graph/graph-legend";
import { useServiceGraph } from "~/components/graph/graph-queries";
import { GraphSidePanel } from "~/components/graph/graph-side-panel";
import { OptionSelect } from "~/components/graph/option-select";
import { messageOf } from "~/lib/api-errors";
import { GraphTabs } from "./graph-tabs";

/** Above this many nodes the graph opens on the namespace overview (cytoscape: ~10 s for 5,000). */
export const aggregateAboveNodes = 300;

/**
 * Edges between collapsed namespaces drawn at most (busiest and failing first): cytoscape spends
 * about 1 ms per edge on each frame here, and a dense overview has thousands.
 */
export const overviewEdgeLimit = 500;

type Expansion = { mode: "all" } | { mode: "some"; keys: ReadonlySet<string> };

function matches(text: string, needle: string): boolean {
  return text.toLowerCase().includes(needle.toLowerCase());
}

/** Hides matching nodes (by name, namespace or id) and the edges touching them. */
function withoutHidden(graph: ServiceGraph, needle: string): ServiceGraph {
  if (!needle) return graph;
  const hidden = new Set(
    graph.nodes
      .filter((node) => matches(node.name, needle) || matches(node.id, needle))
      .map((node) => node.id),
  );
  if (hidden.size === 0) return graph;
  return {
    ...graph,
    nodes: graph.nodes.filter((node) => !hidden.has(node.id)),
    edges: graph.edges.filter((edge) => !hidden.has(edge.source) && !hidden.has(edge.target)),
  };
}

export function GraphView({ slug }: { slug: string }) {
  const [range, setRange] = useState<TimeRangeId>("15m");
  const [refresh, setRefresh] = useState<RefreshId>("off");
  const [labelMode, setLabelMode] = useState<LabelMode>("rate");
  const [clusterFilter, setClusterFilter] = useState("");
  const [namespaceFilter, setNamespaceFilter] = useState("");
  const [findText, setFindText] = useState("");
  const [hideText, setHideText] = useState("");
  const [expansion, setExpansion] = useState<Expansion | null>(null);
  const [selection, setSelection] = useState<GraphSelection | null>(null);
  const canvasRef = useRef<GraphCanvasHandle>(null);
  const lastSeconds = secondsOf(range);
  const refetchMs = refreshMsOf(refresh);

  const graphQuery = useServiceGraph({
    slug,
    lastSeconds,
    clusters: clusterFilter ? [clusterFilter] : [],
    namespaces: namespaceFilter ? [namespaceFilter] : [],
    refetchMs,
  });
  const graph = graphQuery.data;

  // Filter choices accumulate over answers, so a filter does not hide the other choices.
  const [seenClusters, setSeenClusters] = useState<string[]>([]);
  const [seenNamespaces, setSeenNamespaces] = useState<string[]>([]);
  useEffect(() => {
    if (!graph) return;
    const clusters = new Set(seenClusters);
    const namespaces = new Set(seenNamespaces);
    for (const node of graph.nodes) {
      if (node.cluster) clusters.add(node.cluster);
      if (node.namespace) namespaces.add(node.namespace);
    }
    if (clusters.size !== seenClusters.length) setSeenClusters([...clusters].sort());
    if (namespaces.size !== seenNamespaces.length) setSeenNamespaces([...namespaces].sort());
  }, [graph, seenClusters, seenNamespaces]);

  // The first answer decides the opening view: everything, or the namespace overview of a big mesh.
  useEffect(() => {
    if (graph && expansion === null && graph.nodes.length > 0) {
      setExpansion(
        graph.nodes.length > aggregateAboveNodes ? { mode: "some", keys: new Set() } : { mode: "all" },
      );
    }
  }, [graph, expansion]);

  const shownGraph = useMemo(() => (graph ? withoutHidden(graph, hideText.trim()) : null), [graph, hideText]);
  const [isShowingAllEdges, setIsShowingAllEdges] = useState(false);
  const limited = useMemo(() => {
    if (!shownGraph || !expansion) return null;
    const full = buildGraphView(shownGraph, { expanded: expansion.mode === "all" ? "all" : expansion.keys });
    return limitOverviewEdges(full, isShowingAllEdges ? Number.POSITIVE_INFINITY : overviewEdgeLimit);
  }, [shownGraph, expansion, isShowingAllEdges]);
  const view = limited?.view ?? null;
  const hiddenEdgeCount = limited?.hiddenEdgeCount ?? 0;

  const toggleNamespace = useCallback(
    ({ namespaceKey, action }: NamespaceToggle) => {
      setExpansion((current) => {
        const keys =
          !current || current.mode === "all"
            ? new Set(graph ? namespaceKeys(graph) : [])
            : new Set(current.keys);
        if (action === "expand") keys.add(namespaceKey);
        else keys.delete(namespaceKey);
        return { mode: "some", keys };
      });
      setSelection(null);
    },
    [graph],
  );

  const expandFromButton = (namespaceKey: string) => {
    canvasRef.current?.measureNextChange("graph:expand");
    toggleNamespace({ namespaceKey, action: "expand" });
  };

  const find = () => {
    const needle = findText.trim();
    if (!view || !needle) {
      canvasRef.current?.focus([]);
      return;
    }
    const shown = new Set(view.nodes.map((node) => node.id));
    const ids = new Set<string>();
    for (const node of shownGraph?.nodes ?? []) {
      if (!matches(node.name, needle) && !matches(node.id, needle)) continue;
      // A match inside a collapsed namespace lights up the namespace's node.
      ids.add(shown.has(node.id) ? node.id : `n|${namespaceKeyOf(node)}`);
    }
    canvasRef.current?.focus([...ids]);
  };

  const isAggregated = expansion?.mode === "some";
  const selectedIsShown =
    selection &&
    view &&
    (view.nodes.some((n) => n.id === selection.id) || view.edges.some((e) => e.id === selection.id));

  return (
    <div className="page" data-test="graph-page">
      <div className="page__header">
        <div>
          <h1 className="page__title">Service graph</h1>
          <p className="page__subtitle">
            Who calls whom across your clusters, with request rate, errors, latency and mTLS.
          </p>
        </div>
      </div>
      <GraphTabs slug={slug} current="graph" />
      <div className={styles.toolbar} data-test="graph-toolbar">
        <OptionSelect
          label="Range"
          value={range}
          options={timeRanges}
          onChange={setRange}
          data-test="graph-range"
        />
        <OptionSelect
          label="Auto-refresh"
          value={refresh}
          options={refreshIntervals}
          onChange={setRefresh}
          data-test="graph-refresh"
        />
        <OptionSelect
          label="Cluster"
          value={clusterFilter}
          options={seenClusters.map((name) => ({ id: name, label: name }))}
          onChange={setClusterFilter}
          allLabel="All"
          data-test="graph-cluster-filter"
        />
        <OptionSelect
          label="Namespace"
          value={namespaceFilter}
          options={seenNamespaces.map((name) => ({ id: name, label: name }))}
          onChange={setNamespaceFilter}
          allLabel="All"
          data-test="graph-namespace-filter"
        />
        <fieldset className={styles.segmented} aria-label="Edge labels">
          {labelModes.map((mode) => (
            <button
              key={mode.id}
              type="button"
              aria-pressed={labelMode === mode.id}
              onClick={() => setLabelMode(mode.id)}
              data-test={`graph-label-${mode.id}`}
            >
              {mode.label}
            </button>
          ))}
        </fieldset>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            find();
          }}
          style={{ display: "inline-flex", gap: 4 }}
        >
          <input
            placeholder="Find…"
            value={findText}
            onChange={(event) => setFindText(event.target.value)}
            aria-label="Find nodes"
            data-test="graph-find"
          />
          <Button size="sm" variant="secondary" type="submit" data-test="graph-find-submit">
            Find
          </Button>
        </form>
        <input
          placeholder="Hide…"
          value={hideText}
          onChange={(event) => setHideText(event.target.value)}
          aria-label="Hide nodes matching"
          data-test="graph-hide"
        />
        {graph && graph.nodes.length > 0 ? (
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setSelection(null);
              setExpansion(isAggregated ? { mode: "all" } : { mode: "some", keys: new Set() });
            }}
            data-test="graph-toggle-overview"
          >
            {isAggregated ? "Show every node" : "Namespace overview"}
          </Button>
        ) : null}
        {graphQuery.isFetching && graph ? (
          <span className="muted" style={{ fontSize: 12 }}>
            Refreshing…
          </span>
        ) : null}
      </div>

      {graphQuery.isPending ? (
        <div data-test="graph-loading">
          <Skeleton lines={8} height="28px" />
        </div>
      ) : graphQuery.isError && !graph ? (
        <Banner
          tone="error"
          title="The service graph could not be loaded"
          onRetry={() => graphQuery.refetch()}
          data-test="graph-error"
        >
          {messageOf(graphQuery.error)}
        </Banner>
      ) : !graph || graph.nodes.length === 0 ? (
        <section className="card card--hero">
          <EmptyState
            title="No traffic yet"
            description={
              clusterFilter || namespaceFilter
                ? "Nothing matches these filters in this range. Clear the filters or pick a longer range."
                : "No requests were reported in this range. Connect a cluster, and check that its agent can read Istio's metrics (is telemetry configured?)."
            }
            action={
              <Link
                href={`/o/${encodeURIComponent(slug)}/clusters`}
                className="sy-button sy-button--primary sy-button--md"
              >
                Go to clusters
              </Link>
            }
            data-test="graph-empty"
          />
        </section>
      ) : (
        <>
          {graphQuery.isError ? (
            <Banner tone="warning" data-test="graph-stale">
              The graph could not be refreshed: {messageOf(graphQuery.error)}
            </Banner>
          ) : null}
          <div className={styles.layout}>
            <div className={styles.canvasWrap}>
              {view ? (
                <GraphCanvas
                  ref={canvasRef}
                  view={view}
                  positionsKey={slug}
                  labelMode={labelMode}
                  selected={selection}
                  onSelect={setSelection}
                  onToggleNamespace={toggleNamespace}
                />
              ) : null}
              {isAggregated ? (
                <div className={styles.overlayNote} data-test="graph-aggregated-note">
                  {graph.nodes.length} nodes, shown by namespace ({view?.expanded.length ?? 0} expanded).
                  Double-click a namespace to expand it, a box to collapse it.
                  {hiddenEdgeCount > 0 ? (
                    <>
                      {" "}
                      Showing the {overviewEdgeLimit} busiest namespace edges (failing ones first);{" "}
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setIsShowingAllEdges(true)}
                        data-test="graph-show-all-edges"
                      >
                        show {hiddenEdgeCount} more
                      </button>
                      .
                    </>
                  ) : null}
                </div>
              ) : null}
              <GraphLegend />
            </div>
            {selection && view && shownGraph && selectedIsShown ? (
              <GraphSidePanel
                slug={slug}
                graph={shownGraph}
                view={view}
                selection={selection}
                lastSeconds={lastSeconds}
                refetchMs={refetchMs}
                onClose={() => setSelection(null)}
                onSelect={setSelection}
                onExpand={expandFromButton}
              />
            ) : null}
          </div>
        </>
      )}
    </div>
  );
}
