import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "~/components/auth-card";
import { safeCallbackUrl } from "~/lib/safe-callback-url";
import { getSessionUser } from "~/server/auth";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignInPage({ searchParams }: Props) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(
    typeof params.callbackUrl === "string" ? params.callbackUrl : undefined,
  );
  if (await getSessionUser()) redirect(callbackUrl);
  // next-auth sends failures of its own (not the form's) here as ?error=...
  const initialError = typeof params.error === "string" ? params.error : undefined;
  return (
    <AuthCard
      title="Sign in to Switchyard"
      subtitle="Manage the service mesh of every cluster from one place."
    >
      <SignInForm callbackUrl={callbackUrl} initialError={initialError} />
    </AuthCard>
  );
}
