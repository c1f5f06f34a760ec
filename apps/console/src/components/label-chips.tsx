/** A cluster's (or an object's) labels as `key=value` chips, in a stable order. */
export function LabelChips({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <span className="muted">No labels</span>;
  return (
    <ul className="chips" aria-label="Labels">
      {entries.map(([key, value]) => (
        <li key={key} className="chip" data-test="cluster-label">
          {key}={value}
        </li>
      ))}
    </ul>
  );
}
