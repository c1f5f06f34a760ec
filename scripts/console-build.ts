// The journeys run against a production build of the console (`next start`), as users get it. A
// build takes about half a minute here, so it is reused while no source it depends on changed.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const skippedDirectories = new Set(["node_modules", ".next", ".turbo", "test-results"]);

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  // Files only: a directory's own mtime moves whenever a build writes beside the sources.
  let newest = 0;
  for (const entry of readdirSync(target)) {
    if (skippedDirectories.has(entry) || entry === "next-env.d.ts" || entry.endsWith(".tsbuildinfo"))
      continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

export function isConsoleBuildStale(repoRoot: string): boolean {
  const buildId = path.join(repoRoot, "apps/console/.next/BUILD_ID");
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  const sources = [
    path.join(repoRoot, "apps/console"),
    path.join(repoRoot, "packages/ui"),
    // Graph aggregation and the graph's types run in the console's bundle.
    path.join(repoRoot, "packages/telemetry-model/src"),
    // The console compiles against the API's router types.
    path.join(repoRoot, "apps/api/src/router"),
    path.join(repoRoot, "package-lock.json"),
  ];
  return sources.some((source) => newestMtime(source) > builtAt);
}

export function buildConsole(repoRoot: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync(path.join(repoRoot, "node_modules/.bin/next"), ["build"], {
    cwd: path.join(repoRoot, "apps/console"),
    env: { ...env, NEXT_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (result.status !== 0) {
    throw new Error(`next build failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

// `npx tsx scripts/console-build.ts`: build only when stale (used by `npm run demo`).
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const repoRoot = path.resolve(import.meta.dirname, "..");
  if (isConsoleBuildStale(repoRoot)) {
    console.error("building the console (next build)...");
    buildConsole(repoRoot, process.env);
  }
}
