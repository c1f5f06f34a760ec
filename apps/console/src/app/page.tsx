import { Banner } from "@switchyard/ui/banner";
import { redirect } from "next/navigation";
import { AuthCard } from "~/components/auth-card";
import { CreateOrganizationForm } from "~/components/create-organization-form";
import { createServerApiClient } from "~/server/api-client";
import { getSessionUser } from "~/server/auth";
import { forwardedRequestHeaders } from "~/server/request-headers";

export const dynamic = "force-dynamic";

/** `/` has no page of its own: it sends the user to their first organization, or to sign in. */
export default async function HomePage() {
  const user = await getSessionUser();
  if (!user) redirect("/signin");

  let firstSlug: string | undefined;
  let loadError: string | undefined;
  try {
    const organizations = await createServerApiClient(await forwardedRequestHeaders()).orgs.list.query();
    firstSlug = organizations[0]?.slug;
  } catch {
    loadError = "Your organizations could not be loaded. Reload the page to try again.";
  }
  // redirect() works by throwing, so it must stay outside the try above.
  if (firstSlug) redirect(`/o/${encodeURIComponent(firstSlug)}`);

  return (
    <AuthCard
      title="Create an organization"
      subtitle="Clusters, policies and members all belong to an organization."
    >
      {loadError ? (
        <Banner tone="error" data-test="home-error">
          {loadError}
        </Banner>
      ) : (
        <CreateOrganizationForm />
      )}
    </AuthCard>
  );
}
