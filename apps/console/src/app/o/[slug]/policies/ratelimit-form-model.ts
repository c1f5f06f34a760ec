// The RateLimitPolicy form's state and its conversion to and from the policy document. Fields the
// form does not show ride along untouched in `extra`.
import type { YamlMap, YamlValue } from "~/lib/policy-yaml";
import {
  type ClusterScopeForm,
  clusterScopeFromDocument,
  clusterScopePaths,
  clusterScopeToDocument,
  emptyClusterScope,
  FormShapeError,
  mapOf,
  policyHeaderPaths,
  putNumber,
  putText,
  text,
  withExtra,
  withoutPaths,
} from "./form-model-common";
import { policyApiVersion } from "./traffic-form-model";

export const rateLimitUnits = ["second", "minute", "hour"] as const;
export type RateLimitUnit = (typeof rateLimitUnits)[number];

export type RateLimitForm = {
  name: string;
  clusters: ClusterScopeForm;
  namespace: string;
  service: string;
  precedence: string;
  requests: string;
  per: RateLimitUnit;
  burst: string;
  extra: YamlMap;
};

const shownPaths = [
  ...policyHeaderPaths,
  ...clusterScopePaths,
  "spec.scope.namespace",
  "spec.scope.service",
  "spec.precedence",
  "spec.limit.requests",
  "spec.limit.per",
  "spec.limit.burst",
];

export function emptyRateLimitForm(): RateLimitForm {
  return {
    name: "",
    clusters: emptyClusterScope(),
    namespace: "",
    service: "",
    precedence: "",
    requests: "",
    per: "second",
    burst: "",
    extra: {},
  };
}

export function rateLimitFormToDocument(form: RateLimitForm): YamlMap {
  const scope: YamlMap = {};
  const clusters = clusterScopeToDocument(form.clusters);
  if (clusters) scope.clusters = clusters;
  putText(scope, "namespace", form.namespace);
  putText(scope, "service", form.service);
  const spec: YamlMap = { scope };
  putNumber(spec, "precedence", form.precedence);
  const limit: YamlMap = {};
  putNumber(limit, "requests", form.requests);
  limit.per = form.per;
  putNumber(limit, "burst", form.burst);
  spec.limit = limit;
  return withExtra(
    { apiVersion: policyApiVersion, kind: "RateLimitPolicy", metadata: { name: form.name.trim() }, spec },
    form.extra,
  );
}

function unitOf(value: YamlValue | undefined): RateLimitUnit {
  if (value === undefined || value === null) return "second";
  const unit = rateLimitUnits.find((item) => item === value);
  if (!unit) throw new FormShapeError(`the form has no unit "${text(value)}"`);
  return unit;
}

export function rateLimitFormFromDocument(document: YamlValue): RateLimitForm {
  const root = mapOf(document);
  if (root.kind !== "RateLimitPolicy") throw new FormShapeError("the form is for RateLimitPolicy documents");
  const spec = mapOf(root.spec);
  const scope = mapOf(spec.scope);
  const limit = mapOf(spec.limit);
  return {
    name: text(mapOf(root.metadata).name),
    clusters: clusterScopeFromDocument(scope.clusters),
    namespace: text(scope.namespace),
    service: text(scope.service),
    precedence: text(spec.precedence),
    requests: text(limit.requests),
    per: unitOf(limit.per),
    burst: text(limit.burst),
    extra: withoutPaths(root, shownPaths),
  };
}
