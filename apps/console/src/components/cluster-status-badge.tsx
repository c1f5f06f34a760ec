import type { RouterOutputs } from "~/lib/trpc";

export type ClusterStatus = RouterOutputs["clusters"]["list"][number]["status"];

const statusLabels: Record<ClusterStatus, string> = {
  pending: "Waiting for agent",
  connected: "Connected",
  disconnected: "Disconnected",
};

/** The cluster's live status as a coloured badge; the text is the status, never colour alone. */
export function ClusterStatusBadge({ status }: { status: ClusterStatus }) {
  return (
    <span className={`status-badge status-badge--${status}`} data-test="cluster-status" data-status={status}>
      <span className="status-badge__dot" aria-hidden="true" />
      {statusLabels[status]}
    </span>
  );
}
