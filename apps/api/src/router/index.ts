// The console's API. The console imports these types only, never this code.
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { router } from "../trpc/init";
import { auditRouter } from "./audit";
import { authRouter } from "./auth";
import { clustersRouter } from "./clusters";
import { graphRouter } from "./graph";
import { invitationsRouter } from "./invitations";
import { membersRouter } from "./members";
import { orgsRouter } from "./orgs";
import { policiesRouter } from "./policies";

export const appRouter = router({
  auth: authRouter,
  orgs: orgsRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  audit: auditRouter,
  clusters: clustersRouter,
  policies: policiesRouter,
  graph: graphRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
