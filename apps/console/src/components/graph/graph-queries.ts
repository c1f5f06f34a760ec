// The graph's two API calls, shared by the graph page, the mTLS view and the service page.
import { namespaceOfKey } from "@switchyard/telemetry-model/graph-aggregate";
import type { SeriesPoint, ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import { keepPreviousData, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useTRPC } from "~/lib/trpc";

export type SeriesTarget = { kind: "node" | "edge"; id: string };
export type Series = { resolutionSeconds: number; points: SeriesPoint[] };

/** The range and filters of the graph's calls, as their input. */
function graphInputOf(options: {
  slug: string;
  lastSeconds: number;
  clusters?: string[];
  namespaces?: string[];
}) {
  const { slug, lastSeconds, clusters, namespaces } = options;
  return {
    orgSlug: slug,
    lastSeconds,
    ...(clusters && clusters.length > 0 ? { clusters } : {}),
    ...(namespaces && namespaces.length > 0 ? { namespaces } : {}),
  };
}

export function useServiceGraph(options: {
  slug: string;
  lastSeconds: number;
  clusters?: string[];
  namespaces?: string[];
  refetchMs: number;
  enabled?: boolean;
}) {
  const trpc = useTRPC();
  const { refetchMs, enabled = true } = options;
  return useQuery({
    ...trpc.graph.get.queryOptions(graphInputOf(options), {
      refetchInterval: refetchMs > 0 ? refetchMs : false,
      // A new range or filter keeps the drawn graph until the answer comes, then updates in place.
      placeholderData: keepPreviousData,
      staleTime: 5_000,
      enabled,
    }),
    // The API's output schema is this type; naming it keeps the console on the shared contract.
    select: (graph): ServiceGraph => graph,
  });
}

/** What the graph page opens on: the whole graph when small, else the namespace overview. */
export function useGraphOverview(options: {
  slug: string;
  lastSeconds: number;
  clusters?: string[];
  namespaces?: string[];
  refetchMs: number;
}) {
  const trpc = useTRPC();
  const { refetchMs } = options;
  return useQuery(
    trpc.graph.overview.queryOptions(graphInputOf(options), {
      refetchInterval: refetchMs > 0 ? refetchMs : false,
      placeholderData: keepPreviousData,
      staleTime: 5_000,
    }),
  );
}

/** Loaded graphs by namespace key; a key still loading is absent. */
export type ScopedGraphs = { graphs: ReadonlyMap<string, ServiceGraph>; isFetching: boolean };

function combineScoped(
  results: { data?: ServiceGraph | undefined; isFetching: boolean }[],
  keys: readonly string[],
) {
  const graphs = new Map<string, ServiceGraph>();
  keys.forEach((key, index) => {
    const data = results[index]?.data;
    if (data) graphs.set(key, data);
  });
  return { graphs, isFetching: results.some((result) => result.isFetching) };
}

/** The query of one namespace's graph (graph.get scoped to its cluster and namespace). */
function namespaceGraphOptions(
  trpc: ReturnType<typeof useTRPC>,
  options: { slug: string; lastSeconds: number; namespaceKey: string; refetchMs: number },
) {
  const { cluster, namespace } = namespaceOfKey(options.namespaceKey);
  return trpc.graph.get.queryOptions(
    { orgSlug: options.slug, lastSeconds: options.lastSeconds, clusters: [cluster], namespaces: [namespace] },
    {
      refetchInterval: options.refetchMs > 0 ? options.refetchMs : false,
      placeholderData: keepPreviousData,
      staleTime: 5_000,
      // Not batched: a prefetch on press must leave before the frame the press causes.
      trpc: { context: { skipBatch: true } },
    },
  );
}

/**
 * Starts loading a namespace's graph before it is asked to expand: the page calls it when a
 * namespace node is pressed, so the first press of a double-click sends the request that the
 * expansion (`useNamespaceGraphs`) then finds under way or done, instead of sending it only after
 * the two clicks and the frames they cause (≈ 100 ms later, bench/graph-render).
 */
export function usePrefetchNamespaceGraph(options: { slug: string; lastSeconds: number; refetchMs: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { slug, lastSeconds, refetchMs } = options;
  return useCallback(
    (namespaceKey: string) =>
      void queryClient.prefetchQuery(
        namespaceGraphOptions(trpc, { slug, lastSeconds, namespaceKey, refetchMs }),
      ),
    [queryClient, trpc, slug, lastSeconds, refetchMs],
  );
}

/** The graph of each expanded namespace of the overview (graph.get scoped to its cluster and namespace). */
export function useNamespaceGraphs(options: {
  slug: string;
  lastSeconds: number;
  namespaceKeys: readonly string[];
  refetchMs: number;
}): ScopedGraphs {
  const trpc = useTRPC();
  const { slug, lastSeconds, namespaceKeys, refetchMs } = options;
  // A stable combine is re-run only when a result changes, so the page's view is rebuilt only then.
  const combine = useCallback(
    (results: { data?: ServiceGraph | undefined; isFetching: boolean }[]) =>
      combineScoped(results, namespaceKeys),
    [namespaceKeys],
  );
  return useQueries({
    queries: namespaceKeys.map((namespaceKey) =>
      namespaceGraphOptions(trpc, { slug, lastSeconds, namespaceKey, refetchMs }),
    ),
    combine,
  });
}

export function useSeries(options: {
  slug: string;
  target: SeriesTarget;
  lastSeconds: number;
  refetchMs: number;
}) {
  const trpc = useTRPC();
  const { slug, target, lastSeconds, refetchMs } = options;
  return useQuery({
    ...trpc.graph.series.queryOptions(
      { orgSlug: slug, target, lastSeconds },
      { refetchInterval: refetchMs > 0 ? refetchMs : false, staleTime: 5_000 },
    ),
    select: (series): Series => series,
  });
}
