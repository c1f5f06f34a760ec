"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { CopyButton } from "@switchyard/ui/copy-button";
import { Skeleton } from "@switchyard/ui/skeleton";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ClusterStatusBadge } from "~/components/cluster-status-badge";
import { LabelChips } from "~/components/label-chips";
import { errorCodeOf, messageOf } from "~/lib/api-errors";
import { formatAgo } from "~/lib/relative-time";
import { useTRPC } from "~/lib/trpc";
import { useNow } from "~/lib/use-now";
import { useOrganization } from "~/lib/use-organization";
import { meshLabel } from "../cluster-card";
import { clusterRefetchMs } from "../refresh";
import { ConfigurationSection } from "./configuration-section";
import { InventorySection } from "./inventory-section";
import { PendingInstall } from "./pending-install";
import { RemoveClusterDialog } from "./remove-cluster-dialog";

type Removed = { name: string; uninstallCommand: string };

export function ClusterDetailView({ slug, clusterId }: { slug: string; clusterId: string }) {
  const [removed, setRemoved] = useState<Removed | null>(null);
  const clustersHref = `/o/${encodeURIComponent(slug)}/clusters`;
  // Once removed, the cluster's queries (which would now answer "not found") are unmounted with the view.
  if (removed) {
    return (
      <div className="page" data-test="cluster-removed">
        <h1 className="page__title">{removed.name} was removed</h1>
        <section className="card">
          <p>
            Its agent was cut off and its inventory deleted. To remove the agent from the cluster itself, run
            this against it:
          </p>
          <div className="code-block">
            <pre className="code-block__code">
              <code data-test="uninstall-command">{removed.uninstallCommand}</code>
            </pre>
            <CopyButton value={removed.uninstallCommand} label="Copy" data-test="uninstall-command-copy" />
          </div>
          <p>
            <Link href={clustersHref} data-test="back-to-clusters">
              ← Back to clusters
            </Link>
          </p>
        </section>
      </div>
    );
  }
  return <ClusterDetail slug={slug} clusterId={clusterId} onRemoved={setRemoved} />;
}

function ClusterDetail({
  slug,
  clusterId,
  onRemoved,
}: {
  slug: string;
  clusterId: string;
  onRemoved: (removed: Removed) => void;
}) {
  const organization = useOrganization(slug);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow();
  const clustersHref = `/o/${encodeURIComponent(slug)}/clusters`;
  const cluster = useQuery(
    trpc.clusters.get.queryOptions({ orgSlug: slug, clusterId }, { refetchInterval: clusterRefetchMs }),
  );
  const [isRemoving, setIsRemoving] = useState(false);
  const rotate = useMutation(
    trpc.clusters.rotateCredential.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() }),
    }),
  );
  const remove = useMutation(
    trpc.clusters.remove.mutationOptions({
      onSuccess(data) {
        void queryClient.invalidateQueries({ queryKey: trpc.clusters.list.queryKey({ orgSlug: slug }) });
        void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
        onRemoved({ name: cluster.data?.name ?? "The cluster", uninstallCommand: data.uninstallCommand });
        queryClient.removeQueries({ queryKey: trpc.clusters.get.queryKey({ orgSlug: slug, clusterId }) });
      },
    }),
  );

  if (cluster.isPending || !organization.data) {
    return (
      <div className="page" data-test="cluster-loading">
        <Skeleton lines={1} height="28px" width="40%" />
        <Skeleton lines={4} />
      </div>
    );
  }
  if (cluster.isError && !cluster.data) {
    const isNotFound = errorCodeOf(cluster.error) === "NOT_FOUND";
    return (
      <div className="page">
        <Banner
          tone="error"
          title={isNotFound ? "Cluster not found" : "This cluster could not be loaded"}
          onRetry={isNotFound ? undefined : () => cluster.refetch()}
          data-test="cluster-error"
        >
          {isNotFound ? "It may have been removed." : messageOf(cluster.error)}{" "}
          <Link href={clustersHref}>Go to clusters</Link>
        </Banner>
      </div>
    );
  }

  const data = cluster.data;
  const canManage = organization.data.capabilities.canManageClusters;
  const isPending = data.status === "pending";

  return (
    <div className="page" data-test="cluster-detail">
      <div>
        <Link href={clustersHref} className="breadcrumb">
          ← Clusters
        </Link>
      </div>
      <div className="page__header">
        <div>
          <h1 className="page__title cluster-title">
            <span data-test="cluster-title">{data.name}</span> <ClusterStatusBadge status={data.status} />
          </h1>
          <div className="cluster-labels">
            <LabelChips labels={data.labels} />
          </div>
        </div>
        {canManage ? (
          <div className="form-actions" data-test="cluster-actions">
            {!isPending ? (
              <Button
                variant="secondary"
                isPending={rotate.isPending}
                onClick={() => rotate.mutate({ orgSlug: slug, clusterId })}
                data-test="rotate-credential"
              >
                Rotate credential
              </Button>
            ) : null}
            <Button
              variant="danger"
              onClick={() => {
                remove.reset();
                setIsRemoving(true);
              }}
              data-test="remove-cluster"
            >
              Remove cluster
            </Button>
          </div>
        ) : null}
      </div>
      {cluster.isError ? (
        <Banner tone="warning" data-test="cluster-stale">
          Live status could not be refreshed: {messageOf(cluster.error)}
        </Banner>
      ) : null}
      {rotate.isSuccess ? (
        <Banner tone="success" data-test="rotate-requested">
          The agent was asked to trade its credential for a new one; the old one stops working once it has.
        </Banner>
      ) : null}
      {rotate.isError ? (
        <Banner tone="error" data-test="rotate-error">
          {messageOf(rotate.error)}
        </Banner>
      ) : null}
      <dl className="facts facts--row card" data-test="cluster-facts">
        <div>
          <dt>Last seen</dt>
          <dd data-test="cluster-last-seen">{formatAgo(data.lastSeenAt, now)}</dd>
        </div>
        <div>
          <dt>Kubernetes</dt>
          <dd data-test="cluster-kubernetes-version">{data.kubernetesVersion ?? "unknown"}</dd>
        </div>
        <div>
          <dt>Mesh</dt>
          <dd data-test="cluster-mesh">{isPending ? "unknown" : meshLabel(data.mesh)}</dd>
        </div>
        <div>
          <dt>Agent</dt>
          <dd>{data.agentVersion ?? "not installed"}</dd>
        </div>
        <div>
          <dt>Inventory synced</dt>
          <dd>{data.inventorySyncedAt ? formatAgo(data.inventorySyncedAt, now) : "not yet"}</dd>
        </div>
      </dl>
      {isPending ? <PendingInstall slug={slug} cluster={data} canManage={canManage} /> : null}
      {isPending ? null : <ConfigurationSection slug={slug} clusterId={clusterId} canManage={canManage} />}
      <InventorySection slug={slug} clusterId={clusterId} counts={data.counts} isPending={isPending} />
      {canManage ? (
        <RemoveClusterDialog
          clusterName={data.name}
          isOpen={isRemoving}
          isPending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate({ orgSlug: slug, clusterId })}
          onClose={() => setIsRemoving(false)}
        />
      ) : null}
    </div>
  );
}
