// The typed tRPC hooks for client components. Only types come from the API package.
import type { AppRouter, RouterOutputs } from "@switchyard/api/router";
import { createTRPCContext } from "@trpc/tanstack-react-query";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type { RouterOutputs };
export type Role = RouterOutputs["orgs"]["list"][number]["role"];
