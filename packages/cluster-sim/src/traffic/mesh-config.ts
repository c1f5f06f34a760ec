import type { ClusterStore } from "../cluster-store";
import { isJsonObject, type JsonObject, type JsonValue } from "../json";

/**
 * What the traffic model needs from one cluster, read from its store once per tick: workloads
 * (with sidecar or not), services, and the Istio resources that shape traffic. Only the fields the
 * model acts on are read; everything else in the CRDs is ignored (see docs/cluster-sim.md).
 */

export interface Workload {
  namespace: string;
  name: string;
  app: string;
  version: string;
  labels: Record<string, string>;
  serviceAccount: string;
  /** Ready pods: endpoints weigh by them. */
  readyPods: number;
  hasSidecar: boolean;
}

export interface RouteDestination {
  host: string;
  subset?: string;
  weight: number;
}

export interface HttpRoutePolicy {
  destinations: RouteDestination[];
  delay?: { percentage: number; delayMs: number };
  abort?: { percentage: number; httpStatus: number };
  timeoutMs?: number;
  retries?: { attempts: number; perTryTimeoutMs?: number; retryOn?: string };
}

export interface OutlierPolicy {
  consecutive5xxErrors: number;
  baseEjectionTimeMs: number;
  maxEjectionPercent: number;
}

export type PeerMode = "STRICT" | "PERMISSIVE" | "DISABLE";

export interface ClusterConfig {
  workloads: Workload[];
  services: Set<string>;
  virtualServices: JsonObject[];
  destinationRules: JsonObject[];
  peerAuthentications: JsonObject[];
  authorizationPolicies: JsonObject[];
  namespaceLabels: Map<string, Record<string, string>>;
}

export const ROOT_NAMESPACE = "istio-system";
const TRUST_DOMAIN = "cluster.local";

export function readClusterConfig(store: ClusterStore): ClusterConfig {
  const pods = store.list("Pod");
  const workloads: Workload[] = [];
  for (const kind of ["Deployment", "StatefulSet"]) {
    for (const object of store.list(kind)) {
      const metadata = objectAt(object, "metadata");
      const spec = objectAt(object, "spec");
      const template = objectAt(spec, "template");
      const labels = stringRecord(objectAt(objectAt(template, "metadata"), "labels"));
      const namespace = stringAt(metadata, "namespace");
      const app = labels.app;
      if (app === undefined) continue;
      const matching = pods.filter((pod) => {
        const podMetadata = objectAt(pod, "metadata");
        const podLabels = stringRecord(objectAt(podMetadata, "labels"));
        return (
          stringAt(podMetadata, "namespace") === namespace &&
          Object.entries(labels).every(([key, value]) => podLabels[key] === value) &&
          !isJsonObject(podMetadata.deletionTimestamp)
        );
      });
      const readyPods = matching.filter(isPodReady).length;
      workloads.push({
        namespace,
        name: stringAt(metadata, "name"),
        app,
        version: labels.version ?? "unknown",
        labels,
        serviceAccount: stringAt(objectAt(template, "spec"), "serviceAccountName") || "default",
        readyPods,
        hasSidecar: matching.some(hasProxyContainer),
      });
    }
  }
  const services = new Set(
    store.list("Service").map((service) => {
      const metadata = objectAt(service, "metadata");
      return `${stringAt(metadata, "namespace")}/${stringAt(metadata, "name")}`;
    }),
  );
  const namespaceLabels = new Map(
    store
      .list("Namespace")
      .map((namespace): [string, Record<string, string>] => [
        stringAt(objectAt(namespace, "metadata"), "name"),
        stringRecord(objectAt(objectAt(namespace, "metadata"), "labels")),
      ]),
  );
  return {
    workloads,
    services,
    virtualServices: store.list("VirtualService"),
    destinationRules: store.list("DestinationRule"),
    peerAuthentications: store.list("PeerAuthentication"),
    authorizationPolicies: store.list("AuthorizationPolicy"),
    namespaceLabels,
  };
}

export function principalOf(workload: Workload): string {
  return `${TRUST_DOMAIN}/ns/${workload.namespace}/sa/${workload.serviceAccount}`;
}

/** `reviews`, `reviews.bookinfo`, `reviews.bookinfo.svc.cluster.local` → bookinfo/reviews. */
export function resolveHost(host: string, defaultNamespace: string): string {
  const parts = host.split(".");
  const [name, namespace] = parts;
  if (name === undefined) return host;
  return `${namespace ?? defaultNamespace}/${name}`;
}

/**
 * The HTTP route a client applies for a service: the first VirtualService (oldest first, as Istio
 * merges them) whose hosts name it, its first route without match conditions (the model sends no
 * headers, so conditional routes are skipped) or else its first route.
 */
export function routeFor(config: ClusterConfig, service: string): HttpRoutePolicy | undefined {
  for (const virtualService of sortedByAge(config.virtualServices)) {
    const namespace = stringAt(objectAt(virtualService, "metadata"), "namespace");
    const spec = objectAt(virtualService, "spec");
    const hosts = stringArray(spec.hosts);
    if (!hosts.some((host) => resolveHost(host, namespace) === service)) continue;
    const routes = arrayOf(spec.http).filter(isJsonObject);
    const route = routes.find((entry) => arrayOf(entry.match).length === 0) ?? routes[0];
    if (route === undefined) continue;
    const destinations = arrayOf(route.route)
      .filter(isJsonObject)
      .map((entry): RouteDestination => {
        const destination = objectAt(entry, "destination");
        const subset = stringAt(destination, "subset");
        return {
          host: resolveHost(stringAt(destination, "host"), namespace),
          subset: subset === "" ? undefined : subset,
          weight: typeof entry.weight === "number" ? entry.weight : 0,
        };
      });
    // Istio: a single destination without weight takes all traffic.
    const only = destinations[0];
    if (destinations.length === 1 && only !== undefined) only.weight = 100;
    const fault = objectAt(route, "fault");
    const delay = objectAt(fault, "delay");
    const abort = objectAt(fault, "abort");
    const retries = objectAt(route, "retries");
    return {
      destinations,
      delay: isJsonObject(fault.delay)
        ? { percentage: percentageOf(delay), delayMs: durationMs(stringAt(delay, "fixedDelay")) ?? 0 }
        : undefined,
      abort:
        isJsonObject(fault.abort) && typeof abort.httpStatus === "number"
          ? { percentage: percentageOf(abort), httpStatus: abort.httpStatus }
          : undefined,
      timeoutMs: durationMs(stringAt(route, "timeout")),
      retries: isJsonObject(route.retries)
        ? {
            attempts: typeof retries.attempts === "number" ? retries.attempts : 0,
            perTryTimeoutMs: durationMs(stringAt(retries, "perTryTimeout")),
            retryOn: stringAt(retries, "retryOn") || undefined,
          }
        : undefined,
    };
  }
  return undefined;
}

function destinationRuleFor(config: ClusterConfig, service: string): JsonObject | undefined {
  return sortedByAge(config.destinationRules).find((rule) => {
    const namespace = stringAt(objectAt(rule, "metadata"), "namespace");
    return resolveHost(stringAt(objectAt(rule, "spec"), "host"), namespace) === service;
  });
}

/** Labels of a DestinationRule subset; undefined when the subset is not defined (Envoy: 503 NR). */
export function subsetLabels(
  config: ClusterConfig,
  service: string,
  subset: string,
): Record<string, string> | undefined {
  const rule = destinationRuleFor(config, service);
  const found = arrayOf(objectAt(rule ?? {}, "spec").subsets)
    .filter(isJsonObject)
    .find((entry) => entry.name === subset);
  return found === undefined ? undefined : stringRecord(objectAt(found, "labels"));
}

export function outlierPolicyFor(config: ClusterConfig, service: string): OutlierPolicy | undefined {
  const rule = destinationRuleFor(config, service);
  const policy = objectAt(objectAt(objectAt(rule ?? {}, "spec"), "trafficPolicy"), "outlierDetection");
  if (Object.keys(policy).length === 0) return undefined;
  const consecutive = policy.consecutive5xxErrors ?? policy.consecutiveErrors;
  return {
    // Istio's (and Envoy's) defaults.
    consecutive5xxErrors: typeof consecutive === "number" ? consecutive : 5,
    baseEjectionTimeMs: durationMs(stringAt(policy, "baseEjectionTime")) ?? 30_000,
    maxEjectionPercent: typeof policy.maxEjectionPercent === "number" ? policy.maxEjectionPercent : 10,
  };
}

/**
 * The effective PeerAuthentication mode for a workload: a workload-selector policy in its
 * namespace, else the namespace-wide one, else the mesh-wide one in the root namespace, else
 * PERMISSIVE. UNSET inherits from the next level, as Istio does; port-level modes are ignored.
 */
export function peerModeFor(config: ClusterConfig, workload: Workload): PeerMode {
  const levels: JsonObject[][] = [
    config.peerAuthentications.filter(
      (policy) => namespaceOf(policy) === workload.namespace && selectorMatches(policy, workload, true),
    ),
    config.peerAuthentications.filter(
      (policy) => namespaceOf(policy) === workload.namespace && !hasSelector(policy),
    ),
    config.peerAuthentications.filter(
      (policy) => namespaceOf(policy) === ROOT_NAMESPACE && !hasSelector(policy),
    ),
  ];
  for (const level of levels) {
    for (const policy of sortedByAge(level)) {
      const mode = stringAt(objectAt(objectAt(policy, "spec"), "mtls"), "mode");
      if (mode === "STRICT" || mode === "PERMISSIVE" || mode === "DISABLE") return mode;
    }
  }
  return "PERMISSIVE";
}

export interface CallerIdentity {
  /** Only known to the server under mutual TLS; "" otherwise, as Envoy sees it. */
  principal: string;
  namespace: string;
}

/**
 * Istio's authorization order for a workload: any matching DENY policy denies; then, when ALLOW
 * policies apply to the workload, the request must match one of them. Rules match on
 * `from.source` principals / notPrincipals / namespaces / notNamespaces (with `*`, `prefix*`,
 * `*suffix`); `to` and `when` are treated as matching, since the model's requests carry no paths,
 * methods or headers.
 */
export function isAuthorized(config: ClusterConfig, workload: Workload, caller: CallerIdentity): boolean {
  const applicable = config.authorizationPolicies.filter((policy) => {
    const namespace = namespaceOf(policy);
    if (namespace === ROOT_NAMESPACE) return selectorMatches(policy, workload, false);
    return namespace === workload.namespace && selectorMatches(policy, workload, false);
  });
  const actionOf = (policy: JsonObject) => stringAt(objectAt(policy, "spec"), "action") || "ALLOW";
  const rulesOf = (policy: JsonObject) => arrayOf(objectAt(policy, "spec").rules).filter(isJsonObject);
  const denies = applicable.filter((policy) => actionOf(policy) === "DENY");
  if (denies.some((policy) => rulesOf(policy).some((rule) => ruleMatches(rule, caller)))) return false;
  const allows = applicable.filter((policy) => actionOf(policy) === "ALLOW");
  if (allows.length === 0) return true;
  return allows.some((policy) => rulesOf(policy).some((rule) => ruleMatches(rule, caller)));
}

function ruleMatches(rule: JsonObject, caller: CallerIdentity): boolean {
  const froms = arrayOf(rule.from).filter(isJsonObject);
  if (froms.length === 0) return true;
  return froms.some((from) => {
    const source = objectAt(from, "source");
    // The namespace is read from the peer certificate: without mTLS the server does not know it.
    const namespace = caller.principal === "" ? "" : caller.namespace;
    return (
      valuesMatch(source.principals, caller.principal, true) &&
      valuesMatch(source.notPrincipals, caller.principal, false) &&
      valuesMatch(source.namespaces, namespace, true) &&
      valuesMatch(source.notNamespaces, namespace, false)
    );
  });
}

function valuesMatch(values: JsonValue | undefined, actual: string, isPositive: boolean): boolean {
  const patterns = stringArray(values);
  if (values === undefined) return true;
  const matched = actual !== "" && patterns.some((pattern) => patternMatches(pattern, actual));
  return isPositive ? matched : !matched;
}

function patternMatches(pattern: string, value: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith("*")) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith("*")) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

function hasSelector(policy: JsonObject): boolean {
  return Object.keys(objectAt(objectAt(objectAt(policy, "spec"), "selector"), "matchLabels")).length > 0;
}

function selectorMatches(policy: JsonObject, workload: Workload, isSelectorRequired: boolean): boolean {
  const matchLabels = stringRecord(objectAt(objectAt(objectAt(policy, "spec"), "selector"), "matchLabels"));
  const entries = Object.entries(matchLabels);
  if (entries.length === 0) return !isSelectorRequired;
  return entries.every(([key, value]) => workload.labels[key] === value);
}

function namespaceOf(object: JsonObject): string {
  return stringAt(objectAt(object, "metadata"), "namespace");
}

function sortedByAge(objects: JsonObject[]): JsonObject[] {
  const created = (object: JsonObject) => stringAt(objectAt(object, "metadata"), "creationTimestamp");
  return [...objects].sort(
    (a, b) =>
      created(a).localeCompare(created(b)) ||
      stringAt(objectAt(a, "metadata"), "name").localeCompare(stringAt(objectAt(b, "metadata"), "name")),
  );
}

function percentageOf(fault: JsonObject): number {
  const percentage = objectAt(fault, "percentage");
  if (typeof percentage.value === "number") return percentage.value;
  // The deprecated integer `percent`, and Istio's default of 100% when neither is given.
  return typeof fault.percent === "number" ? fault.percent : 100;
}

/** Istio durations as the CRDs carry them: `1.5s`, `200ms`, `1m`, `1h`. */
export function durationMs(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(h|m|s|ms|us|µs|ns)$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2];
  const factors: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 0.001,
    µs: 0.001,
    ns: 1e-6,
  };
  return amount * (factors[unit ?? "ms"] ?? 1);
}

function isPodReady(pod: JsonObject): boolean {
  const conditions = arrayOf(objectAt(pod, "status").conditions).filter(isJsonObject);
  return conditions.some((condition) => condition.type === "Ready" && condition.status === "True");
}

function hasProxyContainer(pod: JsonObject): boolean {
  const spec = objectAt(pod, "spec");
  return (
    [...arrayOf(spec.containers), ...arrayOf(spec.initContainers)]
      .filter(isJsonObject)
      // Gateways are Envoy themselves (proxyv2 image) and report like sidecars.
      .some(
        (container) =>
          container.name === "istio-proxy" || stringAt(container, "image").includes("istio/proxyv2"),
      )
  );
}

export function objectAt(object: JsonObject, key: string): JsonObject {
  const value = object[key];
  return isJsonObject(value) ? value : {};
}

export function stringAt(object: JsonObject, key: string): string {
  const value = object[key];
  return typeof value === "string" ? value : "";
}

function arrayOf(value: JsonValue | undefined): JsonValue[] {
  return Array.isArray(value) ? value : [];
}

function stringArray(value: JsonValue | undefined): string[] {
  return arrayOf(value).filter((item): item is string => typeof item === "string");
}

function stringRecord(object: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(object)) if (typeof value === "string") out[key] = value;
  return out;
}
