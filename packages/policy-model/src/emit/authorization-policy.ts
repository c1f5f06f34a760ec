/** AuthorizationPolicy (ours) → AuthorizationPolicy (Istio's), for a namespace or one service's workloads. */
import { compact, type JsonObject, type MeshResource, makeResource, sortedRecord } from "../resource";
import type { AuthorizationPolicy, AuthorizationRule } from "../schema";
import { namePrefix, sourceOf } from "./names";

export interface AuthorizationPolicyInput {
  policy: AuthorizationPolicy;
  trustDomain: string;
  /** The selected service's pod selector; absent for a namespace-wide policy. */
  matchLabels?: Record<string, string>;
}

const uniqueSorted = (values: readonly string[]): string[] => [...new Set(values)].sort();

/** `namespace/name` → the SPIFFE principal Istio compares with (`<trust domain>/ns/<ns>/sa/<name>`). */
export function principalOf(serviceAccount: string, trustDomain: string): string {
  const [namespace, name] = serviceAccount.split("/");
  return `${trustDomain}/ns/${namespace ?? ""}/sa/${name ?? ""}`;
}

function emitRule(rule: AuthorizationRule, trustDomain: string): JsonObject {
  const from = rule.from;
  const identities = from
    ? [...(from.principals ?? []), ...(from.serviceAccounts ?? []).map((sa) => principalOf(sa, trustDomain))]
    : [];
  const source =
    from &&
    compact({
      namespaces: from.namespaces && uniqueSorted(from.namespaces),
      principals: identities.length > 0 ? uniqueSorted(identities) : undefined,
    });
  const to = rule.to;
  const operation =
    to &&
    compact({
      methods: to.methods && uniqueSorted(to.methods),
      paths: to.paths && uniqueSorted(to.paths),
      ports: to.ports && [...new Set(to.ports)].sort((a, b) => a - b).map(String),
    });
  return compact({
    from: source && Object.keys(source).length > 0 ? [{ source }] : undefined,
    to: operation && Object.keys(operation).length > 0 ? [{ operation }] : undefined,
    when: rule.when?.map((w) => ({ key: `request.headers[${w.header}]`, values: uniqueSorted(w.values) })),
  });
}

export function emitAuthorizationPolicy(input: AuthorizationPolicyInput): MeshResource {
  const { policy } = input;
  return makeResource({
    kind: "AuthorizationPolicy",
    name: `${namePrefix}${policy.metadata.name}`,
    namespace: policy.spec.scope.namespace,
    sources: [sourceOf(policy)],
    spec: compact({
      selector: input.matchLabels && { matchLabels: sortedRecord(input.matchLabels) },
      action: policy.spec.action === "allow" ? "ALLOW" : "DENY",
      rules: policy.spec.rules.map((rule) => emitRule(rule, input.trustDomain)),
    }),
  });
}
