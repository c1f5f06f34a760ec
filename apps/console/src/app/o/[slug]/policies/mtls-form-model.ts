// The MtlsPolicy form's state and its conversion to and from the policy document: the mode and the
// level it applies at (whole clusters, a namespace, or workloads by service or labels). Fields the
// form does not show ride along untouched in `extra`.
import type { YamlMap, YamlValue } from "~/lib/policy-yaml";
import {
  type ClusterScopeForm,
  clusterScopeFromDocument,
  clusterScopePaths,
  clusterScopeToDocument,
  emptyClusterScope,
  FormShapeError,
  type LabelRow,
  labelMap,
  labelRows,
  mapOf,
  policyHeaderPaths,
  putNumber,
  putText,
  text,
  withExtra,
  withoutPaths,
} from "./form-model-common";
import { policyApiVersion } from "./traffic-form-model";

export const mtlsModes = ["strict", "permissive", "disable"] as const;
export type MtlsMode = (typeof mtlsModes)[number];
/** clusters: the root namespace of every selected cluster (no clusters: the whole organization). */
export type MtlsLevel = "clusters" | "namespace" | "workload";
export type WorkloadBy = "service" | "labels";

export type MtlsForm = {
  name: string;
  clusters: ClusterScopeForm;
  level: MtlsLevel;
  namespace: string;
  workloadBy: WorkloadBy;
  workloadService: string;
  workloadLabels: LabelRow[];
  precedence: string;
  mode: MtlsMode;
  extra: YamlMap;
};

const shownPaths = [
  ...policyHeaderPaths,
  ...clusterScopePaths,
  "spec.scope.namespace",
  "spec.scope.workload.service",
  "spec.scope.workload.matchLabels",
  "spec.precedence",
  "spec.mode",
];

export function emptyMtlsForm(): MtlsForm {
  return {
    name: "",
    clusters: emptyClusterScope(),
    level: "clusters",
    namespace: "",
    workloadBy: "service",
    workloadService: "",
    workloadLabels: [{ key: "", value: "" }],
    precedence: "",
    mode: "strict",
    extra: {},
  };
}

export function mtlsFormToDocument(form: MtlsForm): YamlMap {
  const scope: YamlMap = {};
  const clusters = clusterScopeToDocument(form.clusters);
  if (clusters) scope.clusters = clusters;
  if (form.level !== "clusters") putText(scope, "namespace", form.namespace);
  if (form.level === "workload") {
    const workload: YamlMap = {};
    if (form.workloadBy === "service") putText(workload, "service", form.workloadService);
    else workload.matchLabels = labelMap(form.workloadLabels);
    scope.workload = workload;
  }
  const spec: YamlMap = {};
  if (Object.keys(scope).length > 0) spec.scope = scope;
  putNumber(spec, "precedence", form.precedence);
  spec.mode = form.mode;
  return withExtra(
    { apiVersion: policyApiVersion, kind: "MtlsPolicy", metadata: { name: form.name.trim() }, spec },
    form.extra,
  );
}

function modeOf(value: YamlValue | undefined): MtlsMode {
  if (value === undefined || value === null) return "strict";
  const mode = mtlsModes.find((item) => item === value);
  if (!mode) throw new FormShapeError(`the form has no mode "${text(value)}"`);
  return mode;
}

export function mtlsFormFromDocument(document: YamlValue): MtlsForm {
  const root = mapOf(document);
  if (root.kind !== "MtlsPolicy") throw new FormShapeError("the form is for MtlsPolicy documents");
  const spec = mapOf(root.spec);
  const scope = mapOf(spec.scope);
  const workload = mapOf(scope.workload);
  if (workload.service !== undefined && workload.matchLabels !== undefined) {
    throw new FormShapeError("the form selects workloads by service or by labels, not both");
  }
  const level: MtlsLevel =
    scope.workload !== undefined ? "workload" : scope.namespace !== undefined ? "namespace" : "clusters";
  return {
    name: text(mapOf(root.metadata).name),
    clusters: clusterScopeFromDocument(scope.clusters),
    level,
    namespace: text(scope.namespace),
    workloadBy: workload.matchLabels !== undefined ? "labels" : "service",
    workloadService: text(workload.service),
    workloadLabels: labelRows(workload.matchLabels),
    precedence: text(spec.precedence),
    mode: modeOf(spec.mode),
    extra: withoutPaths(root, shownPaths),
  };
}
