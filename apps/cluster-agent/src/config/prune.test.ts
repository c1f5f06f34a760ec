import type { DesiredResource } from "@switchyard/agent-protocol/v1";
import { describe, expect, it } from "vitest";
import type { LiveObject } from "./live-object";
import { type OwnedObject, pruneSet } from "./prune";

const ours = { "app.kubernetes.io/managed-by": "switchyard" };

function desired(kind: string, name: string, apiVersion = "networking.istio.io/v1"): DesiredResource {
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: "bookinfo", labels: ours, annotations: {} },
    spec: {},
  };
}

function live(
  kind: string,
  name: string,
  labels?: Record<string, string>,
  apiVersion = "networking.istio.io/v1",
): OwnedObject {
  const object: LiveObject = { metadata: { name, namespace: "bookinfo", ...(labels ? { labels } : {}) } };
  return { apiVersion, kind, object };
}

const names = (entries: OwnedObject[]) =>
  entries.map((entry) => `${entry.kind}/${entry.object.metadata.name}`);

describe("prune set", () => {
  it("is the owned objects the desired configuration no longer lists", () => {
    const result = pruneSet(
      [desired("VirtualService", "reviews"), desired("DestinationRule", "reviews")],
      [
        live("VirtualService", "reviews", ours),
        live("DestinationRule", "reviews", ours),
        live("VirtualService", "old-split", ours),
        live("DestinationRule", "old-split", ours),
      ],
    );
    expect(names(result)).toEqual(["VirtualService/old-split", "DestinationRule/old-split"]);
  });

  it("never includes an object without our label, or with someone else's value", () => {
    const result = pruneSet(
      [],
      [
        live("VirtualService", "hand-made"),
        live("VirtualService", "argo", { "app.kubernetes.io/managed-by": "argocd" }),
        live("VirtualService", "ours", ours),
      ],
    );
    expect(names(result)).toEqual(["VirtualService/ours"]);
  });

  it("matches desired and live across versions of a group, and ignores kinds it does not manage", () => {
    const result = pruneSet(
      [desired("VirtualService", "reviews", "networking.istio.io/v1beta1")],
      [live("VirtualService", "reviews", ours), live("Gateway", "ingress", ours)],
    );
    expect(result).toEqual([]);
  });

  it("prunes everything owned for an empty configuration", () => {
    expect(
      names(pruneSet([], [live("VirtualService", "a", ours), live("DestinationRule", "a", ours)])),
    ).toHaveLength(2);
  });
});
