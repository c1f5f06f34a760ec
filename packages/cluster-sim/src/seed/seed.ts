import { istioVersion } from "../controllers/pods";
import type { JsonObject } from "../json";
import type { ResourceOperations } from "../operations";
import type { ResourceRegistry } from "../resource-registry";
import type { ObjectStore } from "../store";
import {
  deploymentManifest,
  istiodManifest,
  namespaceManifest,
  serviceManifest,
  statefulSetManifest,
} from "./manifests";

/** What a cluster starts with: the sample application, nothing, or a generated large cluster. */
export type SeedSpec = "sample" | "empty" | { pods: number; services: number; namespaces?: number };

const seedManager = { dryRun: false, fieldManager: "switchyard-sim-seed" };

const injected = { "istio-injection": "enabled" };

/**
 * The sample application: a bookinfo namespace and a shop split over frontend/backend namespaces,
 * several services in v1/v2(/v3), Istio in istio-system, and a `data` namespace without sidecar
 * injection.
 */
export function sampleObjects(): JsonObject[] {
  const out: JsonObject[] = [
    namespaceManifest("default"),
    namespaceManifest("kube-system"),
    namespaceManifest("istio-system"),
    namespaceManifest("bookinfo", injected),
    namespaceManifest("shop-frontend", injected),
    namespaceManifest("shop-backend", injected),
    namespaceManifest("data"),
    serviceManifest({ namespace: "default", name: "kubernetes", app: "kube-apiserver", port: 443 }),
    istiodManifest(),
    serviceManifest({ namespace: "istio-system", name: "istiod", app: "istiod", port: 15010 }),
    deploymentManifest({
      namespace: "istio-system",
      name: "istio-ingressgateway",
      app: "istio-ingressgateway",
      version: istioVersion,
      replicas: 1,
      image: `docker.io/istio/proxyv2:${istioVersion}`,
      port: 8080,
    }),
    serviceManifest({ namespace: "istio-system", name: "istio-ingressgateway", port: 80 }),
  ];
  const workloads: [string, string, string[], number][] = [
    ["bookinfo", "productpage", ["v1"], 1],
    ["bookinfo", "details", ["v1"], 1],
    ["bookinfo", "reviews", ["v1", "v2", "v3"], 1],
    ["bookinfo", "ratings", ["v1"], 1],
    ["shop-frontend", "frontend", ["v1", "v2"], 2],
    ["shop-backend", "cart", ["v1"], 1],
    ["shop-backend", "catalog", ["v1", "v2"], 1],
    ["shop-backend", "payments", ["v1", "v2"], 1],
  ];
  for (const [namespace, app, versions, replicas] of workloads) {
    out.push(serviceManifest({ namespace, name: app }));
    for (const version of versions) {
      out.push(deploymentManifest({ namespace, name: `${app}-${version}`, app, version, replicas }));
    }
  }
  out.push(
    serviceManifest({ namespace: "data", name: "postgres", port: 5432 }),
    statefulSetManifest({
      namespace: "data",
      name: "postgres",
      app: "postgres",
      version: "v1",
      replicas: 1,
      image: "docker.io/library/postgres:16",
      port: 5432,
    }),
    serviceManifest({ namespace: "data", name: "redis", port: 6379 }),
    statefulSetManifest({
      namespace: "data",
      name: "redis",
      app: "redis",
      version: "v1",
      replicas: 1,
      image: "docker.io/library/redis:7",
      port: 6379,
    }),
  );
  return out;
}

/**
 * A large cluster for benchmarks: `services` services, each backed by a v1 Deployment (every
 * fourth also by a v2), with `pods` pods spread over them, in namespaces of about 50 services.
 */
export function bigClusterObjects(spec: {
  pods: number;
  services: number;
  namespaces?: number;
}): JsonObject[] {
  const namespaceCount = spec.namespaces ?? Math.max(1, Math.ceil(spec.services / 50));
  const out: JsonObject[] = [
    namespaceManifest("default"),
    namespaceManifest("istio-system"),
    istiodManifest(),
  ];
  for (let index = 0; index < namespaceCount; index++) {
    out.push(namespaceManifest(`team-${index}`, index % 4 === 3 ? {} : injected));
  }
  const deployments: { namespace: string; app: string; version: string }[] = [];
  for (let index = 0; index < spec.services; index++) {
    const namespace = `team-${index % namespaceCount}`;
    const app = `svc-${index}`;
    out.push(serviceManifest({ namespace, name: app }));
    deployments.push({ namespace, app, version: "v1" });
    if (index % 4 === 0) deployments.push({ namespace, app, version: "v2" });
  }
  // istiod already has one pod.
  const podBudget = Math.max(0, spec.pods - 1);
  deployments.forEach((deployment, index) => {
    const replicas =
      Math.floor(podBudget / deployments.length) + (index < podBudget % deployments.length ? 1 : 0);
    out.push(
      deploymentManifest({ ...deployment, name: `${deployment.app}-${deployment.version}`, replicas }),
    );
  });
  return out;
}

/** Writes a seed through the normal create path, without watch history, in one controller batch. */
export function applySeed(
  store: ObjectStore,
  registry: ResourceRegistry,
  operations: ResourceOperations,
  seed: SeedSpec,
) {
  if (seed === "empty") return;
  const objects = seed === "sample" ? sampleObjects() : bigClusterObjects(seed);
  store.withoutHistory(() => {
    store.batch(() => {
      for (const object of objects) {
        const [group] = String(object.apiVersion).includes("/") ? String(object.apiVersion).split("/") : [""];
        const type = registry.findByKind(group ?? "", String(object.kind));
        if (!type) throw new Error(`seed object of unknown kind ${String(object.kind)}`);
        const metadata = object.metadata as JsonObject;
        operations.create(type, type.namespaced ? String(metadata.namespace) : "", object, seedManager);
      }
    });
  });
}
