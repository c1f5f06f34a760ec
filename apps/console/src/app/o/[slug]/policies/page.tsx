import type { Metadata } from "next";
import { PoliciesView } from "./policies-view";

export const metadata: Metadata = { title: "Policies" };

type Props = { params: Promise<{ slug: string }> };

export default async function PoliciesPage({ params }: Props) {
  const { slug } = await params;
  return <PoliciesView slug={decodeURIComponent(slug)} />;
}
