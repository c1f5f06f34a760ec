import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "./safe-callback-url";

describe("safeCallbackUrl", () => {
  it("keeps same-origin paths", () => {
    expect(safeCallbackUrl("/o/acme/members?x=1")).toBe("/o/acme/members?x=1");
  });

  it("refuses anything that could leave the site", () => {
    for (const value of [
      "https://evil.example",
      "//evil.example",
      "/\\evil.example",
      "javascript:alert(1)",
      "",
    ]) {
      expect(safeCallbackUrl(value)).toBe("/");
    }
    expect(safeCallbackUrl(undefined, "/signin")).toBe("/signin");
  });
});
