import { describe, expect, it } from "vitest";
import type { Diagnostic } from "./diagnostics";
import { policyApiVersion } from "./schema";
import { validatePolicies, validatePolicy } from "./validate";

const traffic = (spec: unknown, name = "cart-routes") => ({
  apiVersion: policyApiVersion,
  kind: "TrafficPolicy",
  metadata: { name },
  spec,
});
const scope = { namespace: "shop", service: "cart" };
const codes = (ds: Diagnostic[]) => ds.map((d) => [d.code, d.path.join(".")]);

describe("validatePolicy", () => {
  it("accepts a canary split", () => {
    const result = validatePolicy(
      traffic({
        scope,
        routes: [
          {
            destinations: [
              { version: "v1", weight: 90 },
              { version: "v2", weight: 10 },
            ],
          },
        ],
      }),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.policy?.kind).toBe("TrafficPolicy");
  });

  it("reports weights that do not add up to 100 at the destinations", () => {
    const result = validatePolicy(
      traffic({
        scope,
        routes: [
          {
            destinations: [
              { version: "v1", weight: 80 },
              { version: "v2", weight: 10 },
            ],
          },
        ],
      }),
    );
    expect(result.policy).toBeUndefined();
    expect(codes(result.diagnostics)).toEqual([["weights-not-100", "spec.routes.0.destinations"]]);
    expect(result.diagnostics[0]).toMatchObject({ severity: "error", policy: "cart-routes" });
    expect(result.diagnostics[0]?.message).toContain("90");
  });

  it("needs a weight on every destination of a split", () => {
    const result = validatePolicy(
      traffic({ scope, routes: [{ destinations: [{ version: "v1", weight: 100 }, { version: "v2" }] }] }),
    );
    expect(codes(result.diagnostics)).toEqual([["weights-not-100", "spec.routes.0.destinations.1.weight"]]);
  });

  it("rejects durations below 1ms and malformed ones, like Istio's CEL rules", () => {
    const result = validatePolicy(
      traffic({
        scope,
        routes: [
          {
            destinations: [{ version: "v1" }],
            timeout: "0.5ms",
            retries: { attempts: 2, perTryTimeout: "soon" },
          },
        ],
      }),
    );
    expect(codes(result.diagnostics)).toEqual([
      ["duration-invalid", "spec.routes.0.retries.perTryTimeout"],
      ["duration-too-short", "spec.routes.0.timeout"],
    ]);
  });

  it("rejects ports outside 1..65535", () => {
    const result = validatePolicy({
      apiVersion: policyApiVersion,
      kind: "AuthorizationPolicy",
      metadata: { name: "cart-allow" },
      spec: { scope: { namespace: "shop" }, action: "allow", rules: [{ to: { ports: [8080, 0, 70000] } }] },
    });
    expect(codes(result.diagnostics)).toEqual([
      ["port-out-of-range", "spec.rules.0.to.ports.1"],
      ["port-out-of-range", "spec.rules.0.to.ports.2"],
    ]);
  });

  it("names unknown fields, so typos do not silently do nothing", () => {
    const result = validatePolicy(
      traffic({ scope, routes: [{ destinations: [{ version: "v1" }], timout: "1s" }] }),
    );
    expect(codes(result.diagnostics)).toEqual([["unknown-field", "spec.routes.0.timout"]]);
  });

  it("reports unknown kinds and apiVersions", () => {
    expect(codes(validatePolicy({ ...traffic({}), kind: "Gateway" }).diagnostics)).toEqual([
      ["unknown-kind", "kind"],
    ]);
    expect(codes(validatePolicy({ ...traffic({}), apiVersion: "v1" }).diagnostics)).toEqual([
      ["unknown-kind", "apiVersion"],
    ]);
  });

  it("rejects wildcards in selectors", () => {
    const result = validatePolicy({
      apiVersion: policyApiVersion,
      kind: "MtlsPolicy",
      metadata: { name: "m" },
      spec: { scope: { namespace: "shop", workload: { matchLabels: { app: "web*" } } }, mode: "strict" },
    });
    expect(codes(result.diagnostics)).toEqual([["label-invalid", "spec.scope.workload.matchLabels.app"]]);
  });

  it("requires exactly one string match kind", () => {
    const result = validatePolicy(
      traffic({
        scope,
        routes: [
          { match: [{ path: { exact: "/a", prefix: "/b" } }], destinations: [{ version: "v1" }] },
          { destinations: [{ version: "v1" }] },
        ],
      }),
    );
    expect(codes(result.diagnostics)).toEqual([["schema-invalid", "spec.routes.0.match.0.path"]]);
  });

  it("warns about a policy with no catch-all route and about failover without outlier detection", () => {
    const noDefault = validatePolicy(
      traffic({ scope, routes: [{ match: [{ method: "GET" }], destinations: [{ version: "v1" }] }] }),
    );
    expect(noDefault.policy).toBeDefined();
    expect(noDefault.diagnostics).toMatchObject([{ severity: "warning", code: "no-default-route" }]);
    const failover = validatePolicy({
      apiVersion: policyApiVersion,
      kind: "ResiliencePolicy",
      metadata: { name: "r" },
      spec: { scope, loadBalancer: { algorithm: "random", localityFailover: [{ from: "a", to: "b" }] } },
    });
    expect(failover.diagnostics).toMatchObject([
      { severity: "warning", code: "failover-without-outlier-detection" },
    ]);
  });

  it("checks consistent-hash keys", () => {
    const result = validatePolicy({
      apiVersion: policyApiVersion,
      kind: "ResiliencePolicy",
      metadata: { name: "r" },
      spec: {
        scope,
        loadBalancer: { algorithm: "consistent-hash", hashKey: { header: "x-user", sourceIp: true } },
      },
    });
    expect(codes(result.diagnostics)).toEqual([["schema-invalid", "spec.loadBalancer.hashKey"]]);
  });

  it("reports a value that is not an object at the root", () => {
    expect(codes(validatePolicy("text").diagnostics)).toEqual([["schema-invalid", ""]]);
  });
});

describe("validatePolicies", () => {
  it("rejects duplicate names and keeps the first", () => {
    const a = traffic({ scope, routes: [{ destinations: [{ version: "v1" }] }] });
    const result = validatePolicies([a, a]);
    expect(result.policies).toHaveLength(1);
    expect(codes(result.diagnostics)).toEqual([["duplicate-policy-name", "metadata.name"]]);
  });

  it("locates diagnostics in the source when asked", () => {
    const result = validatePolicies([traffic({ scope, routes: [] })], {
      locate: () => ({ line: 7, column: 3 }),
    });
    expect(result.diagnostics[0]?.source).toEqual({ line: 7, column: 3 });
  });
});

describe("missing required fields", () => {
  it("are named as required, not as a type mismatch", () => {
    const { diagnostics } = validatePolicy({
      apiVersion: "policy.switchyard.dev/v1alpha1",
      kind: "TrafficPolicy",
      metadata: { name: "reviews-canary" },
      spec: { scope: {}, routes: [{ name: "default", destinations: [{ version: "v1" }] }] },
    });
    const messages = diagnostics.map((diagnostic) => `${diagnostic.path.join(".")}: ${diagnostic.message}`);
    expect(messages).toContain("spec.scope.namespace: namespace is required");
    expect(messages.join("\n")).not.toMatch(/received undefined/);
  });
});
