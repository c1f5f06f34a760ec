import type { AppRouter } from "@switchyard/api/router";
import type { TRPCClient } from "@trpc/client";
import type { ApplyTarget } from "../apply-progress";

type Changes = { edits?: { name: string; yaml: string }[]; deletions?: string[] };

/**
 * The clusters a change will alter and the version each has now, asked of preview just before the
 * change is applied: what the progress view waits for, for rollbacks and deletes too.
 */
export async function targetsOf(
  client: TRPCClient<AppRouter>,
  orgSlug: string,
  changes: Changes,
): Promise<ApplyTarget[]> {
  const preview = await client.policies.preview.mutate({ orgSlug, changes });
  return preview.clusters
    .filter((cluster) => cluster.isChanged)
    .map((cluster) => ({
      clusterId: cluster.clusterId,
      clusterName: cluster.clusterName,
      baselineVersion: cluster.currentVersion,
    }));
}
