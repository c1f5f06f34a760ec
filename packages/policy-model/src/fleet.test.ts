import { describe, expect, it } from "vitest";
import { policy, shopInventory } from "../test/builders";
import { compile } from "./compile";
import { affectedClusters, compileFleet, FleetCompiler } from "./fleet";

const eu = shopInventory();
const us = shopInventory({ cluster: { name: "us-1", labels: { env: "dev" } } });
const prodOnly = policy({
  kind: "MtlsPolicy",
  name: "prod-strict",
  spec: { scope: { clusters: { matchLabels: { env: "prod" } } }, mode: "strict" },
});
const nowhere = policy({
  kind: "MtlsPolicy",
  name: "nowhere",
  spec: { scope: { clusters: { names: ["ap-9"] } }, mode: "strict" },
});

describe("compileFleet", () => {
  it("compiles every cluster and warns about policies no cluster selects", () => {
    const fleet = compileFleet([prodOnly, nowhere], [eu, us]);
    expect(fleet.results.map((r) => [r.cluster, r.resources.length])).toEqual([
      ["eu-1", 1],
      ["us-1", 0],
    ]);
    expect(fleet.diagnostics).toMatchObject([{ code: "no-matching-cluster", policy: "nowhere" }]);
  });
});

describe("affectedClusters", () => {
  it("takes the clusters either version of the policy selects", () => {
    const clusters = [eu, us];
    expect(affectedClusters(prodOnly, undefined, clusters)).toEqual(["eu-1"]);
    const everywhere = policy({ kind: "MtlsPolicy", name: "prod-strict", spec: { mode: "strict" } });
    expect(affectedClusters(prodOnly, everywhere, clusters)).toEqual(["eu-1", "us-1"]);
    expect(affectedClusters(undefined, nowhere, clusters)).toEqual([]);
  });

  it("skips clusters without the policy's service", () => {
    const routes = policy({
      kind: "TrafficPolicy",
      name: "cart-routes",
      spec: {
        scope: { namespace: "shop", service: "cart" },
        routes: [{ destinations: [{ version: "v1" }] }],
      },
    });
    const noCart = shopInventory({ cluster: { name: "ap-1" }, services: [] });
    expect(affectedClusters(undefined, routes, [eu, noCart])).toEqual(["eu-1"]);
  });
});

describe("FleetCompiler", () => {
  it("recompiles only the clusters a change touches, with the same output as a full compile", () => {
    const fleet = new FleetCompiler([eu, us], [prodOnly]);
    expect(fleet.compileAll().map((r) => r.cluster)).toEqual(["eu-1", "us-1"]);
    const devOnly = policy({
      kind: "MtlsPolicy",
      name: "prod-strict",
      spec: { scope: { clusters: { matchLabels: { env: "dev" } } }, mode: "permissive" },
    });
    const changed = fleet.applyChange(prodOnly, devOnly);
    expect(changed.map((r) => r.cluster)).toEqual(["eu-1", "us-1"]);
    expect(fleet.result("us-1")?.hash).toBe(compile([devOnly], us).hash);
    expect(fleet.result("eu-1")?.hash).toBe(compile([], eu).hash);
    expect(fleet.applyChange(undefined, nowhere)).toEqual([]);
  });
});
