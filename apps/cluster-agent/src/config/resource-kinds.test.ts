import { describe, expect, it } from "vitest";
import { collectionPath, managedKindOf, objectPath, resourceKey, sortForApply } from "./resource-kinds";

const of = (apiVersion: string, kind: string, name = kind) => ({ apiVersion, kind, name });

describe("apply order", () => {
  it("puts mTLS and DestinationRules before the VirtualServices that use their subsets", () => {
    const sorted = sortForApply([
      of("networking.istio.io/v1", "VirtualService", "vs-a"),
      of("security.istio.io/v1", "AuthorizationPolicy"),
      of("networking.istio.io/v1alpha3", "EnvoyFilter"),
      of("networking.istio.io/v1", "DestinationRule", "dr-a"),
      of("networking.istio.io/v1", "VirtualService", "vs-b"),
      of("security.istio.io/v1", "PeerAuthentication"),
      of("networking.istio.io/v1", "DestinationRule", "dr-b"),
    ]);
    expect(sorted.map((resource) => resource.name)).toEqual([
      "PeerAuthentication",
      "dr-a",
      "dr-b",
      "AuthorizationPolicy",
      "EnvoyFilter",
      "vs-a",
      "vs-b",
    ]);
  });

  it("keeps an unknown kind after the DestinationRules and before the VirtualServices", () => {
    const sorted = sortForApply([
      of("networking.istio.io/v1", "VirtualService"),
      of("networking.istio.io/v1", "ServiceEntry"),
      of("networking.istio.io/v1", "DestinationRule"),
    ]);
    expect(sorted.map((resource) => resource.kind)).toEqual([
      "DestinationRule",
      "ServiceEntry",
      "VirtualService",
    ]);
  });
});

describe("kinds and paths", () => {
  it("recognises a managed kind in any version of its group, and nothing else", () => {
    expect(managedKindOf("networking.istio.io/v1beta1", "VirtualService")?.plural).toBe("virtualservices");
    expect(managedKindOf("security.istio.io/v1", "VirtualService")).toBeUndefined();
    expect(managedKindOf("v1", "ConfigMap")).toBeUndefined();
  });

  it("keys an object the same whichever version it was read through", () => {
    const ref = { kind: "VirtualService", namespace: "bookinfo", name: "reviews" };
    expect(resourceKey({ ...ref, apiVersion: "networking.istio.io/v1" })).toBe(
      resourceKey({ ...ref, apiVersion: "networking.istio.io/v1beta1" }),
    );
  });

  it("builds cluster-wide collection and namespaced object paths", () => {
    const kind = managedKindOf("networking.istio.io/v1alpha3", "EnvoyFilter");
    if (!kind) throw new Error("EnvoyFilter is managed");
    expect(collectionPath(kind)).toBe("/apis/networking.istio.io/v1alpha3/envoyfilters");
    expect(objectPath("networking.istio.io/v1alpha3", kind, "istio-system", "gzip")).toBe(
      "/apis/networking.istio.io/v1alpha3/namespaces/istio-system/envoyfilters/gzip",
    );
  });
});
