// The graph's two API calls, shared by the graph page, the mTLS view and the service page.
import type { SeriesPoint, ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/lib/trpc";

export type SeriesTarget = { kind: "node" | "edge"; id: string };
export type Series = { resolutionSeconds: number; points: SeriesPoint[] };

export function useServiceGraph(options: {
  slug: string;
  lastSeconds: number;
  clusters?: string[];
  namespaces?: string[];
  refetchMs: number;
}) {
  const trpc = useTRPC();
  const { slug, lastSeconds, clusters, namespaces, refetchMs } = options;
  return useQuery({
    ...trpc.graph.get.queryOptions(
      {
        orgSlug: slug,
        lastSeconds,
        ...(clusters && clusters.length > 0 ? { clusters } : {}),
        ...(namespaces && namespaces.length > 0 ? { namespaces } : {}),
      },
      {
        refetchInterval: refetchMs > 0 ? refetchMs : false,
        // A new range or filter keeps the drawn graph until the answer comes, then updates in place.
        placeholderData: keepPreviousData,
        staleTime: 5_000,
      },
    ),
    // The API's output schema is this type; naming it keeps the console on the shared contract.
    select: (graph): ServiceGraph => graph,
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
