// The API over HTTP, as the console's proxy and a load balancer see it: probes, metrics, request
// ids, and the console's next-auth session cookie authenticating tRPC calls.
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServices, signUpOwner, startTestApi, type TestServices, testAuthSecret } from "./harness";

let services: TestServices;
let api: Awaited<ReturnType<typeof startTestApi>>;
let baseUrl: string;

beforeAll(async () => {
  services = createTestServices();
  api = await startTestApi(services);
  baseUrl = api.url;
});

afterAll(async () => {
  await api.close();
  await services.close();
});

async function sessionCookieFor(userId: string, secret = testAuthSecret): Promise<string> {
  const token = await encode({ token: { sub: userId, email: "x@example.test" }, secret });
  return `next-auth.session-token=${token}`;
}

describe("API over HTTP", () => {
  it("answers health and readiness with the state of Postgres and Redis", async () => {
    expect(await (await fetch(`${baseUrl}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok", checks: { postgres: true, redis: true } });
  });

  it("exposes Prometheus metrics including request durations per route", async () => {
    await fetch(`${baseUrl}/healthz`);
    const body = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(body).toContain("process_cpu_user_seconds_total");
    expect(body).toMatch(
      /switchyard_api_request_duration_seconds_count\{route="\/healthz",status="200"\} \d+/,
    );
  });

  it("echoes a request id, or makes one", async () => {
    const given = await fetch(`${baseUrl}/healthz`, { headers: { "x-request-id": "req-123" } });
    expect(given.headers.get("x-request-id")).toBe("req-123");
    const made = await fetch(`${baseUrl}/healthz`);
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("authenticates tRPC calls with the console's session cookie, and only a valid one", async () => {
    const { user, orgSlug } = await signUpOwner(services, "http");
    const url = `${baseUrl}/trpc/orgs.get?input=${encodeURIComponent(JSON.stringify({ orgSlug }))}`;
    const signedIn = await fetch(url, { headers: { cookie: await sessionCookieFor(user.id) } });
    expect(signedIn.status).toBe(200);
    expect(((await signedIn.json()) as { result: { data: unknown } }).result.data).toMatchObject({
      slug: orgSlug,
      role: "owner",
    });

    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    const forged = await fetch(url, {
      headers: { cookie: await sessionCookieFor(user.id, "another-secret-another-secret-another") },
    });
    expect(forged.status).toBe(401);
  });

  it("returns field errors a form can show, with status 400", async () => {
    const response = await fetch(`${baseUrl}/trpc/auth.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "", email: "not-an-email", password: "x" }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { data: { fieldErrors: Record<string, string[]> } } };
    expect(Object.keys(body.error.data.fieldErrors).sort()).toEqual(["email", "name", "password"]);
    expect(body.error.data.fieldErrors.email?.[0]).toMatch(/valid email/);
  });
});
