import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inventoryArb, policyDocumentArb, policySetArb } from "../test/arbitraries";
import { policy, shopInventory } from "../test/builders";
import { compile } from "./compile";
import { affectedClusters, compileFleet, FleetCompiler } from "./fleet";
import { compileResultToYaml } from "./render";
import { validatePolicies } from "./validate";

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

describe("FleetCompiler (property)", () => {
  it("after any sequence of creates, edits and deletes, every cluster's result is what compile gives", () => {
    // Edits reuse names from a small pool, so they replace, create and delete, and move policies
    // between services, kinds and cluster scopes.
    const editArb = fc.record({
      name: fc.constantFrom("p-0", "p-1", "p-2", "p-3"),
      doc: fc.option(policyDocumentArb, { nil: undefined }),
    });
    const clusterNames = ["eu-1", "us-1", "ap-1"];
    fc.assert(
      fc.property(
        fc.tuple(inventoryArb, inventoryArb, inventoryArb),
        policySetArb,
        fc.array(editArb, { maxLength: 8 }),
        (inventoryList, docs, edits) => {
          const inventories = inventoryList.map((inventory, i) => ({
            ...inventory,
            cluster: { ...inventory.cluster, name: clusterNames[i] ?? "eu-1" },
          }));
          const current = new Map(validatePolicies(docs).policies.map((p) => [p.metadata.name, p]));
          const fleet = new FleetCompiler(inventories, [...current.values()]);
          fleet.compileAll();
          for (const edit of edits) {
            const before = current.get(edit.name);
            const after = edit.doc
              ? validatePolicies([{ ...edit.doc, metadata: { name: edit.name, revision: 7 } }]).policies[0]
              : undefined;
            const changed = fleet.applyChange(before, after);
            if (after) current.set(edit.name, after);
            else current.delete(edit.name);
            for (const inventory of inventories) {
              const expected = compile([...current.values()], inventory);
              const actual = fleet.result(inventory.cluster.name);
              expect(actual?.hash).toBe(expected.hash);
              expect(actual && compileResultToYaml(actual)).toBe(compileResultToYaml(expected));
              expect(actual?.diagnostics).toEqual(expected.diagnostics);
            }
            for (const result of changed) expect(fleet.result(result.cluster)).toBe(result);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
