// The `test` every journey uses: Playwright's, with baseURL pointing at the console this run started.
import { test as base, expect } from "@playwright/test";

export const test = base.extend({
  // Set by global-setup.ts, which picks free ports; workers inherit its environment.
  baseURL: async ({ baseURL }, use) => {
    await use(process.env.E2E_CONSOLE_URL ?? baseURL);
  },
});

export { expect };
