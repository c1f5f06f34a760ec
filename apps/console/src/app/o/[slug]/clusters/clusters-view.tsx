"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { EmptyState } from "@switchyard/ui/empty-state";
import { Skeleton } from "@switchyard/ui/skeleton";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { messageOf } from "~/lib/api-errors";
import { useTRPC } from "~/lib/trpc";
import { useNow } from "~/lib/use-now";
import { useOrganization } from "~/lib/use-organization";
import { ClusterCard } from "./cluster-card";
import { ConnectClusterCard } from "./connect-cluster-card";
import { clusterRefetchMs } from "./refresh";

export function ClustersView({ slug }: { slug: string }) {
  const organization = useOrganization(slug);
  const trpc = useTRPC();
  const clusters = useQuery(
    trpc.clusters.list.queryOptions({ orgSlug: slug }, { refetchInterval: clusterRefetchMs }),
  );
  const [isConnecting, setIsConnecting] = useState(false);
  const now = useNow();

  if (!organization.data) return <Skeleton lines={6} height="20px" />;
  const canManage = organization.data.capabilities.canManageClusters;
  const connectButton = (size: "md" | "sm", test: string) => (
    <Button size={size} onClick={() => setIsConnecting(true)} data-test={test}>
      Connect cluster
    </Button>
  );

  return (
    <div className="page" data-test="clusters-page">
      <div className="page__header">
        <div>
          <h1 className="page__title">Clusters</h1>
          <p className="page__subtitle">
            {canManage
              ? "Kubernetes clusters connected to this organization, live."
              : "Kubernetes clusters connected to this organization. Ask an admin to connect one."}
          </p>
        </div>
        {canManage && !isConnecting && clusters.data && clusters.data.length > 0
          ? connectButton("md", "connect-cluster")
          : null}
      </div>
      {canManage && isConnecting ? (
        <ConnectClusterCard slug={slug} onClose={() => setIsConnecting(false)} />
      ) : null}
      {clusters.isPending ? (
        <div className="cluster-grid" data-test="clusters-loading">
          <Skeleton lines={5} />
          <Skeleton lines={5} />
        </div>
      ) : clusters.isError && !clusters.data ? (
        <Banner
          tone="error"
          title="Clusters could not be loaded"
          onRetry={() => clusters.refetch()}
          data-test="clusters-error"
        >
          {messageOf(clusters.error)}
        </Banner>
      ) : clusters.data.length === 0 ? (
        isConnecting ? null : (
          <section className="card card--hero">
            <EmptyState
              title="No clusters connected yet"
              description={
                canManage
                  ? "Connect a Kubernetes cluster with one kubectl command. Its namespaces, services and workloads appear here within seconds."
                  : "An admin of this organization can connect a Kubernetes cluster with one command."
              }
              action={canManage ? connectButton("md", "clusters-connect-cta") : undefined}
              data-test="clusters-empty"
            />
          </section>
        )
      ) : (
        <>
          {clusters.isError ? (
            // Polling failed after a success: keep the last known cards, say they may be stale.
            <Banner tone="warning" data-test="clusters-stale">
              Live status could not be refreshed: {messageOf(clusters.error)}
            </Banner>
          ) : null}
          <div className="cluster-grid" data-test="cluster-list">
            {clusters.data.map((cluster) => (
              <ClusterCard key={cluster.id} slug={slug} cluster={cluster} now={now} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
