// The incoming request's cookie and client address, to pass along when the server calls the API.
import { headers } from "next/headers";
import { clientAddressOf } from "~/lib/client-address";

export async function forwardedRequestHeaders(): Promise<{ cookie?: string; forwardedFor?: string }> {
  const incoming = await headers();
  const cookie = incoming.get("cookie") ?? undefined;
  const forwardedFor = clientAddressOf(incoming.get("x-forwarded-for"));
  return { ...(cookie ? { cookie } : {}), ...(forwardedFor ? { forwardedFor } : {}) };
}
