"use client";

import type { AppRouter } from "@switchyard/api/router";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpLink, splitLink } from "@trpc/client";
import { type ReactNode, useState } from "react";
import { errorCodeOf, isRetryable } from "~/lib/api-errors";
import { TRPCProvider } from "~/lib/trpc";

/** A session that expired while the page was open: send the user to sign in and back. */
function onApiError(error: unknown) {
  if (errorCodeOf(error) === "UNAUTHORIZED" && typeof window !== "undefined") {
    const back = `${window.location.pathname}${window.location.search}`;
    window.location.assign(`/signin?callbackUrl=${encodeURIComponent(back)}`);
  }
}

function makeQueryClient() {
  return new QueryClient({
    queryCache: new QueryCache({ onError: onApiError }),
    mutationCache: new MutationCache({ onError: onApiError }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (failureCount, error) => isRetryable(error) && failureCount < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      // Same origin: the console's route handler forwards to the API. Calls made with
      // `context: { skipBatch: true }` leave at once, in the same task: a batch leaves on a timer,
      // which can wait behind the next frame (the graph's namespace prefetch on press).
      links: [
        splitLink({
          condition: (operation) => operation.context.skipBatch === true,
          true: httpLink({ url: "/api/trpc" }),
          false: httpBatchLink({ url: "/api/trpc" }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
