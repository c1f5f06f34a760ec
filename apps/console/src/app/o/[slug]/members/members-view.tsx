"use client";

import { Skeleton } from "@switchyard/ui/skeleton";
import { useOrganization } from "~/lib/use-organization";
import { InvitationsTable } from "./invitations-table";
import { InviteForm } from "./invite-form";
import { MembersTable } from "./members-table";

export function MembersView({ slug }: { slug: string }) {
  const organization = useOrganization(slug);
  if (!organization.data) return <Skeleton lines={6} height="20px" />;
  const { capabilities } = organization.data;
  return (
    <div className="page" data-test="members-page">
      <div className="page__header">
        <div>
          <h1 className="page__title">Members</h1>
          <p className="page__subtitle">
            {capabilities.canManageMembers
              ? "Invite people, change their roles, or remove them."
              : "People in this organization. Ask an admin to change roles or invite someone."}
          </p>
        </div>
      </div>
      {capabilities.canManageMembers ? (
        <InviteForm slug={slug} canGrantOwner={capabilities.canGrantOwner} />
      ) : null}
      <MembersTable slug={slug} capabilities={capabilities} />
      {capabilities.canManageMembers ? <InvitationsTable slug={slug} /> : null}
    </div>
  );
}
