import { describe, expect, it } from "vitest";
import { InventoryStore } from "./inventory-store";
import type { SlimPod, SlimWorkload } from "./slim";

const web: SlimWorkload = {
  kind: "Deployment",
  namespace: "shop",
  name: "web",
  labels: {},
  app: "web",
  version: "v1",
  serviceAccount: null,
  replicas: 2,
  readyReplicas: 2,
  injectOverride: null,
};

function pod(name: string, hasSidecar = true): SlimPod {
  return { namespace: "shop", name, owner: { kind: "Deployment", name: "web" }, hasSidecar };
}

function seeded(): InventoryStore {
  const store = new InventoryStore();
  store.replace({
    resource: "namespaces",
    items: [{ name: "shop", labels: { "istio-injection": "enabled" } }],
  });
  store.replace({ resource: "services", items: [] });
  store.replace({ resource: "deployments", items: [web] });
  store.replace({ resource: "statefulsets", items: [] });
  store.replace({ resource: "pods", items: [pod("web-1"), pod("web-2")] });
  return store;
}

describe("InventoryStore", () => {
  it("is synced once every resource was listed, and snapshots everything mapped", () => {
    const store = seeded();
    expect(store.isSynced).toBe(true);
    const snapshot = store.snapshot();
    expect(snapshot.objects.map((object) => object.kind)).toEqual(["Namespace", "Deployment"]);
    expect(snapshot.objects[0]).toMatchObject({ podCount: 2 });
    expect(snapshot.objects[1]).toMatchObject({ podCount: 2, sidecarInjected: true });
    expect(store.dirtyCount).toBe(0);
  });

  it("sends nothing for updates that do not change a mapped form", () => {
    const store = seeded();
    store.snapshot().commit();
    store.upsertWorkload({ ...web });
    store.upsertPod(pod("web-1"));
    const delta = store.takeDelta(500);
    expect(delta.upserts).toEqual([]);
    expect(delta.deletes).toEqual([]);
  });

  it("turns a new pod into one workload and one namespace upsert", () => {
    const store = seeded();
    store.snapshot().commit();
    store.upsertPod(pod("web-3", false));
    const delta = store.takeDelta(500);
    expect(delta.upserts).toEqual([
      expect.objectContaining({ kind: "Namespace", podCount: 3 }),
      expect.objectContaining({ kind: "Deployment", podCount: 3, sidecarInjected: false }),
    ]);
  });

  it("deletes only what the API was told about", () => {
    const store = seeded();
    store.snapshot().commit();
    store.upsertService({
      namespace: "shop",
      name: "tmp",
      labels: {},
      selector: {},
      type: "ClusterIP",
      ports: [],
    });
    store.deleteService("shop", "tmp");
    expect(store.takeDelta(500)).toMatchObject({ upserts: [], deletes: [] });
    store.deleteWorkload("Deployment", "shop", "web");
    expect(store.takeDelta(500).deletes).toEqual([{ kind: "Deployment", namespace: "shop", name: "web" }]);
  });

  it("re-sends a change whose batch was never acknowledged only after a new snapshot", () => {
    const store = seeded();
    store.snapshot().commit();
    store.upsertWorkload({ ...web, readyReplicas: 1 });
    const lost = store.takeDelta(500);
    expect(lost.upserts).toHaveLength(1);
    // not committed: the session ended; the next session's snapshot carries the current state
    const snapshot = store.snapshot();
    expect(snapshot.objects).toContainEqual(
      expect.objectContaining({ kind: "Deployment", readyReplicas: 1 }),
    );
  });

  it("limits a delta to the batch size and keeps the rest dirty", () => {
    const store = seeded();
    store.snapshot().commit();
    for (let index = 0; index < 5; index++) {
      store.upsertService({
        namespace: "shop",
        name: `s${index}`,
        labels: {},
        selector: {},
        type: "ClusterIP",
        ports: [],
      });
    }
    const first = store.takeDelta(3);
    first.commit();
    expect(first.upserts).toHaveLength(3);
    expect(store.takeDelta(3).upserts).toHaveLength(2);
  });

  it("re-list removes what is gone and re-predicts injection when a namespace label changes", () => {
    const store = seeded();
    store.replace({ resource: "pods", items: [] });
    store.snapshot().commit();
    store.replace({ resource: "namespaces", items: [{ name: "shop", labels: {} }] });
    const delta = store.takeDelta(500);
    expect(delta.upserts).toEqual([
      expect.objectContaining({ kind: "Namespace", sidecarInjection: false }),
      expect.objectContaining({ kind: "Deployment", podCount: 0, sidecarInjected: false }),
    ]);
    store.replace({ resource: "deployments", items: [] });
    expect(store.takeDelta(500).deletes).toEqual([{ kind: "Deployment", namespace: "shop", name: "web" }]);
  });

  it("notifies listeners of changes", () => {
    const store = seeded();
    let calls = 0;
    const unsubscribe = store.onChange(() => calls++);
    store.upsertPod(pod("web-9"));
    unsubscribe();
    store.upsertPod(pod("web-10"));
    expect(calls).toBe(1);
  });
});
