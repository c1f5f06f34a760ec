// The AuthorizationPolicy form's state and its conversion to and from the policy document: the
// action and its rules (sources, operations, header conditions). Fields the form does not show
// ride along untouched in `extra`, per rule and per condition too.
import type { YamlMap, YamlValue } from "~/lib/policy-yaml";
import {
  type ClusterScopeForm,
  clusterScopeFromDocument,
  clusterScopePaths,
  clusterScopeToDocument,
  emptyClusterScope,
  FormShapeError,
  listOf,
  listText,
  mapOf,
  numberOrText,
  policyHeaderPaths,
  putList,
  putMap,
  putText,
  text,
  withExtra,
  withoutPaths,
} from "./form-model-common";
import { policyApiVersion } from "./traffic-form-model";

export type AuthorizationAction = "allow" | "deny";
export type ConditionForm = { header: string; values: string; extra: YamlMap };
/** Each list is comma-separated text. */
export type RuleForm = {
  serviceAccounts: string;
  principals: string;
  namespaces: string;
  methods: string;
  paths: string;
  ports: string;
  when: ConditionForm[];
  extra: YamlMap;
};

export type AuthorizationForm = {
  name: string;
  clusters: ClusterScopeForm;
  namespace: string;
  service: string;
  action: AuthorizationAction;
  rules: RuleForm[];
  extra: YamlMap;
};

const shownPaths = [
  ...policyHeaderPaths,
  ...clusterScopePaths,
  "spec.scope.namespace",
  "spec.scope.service",
  "spec.action",
  "spec.rules",
];

const rulePaths = [
  "from.serviceAccounts",
  "from.principals",
  "from.namespaces",
  "to.methods",
  "to.paths",
  "to.ports",
  "when",
];

export function emptyRule(): RuleForm {
  return {
    serviceAccounts: "",
    principals: "",
    namespaces: "",
    methods: "",
    paths: "",
    ports: "",
    when: [],
    extra: {},
  };
}

export function emptyCondition(): ConditionForm {
  return { header: "", values: "", extra: {} };
}

export function emptyAuthorizationForm(): AuthorizationForm {
  return {
    name: "",
    clusters: emptyClusterScope(),
    namespace: "",
    service: "",
    action: "allow",
    rules: [emptyRule()],
    extra: {},
  };
}

function ruleToDocument(rule: RuleForm): YamlMap {
  const from: YamlMap = {};
  putList(from, "serviceAccounts", rule.serviceAccounts);
  putList(from, "principals", rule.principals);
  putList(from, "namespaces", rule.namespaces);
  const to: YamlMap = {};
  putList(to, "methods", rule.methods);
  putList(to, "paths", rule.paths);
  putList(to, "ports", rule.ports, numberOrText);
  const out: YamlMap = {};
  putMap(out, "from", from);
  putMap(out, "to", to);
  if (rule.when.length > 0) {
    out.when = rule.when.map((condition) => {
      const item: YamlMap = { header: condition.header.trim() };
      putList(item, "values", condition.values);
      return { ...item, ...condition.extra };
    });
  }
  return withExtra(out, rule.extra);
}

export function authorizationFormToDocument(form: AuthorizationForm): YamlMap {
  const scope: YamlMap = {};
  const clusters = clusterScopeToDocument(form.clusters);
  if (clusters) scope.clusters = clusters;
  putText(scope, "namespace", form.namespace);
  putText(scope, "service", form.service);
  const spec: YamlMap = { scope, action: form.action, rules: form.rules.map(ruleToDocument) };
  return withExtra(
    { apiVersion: policyApiVersion, kind: "AuthorizationPolicy", metadata: { name: form.name.trim() }, spec },
    form.extra,
  );
}

function actionOf(value: YamlValue | undefined): AuthorizationAction {
  if (value === undefined || value === null) return "allow";
  if (value === "allow" || value === "deny") return value;
  throw new FormShapeError(`the form has no action "${text(value)}"`);
}

function ruleFromDocument(value: YamlValue): RuleForm {
  const rule = mapOf(value);
  const from = mapOf(rule.from);
  const to = mapOf(rule.to);
  return {
    serviceAccounts: listText(from.serviceAccounts),
    principals: listText(from.principals),
    namespaces: listText(from.namespaces),
    methods: listText(to.methods),
    paths: listText(to.paths),
    ports: listText(to.ports),
    when: listOf(rule.when).map((item) => {
      const { header, values, ...extra } = mapOf(item);
      return { header: text(header), values: listText(values), extra };
    }),
    extra: withoutPaths(rule, rulePaths),
  };
}

export function authorizationFormFromDocument(document: YamlValue): AuthorizationForm {
  const root = mapOf(document);
  if (root.kind !== "AuthorizationPolicy") {
    throw new FormShapeError("the form is for AuthorizationPolicy documents");
  }
  const spec = mapOf(root.spec);
  const scope = mapOf(spec.scope);
  return {
    name: text(mapOf(root.metadata).name),
    clusters: clusterScopeFromDocument(scope.clusters),
    namespace: text(scope.namespace),
    service: text(scope.service),
    action: actionOf(spec.action),
    rules: listOf(spec.rules).map(ruleFromDocument),
    extra: withoutPaths(root, shownPaths),
  };
}
