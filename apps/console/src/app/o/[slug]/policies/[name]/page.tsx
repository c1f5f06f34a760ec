import type { Metadata } from "next";
import { PolicyView } from "./policy-view";

export const metadata: Metadata = { title: "Policy" };

type Props = { params: Promise<{ slug: string; name: string }> };

export default async function PolicyPage({ params }: Props) {
  const { slug, name } = await params;
  return <PolicyView slug={decodeURIComponent(slug)} name={decodeURIComponent(name)} />;
}
