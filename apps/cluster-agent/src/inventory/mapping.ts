/** Pure mapping from the slim Kubernetes forms to the protocol's inventory objects. */
import type { InventoryKey, InventoryObject } from "@switchyard/agent-protocol/v1";
import type { SlimNamespace, SlimService, SlimWorkload } from "./slim";

/** Whether Istio's injector targets a namespace (istio-injection=enabled, or a revision label). */
export function isNamespaceInjected(labels: Record<string, string>): boolean {
  const injection = labels["istio-injection"];
  if (injection === "enabled") return true;
  if (injection === "disabled") return false;
  return labels["istio.io/rev"] !== undefined;
}

export function mapNamespace(namespace: SlimNamespace, podCount: number): InventoryObject {
  return {
    kind: "Namespace",
    name: namespace.name,
    labels: namespace.labels,
    sidecarInjection: isNamespaceInjected(namespace.labels),
    podCount,
  };
}

export function mapService(service: SlimService): InventoryObject {
  return {
    kind: "Service",
    namespace: service.namespace,
    name: service.name,
    labels: service.labels,
    selector: service.selector,
    type: service.type,
    ports: service.ports,
  };
}

export interface WorkloadPodStats {
  pods: number;
  withSidecar: number;
}

/**
 * With pods, "injected" means every pod of the workload runs istio-proxy (a half-meshed workload
 * during a rollout is not injected yet). Without pods, it is what the injector would do: the
 * template's `sidecar.istio.io/inject` wins, else the namespace's label.
 */
export function isWorkloadInjected(
  workload: SlimWorkload,
  stats: WorkloadPodStats,
  namespaceLabels: Record<string, string> | undefined,
): boolean {
  if (stats.pods > 0) return stats.withSidecar === stats.pods;
  if (workload.injectOverride === "false") return false;
  if (workload.injectOverride === "true") return true;
  return isNamespaceInjected(namespaceLabels ?? {});
}

export function mapWorkload(
  workload: SlimWorkload,
  stats: WorkloadPodStats,
  namespaceLabels: Record<string, string> | undefined,
): InventoryObject {
  return {
    kind: workload.kind,
    namespace: workload.namespace,
    name: workload.name,
    labels: workload.labels,
    app: workload.app,
    version: workload.version,
    serviceAccount: workload.serviceAccount,
    replicas: workload.replicas,
    readyReplicas: workload.readyReplicas,
    podCount: stats.pods,
    sidecarInjected: isWorkloadInjected(workload, stats, namespaceLabels),
  };
}

/** One string per inventory key, for maps and sets. */
export function keyString(key: InventoryKey): string {
  return `${key.kind}/${key.namespace}/${key.name}`;
}

/** Splits a list into runs of at most `size`; an empty list gives one empty run. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (items.length === 0) return [[]];
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}
