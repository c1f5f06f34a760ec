// Values the integration global setup (scripts/vitest-integration-setup.ts) provides to tests.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}
