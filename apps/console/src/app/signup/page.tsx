import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "~/components/auth-card";
import { getSessionUser } from "~/server/auth";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Create your account" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignUpPage({ searchParams }: Props) {
  const params = await searchParams;
  const invitationToken = typeof params.invite === "string" && params.invite ? params.invite : undefined;
  if (await getSessionUser())
    redirect(invitationToken ? `/invite/${encodeURIComponent(invitationToken)}` : "/");
  return (
    <AuthCard
      title={invitationToken ? "Join your team on Switchyard" : "Create your Switchyard account"}
      subtitle={
        invitationToken
          ? "Create an account to accept the invitation."
          : "You will be the owner of a new organization; invite your team next."
      }
    >
      <SignUpForm invitationToken={invitationToken} />
    </AuthCard>
  );
}
