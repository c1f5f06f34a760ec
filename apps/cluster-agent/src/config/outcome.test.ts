import { describe, expect, it } from "vitest";
import { classifyApply, classifyPrune, conflictManagers } from "./outcome";

const ref = {
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  namespace: "bookinfo",
  name: "reviews",
};
const written = (resourceVersion: string) => ({ metadata: { name: "reviews", resourceVersion } });

/** The kube-apiserver's 409 for a server-side apply conflict (two managers, one an Update). */
const conflict = {
  kind: "Status",
  apiVersion: "v1",
  status: "Failure",
  message:
    'Apply failed with 2 conflicts: conflicts with "kubectl-edit" using networking.istio.io/v1:\n- .spec.http\nconflicts with "platform-team":\n- .spec.hosts',
  reason: "Conflict",
  details: {
    name: "reviews",
    group: "networking.istio.io",
    kind: "virtualservices",
    causes: [
      {
        reason: "FieldManagerConflict",
        message: 'conflict with "kubectl-edit" using networking.istio.io/v1',
        field: ".spec.http",
      },
      { reason: "FieldManagerConflict", message: 'conflict with "platform-team"', field: ".spec.hosts" },
    ],
  },
  code: 409,
};

describe("classifying an apply", () => {
  it("tells applied from unchanged by the resourceVersion", () => {
    expect(classifyApply(ref, "41", { statusCode: 200, body: written("42") })).toEqual({
      result: { ...ref, outcome: "applied" },
    });
    expect(classifyApply(ref, "42", { statusCode: 200, body: written("42") })).toEqual({
      result: { ...ref, outcome: "unchanged" },
    });
    expect(classifyApply(ref, undefined, { statusCode: 201, body: written("7") })).toEqual({
      result: { ...ref, outcome: "applied" },
    });
  });

  it("names every other manager of a conflict", () => {
    const classified = classifyApply(ref, "1", { statusCode: 409, body: conflict });
    expect(classified).toMatchObject({
      result: { outcome: "conflict", conflictManagers: ["kubectl-edit", "platform-team"] },
    });
    expect("result" in classified && classified.result.message).toContain("Apply failed with 2 conflicts");
  });

  it("falls back to the summary message when there are no causes", () => {
    expect(
      conflictManagers({ message: 'Apply failed with 1 conflict: conflict with "argocd": .spec.http' }),
    ).toEqual(["argocd"]);
  });

  it("reports 422 and a 500 typed-patch failure as rejected with the server's message", () => {
    const invalid = {
      kind: "Status",
      message:
        'VirtualService.networking.istio.io "reviews" is invalid: spec.http[0].timeout: must be a valid duration greater than 1ms',
      reason: "Invalid",
      code: 422,
    };
    expect(classifyApply(ref, undefined, { statusCode: 422, body: invalid })).toEqual({
      result: { ...ref, outcome: "rejected", message: invalid.message },
    });
    const typed = {
      kind: "Status",
      message: "failed to create typed patch object: .spec.bogus: field not declared in schema",
    };
    expect(classifyApply(ref, undefined, { statusCode: 500, body: typed })).toMatchObject({
      result: { outcome: "rejected", message: typed.message },
    });
    expect(classifyApply(ref, undefined, { statusCode: 404, body: "404 page not found" })).toMatchObject({
      result: { outcome: "rejected", message: "404 page not found" },
    });
  });

  it("keeps network failures, throttling and an unavailable server apart as transient", () => {
    for (const statusCode of [0, 429, 503, 504]) {
      expect(classifyApply(ref, undefined, { statusCode, body: { message: "try later" } })).toHaveProperty(
        "transient",
      );
    }
  });
});

describe("classifying a prune", () => {
  it("counts an object already gone as pruned", () => {
    expect(classifyPrune(ref, { statusCode: 200, body: {} })).toEqual({
      result: { ...ref, outcome: "pruned" },
    });
    expect(classifyPrune(ref, { statusCode: 404, body: {} })).toEqual({
      result: { ...ref, outcome: "pruned" },
    });
    expect(classifyPrune(ref, { statusCode: 403, body: { message: "forbidden" } })).toEqual({
      result: { ...ref, outcome: "rejected", message: "forbidden" },
    });
    expect(classifyPrune(ref, { statusCode: 0, body: { message: "ECONNRESET" } })).toHaveProperty(
      "transient",
    );
  });
});
