// Configuration of packages/db's own commands (migrate, generate); apps pass their URL in.
import { z } from "zod";

const envSchema = z.object({
  /** Postgres connection string, e.g. postgresql://postgres@127.0.0.1:5432/switchyard */
  DATABASE_URL: z.url().default("postgresql://postgres@127.0.0.1:5432/switchyard"),
});

export const env = envSchema.parse(process.env);
