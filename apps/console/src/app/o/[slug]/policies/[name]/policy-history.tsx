"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { Dialog } from "@switchyard/ui/dialog";
import { Field } from "@switchyard/ui/field";
import { Skeleton } from "@switchyard/ui/skeleton";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Form } from "~/components/form";
import { fieldErrorsOf, formErrorOf, messageOf } from "~/lib/api-errors";
import { formatAgo } from "~/lib/relative-time";
import { type RouterOutputs, useTRPC, useTRPCClient } from "~/lib/trpc";
import { useNow } from "~/lib/use-now";
import { ApplyProgress, type ApplyTarget } from "../apply-progress";
import { targetsOf } from "./apply-targets";

type Revision = RouterOutputs["policies"]["history"]["revisions"][number];

function formatValue(value: unknown): string {
  return value === null || value === undefined ? "—" : JSON.stringify(value);
}

export function PolicyHistory({
  slug,
  name,
  currentRevision,
  canEdit,
}: {
  slug: string;
  name: string;
  currentRevision: number;
  canEdit: boolean;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const now = useNow();
  const history = useQuery(trpc.policies.history.queryOptions({ orgSlug: slug, name }));
  const [shownYaml, setShownYaml] = useState<number | null>(null);
  const [target, setTarget] = useState<Revision | null>(null);
  const [reason, setReason] = useState("");
  const [progress, setProgress] = useState<{ revision: number; targets: ApplyTarget[] } | null>(null);
  const rollback = useMutation({
    mutationFn: async (input: { revision: Revision; reason: string }) => {
      const targets = await targetsOf(client, slug, { edits: [{ name, yaml: input.revision.yaml }] });
      await client.policies.rollback.mutate({
        orgSlug: slug,
        name,
        toRevision: input.revision.number,
        reason: input.reason,
      });
      return { revision: input.revision.number, targets };
    },
    onSuccess(result) {
      setProgress(result);
      setTarget(null);
      setReason("");
      void queryClient.invalidateQueries({ queryKey: trpc.policies.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
    },
  });

  if (history.isPending) return <Skeleton lines={5} data-test="history-loading" />;
  if (history.isError) {
    return (
      <Banner
        tone="error"
        title="History could not be loaded"
        onRetry={() => history.refetch()}
        data-test="history-error"
      >
        {messageOf(history.error)}
      </Banner>
    );
  }
  const revisions = [...history.data.revisions].sort((a, b) => b.number - a.number);

  return (
    <div className="history" data-test="policy-history">
      {progress ? (
        <ApplyProgress
          key={`${progress.revision}-${currentRevision}`}
          slug={slug}
          targets={progress.targets}
          title={`Rolling back to revision ${progress.revision}`}
        />
      ) : null}
      <ol className="history__list">
        {revisions.map((revision) => (
          <li
            key={revision.number}
            className="card history__item"
            data-test="revision"
            data-revision={revision.number}
          >
            <div className="history__head">
              <strong>Revision {revision.number}</strong>
              {revision.number === currentRevision ? <span className="badge badge--ok">current</span> : null}
              {revision.isDeletion ? <span className="badge badge--danger">deleted</span> : null}
              {revision.restoredFrom !== null ? (
                <span className="badge">rollback to {revision.restoredFrom}</span>
              ) : null}
              <span className="muted">
                {revision.author}, {formatAgo(revision.createdAt, now)}
              </span>
            </div>
            <p data-test="revision-reason">“{revision.reason}”</p>
            {revision.changes.length > 0 ? (
              <ul className="history__changes" data-test="revision-changes">
                {revision.changes.map((change) => (
                  <li key={change.field}>
                    <code>{change.field}</code>: {formatValue(change.before)} → {formatValue(change.after)}
                  </li>
                ))}
              </ul>
            ) : null}
            <div className="form-actions">
              {!revision.isDeletion ? (
                <Button
                  variant="ghost"
                  size="sm"
                  onClick={() => setShownYaml(shownYaml === revision.number ? null : revision.number)}
                  data-test="revision-view-yaml"
                >
                  {shownYaml === revision.number ? "Hide YAML" : "View YAML"}
                </Button>
              ) : null}
              {canEdit && revision.number !== currentRevision && !revision.isDeletion ? (
                <Button
                  variant="secondary"
                  size="sm"
                  onClick={() => {
                    rollback.reset();
                    setTarget(revision);
                  }}
                  data-test="revision-rollback"
                >
                  Roll back to this revision
                </Button>
              ) : null}
            </div>
            {shownYaml === revision.number ? (
              <pre className="code-block__code" data-test="revision-yaml">
                {revision.yaml}
              </pre>
            ) : null}
          </li>
        ))}
      </ol>
      {canEdit ? (
        <Dialog
          isOpen={target !== null}
          title={`Roll back to revision ${target?.number ?? ""}?`}
          onClose={() => setTarget(null)}
          data-test="rollback-dialog"
        >
          <Form
            className="confirm"
            onSubmit={(event) => {
              event.preventDefault();
              if (target) rollback.mutate({ revision: target, reason: reason.trim() });
            }}
          >
            <p>
              Revision {target?.number}'s YAML becomes a new revision and lands in every cluster it selects.
            </p>
            <Field id="rollback-reason" label="Reason" errors={fieldErrorsOf(rollback.error).reason}>
              <input
                id="rollback-reason"
                value={reason}
                onChange={(event) => setReason(event.target.value)}
                data-test="rollback-reason"
              />
            </Field>
            {formErrorOf(rollback.error, ["reason"]) ? (
              <Banner tone="error" data-test="rollback-error">
                {formErrorOf(rollback.error, ["reason"])}
              </Banner>
            ) : null}
            <div className="form-actions">
              <Button variant="secondary" onClick={() => setTarget(null)}>
                Cancel
              </Button>
              <Button
                type="submit"
                isPending={rollback.isPending}
                disabled={reason.trim() === ""}
                data-test="rollback-confirm"
              >
                Roll back
              </Button>
            </div>
          </Form>
        </Dialog>
      ) : null}
    </div>
  );
}
