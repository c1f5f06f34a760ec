"use client";

import { Skeleton } from "@switchyard/ui/skeleton";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { roleDescriptions, roleLabels } from "~/lib/roles";
import { useTRPC } from "~/lib/trpc";
import { useOrganization } from "~/lib/use-organization";

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium" });

export function OverviewView({ slug }: { slug: string }) {
  const organization = useOrganization(slug);
  const trpc = useTRPC();
  const clusters = useQuery(trpc.clusters.list.queryOptions({ orgSlug: slug }));
  const base = `/o/${encodeURIComponent(slug)}`;

  // Errors are shown once, by the shell around every organization page.
  if (!organization.data) {
    return (
      <div className="page">
        <Skeleton lines={1} height="28px" width="40%" />
        <div className="stat-grid">
          <Skeleton lines={3} />
          <Skeleton lines={3} />
          <Skeleton lines={3} />
        </div>
      </div>
    );
  }
  const org = organization.data;
  return (
    <div className="page" data-test="org-overview">
      <div className="page__header">
        <div>
          <h1 className="page__title" data-test="org-name">
            {org.name}
          </h1>
          <p className="page__subtitle">Organization overview</p>
        </div>
      </div>
      <div className="stat-grid">
        <div className="stat">
          <span className="stat__label">Your role</span>
          <span className="stat__value" data-test="org-role">
            {roleLabels[org.role]}
          </span>
          <span className="stat__hint">{roleDescriptions[org.role]}</span>
        </div>
        <div className="stat">
          <span className="stat__label">Members</span>
          <span className="stat__value" data-test="org-member-count">
            {org.memberCount}
          </span>
          <Link href={`${base}/members`} className="stat__hint">
            {org.capabilities.canManageMembers ? "Manage members and invitations →" : "See who is here →"}
          </Link>
        </div>
        <div className="stat">
          <span className="stat__label">Created</span>
          <span className="stat__value">{dateFormat.format(new Date(org.createdAt))}</span>
          {org.capabilities.canViewAudit ? (
            <Link href={`${base}/audit`} className="stat__hint">
              Audit log →
            </Link>
          ) : null}
        </div>
        <div className="stat" data-test="overview-clusters">
          <span className="stat__label">Clusters connected</span>
          <span className="stat__value" data-test="overview-cluster-count">
            {clusters.data
              ? `${clusters.data.filter((cluster) => cluster.status === "connected").length} / ${clusters.data.length}`
              : clusters.isError
                ? "—"
                : "…"}
          </span>
          {clusters.isError ? <span className="stat__hint">Could not be loaded right now.</span> : null}
          <Link href={`${base}/clusters`} className="stat__hint" data-test="overview-clusters-link">
            {clusters.data?.length === 0 && org.capabilities.canManageClusters
              ? "Connect a cluster →"
              : "See clusters →"}
          </Link>
        </div>
      </div>
    </div>
  );
}
