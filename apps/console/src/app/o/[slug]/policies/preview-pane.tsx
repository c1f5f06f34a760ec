import type { RouterOutputs } from "~/lib/trpc";
import { LineDiff } from "./line-diff";

export type Preview = RouterOutputs["policies"]["preview"];
type ClusterPreview = Preview["clusters"][number];
type ClusterImpact = NonNullable<Preview["impact"]>["clusters"][number];

/** Per cluster: whether it changes, the Istio resources added, removed and changed, and diagnostics. */
export function PreviewPane({ preview }: { preview: Preview }) {
  const changed = preview.clusters.filter((cluster) => cluster.isChanged).length;
  return (
    <section className="card" data-test="preview-pane">
      <h2 className="card__title">Preview</h2>
      <p className="muted" data-test="preview-summary">
        {changed} of {preview.clusters.length} {preview.clusters.length === 1 ? "cluster" : "clusters"} would
        change.
      </p>
      {preview.clusters.length === 0 ? <p>No cluster is connected to this organization yet.</p> : null}
      {preview.clusters.map((cluster) => (
        <ClusterPreviewCard key={cluster.clusterId} cluster={cluster} />
      ))}
      <section data-test="preview-impact">
        <h3>Impact on live traffic</h3>
        <p className="muted">{preview.impactNote}</p>
        {preview.impact?.clusters.map((cluster) => (
          <ClusterImpactCard key={cluster.clusterId} impact={cluster} />
        ))}
      </section>
    </section>
  );
}

function ClusterPreviewCard({ cluster }: { cluster: ClusterPreview }) {
  const { diff } = cluster;
  return (
    <div
      className="preview-cluster"
      data-test="preview-cluster"
      data-cluster={cluster.clusterName}
      data-changed={cluster.isChanged}
    >
      <h3 className="preview-cluster__title">
        {cluster.clusterName}{" "}
        <span
          className={
            cluster.hasErrors
              ? "badge badge--danger"
              : cluster.isChanged
                ? "badge badge--warning"
                : "badge badge--muted"
          }
          data-test="preview-cluster-state"
        >
          {cluster.hasErrors ? "errors" : cluster.isChanged ? "changes" : "no change"}
        </span>{" "}
        <span className="muted">
          now at version {cluster.currentVersion}, {diff.unchanged} unchanged
        </span>
      </h3>
      {cluster.diagnostics.length > 0 ? (
        <ul className="diagnostics" data-test="preview-diagnostics">
          {cluster.diagnostics.map((d, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: diagnostics have no id
            <li key={index} className={`diagnostic diagnostic--${d.severity}`}>
              {d.severity}: {d.message}{" "}
              <span className="muted">
                ({d.code}
                {d.field ? ` at ${d.field}` : ""})
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {diff.added.map((resource) => (
        <details
          key={`+${resource.kind}/${resource.namespace}/${resource.name}`}
          open
          data-test="preview-added"
        >
          <summary>
            <span className="diff-mark diff-mark--added">added</span> {resource.kind} {resource.namespace}/
            {resource.name}
          </summary>
          <LineDiff before="" after={resource.yaml} data-test="preview-yaml" />
        </details>
      ))}
      {diff.removed.map((resource) => (
        <details
          key={`-${resource.kind}/${resource.namespace}/${resource.name}`}
          open
          data-test="preview-removed"
        >
          <summary>
            <span className="diff-mark diff-mark--removed">removed</span> {resource.kind} {resource.namespace}
            /{resource.name}
          </summary>
          <LineDiff before={resource.yaml} after="" data-test="preview-yaml" />
        </details>
      ))}
      {diff.changed.map((resource) => (
        <details
          key={`~${resource.kind}/${resource.namespace}/${resource.name}`}
          open
          data-test="preview-changed"
        >
          <summary>
            <span className="diff-mark diff-mark--changed">changed</span> {resource.kind} {resource.namespace}
            /{resource.name}: {resource.fields.map((field) => field.field).join(", ")}
          </summary>
          <LineDiff before={resource.beforeYaml} after={resource.afterYaml} data-test="preview-yaml" />
        </details>
      ))}
    </div>
  );
}

const rps = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} req/s`;
const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** What a changed cluster's config would do to the edges observed in the last hour. */
function ClusterImpactCard({ impact }: { impact: ClusterImpact }) {
  const isQuiet =
    impact.blocked.length === 0 &&
    impact.unblocked.length === 0 &&
    impact.routeShifts.length === 0 &&
    impact.changedConditionalRoutes.length === 0;
  return (
    <div className="preview-cluster" data-test="impact-cluster" data-cluster={impact.clusterName}>
      <h4>{impact.clusterName}</h4>
      {isQuiet ? <p className="muted">No observed traffic is affected.</p> : null}
      {impact.blocked.length > 0 ? (
        <>
          <p className="field__error" data-test="impact-blocked">
            {impact.blocked.length} live {impact.blocked.length === 1 ? "edge" : "edges"} would be refused
            {impact.blockedRequestsPerSecond > 0 ? ` (${rps(impact.blockedRequestsPerSecond)})` : ""}.
          </p>
          <ul>
            {impact.blocked.map((entry) => (
              <li
                key={`${entry.edge.source.namespace}/${entry.edge.source.workload}>${entry.edge.destination.namespace}/${entry.edge.destination.service}`}
              >
                {edgeLabel(entry.edge)}: {entry.before} → <strong>{entry.after}</strong>
                {entry.reason ? ` — ${entry.reason}` : ""}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {impact.unblocked.length > 0 ? (
        <ul data-test="impact-unblocked">
          {impact.unblocked.map((entry) => (
            <li
              key={`${entry.edge.source.namespace}/${entry.edge.source.workload}>${entry.edge.destination.namespace}/${entry.edge.destination.service}`}
            >
              {edgeLabel(entry.edge)}: {entry.before} → {entry.after}
            </li>
          ))}
        </ul>
      ) : null}
      {impact.routeShifts.length > 0 ? (
        <table className="table" data-test="impact-route-shifts">
          <thead>
            <tr>
              <th>Service</th>
              <th>Version</th>
              <th>Share now</th>
              <th>Share after</th>
              <th>Traffic after</th>
            </tr>
          </thead>
          <tbody>
            {impact.routeShifts.map((shift) => (
              <tr key={`${shift.namespace}/${shift.service}/${shift.version}`}>
                <td>
                  {shift.namespace}/{shift.service}
                </td>
                <td>{shift.version}</td>
                <td>{percent(shift.beforeShare)}</td>
                <td>{percent(shift.afterShare)}</td>
                <td>{rps(shift.afterRequestsPerSecond)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {impact.changedConditionalRoutes.map((route) => (
        <p className="muted" key={`${route.namespace}/${route.service}`}>
          {route.namespace}/{route.service}: matched routes {route.routes.join(", ")} change; telemetry cannot
          size them.
        </p>
      ))}
    </div>
  );
}

function edgeLabel(edge: ClusterImpact["blocked"][number]["edge"]): string {
  const source =
    edge.source.workload === "unknown"
      ? "unknown (no sidecar)"
      : `${edge.source.namespace}/${edge.source.workload}`;
  return `${source} → ${edge.destination.namespace}/${edge.destination.service} (${rps(edge.requestsPerSecond)})`;
}
