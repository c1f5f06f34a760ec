import { describe, expect, it } from "vitest";
import { clientAddressOf } from "./client-address";

describe("clientAddressOf", () => {
  it("takes the entry added by the nearest hop, not one the client may have sent", () => {
    expect(clientAddressOf("6.6.6.6, 10.0.0.7")).toBe("10.0.0.7");
    expect(clientAddressOf("127.0.0.1")).toBe("127.0.0.1");
  });

  it("has no address without the header", () => {
    expect(clientAddressOf(null)).toBeUndefined();
    expect(clientAddressOf(" , ")).toBeUndefined();
  });
});
