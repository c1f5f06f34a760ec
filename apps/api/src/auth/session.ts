// Reads the console's next-auth session (an encrypted JWT in a cookie) so the API knows the caller.
// The token is only trusted for the user id: the user is loaded fresh, so a deleted user is out.
import { decode } from "next-auth/jwt";

const sessionCookieNames = ["__Secure-next-auth.session-token", "next-auth.session-token"];

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      cookies.set(name, value);
    }
  }
  return cookies;
}

/** The user id in the request's session cookie, or null when there is none or it is not valid. */
export async function readSessionUserId(options: {
  cookieHeader: string | undefined;
  secret: string;
}): Promise<string | null> {
  const cookies = parseCookies(options.cookieHeader);
  for (const name of sessionCookieNames) {
    const token = cookies.get(name);
    if (!token) continue;
    try {
      const payload = await decode({ token, secret: options.secret });
      if (payload && typeof payload.sub === "string") return payload.sub;
    } catch {
      // A token we cannot decrypt (wrong secret, tampered, expired) is no session.
    }
  }
  return null;
}
