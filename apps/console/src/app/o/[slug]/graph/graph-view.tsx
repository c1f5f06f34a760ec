"use client";

import {
  buildGraphView,
  expandOverview,
  limitOverviewEdges,
  namespaceKeyOf,
  namespaceKeys,
  overviewEdgeLimit,
  unionOfNamespaceGraphs,
} from "@switchyard/telemetry-model/graph-aggregate";
import type { ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { EmptyState } from "@switchyard/ui/empty-state";
import { Skeleton } from "@switchyard/ui/skeleton";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Form } from "~/components/form";
import styles from "~/components/graph/graph.module.css";
import {
  GraphCanvas,
  type GraphCanvasHandle,
  type GraphSelection,
  type NamespaceToggle,
} from "~/components/graph/graph-canvas";
import {
  dataUntilLabel,
  defaultGraphRange,
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
import {
  useGraphOverview,
  useNamespaceGraphs,
  usePrefetchNamespaceGraph,
  useServiceGraph,
} from "~/components/graph/graph-queries";
import { GraphSidePanel } from "~/components/graph/graph-side-panel";
import { preloadLayoutWorker } from "~/components/graph/layout-client";
import { OptionSelect } from "~/components/graph/option-select";
import { messageOf } from "~/lib/api-errors";
import { GraphTabs } from "./graph-tabs";

type Expansion = { mode: "all" } | { mode: "some"; keys: ReadonlySet<string> };

function matches(text: string, needle: string): boolean {
  return text.toLowerCase().includes(needle.toLowerCase());
}

/** One empty list, so the namespace queries' combine (and the view built on it) stays put. */
const noNamespaceKeys: readonly string[] = [];

/** Hides matching nodes (by name, namespace or id) and the edges touching them, of a graph or a view. */
function withoutHidden<
  T extends { nodes: { id: string; name: string }[]; edges: { source: string; target: string }[] },
>(graph: T, needle: string): T {
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
  const [range, setRange] = useState<TimeRangeId>(defaultGraphRange);
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

  // Cytoscape (a 450 kB chunk) and the layout worker load while the graph's data is on its way: the
  // canvas that uses them mounts only once the data is there.
  useEffect(() => {
    void import("cytoscape");
    preloadLayoutWorker();
  }, []);

  const filters = {
    slug,
    lastSeconds,
    clusters: clusterFilter ? [clusterFilter] : [],
    namespaces: namespaceFilter ? [namespaceFilter] : [],
    refetchMs,
  };
  // A big mesh opens on the namespace overview the API computes (about a hundred namespaces instead
  // of thousands of nodes: docs/graph.md); each expanded namespace is then its own scoped graph.get,
  // and the whole graph is loaded only when asked for (every node, every edge).
  const openQuery = useGraphOverview(filters);
  const opened = openQuery.data;
  // For bench/graph-render: when the page first had what it opens on (streamed or fetched).
  useEffect(() => {
    if (opened && performance.getEntriesByName("graph:data").length === 0) performance.mark("graph:data");
  }, [opened]);
  const overview = opened?.mode === "overview" ? opened : null;
  // Where the opening data's range ends, and whether it came from the API's recording.
  const openedData = opened?.mode === "graph" ? opened.graph : (overview ?? undefined);
  const [wantsWholeGraph, setWantsWholeGraph] = useState(false);
  const wholeQuery = useServiceGraph({ ...filters, enabled: overview !== null && wantsWholeGraph });
  const graph: ServiceGraph | undefined =
    opened?.mode === "graph" ? opened.graph : wantsWholeGraph ? wholeQuery.data : undefined;
  const nodeCount = graph ? graph.nodes.length : (overview?.nodeCount ?? 0);

  // The first answer decides the opening view: everything, or the namespace overview of a big mesh.
  useEffect(() => {
    if (opened && expansion === null && (opened.mode === "overview" || opened.graph.nodes.length > 0)) {
      setExpansion(opened.mode === "overview" ? { mode: "some", keys: new Set() } : { mode: "all" });
    }
  }, [opened, expansion]);

  const expandedKeys = useMemo(
    () => (expansion?.mode === "some" ? [...expansion.keys].sort() : []),
    [expansion],
  );
  const isExpandingFromApi = overview !== null && !graph;
  const namespaceGraphs = useNamespaceGraphs({
    slug,
    lastSeconds,
    namespaceKeys: isExpandingFromApi ? expandedKeys : noNamespaceKeys,
    refetchMs,
  });
  const prefetchNamespaceGraph = usePrefetchNamespaceGraph({ slug, lastSeconds, refetchMs });
  const pressNamespace = useCallback(
    (namespaceKey: string) => {
      if (isExpandingFromApi) prefetchNamespaceGraph(namespaceKey);
    },
    [isExpandingFromApi, prefetchNamespaceGraph],
  );

  // Filter choices accumulate over answers, so a filter does not hide the other choices.
  const [seenClusters, setSeenClusters] = useState<string[]>([]);
  const [seenNamespaces, setSeenNamespaces] = useState<string[]>([]);
  useEffect(() => {
    const nodes = graph?.nodes ?? overview?.view.nodes;
    if (!nodes) return;
    const clusters = new Set(seenClusters);
    const namespaces = new Set(seenNamespaces);
    for (const node of nodes) {
      if (node.cluster) clusters.add(node.cluster);
      if (node.namespace) namespaces.add(node.namespace);
    }
    if (clusters.size !== seenClusters.length) setSeenClusters([...clusters].sort());
    if (namespaces.size !== seenNamespaces.length) setSeenNamespaces([...namespaces].sort());
  }, [graph, overview, seenClusters, seenNamespaces]);

  const shownGraph = useMemo(() => (graph ? withoutHidden(graph, hideText.trim()) : null), [graph, hideText]);
  const [isShowingAllEdges, setIsShowingAllEdges] = useState(false);
  const limited = useMemo(() => {
    if (!expansion) return null;
    if (shownGraph) {
      const full = buildGraphView(shownGraph, {
        expanded: expansion.mode === "all" ? "all" : expansion.keys,
      });
      return limitOverviewEdges(full, isShowingAllEdges ? Number.POSITIVE_INFINITY : overviewEdgeLimit);
    }
    if (!overview) return null;
    return {
      view: withoutHidden(expandOverview(overview.view, namespaceGraphs.graphs), hideText.trim()),
      hiddenEdgeCount: overview.hiddenEdgeCount,
    };
  }, [shownGraph, overview, namespaceGraphs.graphs, expansion, isShowingAllEdges, hideText]);
  const view = limited?.view ?? null;
  const hiddenEdgeCount = limited?.hiddenEdgeCount ?? 0;
  // What the side panel looks nodes and edges up in: the whole graph, or the expanded namespaces'.
  const panelGraph = useMemo(
    () =>
      shownGraph ??
      (overview
        ? (unionOfNamespaceGraphs(namespaceGraphs.graphs) ?? {
            range: overview.range,
            resolutionSeconds: overview.resolutionSeconds,
            nodes: [],
            edges: [],
          })
        : null),
    [shownGraph, overview, namespaceGraphs.graphs],
  );

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
    // Without the whole graph, find looks at what is shown: namespaces and expanded nodes.
    for (const node of shownGraph?.nodes ?? view.nodes) {
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
        <Form
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
        </Form>
        <input
          placeholder="Hide…"
          value={hideText}
          onChange={(event) => setHideText(event.target.value)}
          aria-label="Hide nodes matching"
          data-test="graph-hide"
        />
        {nodeCount > 0 ? (
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setSelection(null);
              if (isAggregated) setWantsWholeGraph(true);
              setExpansion(isAggregated ? { mode: "all" } : { mode: "some", keys: new Set() });
            }}
            data-test="graph-toggle-overview"
          >
            {isAggregated ? "Show every node" : "Namespace overview"}
          </Button>
        ) : null}
        {wantsWholeGraph && wholeQuery.isPending ? (
          <span className="muted" style={{ fontSize: 12 }} data-test="graph-loading-whole">
            Loading all {nodeCount} nodes…
          </span>
        ) : (openQuery.isFetching || namespaceGraphs.isFetching) && opened ? (
          <span className="muted" style={{ fontSize: 12 }}>
            Refreshing…
          </span>
        ) : openedData ? (
          <span
            className="muted"
            style={{ fontSize: 12 }}
            title={
              openedData.recordedAt
                ? "From the graph the telemetry job records every 30 s"
                : "Computed for this request"
            }
            data-test="graph-data-until"
          >
            {dataUntilLabel(openedData.range.end)}
          </span>
        ) : null}
      </div>

      {openQuery.isPending ? (
        <div data-test="graph-loading">
          <Skeleton lines={8} height="28px" />
        </div>
      ) : openQuery.isError && !opened ? (
        <Banner
          tone="error"
          title="The service graph could not be loaded"
          onRetry={() => openQuery.refetch()}
          data-test="graph-error"
        >
          {messageOf(openQuery.error)}
        </Banner>
      ) : nodeCount === 0 ? (
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
          {openQuery.isError || wholeQuery.isError ? (
            <Banner tone="warning" data-test="graph-stale">
              The graph could not be refreshed: {messageOf(openQuery.error ?? wholeQuery.error)}
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
                  onPressNamespace={pressNamespace}
                />
              ) : null}
              {isAggregated ? (
                <div className={styles.overlayNote} data-test="graph-aggregated-note">
                  {nodeCount} nodes, shown by namespace ({view?.expanded.length ?? 0} expanded). Double-click
                  a namespace to expand it, a box to collapse it.
                  {hiddenEdgeCount > 0 ? (
                    <>
                      {" "}
                      Showing the {overviewEdgeLimit} busiest namespace edges (failing ones first);{" "}
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => {
                          setWantsWholeGraph(true);
                          setIsShowingAllEdges(true);
                        }}
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
            {selection && view && panelGraph && selectedIsShown ? (
              <GraphSidePanel
                slug={slug}
                graph={panelGraph}
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
