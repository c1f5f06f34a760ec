import { compile } from "@switchyard/policy-model/compile";
import { validatePolicy } from "@switchyard/policy-model/validate";
import { describe, expect, it } from "vitest";
import { toClusterInventory } from "./cluster-inventory";

const rows = [
  {
    kind: "Namespace",
    data: { kind: "Namespace", name: "shop", labels: {}, sidecarInjection: true, podCount: 3 },
  },
  {
    kind: "Service",
    data: {
      kind: "Service",
      namespace: "shop",
      name: "reviews",
      labels: {},
      selector: { app: "reviews" },
      type: "ClusterIP",
      ports: [{ name: "http", port: 9080, protocol: "TCP" }],
    },
  },
  ...["v1", "v2"].map((version) => ({
    kind: "Deployment",
    data: {
      kind: "Deployment",
      namespace: "shop",
      name: `reviews-${version}`,
      labels: { team: "books", app: "stale" },
      app: "reviews",
      version,
      serviceAccount: "reviews",
      replicas: 2,
      readyReplicas: version === "v1" ? 2 : 1,
      podCount: 2,
      sidecarInjected: true,
    },
  })),
  { kind: "Deployment", data: { kind: "Deployment", name: "broken" } },
];

describe("toClusterInventory", () => {
  it("maps namespaces, services and workloads with app/version labels, sidecar, replicas and account", () => {
    const inventory = toClusterInventory({ cluster: { name: "eu-1", labels: { env: "prod" } }, rows });
    expect(inventory.cluster).toEqual({ name: "eu-1", labels: { env: "prod" } });
    expect(inventory.namespaces).toEqual([{ name: "shop", hasSidecarInjection: true }]);
    expect(inventory.services).toEqual([
      {
        name: "reviews",
        namespace: "shop",
        ports: [{ port: 9080, name: "http", protocol: "TCP" }],
        selector: { app: "reviews" },
      },
    ]);
    expect(inventory.workloads).toEqual([
      {
        name: "reviews-v1",
        namespace: "shop",
        labels: { team: "books", app: "reviews", version: "v1" },
        hasSidecar: true,
        readyReplicas: 2,
        serviceAccount: "reviews",
      },
      {
        name: "reviews-v2",
        namespace: "shop",
        labels: { team: "books", app: "reviews", version: "v2" },
        hasSidecar: true,
        readyReplicas: 1,
        serviceAccount: "reviews",
      },
    ]);
  });

  it("ignores labels that are not strings and leaves out empty selectors and absent accounts", () => {
    const inventory = toClusterInventory({
      cluster: { name: "x", labels: { bad: 1 } },
      rows: [
        {
          kind: "Service",
          data: {
            kind: "Service",
            namespace: "a",
            name: "s",
            labels: {},
            selector: {},
            type: "ClusterIP",
            ports: [],
          },
        },
        {
          kind: "StatefulSet",
          data: {
            kind: "StatefulSet",
            namespace: "a",
            name: "db",
            labels: {},
            app: null,
            version: null,
            serviceAccount: null,
            replicas: 1,
            readyReplicas: 1,
            podCount: 1,
            sidecarInjected: false,
          },
        },
      ],
    });
    expect(inventory.cluster.labels).toEqual({});
    expect(inventory.services?.[0]).toEqual({ name: "s", namespace: "a", ports: [] });
    expect(inventory.workloads?.[0]).toEqual({
      name: "db",
      namespace: "a",
      labels: {},
      hasSidecar: false,
      readyReplicas: 1,
    });
  });

  it("is an inventory the compiler routes a 90/10 split on", () => {
    const inventory = toClusterInventory({ cluster: { name: "eu-1", labels: {} }, rows });
    const { policy } = validatePolicy({
      apiVersion: "policy.switchyard.dev/v1alpha1",
      kind: "TrafficPolicy",
      metadata: { name: "reviews-split" },
      spec: {
        scope: { namespace: "shop", service: "reviews" },
        routes: [
          {
            name: "default",
            destinations: [
              { version: "v1", weight: 90 },
              { version: "v2", weight: 10 },
            ],
          },
        ],
      },
    });
    if (!policy) throw new Error("policy invalid");
    const result = compile([policy], inventory);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.resources.map((r) => r.kind)).toEqual(["DestinationRule", "VirtualService"]);
  });
});
