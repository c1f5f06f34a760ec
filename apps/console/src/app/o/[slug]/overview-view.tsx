"use client";

import { EmptyState } from "@switchyard/ui/empty-state";
import { Skeleton } from "@switchyard/ui/skeleton";
import Link from "next/link";
import { roleDescriptions, roleLabels } from "~/lib/roles";
import { useOrganization } from "~/lib/use-organization";

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium" });

export function OverviewView({ slug }: { slug: string }) {
  const organization = useOrganization(slug);
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
      </div>
      <section className="card">
        <h2 className="card__title">Clusters</h2>
        <EmptyState
          title="No clusters connected yet"
          description="Connecting a Kubernetes cluster with one command lands in an upcoming release. Its service graph, policies and rollouts will appear here."
          data-test="clusters-empty"
        />
      </section>
    </div>
  );
}
