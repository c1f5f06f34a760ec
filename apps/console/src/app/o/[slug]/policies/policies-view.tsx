"use client";

import { Banner } from "@switchyard/ui/banner";
import { EmptyState } from "@switchyard/ui/empty-state";
import { Skeleton } from "@switchyard/ui/skeleton";
import { Table } from "@switchyard/ui/table";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { messageOf } from "~/lib/api-errors";
import { formatAgo } from "~/lib/relative-time";
import { type RouterOutputs, useTRPC } from "~/lib/trpc";
import { useNow } from "~/lib/use-now";
import { useOrganization } from "~/lib/use-organization";
import { SyncChips } from "./sync-chips";

type PolicyRow = RouterOutputs["policies"]["list"][number];

// Sync states move as agents apply; a few seconds is as fresh as anyone reads a list.
const listRefetchMs = 5000;

export function PoliciesView({ slug }: { slug: string }) {
  const organization = useOrganization(slug);
  const trpc = useTRPC();
  const policies = useQuery(
    trpc.policies.list.queryOptions({ orgSlug: slug }, { refetchInterval: listRefetchMs }),
  );
  const now = useNow();
  const base = `/o/${encodeURIComponent(slug)}/policies`;

  if (!organization.data) return <Skeleton lines={6} height="20px" />;
  const canEdit = organization.data.capabilities.canEditPolicies;
  const newButton = (test: string) => (
    <Link href={`${base}/new`} className="sy-button sy-button--primary sy-button--md" data-test={test}>
      New policy
    </Link>
  );

  return (
    <div className="page" data-test="policies-page">
      <div className="page__header">
        <div>
          <h1 className="page__title">Policies</h1>
          <p className="page__subtitle">
            Written once, compiled into Istio resources for every cluster they select.
            {canEdit ? "" : " Ask an editor to change them."}
          </p>
        </div>
        {canEdit && policies.data && policies.data.length > 0 ? newButton("new-policy") : null}
      </div>
      {policies.isPending ? (
        <div data-test="policies-loading">
          <Skeleton lines={5} />
        </div>
      ) : policies.isError && !policies.data ? (
        <Banner
          tone="error"
          title="Policies could not be loaded"
          onRetry={() => policies.refetch()}
          data-test="policies-error"
        >
          {messageOf(policies.error)}
        </Banner>
      ) : policies.data.length === 0 ? (
        <section className="card card--hero">
          <EmptyState
            title="No policies yet"
            description={
              canEdit
                ? "Route traffic between versions, set retries and timeouts, require mTLS, allow or deny callers, or limit rates — once, for every cluster."
                : "An editor of this organization can write policies here."
            }
            action={canEdit ? newButton("policies-new-cta") : undefined}
            data-test="policies-empty"
          />
        </section>
      ) : (
        <>
          {policies.isError ? (
            <Banner tone="warning" data-test="policies-stale">
              Live status could not be refreshed: {messageOf(policies.error)}
            </Banner>
          ) : null}
          <Table<PolicyRow>
            caption="Policies"
            data-test="policy-list"
            rows={policies.data}
            rowKey={(row) => row.id}
            rowTest={() => "policy-row"}
            columns={[
              {
                key: "name",
                header: "Name",
                cell: (row) => (
                  <Link href={`${base}/${encodeURIComponent(row.name)}`} data-test="policy-name">
                    {row.name}
                  </Link>
                ),
              },
              { key: "kind", header: "Kind", cell: (row) => <span className="badge">{row.kind}</span> },
              {
                key: "scope",
                header: "Scope",
                cell: (row) => <span data-test="policy-scope">{row.scope.summary}</span>,
              },
              {
                key: "revision",
                header: "Revision",
                cell: (row) => <span data-test="policy-revision">{row.revision}</span>,
              },
              {
                key: "updated",
                header: "Updated",
                cell: (row) => (
                  <span title={row.reason}>
                    {row.updatedBy}, {formatAgo(row.updatedAt, now)}
                  </span>
                ),
              },
              {
                key: "status",
                header: "Clusters",
                cell: (row) => <SyncChips counts={row.counts} total={row.clusters.length} />,
              },
            ]}
          />
        </>
      )}
    </div>
  );
}
