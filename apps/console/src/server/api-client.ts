// The console server's own tRPC client, for calls made on the server (sign-in, redirects). The
// browser never uses this: it talks to /api/trpc on the console's origin.
import type { AppRouter } from "@switchyard/api/router";
import { createTRPCClient, httpLink } from "@trpc/client";
import { getEnv } from "~/env";

export function createServerApiClient(headers: {
  cookie?: string | undefined;
  forwardedFor?: string | undefined;
}) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${getEnv().API_URL.replace(/\/$/, "")}/trpc`,
        headers: () => {
          const result: Record<string, string> = {};
          if (headers.cookie) result.cookie = headers.cookie;
          if (headers.forwardedFor) result["x-forwarded-for"] = headers.forwardedFor;
          return result;
        },
      }),
    ],
  });
}
