// The TrafficPolicy form's state and its conversion to and from the policy document. Fields the form
// does not show (route matches, header rewrites, mirrors) ride along untouched in `extra`, so a
// YAML -> form -> YAML round trip never drops what someone wrote by hand.
import { isYamlMap, type YamlMap, type YamlValue } from "~/lib/policy-yaml";

export const policyApiVersion = "policy.switchyard.dev/v1alpha1";

export type DestinationForm = { version: string; weight: string };
export type RouteForm = {
  name: string;
  destinations: DestinationForm[];
  timeout: string;
  retryAttempts: string;
  retryPerTryTimeout: string;
  retryOn: string;
  delayFixed: string;
  delayPercentage: string;
  abortStatus: string;
  abortPercentage: string;
  extra: YamlMap;
};
export type ClusterMode = "all" | "labels" | "names";
export type TrafficForm = {
  name: string;
  clusterMode: ClusterMode;
  clusterLabels: { key: string; value: string }[];
  clusterNames: string;
  namespace: string;
  service: string;
  precedence: string;
  routes: RouteForm[];
  extraSpec: YamlMap;
};

export function emptyRoute(name = "default"): RouteForm {
  return {
    name,
    destinations: [{ version: "v1", weight: "" }],
    timeout: "",
    retryAttempts: "",
    retryPerTryTimeout: "",
    retryOn: "",
    delayFixed: "",
    delayPercentage: "",
    abortStatus: "",
    abortPercentage: "",
    extra: {},
  };
}

export function emptyTrafficForm(): TrafficForm {
  return {
    name: "",
    clusterMode: "all",
    clusterLabels: [{ key: "", value: "" }],
    clusterNames: "",
    namespace: "",
    service: "",
    precedence: "",
    routes: [emptyRoute()],
    extraSpec: {},
  };
}

/** A number when the text is one, else the text itself, so validation names the bad value. */
function numberOrText(text: string): YamlValue {
  const trimmed = text.trim();
  return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

function list(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function routeToDocument(route: RouteForm): YamlMap {
  const { match, ...restExtra } = route.extra;
  const out: YamlMap = {};
  if (route.name.trim()) out.name = route.name.trim();
  if (match !== undefined) out.match = match;
  out.destinations = route.destinations.map((destination) => {
    const item: YamlMap = { version: destination.version.trim() };
    // An empty weight is left out, so validation speaks about the split (weights-not-100) instead.
    if (destination.weight.trim() !== "") item.weight = numberOrText(destination.weight);
    return item;
  });
  if (route.timeout.trim()) out.timeout = route.timeout.trim();
  if (route.retryAttempts.trim() || route.retryPerTryTimeout.trim() || route.retryOn.trim()) {
    const retries: YamlMap = {};
    if (route.retryAttempts.trim()) retries.attempts = numberOrText(route.retryAttempts);
    if (route.retryPerTryTimeout.trim()) retries.perTryTimeout = route.retryPerTryTimeout.trim();
    if (route.retryOn.trim()) retries.retryOn = list(route.retryOn);
    out.retries = retries;
  }
  const fault: YamlMap = {};
  if (route.delayFixed.trim() || route.delayPercentage.trim()) {
    const delay: YamlMap = {};
    if (route.delayFixed.trim()) delay.fixed = route.delayFixed.trim();
    if (route.delayPercentage.trim()) delay.percentage = numberOrText(route.delayPercentage);
    fault.delay = delay;
  }
  if (route.abortStatus.trim() || route.abortPercentage.trim()) {
    const abort: YamlMap = {};
    if (route.abortStatus.trim()) abort.httpStatus = numberOrText(route.abortStatus);
    if (route.abortPercentage.trim()) abort.percentage = numberOrText(route.abortPercentage);
    fault.abort = abort;
  }
  if (Object.keys(fault).length > 0) out.fault = fault;
  return { ...out, ...restExtra };
}

export function trafficFormToDocument(form: TrafficForm): YamlMap {
  const scope: YamlMap = {};
  if (form.clusterMode === "labels") {
    const labels: YamlMap = {};
    for (const label of form.clusterLabels) {
      if (label.key.trim()) labels[label.key.trim()] = label.value.trim();
    }
    scope.clusters = { matchLabels: labels };
  } else if (form.clusterMode === "names") {
    scope.clusters = { names: list(form.clusterNames) };
  }
  if (form.namespace.trim()) scope.namespace = form.namespace.trim();
  if (form.service.trim()) scope.service = form.service.trim();
  const spec: YamlMap = { scope };
  if (form.precedence.trim()) spec.precedence = numberOrText(form.precedence);
  spec.routes = form.routes.map(routeToDocument);
  return {
    apiVersion: policyApiVersion,
    kind: "TrafficPolicy",
    metadata: { name: form.name.trim() },
    spec: { ...spec, ...form.extraSpec },
  };
}

function text(value: YamlValue | undefined): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") throw new FormShapeError("a nested value where the form expects text");
  return String(value);
}

function mapOf(value: YamlValue | undefined): YamlMap {
  if (value === undefined || value === null) return {};
  if (!isYamlMap(value)) throw new FormShapeError("a list or text where the form expects a map");
  return value;
}

function listOf(value: YamlValue | undefined): YamlValue[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new FormShapeError("text where the form expects a list");
  return value;
}

/** The document has a shape the form cannot show (it stays editable in YAML). */
export class FormShapeError extends Error {}

function routeFromDocument(value: YamlValue): RouteForm {
  const { name, destinations, timeout, retries, fault, ...extra } = mapOf(value);
  const retryMap = mapOf(retries);
  const faultMap = mapOf(fault);
  const delay = mapOf(faultMap.delay);
  const abort = mapOf(faultMap.abort);
  return {
    name: text(name),
    destinations: listOf(destinations).map((item) => {
      const destination = mapOf(item);
      return { version: text(destination.version), weight: text(destination.weight) };
    }),
    timeout: text(timeout),
    retryAttempts: text(retryMap.attempts),
    retryPerTryTimeout: text(retryMap.perTryTimeout),
    retryOn: listOf(retryMap.retryOn).map(text).join(", "),
    delayFixed: text(delay.fixed),
    delayPercentage: text(delay.percentage),
    abortStatus: text(abort.httpStatus),
    abortPercentage: text(abort.percentage),
    extra,
  };
}

export function trafficFormFromDocument(document: YamlValue): TrafficForm {
  const root = mapOf(document);
  if (root.kind !== "TrafficPolicy") throw new FormShapeError("the form is for TrafficPolicy documents");
  const spec = mapOf(root.spec);
  const { scope, precedence, routes, ...extraSpec } = spec;
  const scopeMap = mapOf(scope);
  const clusters = mapOf(scopeMap.clusters);
  const labels = Object.entries(mapOf(clusters.matchLabels)).map(([key, value]) => ({
    key,
    value: text(value),
  }));
  const names = listOf(clusters.names).map(text);
  if (labels.length > 0 && names.length > 0) {
    throw new FormShapeError("the form selects clusters by labels or by names, not both");
  }
  const clusterMode: ClusterMode = labels.length > 0 ? "labels" : names.length > 0 ? "names" : "all";
  return {
    name: text(mapOf(root.metadata).name),
    clusterMode,
    clusterLabels: labels.length > 0 ? labels : [{ key: "", value: "" }],
    clusterNames: names.join(", "),
    namespace: text(scopeMap.namespace),
    service: text(scopeMap.service),
    precedence: text(precedence),
    routes: listOf(routes).map(routeFromDocument),
    extraSpec,
  };
}
