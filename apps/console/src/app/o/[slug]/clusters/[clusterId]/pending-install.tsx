"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { InstallLine } from "~/components/install-line";
import { messageOf } from "~/lib/api-errors";
import { formatIn } from "~/lib/relative-time";
import { type RouterOutputs, useTRPC } from "~/lib/trpc";
import { useNow } from "~/lib/use-now";

type Cluster = RouterOutputs["clusters"]["get"];

/** A cluster whose agent has not called home: how it stands with its install line, and (admins) a new one. */
export function PendingInstall({
  slug,
  cluster,
  canManage,
}: {
  slug: string;
  cluster: Cluster;
  canManage: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow();
  function refresh() {
    void queryClient.invalidateQueries({
      queryKey: trpc.clusters.get.queryKey({ orgSlug: slug, clusterId: cluster.id }),
    });
    void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
  }
  const newLine = useMutation(trpc.clusters.createInstallLine.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(
    trpc.clusters.revokeInstallLines.mutationOptions({
      onSuccess() {
        // The line on screen no longer works: stop showing it.
        newLine.reset();
        refresh();
      },
    }),
  );
  const error = newLine.error ?? revoke.error;

  return (
    <section className="card" data-test="pending-install">
      <h2 className="card__title">
        <span className="sy-spinner" aria-hidden="true" /> Waiting for the agent
      </h2>
      <p className="card__description" data-test="pending-install-state">
        {cluster.installLineExpiresAt
          ? `An install line is active and expires ${formatIn(cluster.installLineExpiresAt, now)}. This page updates as soon as the agent connects.`
          : "No install line is active: it was used, revoked or has expired."}
        {canManage ? " Lost the line? Create a new one; earlier unused lines stop working." : ""}
      </p>
      {error ? (
        <Banner tone="error" data-test="pending-install-error">
          {messageOf(error)}
        </Banner>
      ) : null}
      {revoke.data ? (
        <Banner tone="success" data-test="install-revoked">
          {revoke.data.revoked === 0
            ? "There was no unused install line to revoke."
            : "The install line was revoked; it can no longer be used."}
        </Banner>
      ) : null}
      {newLine.data ? (
        <InstallLine
          installCommand={newLine.data.installCommand}
          expiresAt={newLine.data.expiresAt}
          status={cluster.status}
        />
      ) : null}
      {canManage ? (
        <div className="form-actions">
          <Button
            variant="secondary"
            isPending={newLine.isPending}
            onClick={() => {
              revoke.reset();
              newLine.mutate({ orgSlug: slug, clusterId: cluster.id });
            }}
            data-test="new-install-line"
          >
            New install line
          </Button>
          {cluster.installLineExpiresAt || newLine.data ? (
            <Button
              variant="ghost"
              isPending={revoke.isPending}
              onClick={() => revoke.mutate({ orgSlug: slug, clusterId: cluster.id })}
              data-test="revoke-install-line"
            >
              Revoke install line
            </Button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
