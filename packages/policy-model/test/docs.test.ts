/** The examples in docs/policies.md are real: every complete policy and the inventory example validate. */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compile } from "../src/compile";
import { parsePolicies } from "../src/documents";
import { inventoryFileSchema } from "../src/inventory";

const docsPath = resolve(dirname(fileURLToPath(import.meta.url)), "../../../docs/policies.md");
const blocks = [...readFileSync(docsPath, "utf8").matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
const policyBlocks = blocks.filter(
  (b) => b.includes("apiVersion: policy.switchyard.dev/") && !b.includes("..."),
);

describe("docs/policies.md", () => {
  it("has examples for every kind", () => {
    const kinds = new Set(policyBlocks.flatMap((b) => parsePolicies(b).policies.map((p) => p.kind)));
    expect([...kinds].sort()).toEqual([
      "AuthorizationPolicy",
      "MtlsPolicy",
      "RateLimitPolicy",
      "ResiliencePolicy",
      "TrafficPolicy",
    ]);
  });

  it.each(policyBlocks.map((b, i) => [i, b]))("policy example %i validates", (_, block) => {
    expect(parsePolicies(block).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("documents an inventory file the compiler reads", () => {
    const block = blocks.find((b) => b.startsWith("clusters:"));
    const inventory = inventoryFileSchema.parse(parse(block ?? ""));
    const policies = policyBlocks.flatMap((b) => parsePolicies(b).policies);
    for (const cluster of inventory.clusters) expect(() => compile(policies, cluster)).not.toThrow();
  });
});
