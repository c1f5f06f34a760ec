import type { Metadata } from "next";
import { ClustersView } from "./clusters-view";

export const metadata: Metadata = { title: "Clusters" };

type Props = { params: Promise<{ slug: string }> };

export default async function ClustersPage({ params }: Props) {
  const { slug } = await params;
  return <ClustersView slug={decodeURIComponent(slug)} />;
}
