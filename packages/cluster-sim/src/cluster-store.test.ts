// The store as a client's server-side apply sees it: a re-apply that changes nothing writes nothing.
import { describe, expect, it } from "vitest";
import { ClusterStore } from "./cluster-store";
import { ResourceOperations } from "./operations";
import { ResourceRegistry } from "./resource-registry";
import { ObjectStore } from "./store";

function storeAt(clock: { now: Date }) {
  const registry = new ResourceRegistry();
  const store = new ObjectStore({ registry, now: () => clock.now });
  const operations = new ResourceOperations(store, { allocateClusterIP: () => "10.96.0.10" });
  return new ClusterStore(store, registry, operations);
}

describe("server-side apply, applied again", () => {
  it("leaves a Secret given as stringData unchanged a second later: no new resourceVersion, the manager's time kept", () => {
    const clock = { now: new Date("2026-12-03T08:00:00.200Z") };
    const store = storeAt(clock);
    store.apply(
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "agents" } },
      { fieldManager: "kubectl" },
    );
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "agent", namespace: "agents" },
      type: "Opaque",
      stringData: { token: "abc" },
    };
    const first = store.apply(secret, { fieldManager: "kubectl" });
    const revision = store.resourceVersion;
    // The API server (1.28) writes no update that would only move managed fields' times; the
    // applied stringData differs from the stored data, which once made every re-apply a write.
    clock.now = new Date("2026-12-03T08:00:01.100Z");
    const second = store.apply(secret, { fieldManager: "kubectl" });
    expect(store.resourceVersion).toBe(revision);
    expect(second).toEqual(first);
    // A real change still writes, and stamps the manager's time.
    const changed = store.apply({ ...secret, stringData: { token: "xyz" } }, { fieldManager: "kubectl" });
    expect(store.resourceVersion).toBe(revision + 1);
    expect(JSON.stringify(changed)).toContain("2026-12-03T08:00:01Z");
  });
});
