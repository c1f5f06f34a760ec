import { describe, expect, it } from "vitest";
import { policy, shopInventory } from "../test/builders";
import { compile } from "./compile";
import { diff, isEmptyDiff } from "./diff";

const split = (v2: number) =>
  policy({
    kind: "TrafficPolicy",
    name: "cart-canary",
    spec: {
      scope: { namespace: "shop", service: "cart" },
      routes: [
        {
          destinations: [
            { version: "v1", weight: 100 - v2 },
            { version: "v2", weight: v2 },
          ],
        },
      ],
    },
  });
const strict = policy({ kind: "MtlsPolicy", name: "org-strict", spec: { mode: "strict" } });

describe("diff", () => {
  it("is empty for equal configs", () => {
    const a = compile([split(10)], shopInventory());
    const d = diff(a, compile([split(10)], shopInventory()));
    expect(isEmptyDiff(d)).toBe(true);
    expect(d.unchanged).toBe(2);
  });

  it("lists added, removed and changed resources with the changed fields", () => {
    const before = compile([split(10)], shopInventory());
    const after = compile([split(50), strict], shopInventory());
    const d = diff(before, after);
    expect(d.added.map((r) => r.kind)).toEqual(["PeerAuthentication"]);
    expect(d.removed).toEqual([]);
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0]?.key).toBe("networking.istio.io/VirtualService/shop/sy-cart");
    expect(d.changed[0]?.fields).toEqual([
      { path: ["spec", "http", 0, "route", 0, "weight"], before: 90, after: 50 },
      { path: ["spec", "http", 0, "route", 1, "weight"], before: 10, after: 50 },
    ]);
    expect(d.unchanged).toBe(1);
    const back = diff(after, before);
    expect(back.removed.map((r) => r.kind)).toEqual(["PeerAuthentication"]);
  });

  it("reports fields added and removed", () => {
    const timeout = policy({
      kind: "TrafficPolicy",
      name: "cart-canary",
      spec: {
        scope: { namespace: "shop", service: "cart" },
        routes: [{ destinations: [{ version: "v1" }], timeout: "3s" }],
      },
    });
    const plain = policy({
      kind: "TrafficPolicy",
      name: "cart-canary",
      spec: {
        scope: { namespace: "shop", service: "cart" },
        routes: [{ destinations: [{ version: "v1" }] }],
      },
    });
    const d = diff(compile([plain], shopInventory()), compile([timeout], shopInventory()));
    expect(d.changed[0]?.fields).toEqual([{ path: ["spec", "http", 0, "timeout"], after: "3s" }]);
  });
});
