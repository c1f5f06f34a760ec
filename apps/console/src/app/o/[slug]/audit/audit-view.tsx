"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { EmptyState } from "@switchyard/ui/empty-state";
import { Skeleton } from "@switchyard/ui/skeleton";
import { Table, type TableColumn } from "@switchyard/ui/table";
import { useInfiniteQuery } from "@tanstack/react-query";
import { messageOf } from "~/lib/api-errors";
import { type RouterOutputs, useTRPC } from "~/lib/trpc";
import { useOrganization } from "~/lib/use-organization";

type AuditEvent = RouterOutputs["audit"]["list"]["events"][number];

const pageSize = 25;
const timeFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium" });

/** before/after as one short line: `role: viewer → admin`. */
function describeChange(event: AuditEvent): string {
  const before = isRecord(event.before) ? event.before : {};
  const after = isRecord(event.after) ? event.after : {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys
    .map((key) => {
      const from = key in before ? format(before[key]) : undefined;
      const to = key in after ? format(after[key]) : undefined;
      if (from !== undefined && to !== undefined) return `${key}: ${from} → ${to}`;
      return `${key}: ${to ?? from ?? ""}`;
    })
    .join(", ");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function format(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

const columns: TableColumn<AuditEvent>[] = [
  {
    key: "time",
    header: "Time",
    cell: (event) => <time dateTime={event.createdAt}>{timeFormat.format(new Date(event.createdAt))}</time>,
  },
  { key: "actor", header: "Actor", cell: (event) => event.actor },
  { key: "action", header: "Action", cell: (event) => <code data-test="audit-action">{event.action}</code> },
  { key: "target", header: "Target", cell: (event) => `${event.targetType} ${event.targetId}` },
  {
    key: "change",
    header: "Change",
    cell: (event) => <span className="muted">{describeChange(event)}</span>,
  },
];

export function AuditView({ slug }: { slug: string }) {
  const organization = useOrganization(slug);
  const canViewAudit = organization.data?.capabilities.canViewAudit ?? false;
  const trpc = useTRPC();
  const events = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { orgSlug: slug, limit: pageSize },
      { getNextPageParam: (page) => page.nextCursor, enabled: canViewAudit },
    ),
  );

  if (!organization.data) return <Skeleton lines={6} height="20px" />;
  if (!canViewAudit) {
    return (
      <div className="page">
        <h1 className="page__title">Audit log</h1>
        <Banner tone="info" data-test="audit-forbidden">
          Only admins and owners can see the audit log.
        </Banner>
      </div>
    );
  }

  const rows = events.data?.pages.flatMap((page) => page.events) ?? [];
  return (
    <div className="page" data-test="audit-page">
      <div className="page__header">
        <div>
          <h1 className="page__title">Audit log</h1>
          <p className="page__subtitle">Every change made in this organization, newest first.</p>
        </div>
      </div>
      <section className="card">
        {events.isPending ? (
          <Skeleton lines={6} height="20px" data-test="audit-loading" />
        ) : events.isError && rows.length === 0 ? (
          <Banner
            tone="error"
            title="The audit log could not be loaded"
            onRetry={() => events.refetch()}
            data-test="audit-error"
          >
            {messageOf(events.error)}
          </Banner>
        ) : rows.length === 0 ? (
          <EmptyState
            title="Nothing has happened yet"
            description="Changes to members, invitations and policies will be listed here."
            data-test="audit-empty"
          />
        ) : (
          <>
            <Table
              columns={columns}
              rows={rows}
              rowKey={(event) => event.id}
              rowTest={() => "audit-row"}
              caption="Audit events"
              data-test="audit-table"
            />
            {events.isFetchNextPageError ? (
              <Banner tone="error" onRetry={() => events.fetchNextPage()} data-test="audit-more-error">
                {messageOf(events.error)}
              </Banner>
            ) : null}
            <div className="table-footer">
              {events.hasNextPage ? (
                <Button
                  variant="secondary"
                  isPending={events.isFetchingNextPage}
                  onClick={() => events.fetchNextPage()}
                  data-test="audit-load-more"
                >
                  Load more
                </Button>
              ) : (
                <span className="muted" data-test="audit-end">
                  {rows.length} event{rows.length === 1 ? "" : "s"} · that is all
                </span>
              )}
            </div>
          </>
        )}
      </section>
    </div>
  );
}
