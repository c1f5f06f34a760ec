import type { Metadata } from "next";
import { AuthCard } from "~/components/auth-card";
import { getSessionUser } from "~/server/auth";
import { InvitationView } from "./invitation-view";

export const metadata: Metadata = { title: "Invitation" };

type Props = { params: Promise<{ token: string }> };

export default async function InvitationPage({ params }: Props) {
  const { token } = await params;
  const user = await getSessionUser();
  return (
    <AuthCard title="You have been invited">
      <InvitationView token={decodeURIComponent(token)} signedInEmail={user?.email ?? null} />
    </AuthCard>
  );
}
