import { describe, expect, it } from "vitest";
import { policy, shopInventory } from "../test/builders";
import { clusterMatches, compile } from "./compile";
import { contentHashAnnotation, managedByLabel, policiesAnnotation } from "./resource";

const canary = (name = "cart-canary", extra: Record<string, unknown> = {}) =>
  policy({
    kind: "TrafficPolicy",
    name,
    revision: 2,
    spec: {
      scope: { namespace: "shop", service: "cart" },
      routes: [
        {
          destinations: [
            { version: "v1", weight: 90 },
            { version: "v2", weight: 10 },
          ],
        },
      ],
      ...extra,
    },
  });

describe("clusterMatches", () => {
  it("ANDs names and labels; no selector means every cluster", () => {
    const cluster = { name: "eu-1", labels: { env: "prod" } };
    expect(clusterMatches(undefined, cluster)).toBe(true);
    expect(clusterMatches({ names: ["eu-1"] }, cluster)).toBe(true);
    expect(clusterMatches({ names: ["us-1"] }, cluster)).toBe(false);
    expect(clusterMatches({ matchLabels: { env: "prod" } }, cluster)).toBe(true);
    expect(clusterMatches({ names: ["eu-1"], matchLabels: { env: "dev" } }, cluster)).toBe(false);
  });
});

describe("compile", () => {
  it("emits a VirtualService and DestinationRule marked as ours and tied to the policy revision", () => {
    const result = compile([canary()], shopInventory());
    expect(result.diagnostics).toEqual([]);
    expect(result.resources.map((r) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`)).toEqual([
      "DestinationRule/shop/sy-cart",
      "VirtualService/shop/sy-cart",
    ]);
    for (const r of result.resources) {
      expect(r.metadata.labels[managedByLabel]).toBe("switchyard");
      expect(r.metadata.labels["policy.switchyard.dev/cart-canary"]).toBe("2");
      expect(r.metadata.annotations[policiesAnnotation]).toBe("cart-canary@2");
      expect(r.metadata.annotations[contentHashAnnotation]).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    expect(result.hash).toMatch(/^sha256:/);
  });

  it("skips clusters the policy does not select and services the cluster does not have", () => {
    const elsewhere = canary("x", {
      scope: { clusters: { names: ["us-1"] }, namespace: "shop", service: "cart" },
    });
    expect(compile([elsewhere], shopInventory()).resources).toEqual([]);
    const missing = policy({
      kind: "TrafficPolicy",
      name: "y",
      spec: {
        scope: { clusters: { names: ["eu-1"] }, namespace: "shop", service: "nope" },
        routes: [{ destinations: [{ version: "v1" }] }],
      },
    });
    const result = compile([missing], shopInventory());
    expect(result.resources).toEqual([]);
    expect(result.diagnostics).toMatchObject([
      { code: "service-not-in-cluster", severity: "warning", cluster: "eu-1" },
    ]);
  });

  it("refuses to route to a version with no ready workloads, and only warns at weight 0", () => {
    const inventory = shopInventory();
    const v3 = policy({
      kind: "TrafficPolicy",
      name: "cart-v3",
      spec: {
        scope: { namespace: "shop", service: "cart" },
        routes: [
          {
            destinations: [
              { version: "v1", weight: 100 },
              { version: "v3", weight: 0 },
            ],
          },
        ],
      },
    });
    const warned = compile([v3], inventory);
    expect(warned.diagnostics).toMatchObject([
      {
        code: "route-version-missing",
        severity: "warning",
        path: ["spec", "routes", 0, "destinations", 1, "version"],
      },
    ]);
    expect(warned.resources).toHaveLength(2);
    const live = policy({
      kind: "TrafficPolicy",
      name: "cart-v3",
      spec: {
        scope: { namespace: "shop", service: "cart" },
        routes: [
          {
            destinations: [
              { version: "v1", weight: 50 },
              { version: "v3", weight: 50 },
            ],
          },
        ],
      },
    });
    const refused = compile([live], inventory);
    expect(refused.diagnostics).toMatchObject([
      { code: "route-version-missing", severity: "error", cluster: "eu-1" },
    ]);
    expect(refused.resources).toEqual([]);
  });

  it("treats a version whose workloads have no ready replicas as missing", () => {
    const inventory = shopInventory();
    const workloads = (inventory.workloads ?? []).map((w) =>
      w.name === "cart-v2" ? { ...w, readyReplicas: 0 } : w,
    );
    const result = compile([canary()], { ...inventory, workloads });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["route-version-missing"]);
  });

  it("decides host conflicts by precedence, then cluster specificity, else errors", () => {
    const low = canary("a-low");
    const high = canary("b-high", { precedence: 5 });
    const resolved = compile([low, high], shopInventory());
    expect(resolved.diagnostics).toMatchObject([
      { code: "host-conflict-resolved", policy: "a-low", severity: "warning" },
    ]);
    expect(
      resolved.resources.find((r) => r.kind === "VirtualService")?.metadata.annotations[policiesAnnotation],
    ).toBe("b-high@2");

    const named = canary("c-named", {
      scope: { clusters: { names: ["eu-1"] }, namespace: "shop", service: "cart" },
    });
    expect(compile([low, named], shopInventory()).diagnostics).toMatchObject([
      { code: "host-conflict-resolved", policy: "a-low" },
    ]);

    const tie = compile([low, canary("d-tie")], shopInventory());
    expect(tie.diagnostics.map((d) => [d.code, d.policy])).toEqual([
      ["host-conflict", "a-low"],
      ["host-conflict", "d-tie"],
    ]);
    expect(tie.resources).toEqual([]);
  });

  it("merges routing subsets and resilience into one DestinationRule per host", () => {
    const resilience = policy({
      kind: "ResiliencePolicy",
      name: "cart-resilience",
      spec: {
        scope: { namespace: "shop", service: "cart" },
        outlierDetection: { consecutive5xxErrors: 3, interval: "1000ms" },
      },
    });
    const result = compile([resilience, canary()], shopInventory());
    const rules = result.resources.filter((r) => r.kind === "DestinationRule");
    expect(rules).toHaveLength(1);
    expect(rules[0]?.spec).toMatchObject({
      host: "cart.shop.svc.cluster.local",
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3, interval: "1s" } },
      subsets: [
        { name: "v1", labels: { version: "v1" } },
        { name: "v2", labels: { version: "v2" } },
      ],
    });
    expect(rules[0]?.metadata.annotations[policiesAnnotation]).toBe("cart-canary@2,cart-resilience");
  });

  it("refuses strict mTLS on a namespace with a workload without sidecar", () => {
    const strictBatch = policy({
      kind: "MtlsPolicy",
      name: "batch-strict",
      spec: { scope: { namespace: "batch" }, mode: "strict" },
    });
    const result = compile([strictBatch], shopInventory());
    expect(result.diagnostics).toMatchObject([
      {
        code: "mtls-strict-without-sidecar",
        severity: "error",
        policy: "batch-strict",
        path: ["spec", "mode"],
      },
    ]);
    expect(result.diagnostics[0]?.message).toContain("batch/report");
    expect(result.resources).toEqual([]);
  });

  it("lets mesh-wide strict through when only non-injected namespaces lack sidecars, and respects overrides", () => {
    const org = policy({ kind: "MtlsPolicy", name: "org-strict", spec: { mode: "strict" } });
    expect(compile([org], shopInventory()).diagnostics).toEqual([]);
    const inventory = shopInventory({
      namespaces: [
        { name: "shop", hasSidecarInjection: true },
        { name: "batch", hasSidecarInjection: true },
      ],
    });
    expect(compile([org], inventory).diagnostics.map((d) => d.code)).toEqual(["mtls-strict-without-sidecar"]);
    const batchPermissive = policy({
      kind: "MtlsPolicy",
      name: "batch-permissive",
      spec: { scope: { namespace: "batch" }, mode: "permissive" },
    });
    const result = compile([org, batchPermissive], inventory);
    expect(result.diagnostics).toEqual([]);
    expect(result.resources.map((r) => `${r.metadata.namespace}/${r.metadata.name}`)).toEqual([
      "batch/sy-mtls",
      "istio-system/sy-mtls",
    ]);
  });

  it("warns when a deny rule shadows every allow rule of a workload", () => {
    const allow = policy({
      kind: "AuthorizationPolicy",
      name: "cart-allow",
      spec: {
        scope: { namespace: "shop", service: "cart" },
        action: "allow",
        rules: [{ from: { serviceAccounts: ["shop/web"] }, to: { paths: ["/api/cart"] } }],
      },
    });
    const denyApi = policy({
      kind: "AuthorizationPolicy",
      name: "shop-deny-api",
      spec: { scope: { namespace: "shop" }, action: "deny", rules: [{ to: { paths: ["/api/*"] } }] },
    });
    const result = compile([allow, denyApi], shopInventory());
    expect(result.diagnostics).toMatchObject([
      { code: "deny-shadows-allow", policy: "shop-deny-api", path: ["spec", "rules", 0] },
    ]);
    const denyAdmin = policy({
      kind: "AuthorizationPolicy",
      name: "shop-deny-admin",
      spec: { scope: { namespace: "shop" }, action: "deny", rules: [{ to: { paths: ["/admin/*"] } }] },
    });
    expect(compile([allow, denyAdmin], shopInventory()).diagnostics).toEqual([]);
  });

  it("turns service accounts into principals of the cluster's trust domain", () => {
    const allow = policy({
      kind: "AuthorizationPolicy",
      name: "cart-allow",
      spec: {
        scope: { namespace: "shop", service: "cart" },
        action: "allow",
        rules: [{ from: { serviceAccounts: ["shop/web"] } }],
      },
    });
    const inventory = shopInventory();
    const result = compile([allow], {
      ...inventory,
      cluster: { ...inventory.cluster, trustDomain: "eu.example.com" },
    });
    expect(result.resources[0]?.spec).toEqual({
      selector: { matchLabels: { app: "cart" } },
      action: "ALLOW",
      rules: [{ from: [{ source: { principals: ["eu.example.com/ns/shop/sa/web"] } }] }],
    });
  });

  it("gives equal config equal hashes and different config different hashes", () => {
    const a = compile([canary()], shopInventory());
    const b = compile([canary()], shopInventory());
    expect(a.hash).toBe(b.hash);
    const c = compile([canary("cart-canary", { precedence: 1 })], shopInventory());
    expect(c.hash).toBe(a.hash);
    const d = compile([canary("other")], shopInventory());
    expect(d.hash).not.toBe(a.hash);
  });
});
