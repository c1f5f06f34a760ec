"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { Field } from "@switchyard/ui/field";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Form } from "~/components/form";
import { fieldErrorsOf, formErrorOf } from "~/lib/api-errors";
import { useTRPC } from "~/lib/trpc";

export function CreateOrganizationForm({ onCancel }: { onCancel?: () => void }) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const create = useMutation(
    trpc.orgs.create.mutationOptions({
      onSuccess(organization) {
        // A full navigation: every cached query belongs to the previous organization's context.
        window.location.assign(`/o/${encodeURIComponent(organization.slug)}`);
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name });
  }
  const fieldErrors = fieldErrorsOf(create.error);
  const formError = formErrorOf(create.error, ["name"]);
  return (
    <Form onSubmit={onSubmit} data-test="create-org-form">
      {formError ? (
        <Banner tone="error" data-test="create-org-error">
          {formError}
        </Banner>
      ) : null}
      <Field id="create-org-name" label="Organization name" errors={fieldErrors.name}>
        <input
          id="create-org-name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          aria-invalid={Boolean(fieldErrors.name)}
          data-test="create-org-name"
        />
      </Field>
      <div className="form-actions">
        <Button type="submit" isPending={create.isPending || create.isSuccess} data-test="create-org-submit">
          Create organization
        </Button>
        {onCancel ? (
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </div>
    </Form>
  );
}
