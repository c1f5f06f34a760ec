/**
 * Golden tests: each directory under test/golden holds policies.yaml and inventory.yaml, and the
 * expected compile output in expected.yaml — readable in review. `npx vitest -u` rewrites them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compile } from "../src/compile";
import { formatDiagnostic } from "../src/diagnostics";
import { parsePolicies } from "../src/documents";
import { inventoryFileSchema } from "../src/inventory";
import { compileResultToYaml } from "../src/render";
import { loadCrdValidator } from "./crd-validator";

beforeAll(() => {
  loadCrdValidator();
}, 120_000);

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), "golden");
const cases = readdirSync(goldenDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe.each(cases)("golden %s", (name) => {
  const dir = join(goldenDir, name);
  const parsed = parsePolicies(readFileSync(join(dir, "policies.yaml"), "utf8"), "policies.yaml");
  const inventory = inventoryFileSchema.parse(parse(readFileSync(join(dir, "inventory.yaml"), "utf8")));
  const results = inventory.clusters.map((cluster) => compile(parsed.policies, cluster));

  it("compiles to the expected YAML", async () => {
    const header = parsed.diagnostics.map((d) => `# ${formatDiagnostic(d)}`);
    const text = [
      `# validation: ${parsed.diagnostics.length === 0 ? "ok" : `${parsed.diagnostics.length} diagnostics`}`,
      ...header,
      ...results.map(compileResultToYaml),
    ].join("\n");
    await expect(text).toMatchFileSnapshot(join(dir, "expected.yaml"));
  });

  it("emits only resources Istio's CRD schemas accept", () => {
    const validator = loadCrdValidator();
    for (const result of results)
      for (const resource of result.resources)
        expect(
          validator.validate(resource),
          `${result.cluster} ${resource.kind} ${resource.metadata.name}`,
        ).toEqual([]);
  });

  it("is deterministic under reordering of policies and inventory", () => {
    const reversed = [...parsed.policies].reverse();
    for (const [i, cluster] of inventory.clusters.entries()) {
      const shuffled = {
        ...cluster,
        services: [...(cluster.services ?? [])].reverse(),
        workloads: [...(cluster.workloads ?? [])].reverse(),
        namespaces: [...(cluster.namespaces ?? [])].reverse(),
      };
      const again = compile(reversed, shuffled);
      expect(again.hash).toBe(results[i]?.hash);
      expect(compileResultToYaml(again)).toBe(compileResultToYaml(results[i] ?? again));
    }
  });
});
