"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { Field } from "@switchyard/ui/field";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { Form } from "~/components/form";
import { InstallLine } from "~/components/install-line";
import { fieldErrorsOf, formErrorOf } from "~/lib/api-errors";
import { useTRPC } from "~/lib/trpc";
import { type LabelRow, LabelsEditor, labelsOf, localLabelErrors, newLabelRow } from "./labels-editor";
import { clusterRefetchMs } from "./refresh";

type Props = { slug: string; onClose: () => void };

export function ConnectClusterCard({ slug, onClose }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [rows, setRows] = useState<LabelRow[]>(() => [newLabelRow()]);
  const [localErrors, setLocalErrors] = useState<Record<number, string>>({});
  const create = useMutation(
    trpc.clusters.create.mutationOptions({
      onSuccess() {
        void queryClient.invalidateQueries({ queryKey: trpc.clusters.list.queryKey({ orgSlug: slug }) });
        void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
      },
    }),
  );
  // The same (shared, polling) query as the cards: the new cluster's status flips here as there.
  const clusters = useQuery(
    trpc.clusters.list.queryOptions({ orgSlug: slug }, { refetchInterval: clusterRefetchMs }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems = localLabelErrors(rows);
    setLocalErrors(problems);
    if (Object.keys(problems).length > 0) return;
    create.mutate({ orgSlug: slug, name: name.trim(), labels: labelsOf(rows) });
  }

  const fieldErrors = fieldErrorsOf(create.error);
  const rowKeys = new Set(rows.map((row) => `labels.${row.key.trim()}`));
  const rowMessages = new Set(
    Object.entries(fieldErrors)
      .filter(([key]) => rowKeys.has(key))
      .flatMap(([, messages]) => messages),
  );
  // zod also files every label's problem under "labels"; show there only what no row shows.
  const groupError = fieldErrors.labels?.find((message) => !rowMessages.has(message));
  const formError = formErrorOf(create.error, [
    "name",
    "labels",
    ...Object.keys(fieldErrors).filter((key) => key.startsWith("labels.")),
  ]);

  if (create.data) {
    const created = create.data;
    const cluster = clusters.data?.find((item) => item.id === created.clusterId);
    return (
      <section className="card" data-test="connect-result">
        <h2 className="card__title">Connect {cluster?.name ?? "your cluster"}</h2>
        <InstallLine
          installCommand={created.installCommand}
          expiresAt={created.expiresAt}
          status={cluster?.status}
        />
        <div className="form-actions">
          <Link
            href={`/o/${encodeURIComponent(slug)}/clusters/${encodeURIComponent(created.clusterId)}`}
            className="sy-button sy-button--secondary sy-button--md"
            data-test="connect-open-cluster"
          >
            Open cluster
          </Link>
          <Button variant="ghost" onClick={onClose} data-test="connect-done">
            Done
          </Button>
        </div>
      </section>
    );
  }

  return (
    <section className="card" data-test="connect-card">
      <h2 className="card__title">Connect a cluster</h2>
      <p className="card__description">
        Name it and label it; you then get one kubectl command that installs the Switchyard agent. The agent
        only makes outbound connections to this console.
      </p>
      {formError ? (
        <Banner tone="error" data-test="connect-error">
          {formError}
        </Banner>
      ) : null}
      <Form onSubmit={onSubmit} data-test="connect-form">
        <Field
          id="cluster-name"
          label="Name"
          hint="Lowercase letters, digits and '-', e.g. prod-eu-west-1"
          errors={fieldErrors.name}
        >
          <input
            id="cluster-name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="prod-eu-west-1"
            autoComplete="off"
            aria-invalid={Boolean(fieldErrors.name)}
            aria-describedby={fieldErrors.name ? "cluster-name-error" : undefined}
            data-test="cluster-name"
          />
        </Field>
        <LabelsEditor
          rows={rows}
          onChange={(next) => {
            setRows(next);
            setLocalErrors({});
          }}
          errors={fieldErrors}
          groupError={groupError}
          localErrors={localErrors}
        />
        <div className="form-actions">
          <Button type="submit" isPending={create.isPending} data-test="connect-submit">
            Create install line
          </Button>
          <Button variant="ghost" onClick={onClose} data-test="connect-cancel">
            Cancel
          </Button>
        </div>
      </Form>
    </section>
  );
}
