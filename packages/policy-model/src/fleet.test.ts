import { describe, expect, it } from "vitest";
import { policy, shopInventory } from "../test/builders";
import { affectedClusters, compileFleet } from "./fleet";

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
    const clusters = [eu.cluster, us.cluster];
    expect(affectedClusters(prodOnly, undefined, clusters)).toEqual(["eu-1"]);
    const everywhere = policy({ kind: "MtlsPolicy", name: "prod-strict", spec: { mode: "strict" } });
    expect(affectedClusters(prodOnly, everywhere, clusters)).toEqual(["eu-1", "us-1"]);
    expect(affectedClusters(undefined, nowhere, clusters)).toEqual([]);
  });
});
