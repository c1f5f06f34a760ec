import type { Metadata } from "next";
import { GraphView } from "./graph-view";

export const metadata: Metadata = { title: "Service graph" };

type Props = { params: Promise<{ slug: string }> };

export default async function GraphPage({ params }: Props) {
  const { slug } = await params;
  return <GraphView slug={decodeURIComponent(slug)} />;
}
