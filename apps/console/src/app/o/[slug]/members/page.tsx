import type { Metadata } from "next";
import { MembersView } from "./members-view";

export const metadata: Metadata = { title: "Members" };

type Props = { params: Promise<{ slug: string }> };

export default async function MembersPage({ params }: Props) {
  const { slug } = await params;
  return <MembersView slug={decodeURIComponent(slug)} />;
}
