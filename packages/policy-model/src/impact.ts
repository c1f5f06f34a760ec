/**
 * What a change would do to live traffic. Given one cluster's config before and after a change and
 * the edges telemetry observed (source workload → destination service, with request rates), list
 * the edges an authorization or mTLS change would block (or unblock) and how each service's traffic
 * would move between versions. A wrong AuthorizationPolicy is the classic way to take a mesh down;
 * this is the check that shows it before it lands.
 *
 * Telemetry does not say which paths, methods or headers an edge's requests carry, so a rule that
 * depends on them gives a "conditional" verdict rather than a guess.
 */
import { serviceHost } from "./emit/names";
import {
  type ClusterInventory,
  type InventoryIndex,
  type InventoryWorkload,
  indexInventory,
  type ResolvedInventory,
  resolveInventory,
} from "./inventory";
import {
  authorizationsFor,
  authorize,
  effectiveMtlsMode,
  type IstioAuthorization,
  type RequestFacts,
  readAuthorizations,
  type Verdict,
} from "./istio-semantics";
import { type MeshResource, policiesAnnotation } from "./resource";

export interface ObservedEdge {
  source: {
    namespace: string;
    /** Workload name (e.g. the Deployment), or "unknown" for traffic from outside the mesh. */
    workload: string;
    /** Looked up in the inventory when omitted. */
    serviceAccount?: string;
    /** Looked up in the inventory when omitted; unknown sources count as having no sidecar. */
    hasSidecar?: boolean;
  };
  destination: { namespace: string; service: string; port?: number };
  requestsPerSecond: number;
}

export interface PolicyChange {
  inventory: ClusterInventory;
  before: readonly MeshResource[];
  after: readonly MeshResource[];
}

export interface EdgeImpact {
  edge: ObservedEdge;
  before: Verdict;
  after: Verdict;
  /** Why the edge is (possibly) refused after the change, naming the resource and its source policies. */
  reason?: string;
  /** Policies (name@revision) behind the deciding resource after the change. */
  policies?: string[];
}

export interface RouteShift {
  namespace: string;
  service: string;
  version: string;
  /** Share (0..1) of the service's default-route traffic this version gets. */
  beforeShare: number;
  afterShare: number;
  beforeRequestsPerSecond: number;
  afterRequestsPerSecond: number;
}

export interface ImpactReport {
  cluster: string;
  /** Live edges that would be refused (fully, or for some requests or versions) after the change. */
  blocked: EdgeImpact[];
  /** Edges refused before that the change lets through. */
  unblocked: EdgeImpact[];
  /** Versions that would lose or gain traffic. */
  routeShifts: RouteShift[];
  /** Services whose conditional (matched) routes changed; telemetry cannot size those. */
  changedConditionalRoutes: { namespace: string; service: string; routes: string[] }[];
  /** Requests per second on edges that would be fully refused. */
  blockedRequestsPerSecond: number;
}

const severity: Record<Verdict, number> = { allowed: 0, conditional: 1, denied: 2 };

interface EdgeVerdict {
  verdict: Verdict;
  reason?: string;
  by?: MeshResource;
}

function describe(resource: MeshResource): string {
  return `${resource.kind} ${resource.metadata.namespace}/${resource.metadata.name}`;
}

/** What Istio would do with this edge's requests under `resources`, over every workload of the service. */
function judgeEdge(
  edge: ObservedEdge,
  resources: readonly MeshResource[],
  authorizations: readonly IstioAuthorization[],
  inventory: ResolvedInventory,
  index: InventoryIndex,
): EdgeVerdict {
  const service = index.service(edge.destination.namespace, edge.destination.service);
  if (!service) return { verdict: "allowed" };
  const targets = index.workloadsOf(service).filter((w) => w.readyReplicas > 0);
  if (targets.length === 0) return { verdict: "allowed" };
  const source = index.workloadsIn(edge.source.namespace).find((w) => w.name === edge.source.workload);
  const hasSourceSidecar = edge.source.hasSidecar ?? source?.hasSidecar ?? false;
  const serviceAccount = edge.source.serviceAccount ?? source?.serviceAccount;
  const root = inventory.cluster.rootNamespace;
  const verdicts = targets.map((target: InventoryWorkload): EdgeVerdict => {
    if (!target.hasSidecar) return { verdict: "allowed" };
    const mode = effectiveMtlsMode(resources, target, root);
    if (mode === "STRICT" && !hasSourceSidecar)
      return {
        verdict: "denied",
        reason: `strict mTLS on ${target.namespace}/${target.name} refuses plaintext from ${edge.source.namespace}/${edge.source.workload}, which has no sidecar`,
      };
    const isMutual = hasSourceSidecar && mode !== "DISABLE";
    const facts: RequestFacts = {
      ...(isMutual ? { sourceNamespace: edge.source.namespace } : {}),
      ...(isMutual && serviceAccount
        ? {
            sourcePrincipal: `${inventory.cluster.trustDomain}/ns/${edge.source.namespace}/sa/${serviceAccount}`,
          }
        : {}),
      ...(edge.destination.port === undefined ? {} : { port: edge.destination.port }),
    };
    const result = authorize(authorizationsFor(authorizations, target, root), facts);
    if (result.verdict === "allowed") return result;
    const by = result.by ? describe(result.by) : "an authorization policy";
    return {
      ...result,
      reason:
        result.verdict === "denied"
          ? `${by} refuses requests from ${edge.source.namespace}/${edge.source.workload} to ${target.namespace}/${target.name}`
          : `${by} refuses some requests from ${edge.source.namespace}/${edge.source.workload} to ${target.namespace}/${target.name}, depending on path, method or headers`,
    };
  });
  const worst = verdicts.reduce((a, b) => (severity[b.verdict] > severity[a.verdict] ? b : a));
  // Some versions refuse and some accept: part of the traffic fails.
  const isMixed = verdicts.some((v) => v.verdict === "allowed") && worst.verdict === "denied";
  return isMixed ? { ...worst, verdict: "conditional" } : worst;
}

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Version → share of the default route; without a VirtualService Kubernetes spreads over ready pods. */
function versionShares(
  resources: readonly MeshResource[],
  namespace: string,
  serviceName: string,
  inventory: ResolvedInventory,
  index: InventoryIndex,
): { shares: Map<string, number>; conditional: Map<string, string> } {
  const host = serviceHost(namespace, serviceName, inventory.cluster.domainSuffix);
  const shares = new Map<string, number>();
  const conditional = new Map<string, string>();
  const vs = resources.find((r) => r.kind === "VirtualService" && asList(r.spec.hosts).includes(host));
  if (!vs) {
    const service = index.service(namespace, serviceName);
    const workloads = service ? index.workloadsOf(service) : [];
    const total = workloads.reduce((sum, w) => sum + w.readyReplicas, 0);
    for (const w of workloads) {
      const version = w.labels.version ?? "(unversioned)";
      if (total > 0) shares.set(version, (shares.get(version) ?? 0) + w.readyReplicas / total);
    }
    return { shares, conditional };
  }
  const dr = resources.find((r) => r.kind === "DestinationRule" && r.spec.host === host);
  const subsetVersion = new Map<string, string>();
  for (const s of asList(dr?.spec.subsets)) {
    const subset = asRecord(s);
    const version = asRecord(subset?.labels)?.version;
    if (typeof subset?.name === "string" && typeof version === "string")
      subsetVersion.set(subset.name, version);
  }
  let isDefaultFound = false;
  for (const [i, r] of asList(vs.spec.http).entries()) {
    const route = asRecord(r);
    const name = typeof route?.name === "string" ? route.name : `route-${i}`;
    const destinations = asList(route?.route).map(asRecord);
    if (route?.match !== undefined) {
      conditional.set(name, JSON.stringify(destinations));
      continue;
    }
    if (isDefaultFound) continue;
    isDefaultFound = true;
    for (const d of destinations) {
      const subset = asRecord(d?.destination)?.subset;
      const weight = typeof d?.weight === "number" ? d.weight : destinations.length === 1 ? 100 : 0;
      const version = typeof subset === "string" ? (subsetVersion.get(subset) ?? subset) : "(any)";
      shares.set(version, (shares.get(version) ?? 0) + weight / 100);
    }
  }
  return { shares, conditional };
}

/** The edges and routes a change to one cluster's config would affect. */
export function impact(change: PolicyChange, observedEdges: readonly ObservedEdge[]): ImpactReport {
  const inventory = resolveInventory(change.inventory);
  const index = indexInventory(inventory);
  const report: ImpactReport = {
    cluster: inventory.cluster.name,
    blocked: [],
    unblocked: [],
    routeShifts: [],
    changedConditionalRoutes: [],
    blockedRequestsPerSecond: 0,
  };
  const beforeAuthorizations = readAuthorizations(change.before);
  const afterAuthorizations = readAuthorizations(change.after);
  const rateInto = new Map<string, number>();
  for (const edge of observedEdges) {
    const key = `${edge.destination.namespace}/${edge.destination.service}`;
    rateInto.set(key, (rateInto.get(key) ?? 0) + edge.requestsPerSecond);
    const before = judgeEdge(edge, change.before, beforeAuthorizations, inventory, index);
    const after = judgeEdge(edge, change.after, afterAuthorizations, inventory, index);
    if (severity[after.verdict] > severity[before.verdict]) {
      const policies = after.by?.metadata.annotations[policiesAnnotation];
      report.blocked.push({
        edge,
        before: before.verdict,
        after: after.verdict,
        ...(after.reason ? { reason: after.reason } : {}),
        ...(policies ? { policies: policies.split(",") } : {}),
      });
      if (after.verdict === "denied") report.blockedRequestsPerSecond += edge.requestsPerSecond;
    } else if (severity[after.verdict] < severity[before.verdict]) {
      report.unblocked.push({ edge, before: before.verdict, after: after.verdict });
    }
  }
  const services = new Set([...rateInto.keys()]);
  for (const r of [...change.before, ...change.after]) {
    if (r.kind !== "VirtualService") continue;
    for (const host of asList(r.spec.hosts)) {
      if (typeof host !== "string") continue;
      const [name, namespace] = host.split(".");
      if (name && namespace) services.add(`${namespace}/${name}`);
    }
  }
  for (const key of [...services].sort()) {
    const [namespace = "", service = ""] = key.split("/");
    const before = versionShares(change.before, namespace, service, inventory, index);
    const after = versionShares(change.after, namespace, service, inventory, index);
    const rate = rateInto.get(key) ?? 0;
    for (const version of [...new Set([...before.shares.keys(), ...after.shares.keys()])].sort()) {
      const b = before.shares.get(version) ?? 0;
      const a = after.shares.get(version) ?? 0;
      if (Math.abs(a - b) < 1e-9) continue;
      report.routeShifts.push({
        namespace,
        service,
        version,
        beforeShare: b,
        afterShare: a,
        beforeRequestsPerSecond: b * rate,
        afterRequestsPerSecond: a * rate,
      });
    }
    const routes = [...new Set([...before.conditional.keys(), ...after.conditional.keys()])]
      .filter((name) => before.conditional.get(name) !== after.conditional.get(name))
      .sort();
    if (routes.length > 0) report.changedConditionalRoutes.push({ namespace, service, routes });
  }
  const order = (a: EdgeImpact, b: EdgeImpact) => b.edge.requestsPerSecond - a.edge.requestsPerSecond;
  report.blocked.sort(order);
  report.unblocked.sort(order);
  return report;
}
