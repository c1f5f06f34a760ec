/**
 * The agent's Kubernetes client (@kubernetes/client-node 1.4, ESM) against the simulator, through
 * the kubeconfig the simulator writes: lists, an informer following mutations, server-side apply
 * through KubernetesObjectApi, and the 410 re-list path.
 */
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  type V1Deployment,
  Watch,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimulatedCluster, startSimulatedCluster } from "./cluster";
import type { JsonObject } from "./json";

function kubeConfigFor(cluster: SimulatedCluster): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(cluster.kubeconfigPath);
  return config;
}

/** Resolves when `predicate` holds for an event pushed through `push`. */
function eventLog<T>() {
  const seen: T[] = [];
  const waiters: { predicate: (event: T) => boolean; resolve: (event: T) => void }[] = [];
  return {
    seen,
    push(event: T) {
      seen.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    },
    waitFor(predicate: (event: T) => boolean): Promise<T> {
      const already = seen.find(predicate);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

describe("@kubernetes/client-node against the simulated cluster", () => {
  let cluster: SimulatedCluster;
  let config: KubeConfig;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ name: "client-node", watchTimeoutSeconds: 1 });
    config = kubeConfigFor(cluster);
  });
  afterAll(async () => {
    await cluster.close();
  });

  it("lists namespaces, pods and deployments of the sample application", async () => {
    const core = config.makeApiClient(CoreV1Api);
    const apps = config.makeApiClient(AppsV1Api);
    const namespaces = await core.listNamespace();
    const names = namespaces.items.map((ns) => ns.metadata?.name);
    expect(names).toEqual(
      expect.arrayContaining(["bookinfo", "shop-frontend", "shop-backend", "data", "istio-system"]),
    );
    const injected = namespaces.items.filter((ns) => ns.metadata?.labels?.["istio-injection"] === "enabled");
    expect(injected.map((ns) => ns.metadata?.name).sort()).toEqual([
      "bookinfo",
      "shop-backend",
      "shop-frontend",
    ]);

    const deployments = await apps.listDeploymentForAllNamespaces();
    const istiod = deployments.items.find((d) => d.metadata?.name === "istiod");
    expect(istiod?.spec?.template.spec?.containers[0]?.image).toBe("docker.io/istio/pilot:1.30.3");
    const reviews = deployments.items.filter((d) => d.metadata?.labels?.app === "reviews");
    expect(reviews.map((d) => d.metadata?.labels?.version).sort()).toEqual(["v1", "v2", "v3"]);
    for (const deployment of deployments.items) {
      expect(deployment.status?.readyReplicas, deployment.metadata?.name).toBe(deployment.spec?.replicas);
    }

    const pods = await core.listNamespacedPod({ namespace: "bookinfo" });
    expect(pods.items.length).toBe(6);
    for (const pod of pods.items) expect(pod.spec?.containers.map((c) => c.name)).toContain("istio-proxy");
    const dataPods = await core.listNamespacedPod({ namespace: "data", labelSelector: "app=postgres" });
    expect(dataPods.items.map((pod) => pod.metadata?.name)).toEqual(["postgres-0"]);
    expect(dataPods.items[0]?.spec?.containers.map((c) => c.name)).toEqual(["postgres"]);

    const statefulSets = await apps.listNamespacedStatefulSet({ namespace: "data" });
    expect(statefulSets.items.map((s) => [s.metadata?.name, s.status?.readyReplicas])).toEqual([
      ["postgres", 1],
      ["redis", 1],
    ]);
  });

  it("an informer sees ADD, UPDATE and DELETE after store mutations", async () => {
    const apps = config.makeApiClient(AppsV1Api);
    const informer = makeInformer<V1Deployment>(
      config,
      "/apis/apps/v1/namespaces/shop-backend/deployments",
      () => apps.listNamespacedDeployment({ namespace: "shop-backend" }),
    );
    const log = eventLog<{
      verb: string;
      name: string;
      ready: number | undefined;
      replicas: number | undefined;
    }>();
    for (const verb of ["add", "update", "delete"] as const) {
      informer.on(verb, (object) =>
        log.push({
          verb,
          name: object.metadata?.name ?? "",
          ready: object.status?.readyReplicas,
          replicas: object.spec?.replicas,
        }),
      );
    }
    await informer.start();
    try {
      await log.waitFor((e) => e.verb === "add" && e.name === "payments-v2");
      cluster.store.scaleDeployment("shop-backend", "payments-v2", 4);
      await log.waitFor((e) => e.verb === "update" && e.name === "payments-v2" && e.ready === 4);
      cluster.store.createDeployment({
        namespace: "shop-backend",
        name: "payments-v3",
        app: "payments",
        version: "v3",
        replicas: 1,
      });
      await log.waitFor((e) => e.verb === "add" && e.name === "payments-v3");
      cluster.store.deleteDeployment("shop-backend", "payments-v3");
      await log.waitFor((e) => e.verb === "delete" && e.name === "payments-v3");
      expect(informer.list("shop-backend").map((d) => d.metadata?.name)).not.toContain("payments-v3");
      const pods = cluster.store
        .list("Pod", "shop-backend")
        .filter((pod) => JSON.stringify(pod).includes("payments-v2"));
      expect(pods).toHaveLength(4);
    } finally {
      await informer.stop();
    }
  });

  it("server-side applies a VirtualService through KubernetesObjectApi.patch", async () => {
    const objects = KubernetesObjectApi.makeApiClient(config);
    const virtualService: KubernetesObject & { spec: JsonObject } = {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "reviews", namespace: "bookinfo" },
      spec: {
        hosts: ["reviews"],
        http: [{ route: [{ destination: { host: "reviews", subset: "v1" }, weight: 100 }] }],
      },
    };
    const created = await objects.patch(
      virtualService,
      undefined,
      undefined,
      "switchyard-agent",
      false,
      PatchStrategy.ServerSideApply,
    );
    expect(created.metadata?.managedFields?.[0]?.manager).toBe("switchyard-agent");
    const again = await objects.patch(
      virtualService,
      undefined,
      undefined,
      "switchyard-agent",
      false,
      PatchStrategy.ServerSideApply,
    );
    expect(again.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const stored = cluster.store.get("VirtualService", "bookinfo", "reviews");
    expect(stored?.spec).toEqual(virtualService.spec);

    const takeover: KubernetesObject & { spec: JsonObject } = {
      ...virtualService,
      spec: { http: [{ route: [{ destination: { host: "reviews", subset: "v2" } }] }] },
    };
    await expect(
      objects.patch(takeover, undefined, undefined, "ops-team", false, PatchStrategy.ServerSideApply),
    ).rejects.toMatchObject({ code: 409 });
    const forced = await objects.patch(
      takeover,
      undefined,
      undefined,
      "ops-team",
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(forced.metadata?.managedFields?.map((entry) => entry.manager).sort()).toEqual([
      "ops-team",
      "switchyard-agent",
    ]);
  });

  it("applies an agent-install-like manifest (namespace, RBAC, secret, deployment)", async () => {
    const objects = KubernetesObjectApi.makeApiClient(config);
    const manifest: KubernetesObject[] = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "switchyard-system" } },
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "agent", namespace: "switchyard-system" },
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "switchyard-agent" },
        rules: [{ apiGroups: [""], resources: ["namespaces", "pods"], verbs: ["get", "list", "watch"] }],
      } as KubernetesObject,
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "agent-token", namespace: "switchyard-system" },
        stringData: { token: "bootstrap" },
      } as KubernetesObject,
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
          name: "switchyard-agent",
          namespace: "switchyard-system",
          labels: { app: "switchyard-agent" },
        },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "switchyard-agent" } },
          template: {
            metadata: { labels: { app: "switchyard-agent" } },
            spec: {
              serviceAccountName: "agent",
              securityContext: { runAsNonRoot: true },
              containers: [
                {
                  name: "agent",
                  image: "ghcr.io/switchyard/agent:0.1.0",
                  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                  readinessProbe: { httpGet: { path: "/healthz", port: 8080 } },
                },
              ],
            },
          },
        },
      } as KubernetesObject,
    ];
    for (const object of manifest) {
      await objects.patch(
        object,
        undefined,
        undefined,
        "switchyard-install",
        true,
        PatchStrategy.ServerSideApply,
      );
    }
    const secret = cluster.store.get("Secret", "switchyard-system", "agent-token");
    expect(secret?.data).toEqual({ token: Buffer.from("bootstrap").toString("base64") });
    const agent = cluster.store.get("Deployment", "switchyard-system", "switchyard-agent");
    expect(agent?.status).toMatchObject({ readyReplicas: 1 });
  });

  it("a watch from a compacted resourceVersion gets a 410 ERROR event", async () => {
    const watch = new Watch(config);
    const log = eventLog<{ phase: string; code: unknown }>();
    const done = new Promise<void>((resolve) => {
      void watch.watch(
        "/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices",
        { resourceVersion: "1", allowWatchBookmarks: true },
        (phase, object) => log.push({ phase, code: object.code }),
        () => resolve(),
      );
    });
    await done;
    expect(log.seen).toEqual([{ phase: "ERROR", code: 410 }]);
  });

  it("an informer re-lists after 410 Gone and catches up", async () => {
    const core = config.makeApiClient(CoreV1Api);
    const lists = eventLog<number>();
    const informer = makeInformer(config, "/api/v1/namespaces", () => {
      lists.push(lists.seen.length + 1);
      return core.listNamespace();
    });
    const log = eventLog<{ verb: string; name: string }>();
    informer.on("add", (object) => log.push({ verb: "add", name: object.metadata?.name ?? "" }));
    informer.on("delete", (object) => log.push({ verb: "delete", name: object.metadata?.name ?? "" }));
    await informer.start();
    try {
      await log.waitFor((e) => e.name === "bookinfo");
      // A write of another kind moves the revision past the informer's RV, and the history is
      // compacted: the informer's next watch (the server ends each after 1 s) gets 410 Gone.
      cluster.store.createDeployment({
        namespace: "data",
        name: "cache-v1",
        app: "cache",
        version: "v1",
        replicas: 1,
      });
      cluster.store.compact();
      await lists.waitFor((count) => count === 2);
      cluster.store.createNamespace("late-arrival");
      await log.waitFor((e) => e.verb === "add" && e.name === "late-arrival");
      cluster.store.deleteNamespace("late-arrival");
      await log.waitFor((e) => e.verb === "delete" && e.name === "late-arrival");
    } finally {
      await informer.stop();
    }
  });
});
