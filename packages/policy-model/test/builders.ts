/** Small builders for tests: valid policies and inventories with only the interesting parts spelled out. */
import type { ClusterInventory } from "../src/inventory";
import { type Policy, policyApiVersion } from "../src/schema";
import { validatePolicy } from "../src/validate";

/** Validate a policy written as plain data, failing the test if it is not valid. */
export function policy(input: {
  kind: Policy["kind"];
  name: string;
  spec: unknown;
  revision?: number;
}): Policy {
  const result = validatePolicy({
    apiVersion: policyApiVersion,
    kind: input.kind,
    metadata: { name: input.name, ...(input.revision === undefined ? {} : { revision: input.revision }) },
    spec: input.spec,
  });
  if (!result.policy)
    throw new Error(`invalid test policy ${input.name}: ${JSON.stringify(result.diagnostics)}`);
  return result.policy;
}

export function shopInventory(overrides: Partial<ClusterInventory> = {}): ClusterInventory {
  return {
    cluster: { name: "eu-1", labels: { env: "prod" } },
    namespaces: [
      { name: "shop", hasSidecarInjection: true },
      { name: "batch", hasSidecarInjection: false },
    ],
    services: [
      { name: "cart", namespace: "shop", ports: [{ port: 8080 }] },
      { name: "web", namespace: "shop", ports: [{ port: 80 }] },
    ],
    workloads: [
      {
        name: "cart-v1",
        namespace: "shop",
        labels: { app: "cart", version: "v1" },
        hasSidecar: true,
        readyReplicas: 3,
        serviceAccount: "cart",
      },
      {
        name: "cart-v2",
        namespace: "shop",
        labels: { app: "cart", version: "v2" },
        hasSidecar: true,
        readyReplicas: 1,
        serviceAccount: "cart",
      },
      {
        name: "web",
        namespace: "shop",
        labels: { app: "web", version: "v1" },
        hasSidecar: true,
        readyReplicas: 2,
        serviceAccount: "web",
      },
      {
        name: "report",
        namespace: "batch",
        labels: { app: "report" },
        hasSidecar: false,
        readyReplicas: 1,
        serviceAccount: "report",
      },
    ],
    ...overrides,
  };
}
