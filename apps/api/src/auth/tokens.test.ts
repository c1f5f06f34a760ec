import { describe, expect, it } from "vitest";
import { generateToken, hashToken } from "./tokens";

describe("generateToken", () => {
  it("names its kind and never starts with '-', which the agent's CLI would take for an option", () => {
    for (let i = 0; i < 500; i++) {
      const bootstrap = generateToken("bootstrap");
      expect(bootstrap).toMatch(/^syb_[A-Za-z0-9_-]{43}$/);
    }
    expect(generateToken("credential")).toMatch(/^syc_/);
    expect(generateToken("invitation")).toMatch(/^syi_/);
  });

  it("gives a new secret each time, stored only as its SHA-256", () => {
    const tokens = new Set(Array.from({ length: 100 }, () => generateToken("credential")));
    expect(tokens.size).toBe(100);
    const [token] = tokens;
    expect(hashToken(token ?? "")).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token ?? "")).toBe(hashToken(token ?? ""));
    expect(hashToken(token ?? "")).not.toContain(token);
  });
});
