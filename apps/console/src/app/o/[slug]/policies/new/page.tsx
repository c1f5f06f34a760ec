import type { Metadata } from "next";
import { NewPolicyView } from "./new-policy-view";

export const metadata: Metadata = { title: "New policy" };

type Props = { params: Promise<{ slug: string }> };

export default async function NewPolicyPage({ params }: Props) {
  const { slug } = await params;
  return <NewPolicyView slug={decodeURIComponent(slug)} />;
}
