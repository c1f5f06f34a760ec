import type { DesiredResource } from "@switchyard/agent-protocol/v1";
import { describe, expect, it } from "vitest";
import { detectDrift, isDeepEqual, otherManager } from "./drift";
import type { LiveObject } from "./live-object";

const labels = { "app.kubernetes.io/managed-by": "switchyard" };
const spec = {
  hosts: ["reviews"],
  http: [
    {
      route: [
        { destination: { host: "reviews", subset: "v1" }, weight: 90 },
        { destination: { host: "reviews", subset: "v2" }, weight: 10 },
      ],
    },
  ],
};
const desired: DesiredResource = {
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: { name: "reviews", namespace: "bookinfo", labels, annotations: { "switchyard.io/policy": "p1" } },
  spec,
};

function liveWith(overrides: {
  spec?: unknown;
  labels?: Record<string, string>;
  managedFields?: LiveObject["metadata"]["managedFields"];
}): LiveObject {
  return {
    metadata: {
      name: "reviews",
      namespace: "bookinfo",
      resourceVersion: "10",
      labels: overrides.labels ?? { ...labels, extra: "kept" },
      annotations: { "switchyard.io/policy": "p1" },
      managedFields: overrides.managedFields ?? [
        {
          manager: "switchyard",
          operation: "Apply",
          time: "2026-01-01T00:00:00Z",
          fieldsV1: { "f:spec": {} },
        },
      ],
    },
    spec: overrides.spec ?? JSON.parse(JSON.stringify(spec)),
  };
}

describe("drift detection", () => {
  it("sees nothing when the live object is what we applied (key order and extra labels do not matter)", () => {
    const reordered = { http: spec.http, hosts: ["reviews"] };
    expect(detectDrift(desired, liveWith({ spec: reordered }))).toBeUndefined();
  });

  it("reports a changed weight as modified by the latest other manager that owns spec fields", () => {
    const edited = JSON.parse(JSON.stringify(spec));
    edited.http[0].route[0].weight = 50;
    const live = liveWith({
      spec: edited,
      managedFields: [
        {
          manager: "switchyard",
          operation: "Apply",
          time: "2026-01-01T00:00:00Z",
          fieldsV1: { "f:spec": {} },
        },
        {
          manager: "labeller",
          operation: "Update",
          time: "2026-01-03T00:00:00Z",
          fieldsV1: { "f:metadata": {} },
        },
        {
          manager: "kubectl-edit",
          operation: "Update",
          time: "2026-01-02T00:00:00Z",
          fieldsV1: { "f:spec": {} },
        },
      ],
    });
    expect(detectDrift(desired, live)).toEqual({ change: "modified", manager: "kubectl-edit" });
  });

  it("counts a field someone added to the spec, and a label of ours removed", () => {
    expect(detectDrift(desired, liveWith({ spec: { ...spec, exportTo: ["."] } }))?.change).toBe("modified");
    expect(detectDrift(desired, liveWith({ labels: {} }))).toEqual({ change: "modified" });
  });

  it("reports a missing or terminating object as deleted", () => {
    expect(detectDrift(desired, undefined)).toEqual({ change: "deleted" });
    const terminating = liveWith({});
    terminating.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
    expect(detectDrift(desired, terminating)).toEqual({ change: "deleted" });
  });

  it("names no manager when only ours is known", () => {
    expect(otherManager(liveWith({}))).toBeUndefined();
  });

  it("compares JSON deeply", () => {
    expect(isDeepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(isDeepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(isDeepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(isDeepEqual(null, {})).toBe(false);
  });
});
