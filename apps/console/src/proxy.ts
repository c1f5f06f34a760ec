// Route protection before rendering: a signed-out visitor of an organization page goes to sign in
// and comes back to the very page they asked for (a layout cannot see the full path). The
// organization layout checks the session again, and the API checks membership and role on every call.
import { type NextRequest, NextResponse } from "next/server";
import { getToken } from "next-auth/jwt";
import { getEnv } from "~/env";

export async function proxy(request: NextRequest) {
  const token = await getToken({ req: request, secret: getEnv().AUTH_SECRET });
  if (token?.sub) return NextResponse.next();
  const signIn = new URL("/signin", request.url);
  signIn.searchParams.set("callbackUrl", `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.redirect(signIn);
}

// Organization pages only. /install and /agent/v1 are called by kubectl and cluster agents, which
// have no session (the token or credential is the authentication), so they must never be sent to sign in.
export const config = { matcher: ["/o/:path*"] };
