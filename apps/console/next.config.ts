import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

// The monorepo root: Turbopack and output tracing must see the workspace packages beside this app.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const nextConfig: NextConfig = {
  // packages/ui ships TypeScript and CSS sources, not a build.
  transpilePackages: ["@switchyard/ui"],
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
  poweredByHeader: false,
  // The API URL is read at run time by the /api/trpc route handler (src/env.ts), never baked in here,
  // so one build serves any environment.
};

export default nextConfig;
