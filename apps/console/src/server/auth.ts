// next-auth (v4) configuration. Sessions are JWTs in a cookie, encrypted with AUTH_SECRET, which the
// API decrypts on every request and trusts for the user id (`sub`). The password check itself is the
// API's: the Credentials provider only relays it, with the browser's address for throttling.
import { TRPCClientError } from "@trpc/client";
import { getServerSession, type NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getEnv } from "~/env";
import { clientAddressOf } from "~/lib/client-address";
import { createServerApiClient } from "./api-client";

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** What the sign-in page shows for a failed attempt: the API's own words where they are meant for users. */
function signInErrorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    const code = typeof data === "object" && data !== null && "code" in data ? data.code : undefined;
    if (code === "BAD_REQUEST" || code === "TOO_MANY_REQUESTS" || code === "UNAUTHORIZED") {
      // Input that fails validation (e.g. not an email) gets the same generic answer as a wrong password.
      return error.message.startsWith("Invalid input") ? "Wrong email or password." : error.message;
    }
  }
  return "Sign-in is unavailable right now. Try again in a moment.";
}

let cachedOptions: NextAuthOptions | undefined;

export function getAuthOptions(): NextAuthOptions {
  if (cachedOptions) return cachedOptions;
  cachedOptions = {
    secret: getEnv().AUTH_SECRET,
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
        },
        async authorize(credentials, request) {
          const email = credentials?.email?.trim() ?? "";
          const password = credentials?.password ?? "";
          if (!email || !password) throw new Error("Enter your email and password.");
          const forwardedFor = clientAddressOf(firstHeader(request.headers?.["x-forwarded-for"]));
          const api = createServerApiClient({ forwardedFor });
          try {
            // next-auth puts `id` into the token's `sub`, which is what the API reads.
            return await api.auth.verifyCredentials.mutate({ email, password });
          } catch (error) {
            // next-auth v4 hands a thrown message to the sign-in page as `error`.
            throw new Error(signInErrorMessage(error));
          }
        },
      }),
    ],
    callbacks: {
      session({ session, token }) {
        return {
          ...session,
          user: { id: token.sub ?? "", name: token.name ?? "", email: token.email ?? "" },
        };
      },
    },
  };
  return cachedOptions;
}

export type SessionUser = { id: string; name: string; email: string };

/** The signed-in user in a server component or route handler, or null. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(getAuthOptions());
  if (!session?.user?.id) return null;
  return { id: session.user.id, name: session.user.name, email: session.user.email };
}
