/**
 * One DestinationRule per service host: subsets for the versions its TrafficPolicy routes to and the
 * traffic policy of its ResiliencePolicy. Istio merges several rules for one host unreliably, so
 * both kinds of policy land in one resource.
 */
import { normalizeDuration } from "../duration";
import { compact, type JsonObject, type MeshResource, makeResource } from "../resource";
import type { ResiliencePolicy, TrafficPolicy } from "../schema";
import { namePrefix, serviceHost, sourceOf, subsetName } from "./names";
import { routedVersions } from "./virtual-service";

export interface DestinationRuleInput {
  namespace: string;
  service: string;
  domainSuffix: string;
  /** The label that tells versions apart on the service's workloads. */
  versionLabel?: string;
  traffic?: TrafficPolicy;
  resilience?: ResiliencePolicy;
}

const simpleAlgorithms = {
  "round-robin": "ROUND_ROBIN",
  "least-request": "LEAST_REQUEST",
  random: "RANDOM",
} as const;

type Spec = ResiliencePolicy["spec"];

function loadBalancer(lb: NonNullable<Spec["loadBalancer"]>): JsonObject {
  const locality = lb.localityFailover && {
    enabled: true,
    failover: lb.localityFailover.map((f) => ({ from: f.from, to: f.to })),
  };
  if (lb.algorithm === "consistent-hash") {
    const key = lb.hashKey;
    const consistentHash = key?.header
      ? { httpHeaderName: key.header }
      : key?.cookie
        ? {
            httpCookie: compact({
              name: key.cookie.name,
              path: key.cookie.path,
              ttl: key.cookie.ttl && normalizeDuration(key.cookie.ttl),
            }),
          }
        : { useSourceIp: true };
    return compact({ consistentHash, localityLbSetting: locality });
  }
  return compact({ simple: simpleAlgorithms[lb.algorithm], localityLbSetting: locality });
}

function trafficPolicy(spec: Spec): JsonObject {
  const pool = spec.connectionPool;
  const outlier = spec.outlierDetection;
  const dur = (d: string | undefined) => d && normalizeDuration(d);
  return compact({
    loadBalancer: spec.loadBalancer && loadBalancer(spec.loadBalancer),
    connectionPool:
      pool &&
      compact({
        tcp:
          pool.tcp &&
          compact({ maxConnections: pool.tcp.maxConnections, connectTimeout: dur(pool.tcp.connectTimeout) }),
        http:
          pool.http &&
          compact({
            http1MaxPendingRequests: pool.http.maxPendingRequests,
            http2MaxRequests: pool.http.maxRequests,
            maxRequestsPerConnection: pool.http.maxRequestsPerConnection,
            maxRetries: pool.http.maxRetries,
            idleTimeout: dur(pool.http.idleTimeout),
          }),
      }),
    outlierDetection:
      outlier &&
      compact({
        consecutive5xxErrors: outlier.consecutive5xxErrors,
        interval: dur(outlier.interval),
        baseEjectionTime: dur(outlier.baseEjectionTime),
        maxEjectionPercent: outlier.maxEjectionPercent,
      }),
  });
}

export function emitDestinationRule(input: DestinationRuleInput): MeshResource | undefined {
  const { traffic, resilience } = input;
  if (!traffic && !resilience) return undefined;
  const versionLabel = input.versionLabel ?? "version";
  const subsets = traffic
    ? routedVersions(traffic)
        .map((version) => ({ name: subsetName(version), labels: { [versionLabel]: version } }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    : undefined;
  const sources = [traffic, resilience].flatMap((p) => (p ? [sourceOf(p)] : []));
  return makeResource({
    kind: "DestinationRule",
    name: `${namePrefix}${input.service}`,
    namespace: input.namespace,
    sources,
    spec: compact({
      host: serviceHost(input.namespace, input.service, input.domainSuffix),
      trafficPolicy: resilience && trafficPolicy(resilience.spec),
      subsets,
    }),
  });
}
