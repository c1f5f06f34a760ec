import { describe, expect, it } from "vitest";
import {
  diffDocuments,
  isSameContent,
  parsePolicyText,
  summarizeScope,
  syncStateOf,
  withRevision,
} from "./policy-text";

const yaml = (name: string, weight: number) => `apiVersion: policy.switchyard.dev/v1alpha1
kind: TrafficPolicy
metadata: { name: ${name} }
spec:
  scope: { clusters: { matchLabels: { env: prod } }, namespace: shop, service: reviews }
  routes:
    - name: default
      destinations: [{ version: v1, weight: ${weight} }, { version: v2, weight: 10 }]
`;

describe("parsePolicyText", () => {
  it("returns the policy when valid", () => {
    const parsed = parsePolicyText(yaml("split", 90), "split");
    expect(parsed.policy?.metadata.name).toBe("split");
    expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("points at the field at fault with its line", () => {
    const parsed = parsePolicyText(yaml("split", 80));
    expect(parsed.policy).toBeNull();
    expect(parsed.diagnostics[0]).toMatchObject({
      code: "weights-not-100",
      field: "spec.routes.0.destinations",
      policy: "split",
      line: 8,
    });
  });

  it("refuses a document named other than the policy edited, several documents, or none", () => {
    expect(parsePolicyText(yaml("split", 90), "other").diagnostics.at(-1)).toMatchObject({
      field: "metadata.name",
      severity: "error",
    });
    expect(parsePolicyText(`${yaml("a", 90)}---\n${yaml("b", 90)}`).policy).toBeNull();
    expect(parsePolicyText("# nothing\n").diagnostics.at(-1)?.message).toMatch(/no policy/);
    expect(parsePolicyText("a: [").diagnostics[0]?.code).toBe("yaml-syntax");
  });
});

describe("content comparison and document diffs", () => {
  const policy = parsePolicyText(yaml("split", 90)).policy;
  if (!policy) throw new Error("invalid fixture");

  it("ignores the stored revision number", () => {
    expect(isSameContent(withRevision(policy, 3), policy)).toBe(true);
    expect(isSameContent(withRevision(policy, 3), parsePolicyText(yaml("split", 80)).policy)).toBe(false);
  });

  it("lists every changed leaf field", () => {
    const after = {
      ...policy,
      spec: { ...policy.spec, precedence: 5 },
      metadata: { ...policy.metadata, revision: 2 },
    };
    expect(diffDocuments(withRevision(policy, 1), after)).toEqual([{ field: "spec.precedence", after: 5 }]);
    expect(diffDocuments(undefined, policy)).toEqual([{ field: "", after: policy }]);
    expect(diffDocuments(policy, undefined)).toEqual([{ field: "", before: policy }]);
  });

  it("summarizes the scope", () => {
    expect(summarizeScope(policy)).toEqual({
      clusterNames: null,
      clusterLabels: { env: "prod" },
      namespace: "shop",
      service: "reviews",
      summary: "clusters env=prod · shop/reviews",
    });
  });
});

describe("syncStateOf", () => {
  const report = (reportedVersion: number, reachedVersion: number, failed = false) => ({
    reportedVersion,
    reachedVersion,
    results: [
      {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        namespace: "shop",
        name: "sy-reviews",
        outcome: failed ? ("rejected" as const) : ("applied" as const),
      },
    ],
  });

  it("is in sync with nothing desired, or when the cluster reached the latest version", () => {
    expect(syncStateOf(0, null)).toBe("in-sync");
    expect(syncStateOf(2, report(2, 2))).toBe("in-sync");
  });

  it("is pending until the latest version is reported, failed when it could not be reached", () => {
    expect(syncStateOf(1, null)).toBe("pending");
    expect(syncStateOf(3, report(2, 2))).toBe("pending");
    expect(syncStateOf(3, report(3, 2, true))).toBe("failed");
    expect(syncStateOf(4, report(3, 2, true))).toBe("pending");
  });
});
