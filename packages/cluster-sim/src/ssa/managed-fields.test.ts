import { describe, expect, it } from "vitest";
import { ApiError } from "../errors";
import type { JsonObject } from "../json";
import { ResourceRegistry } from "../resource-registry";
import { applyConfiguration, encodeManagedFields, type readManagedFields } from "./managed-fields";

const registry = new ResourceRegistry();
const deployments = registry.get("apps", "deployments");
const now = "2026-11-22T07:51:22Z";

function deployment(containers: JsonObject[], replicas = 1): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop" },
    spec: { replicas, template: { spec: { containers } } },
  };
}

function withManagers(object: JsonObject, managers: ReturnType<typeof readManagedFields>): JsonObject {
  return {
    ...object,
    metadata: { ...(object.metadata as JsonObject), managedFields: encodeManagedFields(managers, false) },
  };
}

describe("server-side apply on built-in types", () => {
  it("merges associative lists by key and removes what the manager stopped applying", () => {
    const first = applyConfiguration({
      type: deployments,
      live: undefined,
      config: deployment([
        { name: "app", image: "app:1" },
        { name: "log", image: "log:1" },
      ]),
      manager: "agent",
      force: false,
      now,
    });
    const live = withManagers(first.object, first.managers);
    const second = applyConfiguration({
      type: deployments,
      live,
      config: deployment([{ name: "app", image: "app:2" }]),
      manager: "agent",
      force: false,
      now,
    });
    expect(second.object.spec).toEqual({
      replicas: 1,
      template: { spec: { containers: [{ name: "app", image: "app:2" }] } },
    });
  });

  it("keeps list items another manager owns and reports every conflict", () => {
    const first = applyConfiguration({
      type: deployments,
      live: undefined,
      config: deployment([{ name: "app", image: "app:1" }], 2),
      manager: "agent",
      force: false,
      now,
    });
    const live = withManagers(first.object, first.managers);
    const sidecar = applyConfiguration({
      type: deployments,
      live,
      config: deployment([{ name: "proxy", image: "proxy:1" }], 2),
      manager: "mesh",
      force: false,
      now,
    });
    expect(JSON.stringify(sidecar.object)).toContain("app:1");
    expect(JSON.stringify(sidecar.object)).toContain("proxy:1");
    const shared = withManagers(sidecar.object, sidecar.managers);
    let caught: unknown;
    try {
      applyConfiguration({
        type: deployments,
        live: shared,
        config: deployment([{ name: "app", image: "app:9" }], 5),
        manager: "ops",
        force: false,
        now,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApiError);
    const status = (caught as ApiError).toStatus();
    expect(status.message).toBe(
      // Both applied replicas: 2, so both own it (shared ownership) and both conflict.
      'Apply failed with 3 conflicts: conflicts with "agent":\n- .spec.replicas\n- .spec.template.spec.containers[name="app"].image\nconflicts with "mesh":\n- .spec.replicas',
    );
    expect(status.code).toBe(409);
  });
});
