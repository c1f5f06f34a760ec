import type { Metadata } from "next";
import { AuditView } from "./audit-view";

export const metadata: Metadata = { title: "Audit log" };

type Props = { params: Promise<{ slug: string }> };

export default async function AuditPage({ params }: Props) {
  const { slug } = await params;
  return <AuditView slug={decodeURIComponent(slug)} />;
}
