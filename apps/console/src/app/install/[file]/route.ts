// The one-line install, `kubectl apply -f "https://CONSOLE/install/TOKEN.yaml"`: kubectl reaches the
// console's public URL, and the API renders the manifest for that token (or says why it cannot).
import type { NextRequest } from "next/server";
import { forwardToApi } from "~/server/forward-to-api";

export const dynamic = "force-dynamic";

// The API's own pattern for a token file; anything else never needs a round trip.
const installFile = /^[\w-]{16,200}\.yaml$/;

function plainText(status: number, message: string, requestId?: string): Response {
  return new Response(`${message}\n`, {
    status,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      ...(requestId ? { "x-request-id": requestId } : {}),
    },
  });
}

export async function GET(request: NextRequest, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  if (!installFile.test(file)) {
    return plainText(404, "This Switchyard install link is not valid. Create a new one in the console.");
  }
  return forwardToApi(request, {
    target: `/install/${file}`,
    scope: "/install/",
    requestHeaders: ["accept"],
    responseHeaders: [],
    setResponseHeaders: (upstream) => ({
      // The manifest is YAML; the API's refusals (used, expired, revoked) are a sentence for the terminal.
      "content-type": upstream.ok
        ? "application/yaml"
        : (upstream.headers.get("content-type") ?? "text/plain"),
      // A manifest holds a bootstrap token: no cache may keep it.
      "cache-control": "no-store",
    }),
    unreachable: (requestId) =>
      plainText(502, "The Switchyard API cannot be reached. Try again in a moment.", requestId),
  });
}
