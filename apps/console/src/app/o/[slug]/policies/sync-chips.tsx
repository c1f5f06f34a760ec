type Counts = { inSync: number; pending: number; failed: number };

/** "3 of 5 clusters in sync" with what is still pending or failed, for a list row or a progress line. */
export function SyncChips({ counts, total }: { counts: Counts; total: number }) {
  if (total === 0) {
    return (
      <span className="badge badge--muted" data-test="policy-sync" data-state="none">
        No clusters
      </span>
    );
  }
  const state = counts.failed > 0 ? "failed" : counts.pending > 0 ? "pending" : "in-sync";
  return (
    <span className="sync-chips" data-test="policy-sync" data-state={state}>
      <span className={state === "in-sync" ? "badge badge--ok" : "badge"} data-test="policy-sync-summary">
        {counts.inSync} of {total} {total === 1 ? "cluster" : "clusters"} in sync
      </span>
      {counts.pending > 0 ? <span className="badge badge--warning">{counts.pending} pending</span> : null}
      {counts.failed > 0 ? <span className="badge badge--danger">{counts.failed} failed</span> : null}
    </span>
  );
}
