// The browser talks to one origin: this forwards /api/trpc/* to the API's /trpc/* at run time, with
// the session cookie, a request id and the browser's address (the API throttles sign-ins by it).
import { randomUUID } from "node:crypto";
import type { NextRequest } from "next/server";
import { getEnv } from "~/env";
import { clientAddressOf } from "~/lib/client-address";

export const dynamic = "force-dynamic";

const forwardedRequestHeaders = ["content-type", "cookie", "accept", "trpc-accept"];
const returnedResponseHeaders = ["content-type", "cache-control", "x-request-id", "vary"];

/** A tRPC-shaped error, so the client shows a message instead of failing to parse the answer. */
function unreachable(request: NextRequest, requestId: string): Response {
  const error = {
    error: {
      message: "The Switchyard API cannot be reached. Try again in a moment.",
      code: -32603,
      data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 502, fieldErrors: null },
    },
  };
  const path = request.nextUrl.pathname.replace(/^\/api\/trpc\//, "");
  const isBatch = request.nextUrl.searchParams.get("batch") === "1";
  const body = isBatch ? path.split(",").map(() => error) : error;
  return Response.json(body, { status: 502, headers: { "x-request-id": requestId } });
}

async function forward(request: NextRequest): Promise<Response> {
  const requestId = request.headers.get("x-request-id") ?? randomUUID();
  // The raw path, not the decoded params: a batch call's "a,b" must reach tRPC unchanged.
  const path = request.nextUrl.pathname.replace(/^\/api\/trpc\//, "");
  const target = `${getEnv().API_URL.replace(/\/$/, "")}/trpc/${path}${request.nextUrl.search}`;

  const headers = new Headers({ "x-request-id": requestId });
  for (const name of forwardedRequestHeaders) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  const clientAddress = clientAddressOf(request.headers.get("x-forwarded-for"));
  if (clientAddress) headers.set("x-forwarded-for", clientAddress);

  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer(),
      signal: request.signal,
      cache: "no-store",
      redirect: "manual",
    });
  } catch {
    return unreachable(request, requestId);
  }
  const responseHeaders = new Headers();
  for (const name of returnedResponseHeaders) {
    const value = upstream.headers.get(name);
    if (value) responseHeaders.set(name, value);
  }
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}

export { forward as GET, forward as POST };
