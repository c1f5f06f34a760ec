/**
 * The global policy language: what a user writes once (in the console's form or YAML tab, or in a
 * GitOps repository) and what the compiler turns into each cluster's Istio resources.
 *
 * Every object is strict: an unknown field is almost always a typo, and silently ignoring it would
 * compile a policy that does less than its author thinks. Checks that Istio performs with CEL rules
 * (durations >= 1ms, ports 1..65535, no `*` in selectors), which ajv cannot run, live here so that
 * the compiler never emits what the API server would refuse.
 */
import { z } from "zod";
import type { DiagnosticCode } from "./diagnostics";
import { minDurationMs, parseDurationMs } from "./duration";

export const policyApiVersion = "policy.switchyard.dev/v1alpha1";

export const policyKinds = [
  "TrafficPolicy",
  "ResiliencePolicy",
  "MtlsPolicy",
  "AuthorizationPolicy",
  "RateLimitPolicy",
] as const;
export type PolicyKind = (typeof policyKinds)[number];

type Ctx = z.core.$RefinementCtx;

/** Attach one of our diagnostic codes to a zod issue; validate.ts turns it back into a Diagnostic. */
function fail(ctx: Ctx, code: DiagnosticCode, message: string, path: (string | number)[] = []): void {
  ctx.addIssue({ code: "custom", message, path, params: { diagnosticCode: code } });
}

const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Kubernetes DNS-1123 label: namespace, service and policy names. */
export const dnsLabel = z
  .string()
  .max(63, "must be at most 63 characters")
  .regex(
    dnsLabelPattern,
    "must be lowercase letters, digits and '-', starting and ending with a letter or digit",
  );

const labelNamePattern = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const dnsSubdomainPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function labelKeyProblem(key: string): string | undefined {
  if (key.includes("*")) return "a label key cannot contain the wildcard '*'";
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !dnsSubdomainPattern.test(prefix)))
    return `label key prefix "${prefix}" must be a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !labelNamePattern.test(name))
    return `label key "${key}" must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.includes("*")) return "a label value cannot contain the wildcard '*'";
  if (value.length > 63 || (value.length > 0 && !labelNamePattern.test(value)))
    return `label value "${value}" must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  return undefined;
}

export const labelValue = z.string().superRefine((value, ctx) => {
  const problem = labelValueProblem(value);
  if (problem) fail(ctx, "label-invalid", problem);
});

export const labelMap = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) fail(ctx, "label-invalid", keyProblem, [key]);
    const valueProblem = labelValueProblem(value);
    if (valueProblem) fail(ctx, "label-invalid", valueProblem, [key]);
  }
});

/** A duration like `250ms`, `1.5s`, `2m`; at least 1ms, as Istio's CEL rules require. */
export const duration = z.string().superRefine((text, ctx) => {
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    fail(ctx, "duration-invalid", `"${text}" is not a duration; write e.g. 250ms, 1.5s, 2m or 1h30m`);
  } else if (ms < minDurationMs) {
    fail(ctx, "duration-too-short", `"${text}" is shorter than 1ms, the smallest duration Istio accepts`);
  }
});

/** A TCP port, 1..65535 as Istio's CEL rules require. */
export const port = z.number().superRefine((value, ctx) => {
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    fail(ctx, "port-out-of-range", `port ${value} is outside 1..65535`);
});

const int32 = z.number().int().min(0).max(2_147_483_647);
const percentage = z.number().min(0).max(100);

export const clusterSelectorSchema = z.strictObject({
  /** Clusters by name; omitted means every cluster the labels (if any) select. */
  names: z.array(z.string().min(1)).min(1).optional(),
  /** Clusters whose labels include all of these. */
  matchLabels: labelMap.optional(),
});
export type ClusterSelector = z.infer<typeof clusterSelectorSchema>;

export const metadataSchema = z.strictObject({
  name: dnsLabel,
  /** Set by Switchyard when the policy is stored; ties emitted resources to the revision they came from. */
  revision: z.number().int().min(1).optional(),
  labels: labelMap.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type PolicyMetadata = z.infer<typeof metadataSchema>;

/** How a conflict between two policies claiming the same host in one cluster is decided: higher wins. */
const precedence = z.number().int().min(0).max(1_000_000).optional();

const serviceScopeSchema = z.strictObject({
  clusters: clusterSelectorSchema.optional(),
  namespace: dnsLabel,
  service: dnsLabel,
});
export type ServiceScope = z.infer<typeof serviceScopeSchema>;

export const stringMatchSchema = z
  .strictObject({ exact: z.string().optional(), prefix: z.string().optional(), regex: z.string().optional() })
  .superRefine((match, ctx) => {
    const count = [match.exact, match.prefix, match.regex].filter((v) => v !== undefined).length;
    if (count !== 1) fail(ctx, "schema-invalid", "give exactly one of exact, prefix or regex");
    if (match.regex !== undefined) {
      try {
        new RegExp(match.regex);
      } catch {
        fail(ctx, "schema-invalid", `"${match.regex}" is not a valid regular expression`, ["regex"]);
      }
    }
  });
export type StringMatch = z.infer<typeof stringMatchSchema>;

const headerNamePattern = /^[a-z0-9][a-z0-9_.-]*$/;
const headerName = z
  .string()
  .regex(headerNamePattern, "header names are lowercase letters, digits, '-', '_' and '.'");
const matchMap = z.record(headerName, stringMatchSchema);

export const httpMethods = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
] as const;

export const routeMatchSchema = z.strictObject({
  path: stringMatchSchema.optional(),
  method: z.enum(httpMethods).optional(),
  headers: matchMap.optional(),
  query: z.record(z.string().min(1), stringMatchSchema).optional(),
});
export type RouteMatch = z.infer<typeof routeMatchSchema>;

export const destinationSchema = z.strictObject({
  /** The `version` label of the service's workloads this share goes to. */
  version: labelValue.pipe(z.string().min(1)),
  weight: z.number().int().min(0).max(100).optional(),
  port: port.optional(),
});
export type Destination = z.infer<typeof destinationSchema>;

export const retryOnConditions = [
  "5xx",
  "gateway-error",
  "reset",
  "connect-failure",
  "envoy-ratelimited",
  "retriable-4xx",
  "refused-stream",
  "retriable-status-codes",
  "retriable-headers",
  "cancelled",
  "deadline-exceeded",
  "internal",
  "resource-exhausted",
  "unavailable",
] as const;

const headerOperationsSchema = z.strictObject({
  set: z.record(headerName, z.string()).optional(),
  add: z.record(headerName, z.string()).optional(),
  remove: z.array(headerName).optional(),
});

export const httpRouteSchema = z
  .strictObject({
    name: dnsLabel.optional(),
    /** Any one of these matches selects the route; fields inside one match must all hold. */
    match: z.array(routeMatchSchema).min(1).optional(),
    destinations: z.array(destinationSchema).min(1),
    timeout: duration.optional(),
    retries: z
      .strictObject({
        attempts: z.number().int().min(0).max(100),
        perTryTimeout: duration.optional(),
        retryOn: z.array(z.enum(retryOnConditions)).min(1).optional(),
      })
      .optional(),
    fault: z
      .strictObject({
        delay: z.strictObject({ fixed: duration, percentage }).optional(),
        abort: z.strictObject({ httpStatus: z.number().int().min(200).max(599), percentage }).optional(),
      })
      .superRefine((fault, ctx) => {
        if (!fault.delay && !fault.abort) fail(ctx, "schema-invalid", "give a delay, an abort or both");
      })
      .optional(),
    mirror: z.strictObject({ version: labelValue.pipe(z.string().min(1)), percentage }).optional(),
    headers: z
      .strictObject({
        request: headerOperationsSchema.optional(),
        response: headerOperationsSchema.optional(),
      })
      .optional(),
  })
  .superRefine((route, ctx) => {
    const { destinations } = route;
    if (destinations.length === 1) {
      const only = destinations[0];
      if (only?.weight !== undefined && only.weight !== 100)
        fail(
          ctx,
          "weights-not-100",
          `a single destination takes all traffic; its weight must be 100, not ${only.weight}`,
          ["destinations", 0, "weight"],
        );
      return;
    }
    const missing = destinations.findIndex((d) => d.weight === undefined);
    if (missing >= 0) {
      fail(ctx, "weights-not-100", "with several destinations every destination needs a weight", [
        "destinations",
        missing,
        "weight",
      ]);
      return;
    }
    const sum = destinations.reduce((total, d) => total + (d.weight ?? 0), 0);
    if (sum !== 100)
      fail(ctx, "weights-not-100", `destination weights add up to ${sum}, not 100`, ["destinations"]);
    const seen = new Set<string>();
    destinations.forEach((d, i) => {
      const key = `${d.version}:${d.port ?? ""}`;
      if (seen.has(key))
        fail(ctx, "schema-invalid", `version ${d.version} is listed twice`, ["destinations", i, "version"]);
      seen.add(key);
    });
  });
export type HttpRoute = z.infer<typeof httpRouteSchema>;

const policyBase = <K extends PolicyKind, S extends z.ZodType>(kind: K, spec: S) =>
  z.strictObject({
    apiVersion: z.literal(policyApiVersion),
    kind: z.literal(kind),
    metadata: metadataSchema,
    spec,
  });

export const trafficPolicySchema = policyBase(
  "TrafficPolicy",
  z.strictObject({
    scope: serviceScopeSchema,
    precedence,
    /** Evaluated in order; the first route whose match holds takes the request. */
    routes: z.array(httpRouteSchema).min(1).max(100),
  }),
);
export type TrafficPolicy = z.infer<typeof trafficPolicySchema>;

export const loadBalancerAlgorithms = ["round-robin", "least-request", "random", "consistent-hash"] as const;

export const resiliencePolicySchema = policyBase(
  "ResiliencePolicy",
  z
    .strictObject({
      scope: serviceScopeSchema,
      precedence,
      loadBalancer: z
        .strictObject({
          algorithm: z.enum(loadBalancerAlgorithms),
          /** For consistent-hash: exactly one of header, cookie or sourceIp. */
          hashKey: z
            .strictObject({
              header: headerName.optional(),
              cookie: z
                .strictObject({
                  name: z.string().min(1),
                  ttl: duration.optional(),
                  path: z.string().optional(),
                })
                .optional(),
              sourceIp: z.literal(true).optional(),
            })
            .optional(),
          /** Where traffic goes when a locality has no healthy endpoints, e.g. from us-east1 to us-west1. */
          localityFailover: z
            .array(z.strictObject({ from: z.string().min(1), to: z.string().min(1) }))
            .min(1)
            .optional(),
        })
        .superRefine((lb, ctx) => {
          if (lb.algorithm === "consistent-hash") {
            const keys = lb.hashKey ? [lb.hashKey.header, lb.hashKey.cookie, lb.hashKey.sourceIp] : [];
            if (keys.filter((k) => k !== undefined).length !== 1)
              fail(
                ctx,
                "schema-invalid",
                "consistent-hash needs exactly one hashKey: header, cookie or sourceIp",
                ["hashKey"],
              );
          } else if (lb.hashKey) {
            fail(ctx, "schema-invalid", "hashKey only applies to the consistent-hash algorithm", ["hashKey"]);
          }
        })
        .optional(),
      connectionPool: z
        .strictObject({
          tcp: z
            .strictObject({ maxConnections: int32.optional(), connectTimeout: duration.optional() })
            .optional(),
          http: z
            .strictObject({
              maxPendingRequests: int32.optional(),
              maxRequests: int32.optional(),
              maxRequestsPerConnection: int32.optional(),
              maxRetries: int32.optional(),
              idleTimeout: duration.optional(),
            })
            .optional(),
        })
        .optional(),
      outlierDetection: z
        .strictObject({
          consecutive5xxErrors: int32.optional(),
          interval: duration.optional(),
          baseEjectionTime: duration.optional(),
          maxEjectionPercent: z.number().int().min(0).max(100).optional(),
        })
        .optional(),
    })
    .superRefine((spec, ctx) => {
      if (!spec.loadBalancer && !spec.connectionPool && !spec.outlierDetection)
        fail(ctx, "schema-invalid", "give at least one of loadBalancer, connectionPool or outlierDetection");
    }),
);
export type ResiliencePolicy = z.infer<typeof resiliencePolicySchema>;

export const mtlsModes = ["strict", "permissive", "disable"] as const;
export type MtlsMode = (typeof mtlsModes)[number];

export const mtlsPolicySchema = policyBase(
  "MtlsPolicy",
  z.strictObject({
    /**
     * Omitted: the whole organization (every cluster). Only clusters: those clusters. A namespace:
     * that namespace. A workload (by service or labels) inside a namespace: those workloads.
     */
    scope: z
      .strictObject({
        clusters: clusterSelectorSchema.optional(),
        namespace: dnsLabel.optional(),
        workload: z
          .strictObject({ service: dnsLabel.optional(), matchLabels: labelMap.optional() })
          .superRefine((w, ctx) => {
            const count = (w.service === undefined ? 0 : 1) + (w.matchLabels === undefined ? 0 : 1);
            if (count !== 1) fail(ctx, "schema-invalid", "give exactly one of service or matchLabels");
            if (w.matchLabels && Object.keys(w.matchLabels).length === 0)
              fail(ctx, "schema-invalid", "matchLabels needs at least one label", ["matchLabels"]);
          })
          .optional(),
      })
      .superRefine((scope, ctx) => {
        if (scope.workload && !scope.namespace)
          fail(ctx, "schema-invalid", "a workload scope needs the namespace it lives in", ["namespace"]);
      })
      .optional(),
    precedence,
    mode: z.enum(mtlsModes),
  }),
);
export type MtlsPolicy = z.infer<typeof mtlsPolicySchema>;

const serviceAccountPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const authorizationRuleSchema = z.strictObject({
  /** Who sends the request. Omitted: anyone. Within one field any value matches; fields must all hold. */
  from: z
    .strictObject({
      namespaces: z.array(dnsLabel).min(1).optional(),
      /** `namespace/service-account` */
      serviceAccounts: z
        .array(z.string().regex(serviceAccountPattern, "write a service account as namespace/name"))
        .min(1)
        .max(16)
        .optional(),
      /** SPIFFE-style principals, e.g. `cluster.local/ns/shop/sa/frontend`; a trailing or leading `*` matches any. */
      principals: z.array(z.string().min(1)).min(1).optional(),
    })
    .optional(),
  /** What the request asks for. Omitted: anything. */
  to: z
    .strictObject({
      methods: z.array(z.enum(httpMethods)).min(1).optional(),
      /** Exact paths, or a prefix ending in `*` such as `/api/*`. */
      paths: z
        .array(z.string().regex(/^(\*|\/.*)$/, "a path starts with '/' (or is '*')"))
        .min(1)
        .optional(),
      ports: z.array(port).min(1).optional(),
    })
    .optional(),
  /** Request headers that must carry one of the values. */
  when: z
    .array(z.strictObject({ header: headerName, values: z.array(z.string().min(1)).min(1) }))
    .min(1)
    .optional(),
});
export type AuthorizationRule = z.infer<typeof authorizationRuleSchema>;

export const authorizationPolicySchema = policyBase(
  "AuthorizationPolicy",
  z.strictObject({
    /** A namespace, or one service's workloads inside it. */
    scope: z.strictObject({
      clusters: clusterSelectorSchema.optional(),
      namespace: dnsLabel,
      service: dnsLabel.optional(),
    }),
    /** allow: once any allow applies to a workload, requests no allow rule matches are denied. */
    action: z.enum(["allow", "deny"]),
    /** A rule matches when all its parts hold; `{}` matches every request. */
    rules: z.array(authorizationRuleSchema).min(1).max(512),
  }),
);
export type AuthorizationPolicy = z.infer<typeof authorizationPolicySchema>;

export const rateLimitUnits = ["second", "minute", "hour"] as const;

export const rateLimitPolicySchema = policyBase(
  "RateLimitPolicy",
  z.strictObject({
    scope: serviceScopeSchema,
    precedence,
    /** Enforced by each sidecar of the service (Envoy's local rate limit): a budget per replica. */
    limit: z
      .strictObject({
        requests: z.number().int().min(1).max(1_000_000_000),
        per: z.enum(rateLimitUnits),
        /** Largest burst a replica admits at once; defaults to `requests`. */
        burst: z.number().int().min(1).max(1_000_000_000).optional(),
      })
      .superRefine((limit, ctx) => {
        if (limit.burst !== undefined && limit.burst < limit.requests)
          fail(ctx, "schema-invalid", "burst cannot be smaller than requests", ["burst"]);
      }),
  }),
);
export type RateLimitPolicy = z.infer<typeof rateLimitPolicySchema>;

export const policySchema = z.discriminatedUnion("kind", [
  trafficPolicySchema,
  resiliencePolicySchema,
  mtlsPolicySchema,
  authorizationPolicySchema,
  rateLimitPolicySchema,
]);
export type Policy = z.infer<typeof policySchema>;
/** What a user may write: the same shape as Policy (the language has no defaults that change types). */
export type PolicyInput = z.input<typeof policySchema>;
