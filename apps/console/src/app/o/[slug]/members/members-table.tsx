"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { EmptyState } from "@switchyard/ui/empty-state";
import { Skeleton } from "@switchyard/ui/skeleton";
import { Table, type TableColumn } from "@switchyard/ui/table";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { messageOf } from "~/lib/api-errors";
import { assignableRoles, isRole, roleLabels } from "~/lib/roles";
import { type RouterOutputs, useTRPC } from "~/lib/trpc";
import type { Organization } from "~/lib/use-organization";

type Member = RouterOutputs["members"]["list"][number];

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium" });

export function MembersTable({
  slug,
  capabilities,
}: {
  slug: string;
  capabilities: Organization["capabilities"];
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.members.list.queryOptions({ orgSlug: slug }));
  const [confirmingId, setConfirmingId] = useState<string | null>(null);

  function refresh() {
    void queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey({ orgSlug: slug }) });
    void queryClient.invalidateQueries({ queryKey: trpc.orgs.get.queryKey({ orgSlug: slug }) });
    void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
  }
  const changeRole = useMutation(trpc.members.changeRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onSuccess: () => setConfirmingId(null),
      onSettled: refresh,
    }),
  );

  const ownerCount = members.data?.filter((member) => member.role === "owner").length ?? 0;

  /**
   * Admins manage members, but only owners may touch an owner or make someone one; and the last
   * owner stays (the API refuses it too; offering the action would only lead to an error).
   */
  function canChange(member: Member) {
    if (!capabilities.canManageMembers) return false;
    if (member.role !== "owner") return true;
    return capabilities.canGrantOwner && ownerCount > 1;
  }

  const columns: TableColumn<Member>[] = [
    {
      key: "member",
      header: "Member",
      cell: (member) => (
        <div className="member">
          <span className="member__name" data-test="member-name">
            {member.name}
          </span>
          <span className="member__email" data-test="member-email">
            {member.email}
          </span>
        </div>
      ),
    },
    {
      key: "role",
      header: "Role",
      cell: (member) =>
        canChange(member) ? (
          <select
            className="sy-input sy-input--compact"
            aria-label={`Role of ${member.email}`}
            value={member.role}
            disabled={changeRole.isPending}
            onChange={(event) => {
              if (isRole(event.target.value))
                changeRole.mutate({ orgSlug: slug, membershipId: member.id, role: event.target.value });
            }}
            data-test="member-role-select"
          >
            {assignableRoles(capabilities.canGrantOwner).map((role) => (
              <option key={role} value={role}>
                {roleLabels[role]}
              </option>
            ))}
          </select>
        ) : (
          <span className={`badge badge--${member.role}`} data-test="member-role">
            {roleLabels[member.role]}
          </span>
        ),
    },
    { key: "joined", header: "Joined", cell: (member) => dateFormat.format(new Date(member.joinedAt)) },
  ];
  if (capabilities.canManageMembers) {
    columns.push({
      key: "actions",
      header: <span className="sy-visually-hidden">Actions</span>,
      align: "right",
      cell: (member) =>
        !canChange(member) ? null : confirmingId === member.id ? (
          <span className="confirm" data-test="member-remove-confirmation">
            Remove {member.name}?{" "}
            <Button
              variant="danger"
              size="sm"
              isPending={remove.isPending}
              onClick={() => remove.mutate({ orgSlug: slug, membershipId: member.id })}
              data-test="member-remove-confirm"
            >
              Remove
            </Button>{" "}
            <Button
              variant="secondary"
              size="sm"
              onClick={() => setConfirmingId(null)}
              data-test="member-remove-cancel"
            >
              Cancel
            </Button>
          </span>
        ) : (
          <Button
            variant="ghost"
            size="sm"
            onClick={() => {
              remove.reset();
              setConfirmingId(member.id);
            }}
            data-test="member-remove"
          >
            Remove
          </Button>
        ),
    });
  }

  const mutationError = changeRole.error ?? remove.error;

  return (
    <section className="card" data-test="members-card">
      <h2 className="card__title">People</h2>
      {mutationError ? (
        <Banner tone="error" data-test="members-mutation-error">
          {messageOf(mutationError)}
        </Banner>
      ) : null}
      {members.isPending ? (
        <Skeleton lines={4} height="20px" data-test="members-loading" />
      ) : members.isError ? (
        <Banner
          tone="error"
          title="Members could not be loaded"
          onRetry={() => members.refetch()}
          data-test="members-error"
        >
          {messageOf(members.error)}
        </Banner>
      ) : members.data.length === 0 ? (
        <EmptyState
          title="No members"
          description="Invite someone to get started."
          data-test="members-empty"
        />
      ) : (
        <Table
          columns={columns}
          rows={members.data}
          rowKey={(member) => member.id}
          rowTest={() => "member-row"}
          caption="Members"
          data-test="members-table"
        />
      )}
    </section>
  );
}
