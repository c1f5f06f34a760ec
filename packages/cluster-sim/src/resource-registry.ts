import { type CompactSchema, istioSchemas } from "./schema/compact-schema";

/** How a list or map at some path merges and is owned under server-side apply. */
export type Structure =
  | { type: "granular" }
  | { type: "atomic" }
  | { type: "associative"; keys: string[]; keyDefaults: Record<string, string | number> };

export interface Subresource {
  name: string;
  kind: string;
  verbs: string[];
  group?: string;
  version?: string;
}

/** Everything the simulator knows about one served resource (one group/version/plural). */
export interface ResourceType {
  group: string;
  version: string;
  /** plural, as in URLs */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  storageVersionHash?: string;
  subresources: Subresource[];
  /**
   * Served by a CRD: the server treats objects as unstructured maps (keys sorted, list items keep
   * kind/apiVersion, `continue: ""` on lists) and validates them against the CRD schema.
   */
  isCustom: boolean;
  /** metadata.generation is maintained (workloads, endpointslices, every custom resource). */
  hasGeneration: boolean;
  schema?: CompactSchema;
  /** Path patterns (`spec.template.spec.containers`, list items as `[]`) with a non-default structure. */
  structures: Record<string, Structure>;
}

const standardVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
// CRD resources list their verbs in this order on the wire.
const crdVerbs = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"];
const statusVerbs = ["get", "patch", "update"];

const metadataStructures: Record<string, Structure> = {
  "metadata.ownerReferences": { type: "associative", keys: ["uid"], keyDefaults: {} },
  "metadata.finalizers": { type: "atomic" },
};

function podSpecStructures(prefix: string): Record<string, Structure> {
  const p = prefix === "" ? "" : `${prefix}.`;
  const byName: Structure = { type: "associative", keys: ["name"], keyDefaults: {} };
  return {
    [`${p}containers`]: byName,
    [`${p}initContainers`]: byName,
    [`${p}volumes`]: byName,
    [`${p}containers[].env`]: byName,
    [`${p}initContainers[].env`]: byName,
    [`${p}containers[].ports`]: {
      type: "associative",
      keys: ["containerPort", "protocol"],
      keyDefaults: { protocol: "TCP" },
    },
    [`${p}containers[].volumeMounts`]: { type: "associative", keys: ["mountPath"], keyDefaults: {} },
    [`${p}tolerations`]: { type: "atomic" },
    [`${p}imagePullSecrets`]: byName,
  };
}

const conditionsByType: Structure = { type: "associative", keys: ["type"], keyDefaults: {} };

function builtin(
  group: string,
  resource: string,
  kind: string,
  options: {
    singular?: string;
    namespaced?: boolean;
    shortNames?: string[];
    categories?: string[];
    verbs?: string[];
    hash?: string;
    subresources?: Subresource[];
    hasGeneration?: boolean;
    structures?: Record<string, Structure>;
  } = {},
): ResourceType {
  return {
    group,
    version: "v1",
    resource,
    singular: options.singular ?? kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: options.namespaced ?? true,
    shortNames: options.shortNames ?? [],
    categories: options.categories ?? [],
    verbs: options.verbs ?? standardVerbs,
    storageVersionHash: options.hash,
    subresources: options.subresources ?? [],
    isCustom: false,
    hasGeneration: options.hasGeneration ?? false,
    structures: { ...metadataStructures, ...options.structures },
  };
}

function istio(
  group: string,
  resource: string,
  kind: string,
  shortNames: string[],
  hash: string,
): ResourceType {
  const category = `${group.split(".")[0]}-istio-io`;
  const schema = istioSchemas().get(`${group}/${kind}`);
  return {
    group,
    version: "v1",
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: true,
    shortNames,
    categories: ["istio-io", category],
    verbs: crdVerbs,
    storageVersionHash: hash,
    subresources: [{ name: "status", kind, verbs: statusVerbs }],
    isCustom: true,
    hasGeneration: true,
    schema,
    structures: { ...metadataStructures },
  };
}

const scale = (): Subresource => ({
  name: "scale",
  kind: "Scale",
  verbs: statusVerbs,
  group: "autoscaling",
  version: "v1",
});
const status = (kind: string): Subresource => ({ name: "status", kind, verbs: statusVerbs });

function workloadStructures(): Record<string, Structure> {
  return {
    "spec.selector": { type: "atomic" },
    ...podSpecStructures("spec.template.spec"),
    "status.conditions": conditionsByType,
  };
}

function buildRegistry(): ResourceType[] {
  return [
    builtin("", "namespaces", "Namespace", {
      namespaced: false,
      shortNames: ["ns"],
      verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
      hash: "Q3oi5N2YM8M=",
      subresources: [{ name: "finalize", kind: "Namespace", verbs: ["update"] }, status("Namespace")],
      structures: { "spec.finalizers": { type: "atomic" } },
    }),
    builtin("", "services", "Service", {
      shortNames: ["svc"],
      categories: ["all"],
      hash: "0/CO1lhkEBI=",
      subresources: [status("Service")],
      structures: {
        "spec.ports": { type: "associative", keys: ["port", "protocol"], keyDefaults: { protocol: "TCP" } },
        "spec.selector": { type: "atomic" },
        "spec.clusterIPs": { type: "atomic" },
      },
    }),
    builtin("", "pods", "Pod", {
      shortNames: ["po"],
      categories: ["all"],
      hash: "xPOwRZ+Yhw8=",
      subresources: [{ name: "binding", kind: "Binding", verbs: ["create"] }, status("Pod")],
      structures: {
        ...podSpecStructures("spec"),
        "status.conditions": conditionsByType,
        "status.podIPs": { type: "associative", keys: ["ip"], keyDefaults: {} },
      },
    }),
    builtin("", "configmaps", "ConfigMap", { shortNames: ["cm"], hash: "qFsyl6wFWjQ=" }),
    builtin("", "secrets", "Secret", { hash: "S6u1pOWzb84=" }),
    builtin("", "serviceaccounts", "ServiceAccount", { shortNames: ["sa"], hash: "pbx9ZvyFpBE=" }),
    builtin("apps", "deployments", "Deployment", {
      shortNames: ["deploy"],
      categories: ["all"],
      hash: "8aSe+NMegvE=",
      subresources: [scale(), status("Deployment")],
      hasGeneration: true,
      structures: workloadStructures(),
    }),
    builtin("apps", "replicasets", "ReplicaSet", {
      shortNames: ["rs"],
      categories: ["all"],
      hash: "P1RzHs8/mWQ=",
      subresources: [scale(), status("ReplicaSet")],
      hasGeneration: true,
      structures: workloadStructures(),
    }),
    builtin("apps", "statefulsets", "StatefulSet", {
      shortNames: ["sts"],
      categories: ["all"],
      hash: "H+vl74LkKdo=",
      subresources: [scale(), status("StatefulSet")],
      hasGeneration: true,
      structures: { ...workloadStructures(), "spec.volumeClaimTemplates": { type: "atomic" } },
    }),
    builtin("discovery.k8s.io", "endpointslices", "EndpointSlice", {
      hasGeneration: true,
      structures: { endpoints: { type: "atomic" }, ports: { type: "atomic" } },
    }),
    builtin("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", {
      namespaced: false,
      structures: { rules: { type: "atomic" } },
    }),
    builtin("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", {
      namespaced: false,
      structures: { subjects: { type: "atomic" } },
    }),
    builtin("rbac.authorization.k8s.io", "roles", "Role", { structures: { rules: { type: "atomic" } } }),
    builtin("rbac.authorization.k8s.io", "rolebindings", "RoleBinding", {
      structures: { subjects: { type: "atomic" } },
    }),
    istio("networking.istio.io", "destinationrules", "DestinationRule", ["dr"], "RzP0ejj0QFo="),
    istio("networking.istio.io", "gateways", "Gateway", ["gw"], "kGh5BEeT2e8="),
    istio("networking.istio.io", "serviceentries", "ServiceEntry", ["se"], "uwV2awIxHZ8="),
    istio("networking.istio.io", "sidecars", "Sidecar", [], "YzCqUsa8ZYQ="),
    istio("networking.istio.io", "virtualservices", "VirtualService", ["vs"], "4myxAxwji4I="),
    istio("networking.istio.io", "workloadentries", "WorkloadEntry", ["we"], "TCCKGA06viw="),
    istio("networking.istio.io", "workloadgroups", "WorkloadGroup", ["wg"], "sLOzM3aAdoM="),
    istio("security.istio.io", "authorizationpolicies", "AuthorizationPolicy", ["ap"], "FOwZN/yQG9M="),
    istio("security.istio.io", "peerauthentications", "PeerAuthentication", ["pa"], "ozjy5a1eDqo="),
    istio("security.istio.io", "requestauthentications", "RequestAuthentication", ["ra"], "z1+5MaaJ56E="),
  ];
}

/** Lookup of the served resources by URL coordinates and by kind. */
export class ResourceRegistry {
  readonly all: readonly ResourceType[] = buildRegistry();
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();

  constructor() {
    for (const type of this.all) {
      this.byPath.set(`${type.group}/${type.version}/${type.resource}`, type);
      this.byKind.set(`${type.group}/${type.kind}`, type);
    }
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${resource}`);
  }

  findByKind(group: string, kind: string): ResourceType | undefined {
    return this.byKind.get(`${group}/${kind}`);
  }

  /** Built-in types registered once and shared: the registry is immutable. */
  get(group: string, resource: string): ResourceType {
    const type = this.find(group, "v1", resource);
    if (!type) throw new Error(`resource ${group}/${resource} is not registered`);
    return type;
  }

  groupVersions(): { group: string; version: string }[] {
    const seen = new Map<string, { group: string; version: string }>();
    for (const type of this.all)
      seen.set(`${type.group}/${type.version}`, { group: type.group, version: type.version });
    return [...seen.values()];
  }
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === "" ? type.version : `${type.group}/${type.version}`;
}

/** The structure at a path (segments; list items as `[]`) of a resource. */
export function structureAt(type: ResourceType, path: readonly string[]): Structure {
  const hinted = type.structures[path.join(".").replaceAll(".[]", "[]")];
  if (hinted) return hinted;
  if (type.schema) {
    const node = schemaAt(type.schema, path);
    if (node?.t === "array") {
      if (node.lt === "map" && node.lk) return { type: "associative", keys: node.lk, keyDefaults: {} };
      return { type: "atomic" };
    }
  }
  return { type: "granular" };
}

/** The schema node at a path, or undefined under preserve-unknown-fields or outside the schema. */
export function schemaAt(schema: CompactSchema, path: readonly string[]): CompactSchema | undefined {
  let node: CompactSchema | undefined = schema;
  for (const segment of path) {
    if (!node) return undefined;
    if (segment === "[]") node = node.i;
    else node = node.p?.[segment] ?? node.ap;
  }
  return node;
}
