"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { CopyButton } from "@switchyard/ui/copy-button";
import { Field } from "@switchyard/ui/field";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Form } from "~/components/form";
import { fieldErrorsOf, formErrorOf } from "~/lib/api-errors";
import { assignableRoles, isRole, roleLabels } from "~/lib/roles";
import { type Role, useTRPC } from "~/lib/trpc";

export function InviteForm({ slug, canGrantOwner }: { slug: string; canGrantOwner: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const invite = useMutation(
    trpc.invitations.create.mutationOptions({
      onSuccess() {
        setEmail("");
        void queryClient.invalidateQueries({ queryKey: trpc.invitations.list.queryKey({ orgSlug: slug }) });
        void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    invite.mutate({ orgSlug: slug, email: email.trim(), role });
  }

  const fieldErrors = fieldErrorsOf(invite.error);
  const formError = formErrorOf(invite.error, ["email", "role"]);

  return (
    <section className="card" data-test="invite-card">
      <h2 className="card__title">Invite a teammate</h2>
      <p className="card__description">
        There is no mail server: you get a link to send them yourself. It works once and expires in 7 days.
      </p>
      {formError ? (
        <Banner tone="error" data-test="invite-error">
          {formError}
        </Banner>
      ) : null}
      <Form onSubmit={onSubmit} className="inline-form" data-test="invite-form">
        <Field id="invite-email" label="Email" errors={fieldErrors.email}>
          <input
            id="invite-email"
            type="email"
            placeholder="teammate@example.com"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            aria-invalid={Boolean(fieldErrors.email)}
            aria-describedby={fieldErrors.email ? "invite-email-error" : undefined}
            data-test="invite-email"
          />
        </Field>
        <Field id="invite-role" label="Role" errors={fieldErrors.role}>
          <select
            id="invite-role"
            value={role}
            onChange={(event) => {
              if (isRole(event.target.value)) setRole(event.target.value);
            }}
            data-test="invite-role"
          >
            {assignableRoles(canGrantOwner).map((option) => (
              <option key={option} value={option}>
                {roleLabels[option]}
              </option>
            ))}
          </select>
        </Field>
        <div className="inline-form__submit">
          <Button type="submit" isPending={invite.isPending} data-test="invite-submit">
            Create invitation
          </Button>
        </div>
      </Form>
      {invite.data ? (
        <Banner
          tone="success"
          title={`Invitation for ${invite.data.invitation.email} created`}
          data-test="invite-result"
        >
          <p className="muted">Send them this link:</p>
          <div className="link-row">
            <code className="link-row__url" data-test="invite-url">
              {invite.data.url}
            </code>
            <CopyButton value={invite.data.url} label="Copy link" data-test="invite-copy" />
          </div>
        </Banner>
      ) : null}
    </section>
  );
}
