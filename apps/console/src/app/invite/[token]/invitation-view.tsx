"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { Skeleton } from "@switchyard/ui/skeleton";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { signOut } from "next-auth/react";
import { messageOf } from "~/lib/api-errors";
import { roleDescriptions, roleLabels } from "~/lib/roles";
import { useTRPC } from "~/lib/trpc";

export function InvitationView({ token, signedInEmail }: { token: string; signedInEmail: string | null }) {
  const trpc = useTRPC();
  const preview = useQuery(trpc.invitations.preview.queryOptions({ token }));
  const accept = useMutation(
    trpc.invitations.accept.mutationOptions({
      onSuccess(organization) {
        window.location.assign(`/o/${encodeURIComponent(organization.slug)}`);
      },
    }),
  );

  if (preview.isPending) return <Skeleton lines={3} height="20px" />;
  if (preview.isError) {
    return (
      <Banner tone="error" title="This invitation cannot be used" data-test="invitation-error">
        {messageOf(preview.error)} Ask whoever invited you for a new link.
      </Banner>
    );
  }

  const invitation = preview.data;
  const here = `/invite/${encodeURIComponent(token)}`;
  const isForSignedInUser = signedInEmail?.toLowerCase() === invitation.email.toLowerCase();

  return (
    <div data-test="invitation">
      <dl className="invitation-details">
        <dt>Organization</dt>
        <dd data-test="invitation-organization">{invitation.organizationName}</dd>
        <dt>Role</dt>
        <dd data-test="invitation-role">
          {roleLabels[invitation.role]} <span className="muted">— {roleDescriptions[invitation.role]}</span>
        </dd>
        <dt>For</dt>
        <dd data-test="invitation-email">{invitation.email}</dd>
      </dl>
      {accept.isError ? (
        <Banner tone="error" data-test="invitation-accept-error">
          {messageOf(accept.error)}
        </Banner>
      ) : null}
      {isForSignedInUser ? (
        <Button
          isPending={accept.isPending}
          onClick={() => accept.mutate({ token })}
          className="auth-submit"
          data-test="invitation-accept"
        >
          Accept and join {invitation.organizationName}
        </Button>
      ) : signedInEmail ? (
        <Banner tone="warning" data-test="invitation-wrong-account">
          You are signed in as {signedInEmail}, but this invitation is for {invitation.email}.{" "}
          <button
            type="button"
            className="link-button"
            onClick={() => signOut({ callbackUrl: `/signin?callbackUrl=${encodeURIComponent(here)}` })}
          >
            Sign out and switch accounts
          </button>
        </Banner>
      ) : (
        <div className="invitation-actions">
          <Link
            href={`/signup?invite=${encodeURIComponent(token)}`}
            className="sy-button sy-button--primary sy-button--md"
            data-test="invitation-signup"
          >
            Create an account
          </Link>
          <Link
            href={`/signin?callbackUrl=${encodeURIComponent(here)}`}
            className="sy-button sy-button--secondary sy-button--md"
            data-test="invitation-signin"
          >
            I already have an account
          </Link>
        </div>
      )}
    </div>
  );
}
