import type { NextRequest } from "next/server";
import NextAuth from "next-auth";
import { getAuthOptions } from "~/server/auth";

type Context = { params: Promise<{ nextauth: string[] }> };

// Built per request (cheaply: the options are cached) so that the build does not need AUTH_SECRET.
function handler(request: NextRequest, context: Context) {
  return NextAuth(getAuthOptions())(request, context);
}

export { handler as GET, handler as POST };
