// Seed helpers: set up the state a journey starts from through the same public endpoints the
// browser uses (the console's /api/trpc proxy and next-auth), so no test reaches into the database.
import { randomUUID } from "node:crypto";
import type { APIRequestContext } from "@playwright/test";

export type Account = { name: string; email: string; password: string };

/** A person no other test (or earlier run) uses. */
export function newAccount(label: string): Account {
  const id = randomUUID().slice(0, 8);
  return {
    name: `${label} ${id}`,
    email: `${label.toLowerCase()}-${id}@e2e.example.com`,
    password: `pw-${id}-correct-horse`,
  };
}

async function trpcMutation<T>(request: APIRequestContext, procedure: string, input: unknown): Promise<T> {
  const response = await request.post(`/api/trpc/${procedure}`, { data: input });
  const body: unknown = await response.json();
  if (!response.ok()) throw new Error(`${procedure} failed (${response.status()}): ${JSON.stringify(body)}`);
  if (typeof body === "object" && body !== null && "result" in body) {
    const result: unknown = body.result;
    if (typeof result === "object" && result !== null && "data" in result) return result.data as T;
  }
  throw new Error(`${procedure}: unexpected answer ${JSON.stringify(body)}`);
}

/** Signs up and returns the slug of the organization the sign-up created (or joined). */
export async function signUp(
  request: APIRequestContext,
  account: Account,
  options: { organizationName?: string; invitationToken?: string } = {},
): Promise<{ organizationSlug: string }> {
  return trpcMutation(request, "auth.signUp", { ...account, ...options });
}

/** Signs `request` in through next-auth's credentials endpoint; a page's request shares the cookie. */
export async function signIn(request: APIRequestContext, account: Account): Promise<void> {
  const csrf = await request.get("/api/auth/csrf");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email: account.email, password: account.password, json: "true" },
  });
  if (!response.ok()) throw new Error(`sign-in of ${account.email} failed: HTTP ${response.status()}`);
  const cookies = await request.storageState();
  if (!cookies.cookies.some((cookie) => cookie.name.endsWith("next-auth.session-token"))) {
    throw new Error(`sign-in of ${account.email} set no session cookie`);
  }
}

/** Creates an invitation as the signed-in `request`; returns its token (the last part of the link). */
export async function invite(
  request: APIRequestContext,
  orgSlug: string,
  email: string,
  role: "owner" | "admin" | "editor" | "viewer",
): Promise<{ url: string; token: string }> {
  const { url } = await trpcMutation<{ url: string }>(request, "invitations.create", {
    orgSlug,
    email,
    role,
  });
  const token = url.split("/invite/")[1];
  if (!token) throw new Error(`unexpected invitation link ${url}`);
  return { url, token };
}

/** Creates a cluster as the signed-in `request` (an admin); returns its id and single-use install token. */
export async function createCluster(
  request: APIRequestContext,
  orgSlug: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<{ clusterId: string; bootstrapToken: string; installCommand: string }> {
  return trpcMutation(request, "clusters.create", { orgSlug, name, labels });
}
