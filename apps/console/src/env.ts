// The console's configuration. Read once, on first use rather than at import, so that `next build`
// (which imports route modules) needs none of it: one build runs against any API.
import { z } from "zod";

const envSchema = z.object({
  /** Where the console's server reaches the API (tRPC under `${API_URL}/trpc`); never seen by browsers. */
  API_URL: z.url({ error: "API_URL must be a URL, e.g. http://127.0.0.1:4000" }),
  /** Secret shared with the API: next-auth encrypts session tokens with it, the API decrypts them. */
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters"),
  /** The console's public URL; next-auth builds its callback and sign-out URLs from it. */
  NEXTAUTH_URL: z.url({ error: "NEXTAUTH_URL must be the console's public URL, e.g. http://localhost:3000" }),
});

export type ConsoleEnv = z.infer<typeof envSchema>;

let cached: ConsoleEnv | undefined;

export function getEnv(): ConsoleEnv {
  if (cached) return cached;
  const result = envSchema.safeParse(process.env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`The console's configuration is invalid:\n${problems.join("\n")}`);
  }
  cached = result.data;
  return cached;
}
