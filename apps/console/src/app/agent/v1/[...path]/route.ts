// The agent protocol through the console's public URL (the only address an install manifest gives
// the agent): POSTs pass through with their credential, and the events stream (server-sent events)
// is relayed chunk by chunk for as long as the agent holds it open.
import type { NextRequest } from "next/server";
import { forwardToApi, pathAfter } from "~/server/forward-to-api";

export const dynamic = "force-dynamic";

const prefix = "/agent/v1/";

/** The protocol's own error shape, so the agent retries with backoff as it does for any 503. */
function unreachable(requestId: string): Response {
  return Response.json(
    {
      error: {
        code: "unavailable",
        message: "The Switchyard API cannot be reached through the console; retry.",
        isRetryable: true,
      },
    },
    { status: 503, headers: { "x-request-id": requestId, "cache-control": "no-store" } },
  );
}

function forward(request: NextRequest): Promise<Response> {
  return forwardToApi(request, {
    target: `${prefix}${pathAfter(request, prefix)}`,
    scope: "/agent/v1/",
    requestHeaders: ["authorization", "content-type", "accept", "last-event-id", "user-agent"],
    responseHeaders: ["content-type", "cache-control"],
    setResponseHeaders: (upstream): Record<string, string> =>
      upstream.headers.get("content-type")?.startsWith("text/event-stream")
        ? {
            // no-transform keeps Next's gzip (and any proxy's) from holding events back to fill a block.
            "cache-control": "no-cache, no-transform",
            "x-accel-buffering": "no",
          }
        : { "cache-control": upstream.headers.get("cache-control") ?? "no-store" },
    unreachable,
  });
}

export { forward as GET, forward as POST };
