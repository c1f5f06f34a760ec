import { describe, expect, it } from "vitest";
import type { CliIo } from "./io";
import { main } from "./main";

const inventory = `clusters:
  - cluster: { name: eu-1 }
    namespaces: [{ name: shop, hasSidecarInjection: true }]
    services: [{ name: cart, namespace: shop }]
    workloads:
      - { name: cart-v1, namespace: shop, labels: { app: cart, version: v1 }, hasSidecar: true, readyReplicas: 2, serviceAccount: cart }
      - { name: cart-v2, namespace: shop, labels: { app: cart, version: v2 }, hasSidecar: true, readyReplicas: 1, serviceAccount: cart }
      - { name: web, namespace: shop, labels: { app: web }, hasSidecar: true, readyReplicas: 1, serviceAccount: web }
`;
const canary = (v2: number) => `apiVersion: policy.switchyard.dev/v1alpha1
kind: TrafficPolicy
metadata: { name: cart-canary }
spec:
  scope: { namespace: shop, service: cart }
  routes:
    - destinations: [{ version: v1, weight: ${100 - v2} }, { version: v2, weight: ${v2} }]
`;
const lockdown = `apiVersion: policy.switchyard.dev/v1alpha1
kind: AuthorizationPolicy
metadata: { name: cart-lockdown }
spec:
  scope: { namespace: shop, service: cart }
  action: deny
  rules: [{}]
`;

function memoryIo(files: Record<string, string>) {
  const out = { stdout: "", stderr: "" };
  const io: CliIo = {
    async readText(path) {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
      return text;
    },
    async listPolicyFiles(path) {
      if (files[path] !== undefined) return [path];
      return Object.keys(files)
        .filter((f) => f.startsWith(`${path}/`))
        .sort();
    },
    stdout: (text) => {
      out.stdout += text;
    },
    stderr: (text) => {
      out.stderr += text;
    },
  };
  return { io, out };
}

describe("switchyard-policy", () => {
  it("validate prints diagnostics with file and line and exits 1 on errors", async () => {
    const { io, out } = memoryIo({
      "p/a.yaml": canary(10),
      "p/b.yaml": canary(10).replace("weight: 90", "weight: 80").replace("cart-canary", "other"),
    });
    expect(await main(["validate", "--policies", "p"], io)).toBe(1);
    expect(out.stdout).toContain(
      "error weights-not-100 (p/b.yaml:7:21 policy other spec.routes[0].destinations)",
    );
    expect(out.stdout).toContain("1 valid policy; 1 error(s), 0 warning(s)");
  });

  it("validate exits 0 on valid policies", async () => {
    const { io } = memoryIo({ "a.yaml": canary(10) });
    expect(await main(["validate", "--policies", "a.yaml"], io)).toBe(0);
  });

  it("compile prints each cluster's Istio YAML and the diagnostics", async () => {
    const { io, out } = memoryIo({ "a.yaml": canary(10), "inv.yaml": inventory });
    expect(await main(["compile", "--policies", "a.yaml", "--inventory", "inv.yaml"], io)).toBe(0);
    expect(out.stdout).toContain("# cluster: eu-1");
    expect(out.stdout).toContain("kind: VirtualService");
    expect(out.stderr).toContain("0 error(s), 0 warning(s)");
  });

  it("compile puts file and line on cluster diagnostics", async () => {
    const { io, out } = memoryIo({ "a.yaml": canary(10).replaceAll("v2", "v9"), "inv.yaml": inventory });
    expect(await main(["compile", "--policies", "a.yaml", "--inventory", "inv.yaml"], io)).toBe(1);
    expect(out.stderr).toMatch(/error route-version-missing \(a\.yaml:7:\d+ cluster eu-1 policy cart-canary/);
  });

  it("diff shows changed fields and, with edges, the traffic a change would block", async () => {
    const edges =
      "- { source: { namespace: shop, workload: web }, destination: { namespace: shop, service: cart }, requestsPerSecond: 40 }\n";
    const { io, out } = memoryIo({
      "before/a.yaml": canary(10),
      "after/a.yaml": canary(50),
      "after/b.yaml": lockdown,
      "inv.yaml": inventory,
      "edges.yaml": edges,
    });
    const code = await main(
      ["diff", "--before", "before", "--after", "after", "--inventory", "inv.yaml", "--edges", "edges.yaml"],
      io,
    );
    expect(code).toBe(0);
    expect(out.stdout).toContain("# cluster eu-1: 1 added, 1 changed, 0 removed, 1 unchanged");
    expect(out.stdout).toContain("+ AuthorizationPolicy shop/sy-cart-lockdown");
    expect(out.stdout).toContain("spec.http[0].route[0].weight: 90 -> 50");
    expect(out.stdout).toContain("! blocks shop/web -> shop/cart (40 rps)");
  });

  it("reports bad usage with status 2", async () => {
    const { io, out } = memoryIo({});
    expect(await main(["compile", "--policies", "x"], io)).toBe(2);
    expect(out.stderr).toContain("missing --inventory");
    expect(await main(["frobnicate"], io)).toBe(2);
    expect(await main(["validate", "--bogus"], io)).toBe(2);
  });
});
