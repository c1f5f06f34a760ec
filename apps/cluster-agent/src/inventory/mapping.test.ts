import { describe, expect, it } from "vitest";
import {
  chunk,
  isNamespaceInjected,
  isWorkloadInjected,
  mapNamespace,
  mapService,
  mapWorkload,
} from "./mapping";
import {
  decodeNamespace,
  decodePod,
  decodeService,
  decodeWorkload,
  podOwner,
  type SlimWorkload,
} from "./slim";

function decoded<T>(result: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

const deploymentJson = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "reviews-v2",
    namespace: "bookinfo",
    labels: { app: "reviews" },
    resourceVersion: "7",
    uid: "u",
  },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "reviews", version: "v2" } },
    template: {
      metadata: {
        labels: { app: "reviews", version: "v2" },
        annotations: { "sidecar.istio.io/inject": "false" },
      },
      spec: { serviceAccountName: "bookinfo-reviews", containers: [{ name: "reviews", image: "x" }] },
    },
  },
  status: { readyReplicas: 2, replicas: 3 },
};

describe("decoding Kubernetes objects into slim forms", () => {
  it("keeps only what the inventory needs of a Deployment", () => {
    expect(decoded(decodeWorkload("Deployment", deploymentJson))).toEqual({
      kind: "Deployment",
      namespace: "bookinfo",
      name: "reviews-v2",
      labels: { app: "reviews" },
      app: "reviews",
      version: "v2",
      serviceAccount: "bookinfo-reviews",
      replicas: 3,
      readyReplicas: 2,
      injectOverride: "false",
    });
  });

  it("defaults replicas to 1 and ready to 0, and reads app.kubernetes.io labels", () => {
    const workload = decoded(
      decodeWorkload("StatefulSet", {
        metadata: { name: "db", namespace: "data" },
        spec: { template: { metadata: { labels: { "app.kubernetes.io/name": "db" } } } },
      }),
    );
    expect(workload).toMatchObject({
      replicas: 1,
      readyReplicas: 0,
      app: "db",
      version: null,
      serviceAccount: null,
    });
  });

  it("rejects objects that miss a name", () => {
    expect(decodeNamespace({ metadata: {} }).ok).toBe(false);
    expect(decodePod({ spec: {} }).ok).toBe(false);
  });

  it("reduces a pod to namespace, owner workload and sidecar presence", () => {
    const pod = decoded(
      decodePod({
        metadata: {
          name: "reviews-v2-5d8f9-abcde",
          namespace: "bookinfo",
          labels: { app: "reviews", "pod-template-hash": "5d8f9" },
          ownerReferences: [{ kind: "ReplicaSet", name: "reviews-v2-5d8f9", controller: true, uid: "x" }],
        },
        spec: { containers: [{ name: "reviews" }, { name: "istio-proxy" }] },
        status: { phase: "Running" },
      }),
    );
    expect(pod).toEqual({
      namespace: "bookinfo",
      name: "reviews-v2-5d8f9-abcde",
      owner: { kind: "Deployment", name: "reviews-v2" },
      hasSidecar: true,
    });
  });

  it("sees istio-proxy as a native sidecar among init containers", () => {
    const pod = decoded(
      decodePod({
        metadata: { name: "p", namespace: "n" },
        spec: { containers: [{ name: "app" }], initContainers: [{ name: "istio-proxy" }] },
      }),
    );
    expect(pod.hasSidecar).toBe(true);
  });

  it("finds the owner workload of StatefulSet pods, and none for bare ReplicaSets or Jobs", () => {
    expect(podOwner([{ kind: "StatefulSet", name: "postgres", controller: true }], {})).toEqual({
      kind: "StatefulSet",
      name: "postgres",
    });
    expect(podOwner([{ kind: "ReplicaSet", name: "standalone", controller: true }], {})).toBeNull();
    expect(podOwner([{ kind: "Job", name: "migrate", controller: true }], {})).toBeNull();
    expect(podOwner([], {})).toBeNull();
  });

  it("maps service ports with protocol defaults", () => {
    const service = decoded(
      decodeService({
        metadata: { name: "web", namespace: "shop" },
        spec: {
          selector: { app: "web" },
          ports: [
            { port: 80, targetPort: "http" },
            { name: "grpc", port: 9090, protocol: "TCP" },
          ],
        },
      }),
    );
    expect(mapService(service)).toEqual({
      kind: "Service",
      namespace: "shop",
      name: "web",
      labels: {},
      selector: { app: "web" },
      type: "ClusterIP",
      ports: [
        { port: 80, protocol: "TCP", targetPort: "http" },
        { name: "grpc", port: 9090, protocol: "TCP" },
      ],
    });
  });
});

describe("mapping to protocol objects", () => {
  it("reads namespace injection from istio-injection or a revision label", () => {
    expect(isNamespaceInjected({ "istio-injection": "enabled" })).toBe(true);
    expect(isNamespaceInjected({ "istio.io/rev": "1-30" })).toBe(true);
    expect(isNamespaceInjected({ "istio-injection": "disabled", "istio.io/rev": "1-30" })).toBe(false);
    expect(isNamespaceInjected({})).toBe(false);
    expect(mapNamespace({ name: "shop", labels: { "istio-injection": "enabled" } }, 4)).toEqual({
      kind: "Namespace",
      name: "shop",
      labels: { "istio-injection": "enabled" },
      sidecarInjection: true,
      podCount: 4,
    });
  });

  const workload: SlimWorkload = {
    kind: "Deployment",
    namespace: "shop",
    name: "web-v1",
    labels: {},
    app: "web",
    version: "v1",
    serviceAccount: null,
    replicas: 2,
    readyReplicas: 2,
    injectOverride: null,
  };
  const injected = { "istio-injection": "enabled" };

  it("decides sidecar injection from the pods when there are any", () => {
    expect(isWorkloadInjected(workload, { pods: 2, withSidecar: 2 }, {})).toBe(true);
    expect(isWorkloadInjected(workload, { pods: 2, withSidecar: 1 }, injected)).toBe(false);
    expect(isWorkloadInjected(workload, { pods: 2, withSidecar: 0 }, injected)).toBe(false);
  });

  it("without pods, predicts it from the template override, else the namespace", () => {
    const none = { pods: 0, withSidecar: 0 };
    expect(isWorkloadInjected(workload, none, injected)).toBe(true);
    expect(isWorkloadInjected(workload, none, {})).toBe(false);
    expect(isWorkloadInjected(workload, none, undefined)).toBe(false);
    expect(isWorkloadInjected({ ...workload, injectOverride: "false" }, none, injected)).toBe(false);
    expect(isWorkloadInjected({ ...workload, injectOverride: "true" }, none, {})).toBe(true);
  });

  it("maps a workload with its pod count", () => {
    expect(mapWorkload(workload, { pods: 2, withSidecar: 2 }, injected)).toEqual({
      kind: "Deployment",
      namespace: "shop",
      name: "web-v1",
      labels: {},
      app: "web",
      version: "v1",
      serviceAccount: null,
      replicas: 2,
      readyReplicas: 2,
      podCount: 2,
      sidecarInjected: true,
    });
  });

  it("chunks into runs of at most the size, and an empty list into one empty run", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 500)).toEqual([[]]);
  });
});
