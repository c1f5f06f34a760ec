// The browser talks to one origin: this forwards /api/trpc/* to the API's /trpc/* at run time, with
// the session cookie, a request id and the browser's address (the API throttles sign-ins by it).
import type { NextRequest } from "next/server";
import { forwardToApi, pathAfter } from "~/server/forward-to-api";

export const dynamic = "force-dynamic";

const prefix = "/api/trpc/";

/** A tRPC-shaped error, so the client shows a message instead of failing to parse the answer. */
function unreachable(request: NextRequest, requestId: string): Response {
  const error = {
    error: {
      message: "The Switchyard API cannot be reached. Try again in a moment.",
      code: -32603,
      data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 502, fieldErrors: null },
    },
  };
  const path = request.nextUrl.pathname.slice(prefix.length);
  const isBatch = request.nextUrl.searchParams.get("batch") === "1";
  const body = isBatch ? path.split(",").map(() => error) : error;
  return Response.json(body, { status: 502, headers: { "x-request-id": requestId } });
}

function forward(request: NextRequest): Promise<Response> {
  return forwardToApi(request, {
    // The raw path, not the decoded params: a batch call's "a,b" must reach tRPC unchanged.
    target: `/trpc/${pathAfter(request, prefix)}`,
    scope: "/trpc/",
    requestHeaders: ["content-type", "cookie", "accept", "trpc-accept"],
    responseHeaders: ["content-type", "cache-control", "vary"],
    unreachable: (requestId) => unreachable(request, requestId),
  });
}

export { forward as GET, forward as POST };
