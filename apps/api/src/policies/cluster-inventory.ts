// The compiler's view of a cluster (policy-model's ClusterInventory) built from what its agent
// reported (inventory_objects rows holding agent-protocol v1 objects). Pure, so it is unit-tested.
import { InventoryObject } from "@switchyard/agent-protocol/v1";
import type { ClusterInventory } from "@switchyard/policy-model/inventory";

export type StoredInventoryRow = { kind: string; data: unknown };

type Namespaces = NonNullable<ClusterInventory["namespaces"]>;
type Services = NonNullable<ClusterInventory["services"]>;
type Workloads = NonNullable<ClusterInventory["workloads"]>;

const isStringRecord = (value: unknown): value is Record<string, string> =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === "string");

export function toClusterInventory(options: {
  cluster: { name: string; labels: unknown };
  rows: readonly StoredInventoryRow[];
}): ClusterInventory {
  const namespaces: Namespaces = [];
  const services: Services = [];
  const workloads: Workloads = [];
  for (const row of options.rows) {
    // Rows were validated on the way in; one that no longer parses (an older agent's shape) is
    // skipped rather than failing the whole cluster's compile.
    const parsed = InventoryObject.safeParse(row.data);
    if (!parsed.success) continue;
    const object = parsed.data;
    switch (object.kind) {
      case "Namespace":
        namespaces.push({ name: object.name, hasSidecarInjection: object.sidecarInjection });
        break;
      case "Service":
        services.push({
          name: object.name,
          namespace: object.namespace,
          ports: object.ports.map((p) => ({
            port: p.port,
            ...(p.name === undefined ? {} : { name: p.name }),
            protocol: p.protocol,
          })),
          // A service without a selector selects no pods in Kubernetes; leaving it out lets the
          // compiler use Istio's `app: <name>` convention, which is what such services usually front.
          ...(Object.keys(object.selector).length > 0 ? { selector: object.selector } : {}),
        });
        break;
      case "Deployment":
      case "StatefulSet": {
        // The protocol carries the pod template's app/version (what Istio routes on) beside the
        // workload's own labels; the pod template's win where both exist.
        const labels: Record<string, string> = { ...object.labels };
        if (object.app !== null) labels.app = object.app;
        if (object.version !== null) labels.version = object.version;
        workloads.push({
          name: object.name,
          namespace: object.namespace,
          labels,
          hasSidecar: object.sidecarInjected,
          readyReplicas: object.readyReplicas,
          ...(object.serviceAccount ? { serviceAccount: object.serviceAccount } : {}),
        });
        break;
      }
    }
  }
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return {
    cluster: {
      name: options.cluster.name,
      labels: isStringRecord(options.cluster.labels) ? options.cluster.labels : {},
    },
    namespaces: namespaces.sort(byName),
    services,
    workloads,
  };
}
