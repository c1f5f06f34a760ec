"use client";

import { Banner } from "@switchyard/ui/banner";
import { useQuery } from "@tanstack/react-query";
import { messageOf } from "~/lib/api-errors";
import { useTRPC } from "~/lib/trpc";

/** A cluster a change set will alter, with the config version it had before: progress is "past it". */
export type ApplyTarget = { clusterId: string; clusterName: string; baselineVersion: number };

const pollMs = 1000;

/**
 * Live progress of one apply ("2 of 3 clusters in sync"), then a receipt per cluster. A cluster counts
 * once its agent reached a version newer than the one it had before the apply, so an earlier in-sync
 * state (or a compile that has not run yet) is never mistaken for this change landing.
 */
export function ApplyProgress({
  slug,
  targets,
  title,
}: {
  slug: string;
  targets: ApplyTarget[];
  title: string;
}) {
  const trpc = useTRPC();
  const status = useQuery(
    trpc.clusters.configStatus.queryOptions(
      { orgSlug: slug },
      {
        refetchInterval: (query) => {
          const data = query.state.data;
          if (!data) return pollMs;
          const isDone = targets.every((target) => {
            const cluster = data.find((c) => c.clusterId === target.clusterId);
            return cluster && cluster.state !== "pending" && cluster.latestVersion > target.baselineVersion;
          });
          return isDone ? false : pollMs;
        },
      },
    ),
  );
  // The list's chips move with the clusters; keep them fresh while this change lands.
  useQuery(trpc.policies.list.queryOptions({ orgSlug: slug }, { refetchInterval: pollMs * 2 }));

  if (targets.length === 0) {
    return (
      <Banner tone="success" title={title} data-test="apply-progress">
        <span data-test="apply-progress-summary">
          No cluster's configuration changes; nothing to wait for.
        </span>
      </Banner>
    );
  }
  const rows = targets.map((target) => {
    const cluster = status.data?.find((c) => c.clusterId === target.clusterId);
    const hasMoved = cluster ? cluster.latestVersion > target.baselineVersion : false;
    const state =
      cluster && hasMoved && cluster.state === "in-sync" && cluster.reachedVersion > target.baselineVersion
        ? "in-sync"
        : cluster && hasMoved && cluster.state === "failed"
          ? "failed"
          : "pending";
    return { target, cluster, state };
  });
  const inSync = rows.filter((row) => row.state === "in-sync").length;
  const failed = rows.filter((row) => row.state === "failed").length;
  const overall =
    failed > 0 && inSync + failed === rows.length ? "failed" : inSync === rows.length ? "done" : "pending";

  return (
    <section className="card" data-test="apply-progress" data-state={overall}>
      <h2 className="card__title">{title}</h2>
      <p data-test="apply-progress-summary">
        {inSync} of {rows.length} {rows.length === 1 ? "cluster" : "clusters"} in sync
        {failed > 0 ? `, ${failed} failed` : ""}
        {overall === "pending" ? " — waiting for the agents…" : ""}
      </p>
      {status.isError ? (
        <Banner tone="warning" data-test="apply-progress-stale">
          Live status could not be refreshed: {messageOf(status.error)}
        </Banner>
      ) : null}
      <ul className="receipts">
        {rows.map(({ target, cluster, state }) => {
          const receipt =
            cluster?.receipt && cluster.receipt.version > target.baselineVersion ? cluster.receipt : null;
          return (
            <li key={target.clusterId} className="receipt" data-test="apply-receipt" data-state={state}>
              <strong data-test="receipt-cluster">{target.clusterName}</strong>{" "}
              <span
                className={
                  state === "in-sync"
                    ? "badge badge--ok"
                    : state === "failed"
                      ? "badge badge--danger"
                      : "badge"
                }
              >
                {state === "in-sync" ? "in sync" : state}
              </span>
              {receipt ? (
                <span className="muted" data-test="receipt-details">
                  {" "}
                  version {receipt.version}
                  {receipt.applyToAppliedMs !== null
                    ? `, applied ${formatMs(receipt.applyToAppliedMs)} after apply`
                    : ""}
                </span>
              ) : null}
              {cluster && hasErrors(cluster.errors) ? (
                <ul className="receipt__errors" data-test="receipt-errors">
                  {cluster.errors.map((error) => (
                    <li key={`${error.kind}/${error.namespace}/${error.name}`}>
                      {error.kind} {error.namespace}/{error.name}: {error.outcome}
                      {error.conflictManagers.length > 0 ? ` with ${error.conflictManagers.join(", ")}` : ""}
                      {error.message ? ` — ${error.message}` : ""}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function hasErrors(errors: readonly unknown[]): boolean {
  return errors.length > 0;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
