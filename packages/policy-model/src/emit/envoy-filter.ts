/**
 * RateLimitPolicy → EnvoyFilter inserting Envoy's local rate limit filter into the service's inbound
 * sidecar listeners. This is the form Istio documents for rate limiting without an external service:
 * each sidecar enforces the budget for the requests it receives.
 */
import { type MeshResource, makeResource, sortedRecord } from "../resource";
import type { RateLimitPolicy } from "../schema";
import { namePrefix, sourceOf } from "./names";

export interface RateLimitFilterInput {
  policy: RateLimitPolicy;
  /** The service's pod selector. */
  matchLabels: Record<string, string>;
}

const fillInterval = { second: "1s", minute: "60s", hour: "3600s" } as const;

const fullFraction = (runtimeKey: string) => ({
  runtime_key: runtimeKey,
  default_value: { numerator: 100, denominator: "HUNDRED" },
});

export function emitRateLimitFilter({ policy, matchLabels }: RateLimitFilterInput): MeshResource {
  const { limit, scope } = policy.spec;
  return makeResource({
    kind: "EnvoyFilter",
    name: `${namePrefix}ratelimit-${scope.service}`,
    namespace: scope.namespace,
    sources: [sourceOf(policy)],
    spec: {
      workloadSelector: { labels: sortedRecord(matchLabels) },
      configPatches: [
        {
          applyTo: "HTTP_FILTER",
          match: {
            context: "SIDECAR_INBOUND",
            listener: {
              filterChain: {
                filter: {
                  name: "envoy.filters.network.http_connection_manager",
                  subFilter: { name: "envoy.filters.http.router" },
                },
              },
            },
          },
          patch: {
            operation: "INSERT_BEFORE",
            value: {
              name: "envoy.filters.http.local_ratelimit",
              typed_config: {
                "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
                type_url:
                  "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
                value: {
                  stat_prefix: "http_local_rate_limiter",
                  token_bucket: {
                    max_tokens: limit.burst ?? limit.requests,
                    tokens_per_fill: limit.requests,
                    fill_interval: fillInterval[limit.per],
                  },
                  filter_enabled: fullFraction("local_rate_limit_enabled"),
                  filter_enforced: fullFraction("local_rate_limit_enforced"),
                  response_headers_to_add: [
                    {
                      append_action: "OVERWRITE_IF_EXISTS_OR_ADD",
                      header: { key: "x-local-rate-limit", value: "true" },
                    },
                  ],
                },
              },
            },
          },
        },
      ],
    },
  });
}
