"use client";

// recharts is 370 kB of script: the graph page loads it when a panel first shows a chart, not before
// the page can draw the graph.
import { Skeleton } from "@switchyard/ui/skeleton";
import dynamic from "next/dynamic";

export const SeriesCharts = dynamic(() => import("./series-charts").then((module) => module.SeriesCharts), {
  ssr: false,
  loading: () => <Skeleton lines={6} data-test="series-loading" />,
});
