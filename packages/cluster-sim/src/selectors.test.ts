import { describe, expect, it } from "vitest";
import { FieldSelector, LabelSelector } from "./selectors";

describe("label selectors", () => {
  it.each([
    ["app=reviews", { app: "reviews" }, true],
    ["app==reviews,version!=v1", { app: "reviews", version: "v2" }, true],
    ["version in (v1, v2)", { version: "v3" }, false],
    ["version notin (v1),app", { app: "x", version: "v2" }, true],
    ["!canary", { canary: "true" }, false],
  ])("%s", (selector, labels, expected) => {
    expect(LabelSelector.parse(selector).matches(labels)).toBe(expected);
  });

  it("field selectors read dotted paths", () => {
    const pod = { metadata: { name: "a", namespace: "ns" }, status: { phase: "Running" } };
    expect(FieldSelector.parse("metadata.name=a,status.phase!=Pending").matches(pod)).toBe(true);
    expect(FieldSelector.parse("metadata.namespace=other").matches(pod)).toBe(false);
  });
});
