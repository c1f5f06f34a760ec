import { describe, expect, it } from "vitest";
import { type IstioRule, patternCovers, ruleCovers, ruleMatches } from "./istio-semantics";

describe("patternCovers", () => {
  it.each([
    ["*", "/anything", true],
    ["/api/*", "/api/cart", true],
    ["/api/*", "/api/v2/*", true],
    ["/api/*", "/apix", false],
    ["/api/cart", "/api/*", false],
    ["*.css", "/a/b.css", true],
    ["/a", "/a", true],
  ])("%s covers %s: %s", (d, a, expected) => {
    expect(patternCovers(d, a)).toBe(expected);
  });
});

describe("ruleCovers", () => {
  const allowWeb: IstioRule = {
    from: [{ principals: ["cluster.local/ns/shop/sa/web"] }],
    to: [{ methods: ["GET"], paths: ["/api/cart"] }],
  };
  it("an empty deny rule covers everything", () => {
    expect(ruleCovers({}, allowWeb)).toBe(true);
  });
  it("a namespace covers principals in it", () => {
    expect(ruleCovers({ from: [{ namespaces: ["shop"] }] }, allowWeb)).toBe(true);
    expect(ruleCovers({ from: [{ namespaces: ["other"] }] }, allowWeb)).toBe(false);
  });
  it("a narrower deny does not cover a wider allow", () => {
    expect(ruleCovers({ to: [{ methods: ["GET"] }] }, { from: [{ namespaces: ["shop"] }] })).toBe(false);
    expect(ruleCovers({ when: [{ key: "request.headers[x]", values: ["1"] }] }, allowWeb)).toBe(false);
  });
});

describe("ruleMatches", () => {
  it("is unknown when the rule depends on what telemetry does not show", () => {
    expect(ruleMatches({ to: [{ paths: ["/api/*"] }] }, {})).toBe("unknown");
    expect(ruleMatches({ from: [{ namespaces: ["shop"] }] }, { sourceNamespace: "shop" })).toBe("yes");
    expect(ruleMatches({ from: [{ namespaces: ["shop"] }] }, {})).toBe("no");
    expect(ruleMatches({ to: [{ ports: ["80"] }] }, { port: 8080 })).toBe("no");
  });
});
