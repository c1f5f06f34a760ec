"use client";

import { Banner } from "@switchyard/ui/banner";
import { Skeleton } from "@switchyard/ui/skeleton";
import Link from "next/link";
import { useOrganization } from "~/lib/use-organization";
import { PolicyEditor } from "../policy-editor";

export function NewPolicyView({ slug }: { slug: string }) {
  const organization = useOrganization(slug);
  const policiesHref = `/o/${encodeURIComponent(slug)}/policies`;
  if (!organization.data) return <Skeleton lines={6} height="20px" />;
  return (
    <div className="page" data-test="new-policy-page">
      <div>
        <Link href={policiesHref} className="breadcrumb">
          ← Policies
        </Link>
      </div>
      <h1 className="page__title">New policy</h1>
      {organization.data.capabilities.canEditPolicies ? (
        <PolicyEditor slug={slug} />
      ) : (
        <Banner tone="info" data-test="policy-read-only">
          Your role can read policies but not change them. Ask an editor or an admin.
        </Banner>
      )}
    </div>
  );
}
