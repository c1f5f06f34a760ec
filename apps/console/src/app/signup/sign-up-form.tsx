"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { Field } from "@switchyard/ui/field";
import { Skeleton } from "@switchyard/ui/skeleton";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { Form } from "~/components/form";
import { fieldErrorsOf, formErrorOf, messageOf } from "~/lib/api-errors";
import { roleLabels } from "~/lib/roles";
import { useTRPC } from "~/lib/trpc";

const formFields = ["name", "email", "password", "organizationName"] as const;

export function SignUpForm({ invitationToken }: { invitationToken?: string | undefined }) {
  const trpc = useTRPC();
  const invitation = useQuery(
    trpc.invitations.preview.queryOptions(
      { token: invitationToken ?? "" },
      { enabled: Boolean(invitationToken) },
    ),
  );

  if (invitationToken && invitation.isPending) return <Skeleton lines={4} height="34px" />;
  if (invitationToken && invitation.isError) {
    return (
      <Banner
        tone="error"
        title="This invitation cannot be used"
        data-test="signup-invitation-error"
        onRetry={() => invitation.refetch()}
      >
        {messageOf(invitation.error)} <Link href="/signup">Create an account without it</Link>.
      </Banner>
    );
  }
  return (
    <SignUpFields
      invitationToken={invitationToken}
      invitation={invitation.data ? { ...invitation.data } : undefined}
    />
  );
}

type InvitationPreview = { organizationName: string; email: string; role: keyof typeof roleLabels };

function SignUpFields({
  invitationToken,
  invitation,
}: {
  invitationToken: string | undefined;
  invitation: InvitationPreview | undefined;
}) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [email, setEmail] = useState(invitation?.email ?? "");
  const [password, setPassword] = useState("");
  const [organizationName, setOrganizationName] = useState("");
  const [signInError, setSignInError] = useState<string | null>(null);
  const [isSigningIn, setIsSigningIn] = useState(false);
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSignInError(null);
    signUp.mutate(
      {
        name,
        email: email.trim(),
        password,
        ...(organizationName.trim() ? { organizationName } : {}),
        ...(invitationToken ? { invitationToken } : {}),
      },
      {
        async onSuccess(account) {
          setIsSigningIn(true);
          const result = await signIn("credentials", { email: email.trim(), password, redirect: false });
          if (!result?.ok || result.error) {
            // The account exists; only the automatic sign-in failed, so send them to sign in by hand.
            setSignInError(result?.error ?? "Your account was created. Sign in to continue.");
            setIsSigningIn(false);
            return;
          }
          window.location.assign(`/o/${encodeURIComponent(account.organizationSlug)}`);
        },
      },
    );
  }

  const fieldErrors = fieldErrorsOf(signUp.error);
  const formError = formErrorOf(signUp.error, formFields);
  const isPending = signUp.isPending || isSigningIn;

  return (
    <Form onSubmit={onSubmit} data-test="signup-form">
      {invitation ? (
        <Banner tone="info" data-test="signup-invitation">
          You are joining <strong>{invitation.organizationName}</strong> as {roleLabels[invitation.role]}.
        </Banner>
      ) : null}
      {formError ? (
        <Banner tone="error" data-test="signup-error">
          {formError}
        </Banner>
      ) : null}
      {signInError ? (
        <Banner tone="warning" data-test="signup-signin-error">
          {signInError} <Link href="/signin">Sign in</Link>
        </Banner>
      ) : null}
      <Field id="signup-name" label="Your name" errors={fieldErrors.name}>
        <input
          id="signup-name"
          autoComplete="name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          aria-invalid={Boolean(fieldErrors.name)}
          data-test="signup-name"
        />
      </Field>
      <Field
        id="signup-email"
        label="Work email"
        errors={fieldErrors.email}
        hint={invitation ? "The invitation was sent to this address." : undefined}
      >
        <input
          id="signup-email"
          type="email"
          autoComplete="email"
          value={email}
          readOnly={Boolean(invitation)}
          onChange={(event) => setEmail(event.target.value)}
          aria-invalid={Boolean(fieldErrors.email)}
          data-test="signup-email"
        />
      </Field>
      <Field
        id="signup-password"
        label="Password"
        errors={fieldErrors.password}
        hint="At least 10 characters."
      >
        <input
          id="signup-password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          aria-invalid={Boolean(fieldErrors.password)}
          data-test="signup-password"
        />
      </Field>
      {invitation ? null : (
        <Field
          id="signup-organization"
          label="Organization name (optional)"
          errors={fieldErrors.organizationName}
          hint="Usually your company or team. You can rename it later."
        >
          <input
            id="signup-organization"
            autoComplete="organization"
            value={organizationName}
            onChange={(event) => setOrganizationName(event.target.value)}
            aria-invalid={Boolean(fieldErrors.organizationName)}
            data-test="signup-organization"
          />
        </Field>
      )}
      <Button type="submit" isPending={isPending} className="auth-submit" data-test="signup-submit">
        {isPending ? "Creating your account…" : "Create account"}
      </Button>
      <p className="auth-alt">
        Already have an account?{" "}
        <Link
          href={
            invitationToken
              ? `/signin?callbackUrl=${encodeURIComponent(`/invite/${invitationToken}`)}`
              : "/signin"
          }
          data-test="signup-to-signin"
        >
          Sign in
        </Link>
      </p>
    </Form>
  );
}
