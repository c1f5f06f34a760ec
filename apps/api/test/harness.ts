// What integration tests of the API share: services on the run's own database, users and
// organizations made through the real domain functions, and callers acting as a given user.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { inject } from "vitest";
import { createApiServer } from "../src/http/server";
import { appRouter } from "../src/router";
import { createServices } from "../src/services";
import type { Context, SessionUser } from "../src/trpc/context";
import { createCallerFactory } from "../src/trpc/init";
import { signUp } from "../src/users/accounts";

export function createTestServices(options: { heartbeatIntervalSeconds?: number } = {}) {
  return createServices({
    databaseUrl: inject("databaseUrl"),
    redisUrl: inject("redisUrl"),
    publicUrl: "http://console.test",
    logLevel: "silent",
    heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? 1,
    // Queues of this run only (one database per run), so a demo or another run sharing the Redis
    // never takes these jobs.
    queuePrefix: `sy-test-${new URL(inject("databaseUrl")).pathname.slice(1)}`,
  });
}

export const testAuthSecret = "test-secret-test-secret-test-secret-42";

/** The API's HTTP server on loopback (a free port unless given), over the given services. */
export async function startTestApi(services: TestServices, port = 0) {
  await services.events.start();
  const server = createApiServer({
    ...services,
    authSecret: testAuthSecret,
    agentApiUrl: "http://api.test",
    agentImage: "agent:test",
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export type TestServices = ReturnType<typeof createTestServices>;

const createCaller = createCallerFactory(appRouter);

// Sign-in throttling counts failures per address in Redis for 15 minutes, across runs: each run
// (and each caller that asks) gets addresses of its own from the documentation prefix.
export function uniqueClientIp(): string {
  return `2001:db8::${randomBytes(6).toString("hex").match(/.{4}/g)?.join(":")}`;
}
const runClientIp = uniqueClientIp();

export function callerFor(services: TestServices, user: SessionUser | null, clientIp = runClientIp) {
  const context: Context = {
    ...services,
    user,
    requestId: `test-${randomBytes(4).toString("hex")}`,
    clientIp,
  };
  return createCaller(context);
}

/** A unique email per call, so runs and tests never share throttling counters or accounts. */
export function uniqueEmail(label: string): string {
  return `${label}-${randomBytes(5).toString("hex")}@example.test`;
}

export const testPassword = "correct horse battery";

/** Signs up a user who gets an organization of their own; returns the user and its slug. */
export async function signUpOwner(services: TestServices, label: string, organizationName?: string) {
  const email = uniqueEmail(label);
  const created = await signUp({
    prisma: services.prisma,
    name: label,
    email,
    password: testPassword,
    organizationName,
  });
  return {
    user: { id: created.id, email: created.email, name: created.name },
    orgSlug: created.organizationSlug,
  };
}

/** Invites a new user to `orgSlug` with `role` (as the owner) and signs them up through the link. */
export async function addMember(
  services: TestServices,
  owner: SessionUser,
  orgSlug: string,
  role: "owner" | "admin" | "editor" | "viewer",
) {
  const email = uniqueEmail(role);
  const { url } = await callerFor(services, owner).invitations.create({ orgSlug, email, role });
  const token = url.split("/invite/")[1] ?? "";
  const created = await signUp({
    prisma: services.prisma,
    name: role,
    email,
    password: testPassword,
    invitationToken: token,
  });
  return { id: created.id, email: created.email, name: created.name };
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  options: { timeoutMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${options.what}${lastError ? `: ${String(lastError)}` : ""}`);
}
