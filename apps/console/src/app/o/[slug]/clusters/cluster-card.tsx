import Link from "next/link";
import { ClusterStatusBadge } from "~/components/cluster-status-badge";
import { LabelChips } from "~/components/label-chips";
import { formatAgo } from "~/lib/relative-time";
import type { RouterOutputs } from "~/lib/trpc";

type Cluster = RouterOutputs["clusters"]["list"][number];

export function meshLabel(mesh: Cluster["mesh"]): string {
  if (!mesh || mesh.kind === "none") return "No mesh";
  return `${mesh.kind === "istio" ? "Istio" : mesh.kind} ${mesh.version ?? "(version unknown)"}`;
}

export function ClusterCard({ slug, cluster, now }: { slug: string; cluster: Cluster; now: number }) {
  const href = `/o/${encodeURIComponent(slug)}/clusters/${encodeURIComponent(cluster.id)}`;
  const counts = [
    { label: "Namespaces", value: cluster.counts.namespaces, test: "count-namespaces" },
    { label: "Services", value: cluster.counts.services, test: "count-services" },
    { label: "Workloads", value: cluster.counts.workloads, test: "count-workloads" },
    { label: "Pods", value: cluster.counts.pods, test: "count-pods" },
  ];
  return (
    <article className="cluster-card" data-test="cluster-card" data-cluster-id={cluster.id}>
      <header className="cluster-card__header">
        <Link href={href} className="cluster-card__name" data-test="cluster-name-link">
          {cluster.name}
        </Link>
        <ClusterStatusBadge status={cluster.status} />
      </header>
      <LabelChips labels={cluster.labels} />
      {cluster.status === "pending" ? (
        <p className="muted cluster-card__meta">The install line has not been run yet.</p>
      ) : (
        <dl className="cluster-card__meta facts">
          <dt>Last seen</dt>
          <dd data-test="cluster-last-seen">{formatAgo(cluster.lastSeenAt, now)}</dd>
          <dt>Kubernetes</dt>
          <dd data-test="cluster-kubernetes-version">{cluster.kubernetesVersion ?? "unknown"}</dd>
          <dt>Mesh</dt>
          <dd data-test="cluster-mesh">{meshLabel(cluster.mesh)}</dd>
        </dl>
      )}
      <ul className="cluster-card__counts">
        {counts.map((count) => (
          <li key={count.label}>
            <span className="cluster-card__count" data-test={count.test}>
              {count.value}
            </span>
            <span className="cluster-card__count-label">{count.label}</span>
          </li>
        ))}
      </ul>
    </article>
  );
}
