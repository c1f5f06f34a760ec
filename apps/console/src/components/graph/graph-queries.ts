// The graph's two API calls, shared by the graph page, the mTLS view and the service page.
//
// Interim: `graph.get` / `graph.series` (apps/api/src/router/graph.ts) are being written; until they
// are in AppRouter these calls go through the client untyped, against the agreed shapes, so the
// console keeps building. Switch to `trpc.graph.*.queryOptions` once the router lands.
import type { SeriesPoint, ServiceGraph } from "@switchyard/telemetry-model/graph-types";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPCClient } from "~/lib/trpc";

export type SeriesTarget = { kind: "node" | "edge"; id: string };
export type Series = { resolutionSeconds: number; points: SeriesPoint[] };

type GraphGetInput = { orgSlug: string; lastSeconds: number; clusters?: string[]; namespaces?: string[] };
type GraphSeriesInput = { orgSlug: string; target: SeriesTarget; lastSeconds: number };
type GraphClient = {
  graph: {
    get: { query: (input: GraphGetInput) => Promise<ServiceGraph> };
    series: { query: (input: GraphSeriesInput) => Promise<Series> };
  };
};

function useGraphClient(): GraphClient {
  return useTRPCClient() as unknown as GraphClient;
}

export function useServiceGraph(options: {
  slug: string;
  lastSeconds: number;
  clusters?: string[];
  namespaces?: string[];
  refetchMs: number;
}) {
  const client = useGraphClient();
  const { slug, lastSeconds, clusters, namespaces, refetchMs } = options;
  const input: GraphGetInput = {
    orgSlug: slug,
    lastSeconds,
    ...(clusters && clusters.length > 0 ? { clusters } : {}),
    ...(namespaces && namespaces.length > 0 ? { namespaces } : {}),
  };
  return useQuery({
    queryKey: [["graph", "get"], { input, type: "query" }],
    queryFn: () => client.graph.get.query(input),
    refetchInterval: refetchMs > 0 ? refetchMs : false,
    // A new range or filter keeps the drawn graph until the answer comes, then updates in place.
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });
}

export function useSeries(options: {
  slug: string;
  target: SeriesTarget;
  lastSeconds: number;
  refetchMs: number;
}) {
  const client = useGraphClient();
  const { slug, target, lastSeconds, refetchMs } = options;
  const input: GraphSeriesInput = { orgSlug: slug, target, lastSeconds };
  return useQuery({
    queryKey: [["graph", "series"], { input, type: "query" }],
    queryFn: () => client.graph.series.query(input),
    refetchInterval: refetchMs > 0 ? refetchMs : false,
    staleTime: 5_000,
  });
}
