// Starting points for the YAML tab of each kind, taken from docs/policies.md.

export const policyKinds = [
  "TrafficPolicy",
  "ResiliencePolicy",
  "MtlsPolicy",
  "AuthorizationPolicy",
  "RateLimitPolicy",
] as const;
export type PolicyKind = (typeof policyKinds)[number];

export function isPolicyKind(value: string): value is PolicyKind {
  return (policyKinds as readonly string[]).includes(value);
}

export type PolicyTemplate = { id: string; kind: PolicyKind; label: string; yaml: string };

const header = "apiVersion: policy.switchyard.dev/v1alpha1";

export const policyTemplates: readonly PolicyTemplate[] = [
  {
    id: "traffic-canary",
    kind: "TrafficPolicy",
    label: "Canary: 90/10 split",
    yaml: `${header}
kind: TrafficPolicy
metadata:
  name: reviews-canary
spec:
  scope:
    clusters:
      matchLabels:
        env: prod
    namespace: bookinfo
    service: reviews
  routes:
    - name: default
      destinations:
        - version: v1
          weight: 90
        - version: v2
          weight: 10
`,
  },
  {
    id: "resilience",
    kind: "ResiliencePolicy",
    label: "Load balancing and outlier detection",
    yaml: `${header}
kind: ResiliencePolicy
metadata:
  name: ratings-resilience
spec:
  scope:
    namespace: bookinfo
    service: ratings
  loadBalancer:
    algorithm: least-request
  connectionPool:
    tcp: { maxConnections: 100, connectTimeout: 1s }
    http: { maxPendingRequests: 50, maxRequests: 200 }
  outlierDetection: { consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50 }
`,
  },
  {
    id: "mtls-strict",
    kind: "MtlsPolicy",
    label: "Strict mTLS everywhere",
    yaml: `${header}
kind: MtlsPolicy
metadata:
  name: org-strict
spec:
  mode: strict
`,
  },
  {
    id: "mtls-namespace",
    kind: "MtlsPolicy",
    label: "Permissive mTLS for one namespace",
    yaml: `${header}
kind: MtlsPolicy
metadata:
  name: bookinfo-permissive
spec:
  scope:
    namespace: bookinfo
  mode: permissive
`,
  },
  {
    id: "authz-allow",
    kind: "AuthorizationPolicy",
    label: "Allow only one caller",
    yaml: `${header}
kind: AuthorizationPolicy
metadata:
  name: cart-allow-frontend
spec:
  scope: { namespace: shop, service: cart }
  action: allow
  rules:
    - from:
        serviceAccounts: [shop/frontend]
      to:
        methods: [GET, POST]
        paths: [/api/*]
`,
  },
  {
    id: "ratelimit",
    kind: "RateLimitPolicy",
    label: "100 requests per second",
    yaml: `${header}
kind: RateLimitPolicy
metadata:
  name: search-100rps
spec:
  scope: { namespace: shop, service: search }
  limit: { requests: 100, per: second, burst: 200 }
`,
  },
];
