"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { Dialog } from "@switchyard/ui/dialog";
import { Field } from "@switchyard/ui/field";
import { type FormEvent, useState } from "react";
import { Form } from "~/components/form";
import { messageOf } from "~/lib/api-errors";

type Props = {
  clusterName: string;
  isOpen: boolean;
  isPending: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
};

/** Removing a cluster cuts its agent off at once; typing the name makes sure it is the right one. */
export function RemoveClusterDialog({ clusterName, isOpen, isPending, error, onConfirm, onClose }: Props) {
  const [typed, setTyped] = useState("");
  const isMatch = typed.trim() === clusterName;
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (isMatch) onConfirm();
  }
  return (
    <Dialog
      isOpen={isOpen}
      title={`Remove ${clusterName}?`}
      onClose={() => {
        setTyped("");
        onClose();
      }}
      data-test="remove-dialog"
    >
      <p>
        The agent's credential is revoked at once and the cluster's inventory is deleted from Switchyard.
        Nothing in the cluster changes until you run the uninstall command shown next.
      </p>
      {error ? (
        <Banner tone="error" data-test="remove-error">
          {messageOf(error)}
        </Banner>
      ) : null}
      <Form onSubmit={onSubmit}>
        <Field id="remove-confirm-name" label={`Type ${clusterName} to confirm`}>
          <input
            id="remove-confirm-name"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoComplete="off"
            data-test="remove-confirm-name"
          />
        </Field>
        <div className="form-actions">
          <Button
            type="submit"
            variant="danger"
            disabled={!isMatch}
            isPending={isPending}
            data-test="remove-confirm"
          >
            Remove cluster
          </Button>
          <Button
            variant="secondary"
            onClick={() => {
              setTyped("");
              onClose();
            }}
            data-test="remove-cancel"
          >
            Cancel
          </Button>
        </div>
      </Form>
    </Dialog>
  );
}
