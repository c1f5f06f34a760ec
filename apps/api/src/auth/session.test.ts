import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { parseCookies, readSessionUserId } from "./session";

const secret = "unit-secret-unit-secret-unit-secret-00";

describe("session cookie", () => {
  it("parses cookies with = in values and encoded characters", () => {
    const cookies = parseCookies("a=1; b=x%3Dy; c=with=equals");
    expect(cookies.get("b")).toBe("x=y");
    expect(cookies.get("c")).toBe("with=equals");
  });

  it("reads the user id from a next-auth token under either cookie name", async () => {
    const token = await encode({ token: { sub: "user-1" }, secret });
    expect(await readSessionUserId({ cookieHeader: `next-auth.session-token=${token}`, secret })).toBe(
      "user-1",
    );
    expect(
      await readSessionUserId({ cookieHeader: `__Secure-next-auth.session-token=${token}`, secret }),
    ).toBe("user-1");
  });

  it("ignores missing, garbled and foreign-secret tokens", async () => {
    const foreign = await encode({ token: { sub: "user-1" }, secret: `${secret}-other` });
    expect(await readSessionUserId({ cookieHeader: undefined, secret })).toBeNull();
    expect(await readSessionUserId({ cookieHeader: "next-auth.session-token=garbage", secret })).toBeNull();
    expect(
      await readSessionUserId({ cookieHeader: `next-auth.session-token=${foreign}`, secret }),
    ).toBeNull();
  });
});
