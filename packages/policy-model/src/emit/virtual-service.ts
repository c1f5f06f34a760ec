/** TrafficPolicy → VirtualService (routes, weights, timeouts, retries, faults, mirroring, headers). */
import { normalizeDuration } from "../duration";
import { compact, type JsonObject, type MeshResource, makeResource, sortedRecord } from "../resource";
import type { HttpRoute, RouteMatch, StringMatch, TrafficPolicy } from "../schema";
import { namePrefix, serviceHost, sourceOf, subsetName } from "./names";

export interface VirtualServiceInput {
  policy: TrafficPolicy;
  domainSuffix: string;
}

const stringMatch = (m: StringMatch): JsonObject =>
  compact({ exact: m.exact, prefix: m.prefix, regex: m.regex });

const matchMap = (map: Record<string, StringMatch> | undefined): JsonObject | undefined => {
  if (!map) return undefined;
  const out: JsonObject = {};
  for (const key of Object.keys(map).sort()) {
    const m = map[key];
    if (m) out[key] = stringMatch(m);
  }
  return out;
};

const emitMatch = (m: RouteMatch): JsonObject =>
  compact({
    uri: m.path && stringMatch(m.path),
    method: m.method && { exact: m.method },
    headers: matchMap(m.headers),
    queryParams: matchMap(m.query),
  });

type HeaderOps = NonNullable<NonNullable<HttpRoute["headers"]>["request"]>;
const headerOps = (ops: HeaderOps | undefined): JsonObject | undefined =>
  ops &&
  compact({
    set: ops.set && sortedRecord(ops.set),
    add: ops.add && sortedRecord(ops.add),
    remove: ops.remove && [...new Set(ops.remove)].sort(),
  });

function emitRoute(route: HttpRoute, index: number, host: string): JsonObject {
  const only = route.destinations.length === 1;
  return compact({
    name: route.name ?? `route-${index}`,
    match: route.match?.map(emitMatch),
    route: route.destinations.map((d) => ({
      destination: compact({
        host,
        subset: subsetName(d.version),
        port: d.port === undefined ? undefined : { number: d.port },
      }),
      weight: only ? 100 : (d.weight ?? 0),
    })),
    timeout: route.timeout && normalizeDuration(route.timeout),
    retries:
      route.retries &&
      compact({
        attempts: route.retries.attempts,
        perTryTimeout: route.retries.perTryTimeout && normalizeDuration(route.retries.perTryTimeout),
        retryOn: route.retries.retryOn && [...new Set(route.retries.retryOn)].join(","),
      }),
    fault:
      route.fault &&
      compact({
        delay: route.fault.delay && {
          fixedDelay: normalizeDuration(route.fault.delay.fixed),
          percentage: { value: route.fault.delay.percentage },
        },
        abort: route.fault.abort && {
          httpStatus: route.fault.abort.httpStatus,
          percentage: { value: route.fault.abort.percentage },
        },
      }),
    mirror: route.mirror && { host, subset: subsetName(route.mirror.version) },
    mirrorPercentage: route.mirror && { value: route.mirror.percentage },
    headers:
      route.headers &&
      compact({ request: headerOps(route.headers.request), response: headerOps(route.headers.response) }),
  });
}

/** Versions a traffic policy sends traffic (or mirrored traffic) to; the DestinationRule needs a subset for each. */
export function routedVersions(policy: TrafficPolicy): string[] {
  const versions = new Set<string>();
  for (const route of policy.spec.routes) {
    for (const d of route.destinations) versions.add(d.version);
    if (route.mirror) versions.add(route.mirror.version);
  }
  return [...versions].sort();
}

export function emitVirtualService({ policy, domainSuffix }: VirtualServiceInput): MeshResource {
  const { namespace, service } = policy.spec.scope;
  const host = serviceHost(namespace, service, domainSuffix);
  return makeResource({
    kind: "VirtualService",
    name: `${namePrefix}${service}`,
    namespace,
    sources: [sourceOf(policy)],
    spec: { hosts: [host], http: policy.spec.routes.map((route, i) => emitRoute(route, i, host)) },
  });
}
