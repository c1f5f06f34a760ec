"use client";

import { Banner } from "@switchyard/ui/banner";
import { Skeleton } from "@switchyard/ui/skeleton";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { messageOf } from "~/lib/api-errors";
import { formatAgo } from "~/lib/relative-time";
import { useTRPC } from "~/lib/trpc";
import { useNow } from "~/lib/use-now";
import { clusterRefetchMs } from "../refresh";

const stateLabels = { "in-sync": "In sync", pending: "Pending", failed: "Failed" } as const;

/** The policies' desired configuration in this cluster: versions, sync state, drift and errors. */
export function ConfigurationSection({
  slug,
  clusterId,
  canManage,
}: {
  slug: string;
  clusterId: string;
  /** Admins may switch drift repair on or off. */
  canManage: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow();
  const setRepairDrift = useMutation(
    trpc.clusters.setRepairDrift.mutationOptions({
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.clusters.configStatus.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
      },
    }),
  );
  const status = useQuery(
    trpc.clusters.configStatus.queryOptions(
      { orgSlug: slug, clusterId },
      { refetchInterval: clusterRefetchMs },
    ),
  );
  const config = status.data?.[0];

  return (
    <section className="card" data-test="cluster-configuration">
      <h2 className="card__title">Configuration</h2>
      {status.isPending ? (
        <Skeleton lines={3} data-test="configuration-loading" />
      ) : status.isError && !status.data ? (
        <Banner
          tone="error"
          title="Configuration status could not be loaded"
          onRetry={() => status.refetch()}
          data-test="configuration-error"
        >
          {messageOf(status.error)}
        </Banner>
      ) : !config ? (
        <p className="muted" data-test="configuration-empty">
          No policy configuration for this cluster yet.
        </p>
      ) : (
        <>
          <dl className="facts facts--row">
            <div>
              <dt>Sync</dt>
              <dd>
                <span
                  className={
                    config.state === "in-sync"
                      ? "badge badge--ok"
                      : config.state === "failed"
                        ? "badge badge--danger"
                        : "badge badge--warning"
                  }
                  data-test="configuration-state"
                  data-state={config.state}
                >
                  {stateLabels[config.state]}
                </span>
              </dd>
            </div>
            <div>
              <dt>Applied version</dt>
              <dd data-test="configuration-applied-version">{config.reachedVersion}</dd>
            </div>
            <div>
              <dt>Latest version</dt>
              <dd data-test="configuration-latest-version">{config.latestVersion}</dd>
            </div>
            <div>
              <dt>Resources</dt>
              <dd>{config.resourceCount}</dd>
            </div>
            <div>
              <dt>Last report</dt>
              <dd>{formatAgo(config.reportedAt, now)}</dd>
            </div>
            <div>
              <dt>Drift</dt>
              <dd data-test="configuration-repair-drift">
                {config.repairDrift ? "repaired automatically" : "reported only"}
                {canManage ? (
                  <>
                    {" "}
                    <button
                      type="button"
                      className="link-button"
                      disabled={setRepairDrift.isPending}
                      onClick={() =>
                        setRepairDrift.mutate({ orgSlug: slug, clusterId, repairDrift: !config.repairDrift })
                      }
                      data-test="configuration-repair-drift-toggle"
                    >
                      {config.repairDrift ? "Only report drift" : "Repair drift automatically"}
                    </button>
                  </>
                ) : null}
                {setRepairDrift.isError ? (
                  <span className="text-warning" role="alert" data-test="configuration-repair-drift-error">
                    {" "}
                    {messageOf(setRepairDrift.error)}
                  </span>
                ) : null}
              </dd>
            </div>
          </dl>
          {config.errors.length > 0 ? (
            <div data-test="configuration-errors">
              <h3>Errors</h3>
              <ul>
                {config.errors.map((error) => (
                  <li
                    key={`${error.kind}/${error.namespace}/${error.name}`}
                    data-test="configuration-error-item"
                  >
                    {error.kind} {error.namespace}/{error.name}: {error.outcome}
                    {error.conflictManagers.length > 0 ? ` with ${error.conflictManagers.join(", ")}` : ""}
                    {error.message ? ` — ${error.message}` : ""}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {config.diagnostics.some((d) => d.severity === "error") ? (
            <div data-test="configuration-diagnostics">
              <h3>Policies that could not land here</h3>
              <ul>
                {config.diagnostics
                  .filter((d) => d.severity === "error")
                  .map((d, index) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: diagnostics have no id
                    <li key={index}>
                      {d.policy ? `${d.policy}: ` : ""}
                      {d.message}
                    </li>
                  ))}
              </ul>
            </div>
          ) : null}
          <div data-test="configuration-drift">
            <h3>Drift</h3>
            {config.drift.length === 0 ? (
              <p className="muted">No resource of ours was changed by anyone else.</p>
            ) : (
              <ul>
                {config.drift.map((item) => (
                  <li
                    key={`${item.kind}/${item.namespace}/${item.name}`}
                    data-test="configuration-drift-item"
                  >
                    {item.kind} {item.namespace}/{item.name} {item.change}
                    {item.manager ? ` by ${item.manager}` : ""} —{" "}
                    {item.isRepaired ? "repaired" : "not repaired"}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </>
      )}
    </section>
  );
}
