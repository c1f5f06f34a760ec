/** Property tests: what must hold for every policy set the schema accepts and every inventory. */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../src/compile";
import { hasErrors } from "../src/diagnostics";
import { compileResultToYaml } from "../src/render";
import { validatePolicies, validatePolicy } from "../src/validate";
import { inventoryArb, policyDocumentArb, policySetArb } from "./arbitraries";
import { loadCrdValidator } from "./crd-validator";

const numRuns = 100;
// Generous limits: two cores shared with other test files; nothing here asserts on speed.
const slow = 120_000;

beforeAll(() => {
  loadCrdValidator();
}, 120_000);

const validSet = (docs: unknown[]) => {
  const result = validatePolicies(docs);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.policies;
};

describe("properties", () => {
  it(
    "the generators only produce documents the schema accepts",
    () => {
      fc.assert(
        fc.property(policyDocumentArb, (doc) => {
          expect(validatePolicy(doc).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        }),
        { numRuns: 300 },
      );
    },
    slow,
  );

  it(
    "compiles to byte-identical output whatever the order of policies and inventory",
    () => {
      fc.assert(
        fc.property(policySetArb, inventoryArb, fc.nat(), (docs, inventory, seed) => {
          const policies = validSet(docs);
          const shuffle = <T>(list: readonly T[]): T[] =>
            list
              .map((item, i) => ({ item, key: (i * 2654435761 + seed) % 4294967296 }))
              .sort((a, b) => a.key - b.key)
              .map((x) => x.item);
          const a = compile(policies, inventory);
          const b = compile(shuffle(policies), {
            ...inventory,
            services: shuffle(inventory.services ?? []),
            workloads: shuffle(inventory.workloads ?? []),
            namespaces: shuffle(inventory.namespaces ?? []),
          });
          expect(b.hash).toBe(a.hash);
          expect(compileResultToYaml(b)).toBe(compileResultToYaml(a));
        }),
        { numRuns },
      );
    },
    slow,
  );

  it(
    "emits only resources that validate against Istio's CRD schemas",
    () => {
      const validator = loadCrdValidator();
      fc.assert(
        fc.property(policySetArb, inventoryArb, (docs, inventory) => {
          for (const resource of compile(validSet(docs), inventory).resources)
            expect(validator.validate(resource), `${resource.kind} ${JSON.stringify(resource.spec)}`).toEqual(
              [],
            );
        }),
        { numRuns },
      );
    },
    slow,
  );

  it(
    "routes with weights that always add up to 100",
    () => {
      fc.assert(
        fc.property(policySetArb, inventoryArb, (docs, inventory) => {
          for (const resource of compile(validSet(docs), inventory).resources) {
            if (resource.kind !== "VirtualService") continue;
            const http = resource.spec.http;
            if (!Array.isArray(http)) throw new Error("VirtualService without http routes");
            for (const route of http) {
              const destinations =
                route !== null && typeof route === "object" && !Array.isArray(route)
                  ? route.route
                  : undefined;
              if (!Array.isArray(destinations)) throw new Error("route without destinations");
              const sum = destinations.reduce<number>((total, d) => {
                const weight =
                  d !== null && typeof d === "object" && !Array.isArray(d) ? d.weight : undefined;
                return total + (typeof weight === "number" ? weight : 0);
              }, 0);
              expect(sum).toBe(100);
            }
          }
        }),
        { numRuns },
      );
    },
    slow,
  );

  it(
    "never throws on any input: the schema rejects with a diagnostic what compile cannot take",
    () => {
      // Mutate valid documents (drop, replace or add fields at any depth) to reach near-valid input.
      const mutate = (value: unknown, path: number[], replacement: unknown): unknown => {
        if (path.length === 0 || value === null || typeof value !== "object") return replacement;
        const [step = 0, ...rest] = path;
        if (Array.isArray(value)) {
          if (value.length === 0) return replacement;
          const i = step % value.length;
          return value.map((v, j) => (j === i ? mutate(v, rest, replacement) : v));
        }
        const entries = Object.entries(value);
        if (entries.length === 0) return { surprise: replacement };
        const i = step % entries.length;
        return Object.fromEntries(
          entries.map(([k, v], j) => [k, j === i ? mutate(v, rest, replacement) : v]),
        );
      };
      const junk = fc.oneof(
        fc.constant(undefined),
        fc.constant(null),
        fc.integer({ min: -70000, max: 70000 }),
        fc.double(),
        fc.string({ maxLength: 6 }),
        fc.constantFrom("0.1ms", "0s", "-1s", "*", "v1", ""),
        fc.array(fc.integer(), { maxLength: 2 }),
        fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
      );
      fc.assert(
        fc.property(
          fc.array(fc.tuple(policyDocumentArb, fc.array(fc.nat(), { maxLength: 6 }), junk), { maxLength: 5 }),
          inventoryArb,
          (mutations, inventory) => {
            const docs = mutations.map(([doc, path, replacement]) => mutate(doc, path, replacement));
            for (const doc of docs) {
              const result = validatePolicy(doc);
              // Either a policy, or at least one error that points somewhere.
              if (!result.policy) expect(hasErrors(result.diagnostics)).toBe(true);
            }
            const { policies } = validatePolicies(docs);
            expect(() => compile(policies, inventory)).not.toThrow();
          },
        ),
        { numRuns: 300 },
      );
    },
    slow,
  );
});
