// The incoming request's cookie and client address, to pass along when the server calls the API.
import { headers } from "next/headers";

export async function forwardedRequestHeaders(): Promise<{ cookie?: string; forwardedFor?: string }> {
  const incoming = await headers();
  const cookie = incoming.get("cookie") ?? undefined;
  const forwardedFor = incoming.get("x-forwarded-for")?.split(",")[0]?.trim() || undefined;
  return { ...(cookie ? { cookie } : {}), ...(forwardedFor ? { forwardedFor } : {}) };
}
