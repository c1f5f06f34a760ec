import { defineConfig } from "@playwright/test";

// Debian's Chromium: Playwright's own browser download cannot reach its host from our machines.
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "./tests",
  // The global setup starts a fresh database, the API and a production build of the console.
  globalSetup: "./global-setup.ts",
  // Journeys are long (several page loads and a slow password hash each) on 2 shared cores; a loaded
  // machine (other builds running) has been seen to take over a minute for [AUTH].
  timeout: 180_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 2,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter: [["list"]],
  outputDir: "./test-results",
  use: {
    // The real base URL (a free port chosen at run time) is set by the fixture in support/test.ts.
    testIdAttribute: "data-test",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    browserName: "chromium",
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
