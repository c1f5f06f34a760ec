"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { EmptyState } from "@switchyard/ui/empty-state";
import { Skeleton } from "@switchyard/ui/skeleton";
import { Table, type TableColumn } from "@switchyard/ui/table";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { messageOf } from "~/lib/api-errors";
import { roleLabels } from "~/lib/roles";
import { type RouterOutputs, useTRPC } from "~/lib/trpc";

type Invitation = RouterOutputs["invitations"]["list"][number];

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium" });

export function InvitationsTable({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.invitations.list.queryOptions({ orgSlug: slug }));
  const revoke = useMutation(
    trpc.invitations.revoke.mutationOptions({
      onSettled() {
        void queryClient.invalidateQueries({ queryKey: trpc.invitations.list.queryKey({ orgSlug: slug }) });
        void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
      },
    }),
  );

  const columns: TableColumn<Invitation>[] = [
    {
      key: "email",
      header: "Email",
      cell: (invitation) => <span data-test="invitation-row-email">{invitation.email}</span>,
    },
    {
      key: "role",
      header: "Role",
      cell: (invitation) => <span className="badge">{roleLabels[invitation.role]}</span>,
    },
    {
      key: "expires",
      header: "Expires",
      cell: (invitation) =>
        invitation.status === "expired" ? (
          <span className="badge badge--muted">Expired</span>
        ) : (
          dateFormat.format(new Date(invitation.expiresAt))
        ),
    },
    {
      key: "actions",
      header: <span className="sy-visually-hidden">Actions</span>,
      align: "right",
      cell: (invitation) => (
        <Button
          variant="ghost"
          size="sm"
          isPending={revoke.isPending && revoke.variables.invitationId === invitation.id}
          onClick={() => revoke.mutate({ orgSlug: slug, invitationId: invitation.id })}
          data-test="invitation-revoke"
        >
          Revoke
        </Button>
      ),
    },
  ];

  return (
    <section className="card" data-test="invitations-card">
      <h2 className="card__title">Pending invitations</h2>
      {revoke.isError ? (
        <Banner tone="error" data-test="invitations-mutation-error">
          {messageOf(revoke.error)}
        </Banner>
      ) : null}
      {invitations.isPending ? (
        <Skeleton lines={2} height="20px" />
      ) : invitations.isError ? (
        <Banner
          tone="error"
          title="Invitations could not be loaded"
          onRetry={() => invitations.refetch()}
          data-test="invitations-error"
        >
          {messageOf(invitations.error)}
        </Banner>
      ) : invitations.data.length === 0 ? (
        <EmptyState
          title="No pending invitations"
          description="Invitations you create appear here until they are accepted."
          data-test="invitations-empty"
        />
      ) : (
        <Table
          columns={columns}
          rows={invitations.data}
          rowKey={(invitation) => invitation.id}
          rowTest={() => "invitation-row"}
          caption="Pending invitations"
          data-test="invitations-table"
        />
      )}
    </section>
  );
}
