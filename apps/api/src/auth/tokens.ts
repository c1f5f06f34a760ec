// Secrets we hand out (invitation links, bootstrap tokens and agent credentials) are random and
// shown once; only their SHA-256 is stored, so a database leak does not leak usable tokens.
import { createHash, randomBytes } from "node:crypto";

/**
 * What a token opens, as its prefix: secret scanners and people can tell a leaked Switchyard token
 * (and its kind) at a glance. The prefix also keeps a token from starting with "-": a bare
 * base64url token did 1 time in 64, and the agent's CLI took `--token -…` for a missing value.
 */
const tokenPrefixes = {
  bootstrap: "syb_",
  credential: "syc_",
  invitation: "syi_",
} as const;

export type TokenKind = keyof typeof tokenPrefixes;

export function generateToken(kind: TokenKind): string {
  return `${tokenPrefixes[kind]}${randomBytes(32).toString("base64url")}`;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
