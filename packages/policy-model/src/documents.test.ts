import { describe, expect, it } from "vitest";
import { parsePolicies, policyToYaml } from "./documents";

const text = `apiVersion: policy.switchyard.dev/v1alpha1
kind: TrafficPolicy
metadata:
  name: cart-canary
spec:
  scope: { namespace: shop, service: cart }
  routes:
    - destinations:
        - version: v1
          weight: 90
        - version: v2
          weight: 20
---
# an empty document is skipped
---
apiVersion: policy.switchyard.dev/v1alpha1
kind: MtlsPolicy
metadata: { name: strict }
spec: { mode: strict }
`;

describe("parsePolicies", () => {
  it("parses several documents and points diagnostics at their line", () => {
    const result = parsePolicies(text, "policies.yaml");
    expect(result.policies.map((p) => p.metadata.name)).toEqual(["strict"]);
    expect(result.diagnostics).toMatchObject([
      {
        code: "weights-not-100",
        policy: "cart-canary",
        source: { file: "policies.yaml", line: 9, column: 9 },
      },
    ]);
  });

  it("reports YAML syntax errors with a position", () => {
    const result = parsePolicies("kind: [unclosed\n", "bad.yaml");
    expect(result.policies).toEqual([]);
    expect(result.diagnostics[0]).toMatchObject({
      code: "yaml-syntax",
      severity: "error",
      source: { file: "bad.yaml" },
    });
  });

  it("round-trips a policy through the YAML the console shows", () => {
    const [policy] = parsePolicies(text).policies;
    expect(policy).toBeDefined();
    if (policy) expect(parsePolicies(policyToYaml(policy)).policies).toEqual([policy]);
  });
});
