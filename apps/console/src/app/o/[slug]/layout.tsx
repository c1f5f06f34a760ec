import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { OrgShell } from "~/components/org-shell";
import { getSessionUser } from "~/server/auth";

type Props = { children: ReactNode; params: Promise<{ slug: string }> };

/** Every page of an organization needs a session; membership and role are the API's to check. */
export default async function OrganizationLayout({ children, params }: Props) {
  const { slug } = await params;
  const user = await getSessionUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(`/o/${slug}`)}`);
  return (
    <OrgShell slug={decodeURIComponent(slug)} user={user}>
      {children}
    </OrgShell>
  );
}
