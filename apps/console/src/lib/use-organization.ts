import { useQuery } from "@tanstack/react-query";
import { type RouterOutputs, useTRPC } from "./trpc";

export type Organization = RouterOutputs["orgs"]["get"];

/** The current organization with the caller's role and what that role may do (shared cache). */
export function useOrganization(slug: string) {
  const trpc = useTRPC();
  return useQuery(trpc.orgs.get.queryOptions({ orgSlug: slug }));
}
