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

type InputService = NonNullable<ClusterInventory["services"]>[number];
type InputWorkload = NonNullable<ClusterInventory["workloads"]>[number];
const isResolvedService = (s: InputService): s is InputService & InventoryService => s.ports !== undefined;
const isResolvedWorkload = (w: InputWorkload): w is InputWorkload & InventoryWorkload =>
  w.labels !== undefined && w.serviceAccount !== undefined;

/**
 * Fill in defaults without re-validating (the API's stored inventory was validated on the way in).
 * Items that already have every field are shared, not copied: inventories are immutable values, and
 * a fleet's inventories hold hundreds of thousands of items.
 */
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
    services: (inventory.services ?? []).map((s) =>
      isResolvedService(s) ? s : { ...s, ports: s.ports ?? [] },
    ),
    workloads: (inventory.workloads ?? []).map((w) =>
      isResolvedWorkload(w)
        ? w
        : { ...w, labels: w.labels ?? {}, serviceAccount: w.serviceAccount ?? "default" },
    ),
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

const byWorkloadName = (a: InventoryWorkload, b: InventoryWorkload): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

function listIn<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}

export function indexInventory(inventory: ResolvedInventory): InventoryIndex {
  // Nested maps keyed by the inventory's own strings (whose hashes V8 keeps) rather than a new
  // `namespace/name` string per item and per lookup: indexing runs for every cluster of a fleet.
  const services = new Map<string, Map<string, InventoryService>>();
  for (const s of inventory.services) {
    let inNamespace = services.get(s.namespace);
    if (!inNamespace) {
      inNamespace = new Map();
      services.set(s.namespace, inNamespace);
    }
    inNamespace.set(s.name, s);
  }
  const byNamespace = new Map<string, InventoryWorkload[]>();
  const byApp = new Map<string, Map<string, InventoryWorkload[]>>();
  for (const w of inventory.workloads) {
    listIn(byNamespace, w.namespace).push(w);
    const app = w.labels.app;
    if (app === undefined) continue;
    let apps = byApp.get(w.namespace);
    if (!apps) {
      apps = new Map();
      byApp.set(w.namespace, apps);
    }
    listIn(apps, app).push(w);
  }
  // Each list is sorted by name the first time it is read: a stable sort of one group gives the same
  // order as sorting every workload first, and most groups are never read.
  const sorted = new WeakSet<InventoryWorkload[]>();
  const inNameOrder = (list: InventoryWorkload[]): InventoryWorkload[] => {
    if (!sorted.has(list)) {
      list.sort(byWorkloadName);
      sorted.add(list);
    }
    return list;
  };
  const none: InventoryWorkload[] = [];
  const namespaces = new Map(inventory.namespaces.map((n) => [n.name, n]));
  const workloadCache = new Map<InventoryService, InventoryWorkload[]>();
  return {
    inventory,
    service: (namespace, name) => services.get(namespace)?.get(name),
    workloadsOf(service) {
      const cached = workloadCache.get(service);
      if (cached) return cached;
      const selector = serviceSelector(service);
      // Most selectors name `app`: look only at that app's workloads.
      const candidates =
        selector.app !== undefined
          ? byApp.get(service.namespace)?.get(selector.app)
          : byNamespace.get(service.namespace);
      const found = candidates ? inNameOrder(candidates).filter((w) => labelsMatch(selector, w.labels)) : [];
      workloadCache.set(service, found);
      return found;
    },
    workloadsIn: (namespace) => {
      const list = byNamespace.get(namespace);
      return list ? inNameOrder(list) : none;
    },
    namespace: (name) => namespaces.get(name),
  };
}
