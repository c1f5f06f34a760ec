// One way to relay a request from the console's origin to the API: browsers (tRPC), kubectl (the
// install manifest) and agents (the agent protocol) only ever know the console's public URL.
// Responses are passed through as a stream, never buffered, so server-sent events arrive as sent.
import { randomUUID } from "node:crypto";
import type { NextRequest } from "next/server";
import { getEnv } from "~/env";
import { clientAddressOf } from "~/lib/client-address";

export type ForwardOptions = {
  /** The API path (with query string) to call, e.g. `/trpc/orgs.get?batch=1`. */
  target: string;
  /**
   * The API path the target must stay under once the URL is normalized: `%2e%2e` segments in a raw
   * path would otherwise let `/agent/v1/%2e%2e/...` reach any other API route through this relay.
   */
  scope: string;
  /** Request headers copied to the API when present. */
  requestHeaders: readonly string[];
  /** Response headers copied back when present. */
  responseHeaders: readonly string[];
  /** Headers set on every relayed response, over what the API sent. */
  setResponseHeaders?: (upstream: Response) => Record<string, string>;
  /** The answer when the API cannot be reached, shaped for the caller (a tRPC client, kubectl, an agent). */
  unreachable: (requestId: string) => Response;
};

export async function forwardToApi(request: NextRequest, options: ForwardOptions): Promise<Response> {
  const requestId = request.headers.get("x-request-id") ?? randomUUID();
  const apiUrl = getEnv().API_URL.replace(/\/$/, "");
  const url = new URL(`${apiUrl}${options.target}`);
  const apiBasePath = new URL(apiUrl).pathname.replace(/\/$/, "");
  if (!url.pathname.startsWith(`${apiBasePath}${options.scope}`)) {
    return new Response("Not found\n", { status: 404, headers: { "content-type": "text/plain" } });
  }

  const headers = new Headers({ "x-request-id": requestId });
  for (const name of options.requestHeaders) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  // The API throttles by address (sign-ins); it must see the caller's, not the console's.
  const clientAddress = clientAddressOf(request.headers.get("x-forwarded-for"));
  if (clientAddress) headers.set("x-forwarded-for", clientAddress);

  let upstream: Response;
  try {
    upstream = await fetch(url, {
      method: request.method,
      headers,
      body: request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer(),
      // Aborts when the caller disconnects, which closes a long-lived upstream stream (agent events)
      // instead of leaving it open in the API with no one reading.
      signal: request.signal,
      cache: "no-store",
      redirect: "manual",
    });
  } catch {
    return options.unreachable(requestId);
  }

  const responseHeaders = new Headers({ "x-request-id": requestId });
  for (const name of options.responseHeaders) {
    const value = upstream.headers.get(name);
    if (value) responseHeaders.set(name, value);
  }
  for (const [name, value] of Object.entries(options.setResponseHeaders?.(upstream) ?? {})) {
    responseHeaders.set(name, value);
  }
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}

/** The request's path after `prefix`, raw (not decoded), with its query string. */
export function pathAfter(request: NextRequest, prefix: string): string {
  return `${request.nextUrl.pathname.slice(prefix.length)}${request.nextUrl.search}`;
}
