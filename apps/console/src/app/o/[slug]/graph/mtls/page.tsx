import type { Metadata } from "next";
import { MtlsView } from "./mtls-view";

export const metadata: Metadata = { title: "mTLS coverage" };

type Props = { params: Promise<{ slug: string }> };

export default async function MtlsPage({ params }: Props) {
  const { slug } = await params;
  return <MtlsView slug={decodeURIComponent(slug)} />;
}
