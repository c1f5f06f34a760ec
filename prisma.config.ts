import { defineConfig } from "prisma/config";

// Used by `prisma generate` only (see packages/db/src/generate.ts); migrations run through
// packages/db's WebAssembly schema engine, and the app passes DATABASE_URL to the pg adapter.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
