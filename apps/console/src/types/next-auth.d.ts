// The session carries the user's id (the JWT `sub`, which the API trusts) besides name and email.
import type { DefaultSession } from "next-auth";

declare module "next-auth" {
  interface Session {
    user: { id: string; name: string; email: string } & DefaultSession["user"];
  }
}
