import path from "node:path";
import { defineConfig } from "vitest/config";

// Two projects: unit tests (pure, no I/O, fast) and integration tests, which run against the real
// Postgres and Redis in a database of their own per run (see packages/db/src/test-database.ts).
export default defineConfig({
  test: {
    projects: [
      {
        // The console's own import alias (apps/console/tsconfig.json), for its unit tests.
        resolve: { alias: { "~": path.resolve(import.meta.dirname, "apps/console/src") } },
        test: {
          name: "unit",
          include: ["{apps,packages}/*/src/**/*.test.ts", "{apps,packages}/*/test/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["{apps,packages}/*/src/**/*.int.test.ts", "{apps,packages}/*/test/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          environment: "node",
          globalSetup: ["./scripts/vitest-integration-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Integration files share one per-run database; run them one after another so they do
          // not compete for the 2 cores with API servers and agents of their own.
          fileParallelism: false,
        },
      },
    ],
  },
});
