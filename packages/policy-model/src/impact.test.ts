import { describe, expect, it } from "vitest";
import { policy, shopInventory } from "../test/builders";
import { compile } from "./compile";
import { impact, type ObservedEdge } from "./impact";

const edges: ObservedEdge[] = [
  {
    source: { namespace: "shop", workload: "web" },
    destination: { namespace: "shop", service: "cart" },
    requestsPerSecond: 120,
  },
  {
    source: { namespace: "batch", workload: "report" },
    destination: { namespace: "shop", service: "cart" },
    requestsPerSecond: 5,
  },
];

const allowWebOnly = policy({
  kind: "AuthorizationPolicy",
  name: "cart-allow-web",
  revision: 4,
  spec: {
    scope: { namespace: "shop", service: "cart" },
    action: "allow",
    rules: [{ from: { serviceAccounts: ["shop/web"] } }],
  },
});

describe("impact", () => {
  const inventory = shopInventory();
  const empty = compile([], inventory).resources;

  it("lists live edges an allow policy would cut off, with the policy responsible", () => {
    const after = compile([allowWebOnly], inventory).resources;
    const report = impact({ inventory, before: empty, after }, edges);
    expect(report.blocked).toHaveLength(1);
    expect(report.blocked[0]).toMatchObject({
      edge: { source: { workload: "report" } },
      before: "allowed",
      after: "denied",
      policies: ["cart-allow-web@4"],
    });
    expect(report.blockedRequestsPerSecond).toBe(5);
    expect(impact({ inventory, before: after, after: empty }, edges).unblocked).toHaveLength(1);
  });

  it("blocks plaintext callers when strict mTLS lands", () => {
    const strict = policy({
      kind: "MtlsPolicy",
      name: "shop-strict",
      spec: { scope: { namespace: "shop" }, mode: "strict" },
    });
    const report = impact({ inventory, before: empty, after: compile([strict], inventory).resources }, edges);
    expect(report.blocked.map((b) => [b.edge.source.workload, b.after])).toEqual([["report", "denied"]]);
    expect(report.blocked[0]?.reason).toContain("strict mTLS");
  });

  it("calls an edge conditional when the verdict depends on paths it cannot see", () => {
    const denyAdmin = policy({
      kind: "AuthorizationPolicy",
      name: "cart-deny-admin",
      spec: {
        scope: { namespace: "shop", service: "cart" },
        action: "deny",
        rules: [{ to: { paths: ["/admin/*"] } }],
      },
    });
    const report = impact(
      { inventory, before: empty, after: compile([denyAdmin], inventory).resources },
      edges,
    );
    expect(report.blocked.map((b) => b.after)).toEqual(["conditional", "conditional"]);
    expect(report.blockedRequestsPerSecond).toBe(0);
  });

  it("shows traffic moving between versions when a canary weight changes", () => {
    const canary = policy({
      kind: "TrafficPolicy",
      name: "cart-canary",
      spec: {
        scope: { namespace: "shop", service: "cart" },
        routes: [
          {
            destinations: [
              { version: "v1", weight: 50 },
              { version: "v2", weight: 50 },
            ],
          },
        ],
      },
    });
    const report = impact({ inventory, before: empty, after: compile([canary], inventory).resources }, edges);
    // Before: no VirtualService, so Kubernetes spreads over ready pods (3 v1, 1 v2).
    expect(report.routeShifts).toEqual([
      {
        namespace: "shop",
        service: "cart",
        version: "v1",
        beforeShare: 0.75,
        afterShare: 0.5,
        beforeRequestsPerSecond: 93.75,
        afterRequestsPerSecond: 62.5,
      },
      {
        namespace: "shop",
        service: "cart",
        version: "v2",
        beforeShare: 0.25,
        afterShare: 0.5,
        beforeRequestsPerSecond: 31.25,
        afterRequestsPerSecond: 62.5,
      },
    ]);
    expect(report.blocked).toEqual([]);
  });
});
