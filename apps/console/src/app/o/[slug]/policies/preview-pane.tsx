import type { RouterOutputs } from "~/lib/trpc";
import { LineDiff } from "./line-diff";

export type Preview = RouterOutputs["policies"]["preview"];
type ClusterPreview = Preview["clusters"][number];

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
      <p className="muted" data-test="preview-impact">
        Impact: {preview.impactNote}
      </p>
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
