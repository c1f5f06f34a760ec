/**
 * The compiler's view of one cluster: what exists there, as the cluster agent reports it. The API
 * builds this from its stored inventory; the CLI reads it from a file (`{ clusters: [...] }`).
 */
import { z } from "zod";

const name = z.string().min(1).max(253);
const labels = z.record(z.string(), z.string());

export const clusterInventorySchema = z.strictObject({
  cluster: z.strictObject({
    name,
    labels: labels.optional(),
    /** SPIFFE trust domain of the mesh; principals are `<trustDomain>/ns/<ns>/sa/<sa>`. */
    trustDomain: z.string().min(1).optional(),
    /** Istio's root namespace, where mesh-wide PeerAuthentication lives. */
    rootNamespace: z.string().min(1).optional(),
    /** DNS suffix of services, used for the fully qualified hosts the compiler emits. */
    domainSuffix: z.string().min(1).optional(),
  }),
  namespaces: z
    .array(
      z.strictObject({
        name,
        /** istio-injection=enabled (or a revision label): new pods there get a sidecar. */
        hasSidecarInjection: z.boolean(),
      }),
    )
    .optional(),
  services: z
    .array(
      z.strictObject({
        name,
        namespace: name,
        ports: z
          .array(
            z.strictObject({
              port: z.number().int().min(1).max(65535),
              name: z.string().optional(),
              protocol: z.string().optional(),
            }),
          )
          .optional(),
        /** The service's pod selector; defaults to `{ app: <name> }`, Istio's naming convention. */
        selector: labels.optional(),
      }),
    )
    .optional(),
  workloads: z
    .array(
      z.strictObject({
        /** The Deployment (or other owner) name. */
        name,
        namespace: name,
        /** Pod template labels; `app` and `version` are the ones routing uses. */
        labels: labels.optional(),
        hasSidecar: z.boolean(),
        readyReplicas: z.number().int().min(0),
        serviceAccount: z.string().min(1).optional(),
      }),
    )
    .optional(),
});

/**
 * One cluster's inventory: the compiler's input besides the policies. Optional fields take the
 * defaults Istio and Kubernetes use (see `resolveInventory`).
 */
export type ClusterInventory = z.infer<typeof clusterInventorySchema>;

/** The same inventory with every default filled in; what the compiler's stages read. */
export interface ResolvedInventory {
  cluster: {
    name: string;
    labels: Record<string, string>;
    trustDomain: string;
    rootNamespace: string;
    domainSuffix: string;
  };
  namespaces: InventoryNamespace[];
  services: InventoryService[];
  workloads: InventoryWorkload[];
}
export interface InventoryNamespace {
  name: string;
  hasSidecarInjection: boolean;
}
export interface InventoryService {
  name: string;
  namespace: string;
  ports: { port: number; name?: string; protocol?: string }[];
  selector?: Record<string, string>;
}
export interface InventoryWorkload {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  hasSidecar: boolean;
  readyReplicas: number;
  serviceAccount: string;
}

/** Fill in defaults without re-validating (the API's stored inventory was validated on the way in). */
export function resolveInventory(inventory: ClusterInventory): ResolvedInventory {
  const { cluster } = inventory;
  return {
    cluster: {
      name: cluster.name,
      labels: cluster.labels ?? {},
      trustDomain: cluster.trustDomain ?? "cluster.local",
      rootNamespace: cluster.rootNamespace ?? "istio-system",
      domainSuffix: cluster.domainSuffix ?? "svc.cluster.local",
    },
    namespaces: inventory.namespaces ?? [],
    services: (inventory.services ?? []).map((s) => ({ ...s, ports: s.ports ?? [] })),
    workloads: (inventory.workloads ?? []).map((w) => ({
      ...w,
      labels: w.labels ?? {},
      serviceAccount: w.serviceAccount ?? "default",
    })),
  };
}

/** The CLI's inventory file: every cluster the policies may land in. */
export const inventoryFileSchema = z.strictObject({ clusters: z.array(clusterInventorySchema) });
export type InventoryFile = z.infer<typeof inventoryFileSchema>;

export const serviceSelector = (service: InventoryService): Record<string, string> =>
  service.selector ?? { app: service.name };

export function labelsMatch(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const key in selector) if (labels[key] !== selector[key]) return false;
  return true;
}

/**
 * Lookups the compiler needs over one inventory, built once per compile. Everything the compiler
 * reads from the inventory goes through here so it never depends on the order items were listed.
 */
export interface InventoryIndex {
  inventory: ResolvedInventory;
  service(namespace: string, name: string): InventoryService | undefined;
  /** Workloads selected by a service, sorted by name. */
  workloadsOf(service: InventoryService): InventoryWorkload[];
  workloadsIn(namespace: string): InventoryWorkload[];
  namespace(name: string): InventoryNamespace | undefined;
}

export function indexInventory(inventory: ResolvedInventory): InventoryIndex {
  const services = new Map<string, InventoryService>();
  for (const s of inventory.services) services.set(`${s.namespace}/${s.name}`, s);
  const byNamespace = new Map<string, InventoryWorkload[]>();
  const sorted = [...inventory.workloads].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const w of sorted) {
    const list = byNamespace.get(w.namespace);
    if (list) list.push(w);
    else byNamespace.set(w.namespace, [w]);
  }
  const byApp = new Map<string, InventoryWorkload[]>();
  for (const w of sorted) {
    const app = w.labels.app;
    if (app === undefined) continue;
    const key = `${w.namespace}/${app}`;
    const list = byApp.get(key);
    if (list) list.push(w);
    else byApp.set(key, [w]);
  }
  const namespaces = new Map(inventory.namespaces.map((n) => [n.name, n]));
  const workloadCache = new Map<InventoryService, InventoryWorkload[]>();
  return {
    inventory,
    service: (namespace, name) => services.get(`${namespace}/${name}`),
    workloadsOf(service) {
      const cached = workloadCache.get(service);
      if (cached) return cached;
      const selector = serviceSelector(service);
      // Most selectors name `app`: look only at that app's workloads.
      const candidates =
        selector.app !== undefined
          ? (byApp.get(`${service.namespace}/${selector.app}`) ?? [])
          : (byNamespace.get(service.namespace) ?? []);
      const found = candidates.filter((w) => labelsMatch(selector, w.labels));
      workloadCache.set(service, found);
      return found;
    },
    workloadsIn: (namespace) => byNamespace.get(namespace) ?? [],
    namespace: (name) => namespaces.get(name),
  };
}
