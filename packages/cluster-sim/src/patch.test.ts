import { describe, expect, it } from "vitest";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch";
import { ResourceRegistry } from "./resource-registry";
import { parseDurationMs } from "./schema/validate";

describe("patches", () => {
  it("merge patch deletes with null and replaces lists", () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null }, l: [3] })).toEqual({
      a: 1,
      b: { d: 3 },
      l: [3],
    });
  });

  it("strategic merge patch merges containers by name", () => {
    const type = new ResourceRegistry().get("", "pods");
    const pod = {
      spec: {
        containers: [
          { name: "a", image: "a:1" },
          { name: "b", image: "b:1" },
        ],
      },
    };
    const patched = strategicMergePatch(type, pod, {
      spec: {
        containers: [
          { name: "b", image: "b:2" },
          { name: "a", $patch: "delete" },
        ],
      },
    });
    expect(patched).toEqual({ spec: { containers: [{ name: "b", image: "b:2" }] } });
  });

  it("json patch applies operations in order", () => {
    const doc = { spec: { hosts: ["a"] }, metadata: { labels: { x: "1" } } };
    expect(
      jsonPatch(doc, [
        { op: "add", path: "/spec/hosts/-", value: "b" },
        { op: "replace", path: "/metadata/labels/x", value: "2" },
        { op: "test", path: "/spec/hosts/0", value: "a" },
      ]),
    ).toEqual({ spec: { hosts: ["a", "b"] }, metadata: { labels: { x: "2" } } });
  });
});

describe("durations (the CEL rule on VirtualService timeouts)", () => {
  it.each([
    ["5s", 5000],
    ["1h2m", 3_720_000],
    ["0.5ms", 0.5],
    ["1.5s", 1500],
    ["abc", undefined],
  ])("%s", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });
});
