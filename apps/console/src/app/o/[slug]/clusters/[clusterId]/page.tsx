import type { Metadata } from "next";
import { ClusterDetailView } from "./cluster-detail-view";

export const metadata: Metadata = { title: "Cluster" };

type Props = { params: Promise<{ slug: string; clusterId: string }> };

export default async function ClusterPage({ params }: Props) {
  const { slug, clusterId } = await params;
  return <ClusterDetailView slug={decodeURIComponent(slug)} clusterId={decodeURIComponent(clusterId)} />;
}
