// The ResiliencePolicy form's state and its conversion to and from the policy document: load
// balancing (with the consistent-hash key and locality failover), connection pool limits and
// outlier detection. Fields the form does not show ride along untouched in `extra`.
import type { YamlMap, YamlValue } from "~/lib/policy-yaml";
import {
  type ClusterScopeForm,
  clusterScopeFromDocument,
  clusterScopePaths,
  clusterScopeToDocument,
  emptyClusterScope,
  FormShapeError,
  listOf,
  mapOf,
  policyHeaderPaths,
  putMap,
  putNumber,
  putText,
  text,
  withExtra,
  withoutPaths,
} from "./form-model-common";
import { policyApiVersion } from "./traffic-form-model";

export const loadBalancerAlgorithms = ["round-robin", "least-request", "random", "consistent-hash"] as const;
/** "": no load balancer settings (Istio's default). */
export type Algorithm = "" | (typeof loadBalancerAlgorithms)[number];
/** "": no hash key. */
export type HashBy = "" | "header" | "cookie" | "sourceIp";
export type FailoverForm = { from: string; to: string; extra: YamlMap };

/** The numeric and duration fields, each at `spec.<path>`. */
export const limitFields = {
  tcpMaxConnections: "connectionPool.tcp.maxConnections",
  tcpConnectTimeout: "connectionPool.tcp.connectTimeout",
  httpMaxPendingRequests: "connectionPool.http.maxPendingRequests",
  httpMaxRequests: "connectionPool.http.maxRequests",
  httpMaxRequestsPerConnection: "connectionPool.http.maxRequestsPerConnection",
  httpMaxRetries: "connectionPool.http.maxRetries",
  httpIdleTimeout: "connectionPool.http.idleTimeout",
  outlierConsecutive5xxErrors: "outlierDetection.consecutive5xxErrors",
  outlierInterval: "outlierDetection.interval",
  outlierBaseEjectionTime: "outlierDetection.baseEjectionTime",
  outlierMaxEjectionPercent: "outlierDetection.maxEjectionPercent",
} as const;
export type LimitField = keyof typeof limitFields;
const durationFields = new Set<LimitField>([
  "tcpConnectTimeout",
  "httpIdleTimeout",
  "outlierInterval",
  "outlierBaseEjectionTime",
]);

export type ResilienceForm = {
  name: string;
  clusters: ClusterScopeForm;
  namespace: string;
  service: string;
  precedence: string;
  algorithm: Algorithm;
  hashBy: HashBy;
  hashHeader: string;
  cookieName: string;
  cookieTtl: string;
  failover: FailoverForm[];
  limits: Record<LimitField, string>;
  extra: YamlMap;
};

const shownPaths = [
  ...policyHeaderPaths,
  ...clusterScopePaths,
  "spec.scope.namespace",
  "spec.scope.service",
  "spec.precedence",
  "spec.loadBalancer.algorithm",
  "spec.loadBalancer.hashKey.header",
  "spec.loadBalancer.hashKey.cookie.name",
  "spec.loadBalancer.hashKey.cookie.ttl",
  "spec.loadBalancer.hashKey.sourceIp",
  "spec.loadBalancer.localityFailover",
  ...Object.values(limitFields).map((path) => `spec.${path}`),
];

function emptyLimits(): Record<LimitField, string> {
  const limits = {} as Record<LimitField, string>;
  for (const field of Object.keys(limitFields) as LimitField[]) limits[field] = "";
  return limits;
}

export function emptyResilienceForm(): ResilienceForm {
  return {
    name: "",
    clusters: emptyClusterScope(),
    namespace: "",
    service: "",
    precedence: "",
    algorithm: "",
    hashBy: "",
    hashHeader: "",
    cookieName: "",
    cookieTtl: "",
    failover: [],
    limits: emptyLimits(),
    extra: {},
  };
}

export const tcpFields: readonly LimitField[] = ["tcpMaxConnections", "tcpConnectTimeout"];
export const httpFields: readonly LimitField[] = [
  "httpMaxPendingRequests",
  "httpMaxRequests",
  "httpMaxRequestsPerConnection",
  "httpMaxRetries",
  "httpIdleTimeout",
];
export const outlierFields: readonly LimitField[] = [
  "outlierConsecutive5xxErrors",
  "outlierInterval",
  "outlierBaseEjectionTime",
  "outlierMaxEjectionPercent",
];

/** The fields' values keyed by the last part of their path; durations stay text. */
function limitsOf(form: ResilienceForm, fields: readonly LimitField[]): YamlMap {
  const out: YamlMap = {};
  for (const field of fields) {
    const key = limitFields[field].split(".").pop() ?? "";
    if (durationFields.has(field)) putText(out, key, form.limits[field]);
    else putNumber(out, key, form.limits[field]);
  }
  return out;
}

function hashKeyOf(form: ResilienceForm): YamlMap | undefined {
  if (form.hashBy === "header") return { header: form.hashHeader.trim() };
  if (form.hashBy === "sourceIp") return { sourceIp: true };
  if (form.hashBy === "cookie") {
    const cookie: YamlMap = { name: form.cookieName.trim() };
    putText(cookie, "ttl", form.cookieTtl);
    return { cookie };
  }
  return undefined;
}

export function resilienceFormToDocument(form: ResilienceForm): YamlMap {
  const scope: YamlMap = {};
  const clusters = clusterScopeToDocument(form.clusters);
  if (clusters) scope.clusters = clusters;
  putText(scope, "namespace", form.namespace);
  putText(scope, "service", form.service);
  const spec: YamlMap = { scope };
  putNumber(spec, "precedence", form.precedence);
  const loadBalancer: YamlMap = {};
  if (form.algorithm) loadBalancer.algorithm = form.algorithm;
  const hashKey = hashKeyOf(form);
  if (hashKey) loadBalancer.hashKey = hashKey;
  if (form.failover.length > 0) {
    loadBalancer.localityFailover = form.failover.map((row) => ({
      from: row.from.trim(),
      to: row.to.trim(),
      ...row.extra,
    }));
  }
  putMap(spec, "loadBalancer", loadBalancer);
  const connectionPool: YamlMap = {};
  putMap(connectionPool, "tcp", limitsOf(form, tcpFields));
  putMap(connectionPool, "http", limitsOf(form, httpFields));
  putMap(spec, "connectionPool", connectionPool);
  putMap(spec, "outlierDetection", limitsOf(form, outlierFields));
  return withExtra(
    { apiVersion: policyApiVersion, kind: "ResiliencePolicy", metadata: { name: form.name.trim() }, spec },
    form.extra,
  );
}

function algorithmOf(value: YamlValue | undefined): Algorithm {
  if (value === undefined || value === null) return "";
  const algorithm = loadBalancerAlgorithms.find((item) => item === value);
  if (!algorithm) throw new FormShapeError(`the form has no algorithm "${text(value)}"`);
  return algorithm;
}

function hashByOf(hashKey: YamlMap): HashBy {
  const keys = (["header", "cookie", "sourceIp"] as const).filter((key) => hashKey[key] !== undefined);
  if (keys.length > 1) throw new FormShapeError("the form shows one hash key: header, cookie or source IP");
  if (hashKey.sourceIp !== undefined && hashKey.sourceIp !== true) {
    throw new FormShapeError("the form shows sourceIp only as true");
  }
  return keys[0] ?? "";
}

function valueAt(spec: YamlMap, path: string): YamlValue | undefined {
  let value: YamlValue | undefined = spec;
  for (const part of path.split(".")) value = mapOf(value)[part];
  return value;
}

export function resilienceFormFromDocument(document: YamlValue): ResilienceForm {
  const root = mapOf(document);
  if (root.kind !== "ResiliencePolicy")
    throw new FormShapeError("the form is for ResiliencePolicy documents");
  const spec = mapOf(root.spec);
  const scope = mapOf(spec.scope);
  const loadBalancer = mapOf(spec.loadBalancer);
  const hashKey = mapOf(loadBalancer.hashKey);
  const cookie = mapOf(hashKey.cookie);
  const limits = emptyLimits();
  for (const field of Object.keys(limitFields) as LimitField[]) {
    limits[field] = text(valueAt(spec, limitFields[field]));
  }
  return {
    name: text(mapOf(root.metadata).name),
    clusters: clusterScopeFromDocument(scope.clusters),
    namespace: text(scope.namespace),
    service: text(scope.service),
    precedence: text(spec.precedence),
    algorithm: algorithmOf(loadBalancer.algorithm),
    hashBy: hashByOf(hashKey),
    hashHeader: text(hashKey.header),
    cookieName: text(cookie.name),
    cookieTtl: text(cookie.ttl),
    failover: listOf(loadBalancer.localityFailover).map((item) => {
      const { from, to, ...extra } = mapOf(item);
      return { from: text(from), to: text(to), extra };
    }),
    limits,
    extra: withoutPaths(root, shownPaths),
  };
}
